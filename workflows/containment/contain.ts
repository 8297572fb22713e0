// Step 3, contain: revoke before replace (direct, I1), or staged waves for shared credentials (I2).
// Credentials are contained side by side; a refusal stops only its own credential.
import { patched } from '@temporalio/workflow';
import type { ReplacementOutcome, WriteResult } from '../../activities/index.ts';
import { credentialKey, type Credential, type ScopeReport } from '../../schemas/credential.ts';
import { guarded, settleBranches } from './branches.ts';
import { planOf, type Containment } from './context.ts';
import { perProvider } from './per-provider.ts';
import { replacementInput, replacePrimary } from './replace.ts';
import { revoke } from './revoke.ts';
import { containStaged } from './staged.ts';

export async function contain(run: Containment): Promise<void> {
  const plan = planOf(run);
  run.setStage('revoke');
  const staged = (c: Credential) => plan.actions.some((a) => a.credentialId === credentialKey(c) && a.step === 'restrict');
  // A credential the fast path already stopped on a refusal is not tried again (before the plan, nothing is refused).
  const open = plan.credentials.filter((c) => !run.refusedBecause.has(credentialKey(c)));
  const direct = open.filter((c) => !staged(c));
  const together = claimsTogether(run, direct);
  // Not awaited when nothing is batched: the replacements' commands keep their place beside the re-authentication's.
  const batch = direct.filter((c) => run.progressOf(credentialKey(c)).state === 'revoked' && c.consumers.length);
  const issued = run.batchCalls && batch.length > 1 && patched(BATCHED_REPLACEMENTS_PATCH) ? await replacementsPerProvider(run, batch, together) : new Map<string, Map<string, ReplacementOutcome>>();
  await settleBranches(run, open.map((c) => (branch: Containment) => guarded(branch, credentialKey(c), () => (staged(c) ? containStaged(branch, c, plan.credentials.indexOf(c)) : containDirect(branch, c, together.get(principalKey(c)), issued.get(credentialKey(c)))))));
}

/** I1: the provider acknowledged the revocation before any replacement is requested. `issued`: what a batch already did, by consumer. */
async function containDirect(run: Containment, c: Credential, claimsTogether?: number, issued?: ReadonlyMap<string, ReplacementOutcome>): Promise<void> {
  const key = credentialKey(c);
  // The fast path revoked it as soon as it was identified (revokeAtOnce).
  if (run.progressOf(key).state !== 'revoked') await revoke(run, c, key);
  await replacePrimary(run, c, key, c.consumers, { ...(claimsTogether ? { claimsTogether } : {}), ...(issued ? { issued } : {}) });
}

/**
 * Recorded by a run that is not a single run (Containment.batchCalls) that issues the replacements of its revoked
 * credentials in one activity per provider (issueReplacements), not one per consumer; runs recorded before it
 * issue them one by one. Never rename it.
 */
export const BATCHED_REPLACEMENTS_PATCH = 'cordon-batched-replacements';

/**
 * The replacements of the credentials revoked by now (I1: on the fast path, all of them but those refused), in one
 * activity per provider with more than one such credential: what each consumer's replacement did, by credential
 * key and consumer id. A consumer whose item failed, or whose provider's batch failed for good, is issued on its own
 * by its branch (replace.ts), which retries or stops only it, as before. A mass child with an owner's eight
 * deploy keys so schedules one task on the provider's queue where it scheduled one per consumer.
 */
async function replacementsPerProvider(run: Containment, revoked: Credential[], together: Map<string, number>): Promise<Map<string, Map<string, ReplacementOutcome>>> {
  // Per credential, its consumers' outcomes by consumer id (the answers come in the items' order); a failed item is left out.
  const call = async (group: Credential[]): Promise<Map<string, ReplacementOutcome>[]> => {
    const items = group.flatMap((c) => c.consumers.map((consumer) => replacementInput(run, c, consumer, together.get(principalKey(c)))));
    const results = await run.acts.issueReplacements({ items });
    let at = 0;
    return group.map((c) => new Map(c.consumers.flatMap((consumer): [string, ReplacementOutcome][] => {
      const r = results[at++]!;
      return 'outcome' in r ? [[consumer.id, r.outcome]] : [];
    })));
  };
  return perProvider(run, revoked, 'replacing for', call, (outcomes) => outcomes);
}

const principalKey = (c: Credential) => `${c.provider}\0${c.principal.id}`;

/**
 * A mass child (batchCalls) starts the replacements of an owner's credentials side by side: how many claims each
 * principal's registry gets at once, so that they share one update instead of going one by one as the worker
 * starts them (activities/replacement-registry.ts, registryBatcher). A single run's replacements go as they come.
 */
function claimsTogether(run: Containment, direct: Credential[]): Map<string, number> {
  const counts = new Map<string, number>();
  if (!run.batchCalls) return counts;
  for (const c of direct) counts.set(principalKey(c), (counts.get(principalKey(c)) ?? 0) + c.consumers.length);
  return counts;
}

/**
 * Whether the run may revoke once its credentials are identified and the re-authentication scope is read,
 * without waiting for the plan: direct mode, no approval asked for it, and none of them is Cordon's own
 * credential or the last admin path (I6, which the plan would refuse). Every direct plan starts with exactly
 * these revocations, so nothing is written that the plan does not name (I8); the plan is built meanwhile.
 */
export function mayRevokeAtOnce(run: Containment, reports: ScopeReport[]): boolean {
  const { input } = run;
  if (input.mode !== 'direct' || input.policy.approval.requireForDirect) return false;
  return !reports.some((r) => r.credentials.some((c) => c.selfOrLastAdmin));
}

/** The fast path's first writes: every identified credential revoked side by side, each refusal stopping only its own. */
export async function revokeAtOnce(run: Containment, reports: ScopeReport[]): Promise<void> {
  const found = new Map(reports.flatMap((r) => r.credentials).map((c) => [credentialKey(c), c]));
  const done = run.batchCalls ? await revokePerProvider(run, [...found.values()]) : new Map<string, WriteResult>();
  await settleBranches(run, [...found].map(([key, c]) => (branch: Containment) => guarded(branch, key, () => revoke(branch, c, key, done.get(key)))));
}

/**
 * Every credential of a provider with more than one here revoked in one activity (Containment.batchCalls):
 * the results of those it revoked. One that failed there, or whose provider's activity failed for good, is
 * revoked again on its own by its branch (revoke.ts), which retries or stops only it, as before.
 */
async function revokePerProvider(run: Containment, credentials: Credential[]): Promise<Map<string, WriteResult>> {
  const items = (group: Credential[]) =>
    group.map((c) => {
      const key = credentialKey(c);
      if (run.progressOf(key).state !== 'revoke_requested') run.transition(key, 'revoke_requested'); // once, not again on a retry
      const leakedValue = run.leakedValueOf.get(key);
      return { credential: c, ...(leakedValue ? { leakedValue } : {}) };
    });
  return perProvider(run, credentials, 'revoking', (group) => run.acts.revokeCredentials({ items: items(group) }), (r) => ('revoked' in r ? r.revoked : undefined));
}
