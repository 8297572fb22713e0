import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ContainmentStatus } from '../schemas/containment.ts';
import type { Credential, CredentialRef } from '../schemas/credential.ts';
import { childrenOf, groupByOwner, MASS_OWNER_GROUPS_PATCH, MASS_SALESFORCE_OWNERS_PATCH, outcomesOfRefs, ownerOfRef, pagesByOwner } from './mass-owners.ts';

// childrenOf asks patched(): here a run records (or, replayed, finds) the patches in `present`.
const present = new Set<string>();
vi.mock('@temporalio/workflow', () => ({ patched: (id: string) => present.has(id) }));

const saKey = (sa: string, key: string, project = 'p1'): CredentialRef => ({ provider: 'google', kind: 'service_account_key', id: `projects/${project}/serviceAccounts/${sa}@p1.iam.gserviceaccount.com/keys/${key}` });
const deployKey = (repo: string, n: number): CredentialRef => ({ provider: 'github', kind: 'deploy_key', id: `deploy_key:acme/${repo}:${n}` });

describe('ownerOfRef', () => {
  it('reads the service account from a key resource name and the repository from a deploy key id', () => {
    expect(ownerOfRef(saKey('ci', 'k1'))).toBe('google:service_account:ci@p1.iam.gserviceaccount.com');
    // "-" for the project names the same account.
    expect(ownerOfRef(saKey('ci', 'k2', '-'))).toBe(ownerOfRef(saKey('ci', 'k1')));
    expect(ownerOfRef(deployKey('infra', 7))).toBe('github:repository:acme/infra');
    expect(ownerOfRef({ provider: 'github', kind: 'deploy_key', id: 'deploy_key:ACME/Infra:9' })).toBe('github:repository:acme/infra');
  });

  it('does not guess an owner the ref does not state', () => {
    expect(ownerOfRef({ provider: 'google', kind: 'service_account_key', keyId: 'abc123' })).toBeUndefined();
    expect(ownerOfRef({ provider: 'github', kind: 'deploy_key', id: '1234' })).toBeUndefined();
    expect(ownerOfRef({ provider: 'github', kind: 'pat', id: 'pat:classic:7301' })).toBeUndefined();
    expect(ownerOfRef({ provider: 'slack', kind: 'oauth_token', leakedValue: 'xoxb-1234567890-abcdefghij' })).toBeUndefined();
    // The kind decides: a deploy-key-shaped id given as another kind is not grouped.
    expect(ownerOfRef({ provider: 'github', kind: 'oauth_token', id: 'deploy_key:acme/infra:7' })).toBeUndefined();
  });
});

const sfGrant = (user: string, hash: string): CredentialRef => ({ provider: 'salesforce', kind: 'refresh_token', id: `oauthtoken:${user}:${hash}` });
const U1 = '005000000000001AAA';
const U2 = '005000000000002AAA';

describe('ownerOfRef for Salesforce', () => {
  it('reads the user from a grant id, and from the ref\'s user (id or username)', () => {
    expect(ownerOfRef(sfGrant(U1, '91a9b6d085478e20'))).toBe('salesforce:user:005000000000001');
    // The 15-character id is the 18-character one without its checksum: the same user.
    expect(ownerOfRef(sfGrant(U1.slice(0, 15), 'c178ce3a4de62354'))).toBe(ownerOfRef(sfGrant(U1, '91a9b6d085478e20')));
    expect(ownerOfRef(sfGrant(U2, '91a9b6d085478e20'))).not.toBe(ownerOfRef(sfGrant(U1, '91a9b6d085478e20')));
    expect(ownerOfRef({ provider: 'salesforce', kind: 'refresh_token', user: U1, clientId: '3MVG9LOADVENDORCONSUMERKEY' })).toBe('salesforce:user:005000000000001');
    expect(ownerOfRef({ provider: 'salesforce', kind: 'oauth_grant', user: 'Integration-1@Load.example.com' })).toBe('salesforce:username:integration-1@load.example.com');
  });

  it('names no owner the ref does not state, and none under the rules of a run before Salesforce owners', () => {
    expect(ownerOfRef({ provider: 'salesforce', kind: 'session', id: '0Ak000000000001AAA' })).toBeUndefined();
    expect(ownerOfRef({ provider: 'salesforce', kind: 'refresh_token', clientId: '3MVG9LOADVENDORCONSUMERKEY' })).toBeUndefined();
    expect(ownerOfRef({ provider: 'salesforce', kind: 'oauth_token', leakedValue: '00D000000000001!AQ0AQabcdefghijklmnop' })).toBeUndefined();
    expect(ownerOfRef({ provider: 'salesforce', kind: 'refresh_token', id: 'oauthtoken:005bad:91a9b6d085478e20' })).toBeUndefined();
    expect(ownerOfRef(sfGrant(U1, '91a9b6d085478e20'), { salesforce: false })).toBeUndefined();
  });
});

