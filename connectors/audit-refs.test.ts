import { describe, expect, it } from 'vitest';
import { CredentialRef } from '../schemas/credential.ts';
import { credentialRefForToken } from './audit-refs.ts';

describe('a token named by an audit log becomes the reference a containment starts from', () => {
  it('google: the grant of one OAuth client for one user', () => {
    const r = credentialRefForToken({ provider: 'google', tokenKey: 'ana@acme.example:1234.apps.googleusercontent.com', principal: 'ana@acme.example' });
    expect(r).toEqual({ ref: { provider: 'google', kind: 'oauth_grant', user: 'ana@acme.example', clientId: '1234.apps.googleusercontent.com' } });
    expect(CredentialRef.safeParse((r as { ref: unknown }).ref).success).toBe(true);
  });

  it('salesforce: the user’s grants of the connected app', () => {
    const r = credentialRefForToken({ provider: 'salesforce', tokenKey: '005Hs000001DrftAAA:Drift', principal: '005Hs000001DrftAAA', app: 'Drift' });
    expect(r).toEqual({ ref: { provider: 'salesforce', kind: 'refresh_token', user: '005Hs000001DrftAAA', clientId: 'Drift' } });
  });

  it('github: a personal access token by its owner; an app’s token cannot be named without its client id or value', () => {
    expect(credentialRefForToken({ provider: 'github', tokenKey: 'q0gJ+hash=', principal: 'octo' })).toEqual({ ref: { provider: 'github', kind: 'pat', user: 'octo' } });
    const app = credentialRefForToken({ provider: 'github', tokenKey: 'q0gJ+hash=', principal: 'octo', app: 'CircleCI' });
    expect('why' in app && app.why).toMatch(/CircleCI.*OAuth client id or its value/);
  });

  it('slack: an app’s tokens by the app; a token with no app is refused with what to do', () => {
    expect(credentialRefForToken({ provider: 'slack', tokenKey: 'A0123:bot', principal: 'U01', app: 'A0123' })).toEqual({ ref: { provider: 'slack', kind: 'oauth_token', clientId: 'A0123', user: 'U01' } });
    const none = credentialRefForToken({ provider: 'slack', tokenKey: 'U01:user', principal: 'U01' });
    expect('why' in none && none.why).toMatch(/contain it by its value/);
  });
});
