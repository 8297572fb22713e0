import { describe, expect, it } from 'vitest';
import type { Credential } from './credential.ts';
import { flagUnrotated, judgeSwitch, nextWindowStart, parseRotationPolicies, policyMatches, RotationPolicy } from './rotation.ts';

const key = (id: string, principal: string, createdAt?: string, clientId?: string): Credential => ({
  provider: 'google',
  kind: 'service_account_key',
  id,
  label: `key ${id}`,
  principal: { id: principal, displayName: principal, type: 'service_account', status: 'active' },
  scopes: [],
  consumers: [],
  selfOrLastAdmin: false,
  ...(createdAt ? { createdAt } : {}),
  ...(clientId ? { clientId } : {}),
});

describe('rotation policies', () => {
  it('names the field and the reason of a bad policy', () => {
    expect(() => parseRotationPolicies({ policies: [{ name: 'a', match: { provider: 'google' }, maxAge: '90 days' }] })).toThrow(/policies\.0\.maxAge: a duration is a number followed by s, m, h or d/);
    expect(() => parseRotationPolicies({ policies: [{ name: 'a', match: { provider: 'google', kinds: ['oauth_grant'] }, maxAge: '90d' }] })).toThrow(/policies\.0\.match\.kinds: google oauth_grant: an admin cannot mint/);
    expect(() => parseRotationPolicies({ policies: [{ name: 'a', match: { provider: 'slack' }, maxAge: '90d' }] })).toThrow(/policies\.0\.mode: slack: no credential kind can be minted/);
    expect(() => parseRotationPolicies({ policies: [{ name: 'a', match: { provider: 'google' }, maxAge: '1d', requireApproval: true }] })).toThrow(/policies\.0\.approvers: requireApproval needs at least one approver/);
    expect(() => parseRotationPolicies({ policies: [{ name: 'a', match: { provider: 'google' }, maxAge: '1d' }, { name: 'a', match: { provider: 'google' }, maxAge: '2d' }] })).toThrow(/policies\.1\.name: duplicate policy name a/);
    expect(parseRotationPolicies({ policies: [{ name: 'slack-report', match: { provider: 'slack' }, maxAge: '90d', mode: 'report' }] }).policies[0]!.onDeadline).toBe('hold_and_escalate');
  });

  it('matches by kind, principal pattern, label and scope', () => {
    const p = RotationPolicy.parse({ name: 'ci', match: { provider: 'google', kinds: ['service_account_key'], principal: 'ci-*@p.iam.gserviceaccount.com', label: 'key' }, maxAge: '90d' });
    expect(policyMatches(p.match, key('k1', 'ci-0001@p.iam.gserviceaccount.com'))).toBe(true);
    expect(policyMatches(p.match, key('k2', 'web@p.iam.gserviceaccount.com'))).toBe(false);
    expect(policyMatches({ ...p.match, scope: 'x' }, key('k1', 'ci-0001@p.iam.gserviceaccount.com'))).toBe(false);
  });

  it('sees a switch only when every replacement signed in after its issue and the old credential fell silent before', () => {
    const issuedAt = '2026-01-01T00:00:00.500Z';
    expect(judgeSwitch({ lastUsedAt: '2026-01-01T00:00:00Z' }, [{ consumerId: 'a', issuedAt, lastUsedAt: '2026-01-01T00:00:02Z' }])).toEqual({ switched: true, waitingFor: [], oldStillUsed: false });
    expect(judgeSwitch({ lastUsedAt: '2026-01-01T00:00:00Z' }, [{ consumerId: 'a', issuedAt }])).toMatchObject({ switched: false, waitingFor: ['a'] });
    // The old key still used as late as the new one: a consumer still holds it.
    expect(judgeSwitch({ lastUsedAt: '2026-01-01T00:00:03Z' }, [{ consumerId: 'a', issuedAt, lastUsedAt: '2026-01-01T00:00:03Z' }])).toMatchObject({ switched: false, waitingFor: [], oldStillUsed: true });
    expect(judgeSwitch({}, [])).toMatchObject({ switched: false });
  });

  it('opens a maintenance window on its days, across midnight too', () => {
    const at = Date.parse('2026-11-27T12:00:00Z'); // a Friday
    expect(nextWindowStart(undefined, at)).toBe(at);
    expect(new Date(nextWindowStart({ start: '22:00', end: '02:00' }, at)).toISOString()).toBe('2026-11-27T22:00:00.000Z');
    expect(nextWindowStart({ start: '22:00', end: '02:00' }, Date.parse('2026-11-28T01:00:00Z'))).toBe(Date.parse('2026-11-28T01:00:00Z'));
    expect(new Date(nextWindowStart({ days: ['sun'], start: '03:00', end: '05:00' }, at)).toISOString()).toBe('2026-11-29T03:00:00.000Z');
  });

  it('flags credentials older than a past incident that share its principal or app, once, for the latest incident', () => {
    const incident = (id: string, startedAt: string) => ({ incidentId: id, workflowId: `w-${id}`, startedAt, outcome: 'contained', principals: [{ provider: 'google' as const, id: 'sa@p' }], apps: [{ provider: 'google' as const, clientId: 'vendor' }] });
    const { flags, unknownAge } = flagUnrotated(
      [incident('INC-1', '2026-01-01T00:00:00Z'), incident('INC-2', '2026-06-01T00:00:00Z')],
      [key('old', 'sa@p', '2025-12-01T00:00:00Z'), key('mid', 'sa@p', '2026-03-01T00:00:00Z'), key('new', 'sa@p', '2026-07-01T00:00:00Z'), key('app', 'other@p', '2025-01-01T00:00:00Z', 'vendor'), key('unrelated', 'other@p', '2025-01-01T00:00:00Z'), key('noage', 'sa@p')],
    );
    expect(flags.map((f) => [f.credential.id, f.incidentId, f.shares])).toEqual([['old', 'INC-2', 'principal'], ['mid', 'INC-2', 'principal'], ['app', 'INC-2', 'app']]);
    expect(unknownAge.map((u) => u.credential.id)).toEqual(['noage']);
  });
});
