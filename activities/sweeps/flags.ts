// Flagging is a pure function over the inventory (issue 7): same inventories and clock, same report.
// No provider is called here; the hygiene workflow hands in what the connectors listed.
import type { ContainmentRequest } from '../../schemas/containment.ts';
import type { Credential, Provider } from '../../schemas/credential.ts';
import type { HygieneFlag, HygienePolicy, HygieneReport, InventoryPrincipal, InventoryResult, InventoryRow, ProviderCoverage } from '../../schemas/sweep.ts';

const DAY_MS = 86_400_000;

/**
 * Scopes that grant far more than an integration needs. Sources: GitHub "Scopes for OAuth apps"
 * (`repo` is every private repository, `admin:org` the whole organisation); Google's restricted
 * scopes (full Gmail, full Drive, the Directory itself); Salesforce `full` (everything the user can
 * do); Slack's legacy `client` and `admin` scopes.
 */
export const DEFAULT_OVER_BROAD_SCOPES: Readonly<Record<Provider, readonly string[]>> = {
  github: ['repo', 'admin:org', 'admin:enterprise', 'admin:repo_hook', 'delete_repo', 'write:org'],
  google: ['https://mail.google.com/', 'https://www.googleapis.com/auth/drive', 'https://www.googleapis.com/auth/admin.directory.user'],
  salesforce: ['full'],
  slack: ['admin', 'client', 'admin.users:write', 'admin.apps:write', 'admin.conversations:write'],
  memory: ['full', 'admin'],
};

export interface ProviderInventoryOutcome {
  provider: Provider;
  inventory?: InventoryResult;
  /** Why there is no inventory: the connector has no inventory, or the call failed. */
  missing?: { state: 'unavailable' | 'unsupported'; error: string };
}

export function flagCredential(
  credential: Credential,
  owner: InventoryPrincipal | undefined,
  policy: { unusedDays: number; overBroadScopes: Record<string, readonly string[]> },
  now: Date,
): HygieneFlag[] {
  const flags: HygieneFlag[] = [];
  // Never used is not "unused for 90 days" unless the provider reports last use for it: a missing
  // lastUsedAt is a blind spot (Google keys, Slack tokens), not evidence of disuse.
  if (credential.lastUsedAt) {
    const idleDays = Math.floor((now.getTime() - Date.parse(credential.lastUsedAt)) / DAY_MS);
    if (idleDays >= policy.unusedDays) flags.push({ kind: 'unused', detail: `last used ${credential.lastUsedAt.slice(0, 10)}, ${idleDays} days ago` });
  }
  const status = owner?.status ?? credential.principal.status;
  if (status !== 'active') flags.push({ kind: 'owner_inactive', detail: `owner ${credential.principal.id} is ${status}` });
  const broad = credential.scopes.filter((s) => (policy.overBroadScopes[credential.provider] ?? []).includes(s));
  if (broad.length > 0) flags.push({ kind: 'over_broad_scope', detail: `over-broad scope ${broad.join(', ')}` });
  if (credential.consumers.length > 1) {
    flags.push({ kind: 'shared', detail: `shared by ${credential.consumers.length} consumers: ${credential.consumers.map((c) => c.id).join(', ')}` });
  }
  if (status !== 'active' && credential.createdAt) {
    // The provider's own suspension time when it reports one; otherwise the owner's last sign-in,
    // after which an offboarded person made nothing legitimately.
    const since = owner?.inactiveSince ?? owner?.lastLoginAt;
    if (since && Date.parse(credential.createdAt) > Date.parse(since)) {
      const what = owner?.inactiveSince ? `${status} since ${since}` : `last signed in ${since} and is now ${status}`;
      flags.push({ kind: 'created_after_offboarding', detail: `created ${credential.createdAt} although ${credential.principal.id} ${what}` });
    }
  }
  return flags;
}

export function flagInventories(outcomes: readonly ProviderInventoryOutcome[], policyInput: HygienePolicy, now: Date): HygieneReport {
  const overBroadScopes: Record<string, string[]> = Object.fromEntries(
    Object.entries(policyInput.overBroadScopes ?? DEFAULT_OVER_BROAD_SCOPES).map(([p, scopes]) => [p, [...scopes]]),
  );
  const policy = { unusedDays: policyInput.unusedDays, overBroadScopes };
  const rows: InventoryRow[] = [];
  const coverage: ProviderCoverage[] = [];
  for (const o of outcomes) {
    if (!o.inventory) {
      coverage.push({ provider: o.provider, state: o.missing?.state ?? 'unavailable', credentials: 0, blindSpots: [], error: o.missing?.error ?? 'no inventory' });
      continue;
    }
    const owners = new Map(o.inventory.principals.map((p) => [p.id, p]));
    for (const credential of o.inventory.credentials) {
      rows.push({ credential, flags: flagCredential(credential, owners.get(credential.principal.id), policy, now) });
    }
    coverage.push({ provider: o.provider, state: 'inventoried', credentials: o.inventory.credentials.length, blindSpots: o.inventory.blindSpots });
  }
  return {
    generatedAt: now.toISOString(),
    policy,
    coverage,
    rows,
    flagged: rows.filter((r) => r.flags.length > 0).map((r) => r.credential.id),
  };
}

export class NotContainableError extends Error {
  override readonly name = 'NotContainableError';
}

/**
 * The containment a flagged credential opens: direct mode, but approval required by default
 * (issue 7), naming the credential by id only. Cordon's own access path is never offered (I6).
 */
export function containmentForFinding(
  credential: Credential,
  reasons: readonly string[],
  options: { incidentId: string; requester: string; requireApproval?: boolean; approvers?: string[]; severity?: 'low' | 'medium' | 'high' | 'critical' },
): ContainmentRequest {
  if (credential.selfOrLastAdmin) {
    throw new NotContainableError(`${credential.id} is Cordon's own access path or the last admin path (design.md I6): rotate it by hand`);
  }
  return {
    incidentId: options.incidentId,
    requester: options.requester,
    severity: options.severity ?? 'medium',
    mode: 'direct',
    credentials: [{ provider: credential.provider, kind: credential.kind, id: credential.id }],
    policy: { approval: { requireForDirect: options.requireApproval ?? true, ...(options.approvers ? { approvers: options.approvers } : {}) } },
    reason: reasons.join('; ').slice(0, 2000),
  };
}
