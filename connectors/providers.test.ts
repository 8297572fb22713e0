// The provider modules: one list that matches the wire enum, capabilities read from the connectors'
// methods (and every missing one explained), each provider's variables and credential-id scheme.
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../schemas/credential.ts';
import { variableMeta } from '../schemas/config.ts';
import { assertCan, can, capabilitiesOf } from './capabilities.ts';
import { credentialIds as githubIds } from './github/ids.ts';
import { credentialIds as googleIds } from './google/ids.ts';
import { MemoryConnector } from './memory/connector.ts';
import { MemoryTenant } from './memory/tenant.ts';
import { providerManifest, providers, configuredProviders } from './providers.ts';
import { connectorsFromEnv } from './registry.ts';
import { grantIdOf } from './salesforce/ids.ts';
import { formatCredentialId } from './slack/credential-ids.ts';
import { CAPABILITIES, ConnectorError, type Capability } from './types.ts';

describe('the providers list', () => {
  it('names exactly the providers of the wire enum (schemas/credential.ts), once each', () => {
    expect(providers.map((p) => p.provider).sort()).toEqual([...PROVIDERS].sort());
    expect(new Set(providers.map((p) => p.provider)).size).toBe(providers.length);
  });

  it('gives every capability of every provider either an implementation or a reason, never both', () => {
    for (const p of providers) {
      const explained = Object.keys(p.cannot) as Capability[];
      expect(explained.filter((c) => p.capabilities.includes(c)), p.provider).toEqual([]);
      expect([...p.capabilities, ...explained].sort(), p.provider).toEqual([...CAPABILITIES].sort());
      for (const why of Object.values(p.cannot)) expect(why.length, p.provider).toBeGreaterThan(20);
    }
  });

  it('reads capabilities from the methods the connector has', () => {
    expect(providerManifest('slack').capabilities).toEqual(['list', 'describe', 'revoke', 'forceReauth', 'probe', 'audit', 'revokeAllForClient', 'blockApp', 'tokenUse']);
    for (const provider of ['google', 'github', 'salesforce', 'slack'] as const) expect(providerManifest(provider).capabilities, provider).toContain('tokenUse');
    expect(providerManifest('github').capabilities).not.toContain('restrict');
    expect(providerManifest('github').capabilities).toContain('revokeByValue');
    expect(providerManifest('google').capabilities).toContain('restrict');
    expect(providerManifest('memory').capabilities).toEqual(CAPABILITIES.filter((c) => c !== 'revokeByValue' && c !== 'tokenUse' && c !== 'lastUse'));
    // Re-authentication needs both its scope and its act; a connector with only one of them cannot.
    const half = { listActive() {}, identify() {}, revoke() {}, forceReauth() {} };
    expect(capabilitiesOf(half)).toEqual(['list', 'describe', 'revoke']);
    expect(capabilitiesOf({ ...half, reauthScope() {} })).toEqual(['list', 'describe', 'revoke', 'forceReauth']);
  });

  it('refuses a missing operation with unsupported and the connector’s reason', () => {
    const memory = new MemoryConnector(new MemoryTenant());
    expect(can(memory, 'blockApp')).toBe(true);
    const withoutBlock = Object.assign(Object.create(null) as object, { provider: 'memory', cannot: { blockApp: 'the tenant has no app controls' }, identify: memory.identify, listActive: memory.listActive, revoke: memory.revoke });
    let err: unknown;
    try {
      assertCan(withoutBlock as unknown as MemoryConnector, 'blockApp');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ kind: 'unsupported', message: 'memory: cannot blockApp: the tenant has no app controls' });
  });

  it('declares each provider’s variables under its own area, with the one that turns it on required', () => {
    for (const p of providers) {
      const shape = p.env.shape as Record<string, import('zod').ZodType>;
      expect(Object.keys(shape), p.provider).toContain(p.configuredBy);
      for (const [name, schema] of Object.entries(shape)) expect(variableMeta(name, schema).area, name).toBe(p.provider);
      if (!p.testOnly) expect(variableMeta(p.configuredBy, shape[p.configuredBy]!).required, p.configuredBy).toBe(true);
    }
  });

  it('parses the credential ids each connector builds, and refuses another provider’s', () => {
    const gh = providerManifest('github').credentialIds;
    expect(gh.parse(githubIds.deployKey('acme', 'firmware', 7101))).toEqual({ type: 'deploy_key', owner: 'acme', repo: 'firmware', num: 7101 });
    expect(gh.parse(githubIds.pat('fine_grained', 8001))).toEqual({ type: 'pat_fine_grained', num: 8001 });
    expect(gh.parse(githubIds.installation(42))).toEqual({ type: 'app_installation_token', num: 42 });
    expect(gh.parse(githubIds.oauthToken(7001))).toEqual({ type: 'oauth_token', num: 7001 });
    const google = providerManifest('google').credentialIds;
    expect(google.parse(googleIds.grant('ana@acme.com', 'drift.apps.googleusercontent.com'))).toEqual({ type: 'grant', user: 'ana@acme.com', clientId: 'drift.apps.googleusercontent.com' });
    const slack = providerManifest('slack').credentialIds;
    expect(slack.parse(formatCredentialId({ type: 'app', scopeId: 'E01', appId: 'A02' }))).toEqual({ type: 'app', scopeId: 'E01', appId: 'A02' });
    const sf = providerManifest('salesforce').credentialIds;
    const grant = grantIdOf({ UserId: '005Hs000001FcntAAA', DeleteToken: 'opaque-delete-token' });
    expect(sf.parse(grant)).toMatchObject({ type: 'grant', userId: '005Hs000001FcntAAA' });
    expect(sf.parse('0AkHs000001abcdAAA')).toEqual({ type: 'session', sessionId: '0AkHs000001abcdAAA' });
    expect(gh.parse(grant)).toBeUndefined();
    expect(sf.parse(githubIds.deployKey('acme', 'firmware', 7101))).toBeUndefined();
    expect(slack.parse(googleIds.sessions('ana@acme.com'))).toBeUndefined();
  });
});

describe('the registry and the configured providers', () => {
  it('runs exactly the providers whose variable is set, and names a bad value’s variable', () => {
    expect(connectorsFromEnv({})).toEqual({});
    expect(configuredProviders({ CORDON_SLACK_ADMIN_TOKEN: 'xoxp-1', CORDON_MEMORY_TENANT_URL: 'http://127.0.0.1:1' }).map((p) => p.provider)).toEqual(['slack', 'memory']);
    expect(Object.keys(connectorsFromEnv({ CORDON_MEMORY_TENANT_URL: 'http://127.0.0.1:1' }))).toEqual(['memory']);
    expect(() => connectorsFromEnv({ CORDON_MEMORY_TENANT_URL: 'not a url' })).toThrow(/^CORDON_MEMORY_TENANT_URL: must be an http\(s\) URL$/);
    expect(() => connectorsFromEnv({ CORDON_GITHUB_ORG: 'acme' })).toThrow(/CORDON_GITHUB_APP_ID is not set/);
  });
});