describe('childrenOf', () => {
  beforeEach(() => present.clear());
  // The bench's refs: grants of two integration users interleaved, and two keys of one service account.
  const refs = [sfGrant(U1, 'a000000000000001'), sfGrant(U2, 'a000000000000002'), saKey('ci', 'k1'), sfGrant(U1, 'a000000000000003'), saKey('ci', 'k2'), sfGrant(U2, 'a000000000000004')];

  it('puts a Salesforce user\'s grants in one child in a run started now', () => {
    present.add(MASS_OWNER_GROUPS_PATCH).add(MASS_SALESFORCE_OWNERS_PATCH);
    expect(childrenOf(refs, { offset: 0 })).toEqual({ children: [[0, 3], [1, 5], [2, 4]], grouped: true, salesforce: true });
  });

  it('replays a run recorded before Salesforce owners as it ran: its grants alone, its service account grouped', () => {
    present.add(MASS_OWNER_GROUPS_PATCH);
    expect(childrenOf(refs, { offset: 0 })).toEqual({ children: [[0], [1], [2, 4], [3], [5]], grouped: true, salesforce: false });
    // Before owner groups at all: every ref alone.
    present.clear();
    expect(childrenOf(refs, { offset: 0 })).toEqual({ children: [[0], [1], [2], [3], [4], [5]], grouped: false, salesforce: false });
  });

  it('keeps the grouping of the run a continued one comes from, whatever the patches say', () => {
    present.add(MASS_OWNER_GROUPS_PATCH).add(MASS_SALESFORCE_OWNERS_PATCH);
    expect(childrenOf(refs, { offset: 3, ownerGroups: true }).children).toEqual([[0], [1], [2, 4], [3], [5]]);
    expect(childrenOf(refs, { offset: 3, ownerGroups: true, salesforceOwnerGroups: true }).children).toEqual([[0, 3], [1, 5], [2, 4]]);
    expect(childrenOf(refs, { offset: 3 }).grouped).toBe(false);
  });
});

describe('groupByOwner', () => {
  it('puts the refs of one owner in one group named by its first ref, and leaves the rest alone, in list order', () => {
    const refs = [saKey('ci', 'k1'), deployKey('infra', 1), { provider: 'google', kind: 'service_account_key', keyId: 'lone' } as CredentialRef, saKey('ci', 'k2'), deployKey('web', 5), deployKey('infra', 2), saKey('deploy', 'k9'), saKey('ci', 'k3')];
    expect(groupByOwner(refs)).toEqual([[0, 3, 7], [1, 5], [2], [4], [6]]);
  });

  it('is deterministic: the same list gives the same groups', () => {
    const refs = Array.from({ length: 50 }, (_, i) => (i % 2 ? deployKey(`r${i % 7}`, i) : saKey(`sa${i % 5}`, `k${i}`)));
    expect(groupByOwner(refs)).toEqual(groupByOwner([...refs]));
    expect(groupByOwner(refs).flat().sort((a, b) => a - b)).toEqual(refs.map((_, i) => i));
  });
});

