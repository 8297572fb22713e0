import { expect, it } from 'vitest';
import { appendEvidence, at, finishedStatus } from '../drills/status-fixture.ts';
import { renderReport } from './report.ts';

it('shows what re-authentication ended and re-supplied, restrictions and their undo, cut-off credentials and what a run waits on', () => {
  const s = finishedStatus();
  const principal = { id: 'svc-1', displayName: 'Sync account', type: 'service_account' as const, status: 'active' as const };
  const other = { provider: 'salesforce' as const, kind: 'refresh_token' as const, id: 'oauthtoken:svc-1:zzz', label: 'Reporting grant', principal, scopes: [], consumers: [{ id: 'bi', name: 'BI export', kind: 'pipeline' as const }], selfOrLastAdmin: false };
  s.plan!.reauth = [{ provider: 'salesforce', principal, ends: [other], effects: ['ends every session'], leftAlone: [{ credentialId: 'salesforce:oauthtoken:svc-1:r1', reason: 'replacement issued by containment cordon-contain-X for bi' }] }];
  s.collateral = [{ credentialId: 'salesforce:oauthtoken:svc-1:zzz', provider: 'salesforce', label: 'Reporting grant', principalId: 'svc-1', state: 'ended', replacements: [{ credentialId: 'salesforce:oauthtoken:svc-1:zzz', consumerId: 'bi', replacementId: 'rep-9', fingerprint: 'ab12cd34', sink: 'local:bi', issuedAt: at(5000) }], notReplaced: [] }];
  s.restrictions = [{ credentialId: 'salesforce:oauthtoken:u1:abc', detail: 'login IP ranges narrowed', undo: { kind: 'x', description: 'restore the login IP ranges', data: {} }, undone: false }];
  appendEvidence(s, { kind: 'cut_off', actor: 'cordon', credentialId: 'github:pat:classic:1', ownerAction: 'its owner must delete it' }, at(9000));
  s.waitingOn = { what: 'revoking Reporting grant', since: at(1000), attempts: 3, lastError: 'connector.unavailable: HTTP 503', escalations: 1 };
  const text = renderReport(s);
  expect(text).toContain('Re-authentication (planned: exactly these end)');
  expect(text).toContain('ends Reporting grant [oauthtoken:svc-1:zzz] → ended');
  expect(text).toContain('replacement for bi: rep-9 → local:bi');
  expect(text).toContain('leaves alone salesforce:oauthtoken:svc-1:r1: replacement issued by containment cordon-contain-X for bi');
  expect(text).toContain('NOT UNDONE: restore the login IP ranges');
  expect(text).toContain('github:pat:classic:1: its owner must delete it');
  expect(text).toMatch(/Waiting on revoking Reporting grant since .* connector\.unavailable: HTTP 503/);
});
