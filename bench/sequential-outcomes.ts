// "Same outcomes" for the P3 benchmark of issue 14 (bench/sequential.bench.ts), pure: each side's record of
// what it did (replacements per credential and consumer, credentials it verified gone) is checked against
// the expected end state and against the emulators' state after the run, per credential.
//
// Keys are `provider:id` as Cordon names credentials (schemas/credential.ts credentialKey): a Google key's
// resource name, a GitHub deploy key's `deploy_key:<owner>/<repo>:<id>`.

/** One credential of the set: what a correct containment leaves behind is its consumers, each on one replacement. */
export interface Target {
  credentialId: string;
  /** The owner (service account, repository): the script walks them one credential at a time, Cordon re-authenticates them. */
  principal: string;
  consumers: readonly string[];
}

/** What one side says it did. */
export interface SideRecord {
  replacements: readonly { credentialId: string; consumerId: string; replacementId: string }[];
  /** Credentials the side itself checked gone after its revoke (the script's second list, Cordon's `verified_dead`). */
  verifiedGone: readonly string[];
}

/** The emulators' credentials of the kinds in the set, live, before and after the side ran (`provider:id`). */
export interface TenantSnapshots {
  before: ReadonlySet<string>;
  after: ReadonlySet<string>;
}

export interface OutcomeCheck {
  credentials: number;
  /** Targets gone from the provider after the run. */
  revoked: number;
  /** Targets the side verified gone itself. */
  verified: number;
  consumers: number;
  /** Consumers with exactly one replacement, alive at the provider. */
  replaced: number;
  /** Credentials alive after the run that were not before: the replacements, and anything else minted. */
  minted: number;
  /** Everything that differs from the correct end state, one line each (empty: the side did it all). */
  problems: string[];
}

/** Checks one side's run: every target gone, exactly one live replacement per consumer, nothing else minted or ended. */
export function checkOutcomes(targets: readonly Target[], side: SideRecord, tenant: TenantSnapshots): OutcomeCheck {
  const problems: string[] = [];
  const targetIds = new Set(targets.map((t) => t.credentialId));
  const verified = new Set(side.verifiedGone);
  const byPair = new Map<string, Set<string>>();
  for (const r of side.replacements) {
    const key = `${r.credentialId}|${r.consumerId}`;
    byPair.set(key, (byPair.get(key) ?? new Set()).add(r.replacementId));
  }
  const recorded = new Set(side.replacements.map((r) => r.replacementId));
  let revoked = 0;
  let verifiedCount = 0;
  let consumers = 0;
  let replaced = 0;
  for (const t of targets) {
    if (!tenant.before.has(t.credentialId)) problems.push(`${t.credentialId}: not live before the run (the set is wrong)`);
    if (tenant.after.has(t.credentialId)) problems.push(`${t.credentialId}: still live after the run`);
    else revoked += 1;
    if (verified.has(t.credentialId)) verifiedCount += 1;
    else problems.push(`${t.credentialId}: not verified gone by the side itself`);
    for (const consumer of t.consumers) {
      consumers += 1;
      const ids = [...(byPair.get(`${t.credentialId}|${consumer}`) ?? [])];
      if (ids.length === 0) problems.push(`${t.credentialId}: no replacement for consumer ${consumer}`);
      else if (ids.length > 1) problems.push(`${t.credentialId}: ${ids.length} replacements for consumer ${consumer} (${ids.join(', ')})`);
      else if (!tenant.after.has(ids[0]!)) problems.push(`${t.credentialId}: the replacement ${ids[0]} for consumer ${consumer} is not live`);
      else replaced += 1;
    }
  }
  for (const r of side.replacements) {
    if (!targetIds.has(r.credentialId)) problems.push(`${r.credentialId}: replaced for ${r.consumerId}, but it is not in the set`);
  }
  const minted = [...tenant.after].filter((id) => !tenant.before.has(id));
  for (const id of minted) if (!recorded.has(id)) problems.push(`${id}: live after the run, minted, but no side's replacement (an orphan)`);
  for (const id of tenant.before) if (!targetIds.has(id) && !tenant.after.has(id)) problems.push(`${id}: not in the set, but ended`);
  return { credentials: targets.length, revoked, verified: verifiedCount, consumers, replaced, minted: minted.length, problems };
}

/** Two sides reached the same outcomes when neither has a problem and their counts agree. */
export function sameOutcomes(a: OutcomeCheck, b: OutcomeCheck): boolean {
  const counts = (c: OutcomeCheck) => [c.credentials, c.revoked, c.verified, c.consumers, c.replaced, c.minted].join(',');
  return a.problems.length === 0 && b.problems.length === 0 && counts(a) === counts(b);
}

/**
 * The set as whole principals: every live credential of each principal taken, principals in order, until at
 * least `wanted` credentials. Whole, because Cordon forces re-authentication of a non-user principal, which
 * ends all its credentials (design I8): with a principal cut in two, Cordon would end and replace credentials
 * the script never touches, and the two end states would differ by design, not by mistake.
 */
export function wholePrincipals<T extends { principal: string }>(credentials: readonly T[], wanted: number): T[] {
  const groups = new Map<string, T[]>();
  for (const c of credentials) groups.set(c.principal, [...(groups.get(c.principal) ?? []), c]);
  const out: T[] = [];
  for (const group of groups.values()) {
    if (out.length >= wanted) break;
    out.push(...group);
  }
  if (out.length < wanted) throw new Error(`bench: ${wanted} credentials wanted, the scenario has ${out.length} of these kinds`);
  return out;
}