describe('outcomesOfRefs', () => {
  const cred = (id: string): Credential => ({ provider: 'github', kind: 'deploy_key', id, label: id, principal: { id: 'repo:acme/infra', displayName: 'infra', type: 'service_account', status: 'active' }, scopes: [], consumers: [], selfOrLastAdmin: false });
  const status = (over: Partial<ContainmentStatus>): ContainmentStatus =>
    ({ workflowId: 'm-0', incidentId: 'INC', mode: 'direct', stage: 'done', outcome: 'contained', startedAt: '2026-01-01T00:00:00Z', scope: [], credentials: [], collateral: [], restrictions: [], pendingApprovals: [], evidence: [], ...over }) as ContainmentStatus;
  const progress = (id: string, state: ContainmentStatus['credentials'][number]['state']) => ({ credentialId: `github:${id}`, provider: 'github', label: id, state, transitions: [], replacements: [], fallbacksUsed: [] });
  const report = (ref: string, ids: string[]) => ({ provider: 'github' as const, ref, credentials: ids.map(cred), relatedServiceAccounts: [], riskFlags: [], blindSpots: [] });

  it('gives each ref the outcome of its own credentials', () => {
    const s = status({
      outcome: 'not_contained',
      outcomeReason: 'still active after re-revoke and the fallback ladder: github:deploy_key:acme/infra:2',
      scope: [report('a', ['deploy_key:acme/infra:1']), report('b', ['deploy_key:acme/infra:2']), report('c', [])],
      credentials: [progress('deploy_key:acme/infra:1', 'verified_dead'), progress('deploy_key:acme/infra:2', 'not_contained')],
    });
    expect(outcomesOfRefs(s, 3)).toEqual([
      { outcome: 'contained' },
      { outcome: 'not_contained', reason: 'github:deploy_key:acme/infra:2 is not_contained: still active after re-revoke and the fallback ladder: github:deploy_key:acme/infra:2' },
      { outcome: 'not_contained', reason: 'no live credential matches the ref c; check the identifiers' },
    ]);
  });

  it('keeps a run-wide verdict for every ref: refused, cancelled, or ended before identifying', () => {
    const refused = status({ outcome: 'refused', outcomeReason: 'self lockout', scope: [report('a', ['deploy_key:acme/infra:1'])], credentials: [progress('deploy_key:acme/infra:1', 'identified')] });
    expect(outcomesOfRefs(refused, 1)).toEqual([{ outcome: 'refused', reason: 'github:deploy_key:acme/infra:1 is identified: self lockout' }]);
    expect(outcomesOfRefs(status({ outcome: 'cancelled', outcomeReason: 'cancelled by alice' }), 2)).toEqual([
      { outcome: 'cancelled', reason: 'cancelled by alice' },
      { outcome: 'cancelled', reason: 'cancelled by alice' },
    ]);
  });

  it('counts a ref cut off from the tenant as contained in the tenant', () => {
    const s = status({ outcome: 'contained_in_tenant', scope: [report('a', ['deploy_key:acme/infra:1', 'deploy_key:acme/infra:3'])], credentials: [progress('deploy_key:acme/infra:1', 'verified_dead'), progress('deploy_key:acme/infra:3', 'cut_off')] });
    expect(outcomesOfRefs(s, 1)).toEqual([{ outcome: 'contained_in_tenant' }]);
  });
});

describe('pagesByOwner', () => {
  it('moves every ref of an owner to the page of its first ref, keeping each ref\'s place in the whole list', () => {
    const lone = { provider: 'google', kind: 'service_account_key', keyId: 'lone' } as CredentialRef;
    // Pages of 3: ci straddles pages 0 and 1 and 2, infra pages 1 and 2; the lone ref and web stay where they are.
    const pages = [
      [saKey('ci', 'k1'), lone, deployKey('web', 1)],
      [deployKey('infra', 1), saKey('ci', 'k2'), deployKey('web', 2)],
      [saKey('ci', 'k3'), deployKey('infra', 2)],
    ];
    const out = pagesByOwner(pages, 3)!;
    expect(out.map((p) => p.indices)).toEqual([[0, 1, 2, 4, 5, 6], [3, 7], []]);
    expect(out[0]!.refs).toEqual([saKey('ci', 'k1'), lone, deployKey('web', 1), saKey('ci', 'k2'), deployKey('web', 2), saKey('ci', 'k3')]);
    expect(out[1]!.refs).toEqual([deployKey('infra', 1), deployKey('infra', 2)]);
    // Every ref once, none lost.
    expect(out.flatMap((p) => p.indices).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('moves a Salesforce user\'s grants to its first page, unless the run reads no Salesforce owners', () => {
    const pages = [[sfGrant(U1, 'a000000000000001'), sfGrant(U2, 'a000000000000002')], [sfGrant(U1, 'a000000000000003')]];
    expect(pagesByOwner(pages, 2)!.map((p) => p.indices)).toEqual([[0, 1, 2], []]);
    expect(pagesByOwner(pages, 2, { salesforce: false })).toBeUndefined();
  });

  it('leaves the pages as they came when no owner straddles a boundary', () => {
    expect(pagesByOwner([[saKey('ci', 'k1'), saKey('ci', 'k2')], [deployKey('infra', 1), deployKey('infra', 2)]], 2)).toBeUndefined();
  });
});
