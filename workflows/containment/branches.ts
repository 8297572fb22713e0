// Per-credential branches run side by side: a permanent refusal stops only its own credential, and
// every branch settles before the run moves on (no provider write after the verdict).
import { isCancellation } from '@temporalio/workflow';
import type { EvidenceDraft } from '../../schemas/evidence.ts';
import { withMember, type Containment } from './context.ts';
import { failureMessage, failureType } from './failures.ts';

/** Records a permanent refusal for one credential; its siblings go on, and the verdict waits for all (I9). */
export async function guarded(run: Containment, key: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (isCancellation(err)) throw err;
    const why = `${failureType(err) ?? 'error'}: ${failureMessage(err)}`;
    run.refusedBecause.set(key, why);
    run.record({ kind: 'stopped', actor: 'cordon', credentialId: key, failureType: failureType(err) ?? 'error', reason: failureMessage(err) });
    run.transition(key, 'not_contained');
  }
}

/** Every branch settles before anything else happens: no provider write after the verdict. */
export async function settleAll(branches: Promise<void>[]): Promise<void> {
  const settled = await Promise.allSettled(branches);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Branches side by side, like settleAll, with their evidence recorded by branch, not by completion: each
 * branch records into its own list, and once every branch has settled the lists are recorded in branch
 * order, at the time they settled. When a provider call is a local activity, which of several calls'
 * completions reach the workflow together depends on timing, and a replay (a query once the run has left
 * the worker's cache, a new worker) groups them differently, so evidence recorded as each completes got
 * other times and another order on replay, and the chain a later read recomputes no longer matched the
 * sealed digest. Runs recorded before EVIDENCE_BY_BRANCH_PATCH record as each branch completes.
 */
export async function settleBranches(run: Containment, branches: ((run: Containment) => Promise<void>)[]): Promise<void> {
  if (!run.evidenceByBranch) return settleAll(branches.map((branch) => branch(run)));
  const drafts = branches.map((): EvidenceDraft[] => []);
  const settled = await Promise.allSettled(branches.map((branch, i) => branch(recordingInto(run, drafts[i]!))));
  for (const draft of drafts.flat()) run.record(draft);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** The run, with its evidence going to `drafts`; everything else (state, plan, verbs) is the run's own. */
function recordingInto(run: Containment, drafts: EvidenceDraft[]): Containment {
  return withMember(run, 'record', (draft: EvidenceDraft) => void drafts.push(draft));
}
