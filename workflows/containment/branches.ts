// Per-credential branches run side by side: a permanent refusal stops only its own credential, and
// every branch settles before the run moves on (no provider write after the verdict).
import { isCancellation } from '@temporalio/workflow';
import type { Containment } from './context.ts';
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
