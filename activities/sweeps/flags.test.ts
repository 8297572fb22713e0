// Flagging is pure: each rule fires on the credential built to trip it and on nothing else, and the
// real Google connector's inventory of the sweep scenario (emulator, googleapis) flags exactly the
// seeded bad credentials. The containment a finding opens asks for approval by default.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credential } from '../../schemas/credential.ts';
import { ContainmentInput } from '../../schemas/containment.ts';
import type { InventoryResult } from '../../schemas/sweep.ts';
import { connectorsFromEnv } from '../../connectors/registry.ts';
import { canInventory } from '../../connectors/inventory.ts';
import { startLocalTenant, type LocalTenant } from '../../local-tenant/tenant.ts';
import { containmentForFinding, flagCredential, flagInventories, NotContainableError } from './flags.ts';
import { EXPECTED_CLEAN, EXPECTED_FLAGS, hygieneScenario } from '../../test/support/hygiene-scenario.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const POLICY = { unusedDays: 90, overBroadScopes: { github: ['repo', 'admin:org'], google: ['https://mail.google.com/'], salesforce: ['full'] } };
const ago = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

function cred(over: Partial<Credential> = {}): Credential {
  return {
    provider: 'github',
    kind: 'pat',
    id: 'pat-1',
    label: 'a PAT',
    principal: { id: 'octocat', displayName: 'Octo Cat', type: 'user', status: 'active' },
    scopes: ['read:org'],
    createdAt: ago(10),
    lastUsedAt: ago(1),
    consumers: [{ id: 'ci', name: 'CI', kind: 'pipeline' }],
    selfOrLastAdmin: false,
    ...over,
  };
}
const kinds = (c: Credential, owner?: Parameters<typeof flagCredential>[1]) => flagCredential(c, owner, POLICY, NOW).map((f) => f.kind);

describe('flagCredential', () => {
  it('leaves a recently used, narrowly scoped, single-consumer credential of an active owner alone', () => {
    expect(kinds(cred())).toEqual([]);
  });
  it('flags unused at 90 days, not at 89, and never on an unknown last use', () => {
    expect(kinds(cred({ lastUsedAt: ago(90) }))).toEqual(['unused']);
    expect(kinds(cred({ lastUsedAt: ago(89) }))).toEqual([]);
    const { lastUsedAt: _, ...neverSeen } = cred({ createdAt: ago(400) });
    expect(kinds(neverSeen as Credential)).toEqual([]);
  });
  it('flags over-broad scopes per provider: `repo` on GitHub, but not a Salesforce scope of that name', () => {
    expect(kinds(cred({ scopes: ['repo', 'read:org'] }))).toEqual(['over_broad_scope']);
    expect(kinds(cred({ provider: 'salesforce', scopes: ['repo', 'api'] }))).toEqual([]);
    expect(kinds(cred({ provider: 'salesforce', scopes: ['full'] }))).toEqual(['over_broad_scope']);
  });
  it('flags a credential with several consumers as shared', () => {
    expect(kinds(cred({ consumers: [{ id: 'a', name: 'a', kind: 'integration' }, { id: 'b', name: 'b', kind: 'integration' }] }))).toEqual(['shared']);
  });
  it('flags an inactive owner, and creation after offboarding from the provider’s time or else the last sign-in', () => {
    const gone = { id: 'octocat', displayName: 'Octo', type: 'user' as const, status: 'offboarded' as const };
    expect(kinds(cred({ createdAt: ago(50) }), { ...gone, lastLoginAt: ago(40) })).toEqual(['owner_inactive']);
    expect(kinds(cred({ createdAt: ago(30) }), { ...gone, lastLoginAt: ago(40) })).toEqual(['owner_inactive', 'created_after_offboarding']);
    expect(kinds(cred({ createdAt: ago(30) }), { ...gone, lastLoginAt: ago(10), inactiveSince: ago(35) })).toEqual(['owner_inactive', 'created_after_offboarding']);
    // An active owner creating things is normal, whatever their last sign-in says.
    expect(kinds(cred({ createdAt: ago(5) }), { ...gone, status: 'active', lastLoginAt: ago(40) })).toEqual([]);
  });
});

describe('flagInventories', () => {
  it('reports every row, the flagged ids, and each provider’s coverage including the ones it could not inventory', () => {
    const inv: InventoryResult = { provider: 'github', takenAt: NOW.toISOString(), credentials: [cred(), cred({ id: 'pat-2', scopes: ['admin:org'] })], principals: [], blindSpots: ['fine-grained PAT scopes are not listed'] };
    const report = flagInventories(
      [{ provider: 'github', inventory: inv }, { provider: 'slack', missing: { state: 'unavailable', error: 'slack: rate limited' } }],
      { unusedDays: 90, overBroadScopes: POLICY.overBroadScopes },
      NOW,
    );
    expect(report.rows).toHaveLength(2);
    expect(report.flagged).toEqual(['pat-2']);
    expect(report.coverage).toEqual([
      { provider: 'github', state: 'inventoried', credentials: 2, blindSpots: ['fine-grained PAT scopes are not listed'] },
      { provider: 'slack', state: 'unavailable', credentials: 0, blindSpots: [], error: 'slack: rate limited' },
    ]);
  });
});

describe('containmentForFinding', () => {
  it('opens a direct containment that requires approval by default, naming the credential by id', () => {
    const request = containmentForFinding(cred({ scopes: ['repo'] }), ['over-broad scope repo'], { incidentId: 'HYG-1', requester: 'hygiene-sweep' });
    const input = ContainmentInput.parse(request);
    expect(input.policy.approval.requireForDirect).toBe(true);
    expect(input.mode).toBe('direct');
    expect(input.credentials).toEqual([{ provider: 'github', kind: 'pat', id: 'pat-1' }]);
  });
  it('refuses Cordon’s own access path (I6)', () => {
    expect(() => containmentForFinding(cred({ selfOrLastAdmin: true }), [], { incidentId: 'HYG-1', requester: 'x' })).toThrow(NotContainableError);
  });
});

describe('the Google connector’s inventory of the sweep scenario (googleapis against the emulator)', () => {
  let tenant: LocalTenant;
  beforeAll(async () => {
    tenant = await startLocalTenant({ scenario: hygieneScenario() });
  });
  afterAll(async () => tenant?.close());

  it('flags exactly the seeded bad credentials, with exactly the expected flags', async () => {
    const google = connectorsFromEnv(tenant.connectorEnv()).google!;
    expect(canInventory(google)).toBe(true);
    if (!canInventory(google)) return;
    const inventory = await google.inventory();
    const report = flagInventories([{ provider: 'google', inventory }], { unusedDays: 90 }, new Date());
    const got = Object.fromEntries(report.rows.filter((r) => r.flags.length).map((r) => [r.credential.id, r.flags.map((f) => f.kind)]));
    expect(got).toEqual(EXPECTED_FLAGS);
    for (const id of EXPECTED_CLEAN) expect(report.rows.find((r) => r.credential.id === id)?.flags, id).toEqual([]);
    // Cordon's own key is inventoried (and marked), not silently skipped.
    expect(report.rows.some((r) => r.credential.selfOrLastAdmin)).toBe(true);
    expect(report.coverage[0]!.blindSpots.some((b) => b.includes('no last-use time'))).toBe(true);
  });
});
