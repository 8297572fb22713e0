// I9: a transient provider failure never ends a run. Each activity call retries a few times inside
// Temporal (honouring the provider's Retry-After); when those attempts are spent on a failure that is
// still transient (rate limited, unavailable, timeout, or an activity that timed out because its worker
// died), this loop keeps waiting and trying again until the run's containment deadline, escalating at
// intervals, with the run's status saying what it waits on. Permanent refusals pass straight through.
import { ActivityFailure, ApplicationFailure, patched, sleep, TimeoutFailure } from '@temporalio/workflow';
import { TRANSIENT_FAILURE_TYPES } from '../schemas/failure-types.ts';


export function isTransient(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof TimeoutFailure) return true;
  return cause instanceof ApplicationFailure && TRANSIENT_FAILURE_TYPES.includes(cause.type ?? '');
}

export interface Waiting {
  what: string;
  since: string;
  attempts: number;
  lastError: string;
  escalations: number;
}

export interface TransientRetryOptions {
  /** Epoch ms past which a transient failure is final. */
  deadlineAt: () => number;
  escalateEveryMs: number;
  describe: (err: unknown) => string;
  /** Called when waiting starts, at each new round, and with `undefined` when the call finally succeeds. */
  onWaiting: (w: Waiting | undefined) => void;
  /** Called each time the wait has lasted another `escalateEveryMs`. */
  onEscalate: (w: Waiting) => Promise<void>;
}

/** Recorded by a wait escalated after its backoff (runs recorded before it escalate only when a round fails). Never rename it. */
export const ESCALATE_AFTER_BACKOFF_PATCH = 'cordon-escalate-after-backoff';

export function transientRetry(opts: TransientRetryOptions) {
  return async function untilDeadline<T>(what: string, call: () => Promise<T>): Promise<T> {
    let waiting: Waiting | undefined;
    // The trouble began with the first attempt of the first round, not when Temporal's own retries ran out.
    const startedMs = Date.now();
    for (let round = 1; ; round++) {
      try {
        const result = await call();
        if (waiting) opts.onWaiting(undefined);
        return result;
      } catch (err) {
        const remaining = opts.deadlineAt() - Date.now();
        if (!isTransient(err) || remaining <= 0) throw err;
        const w: Waiting = { what, since: new Date(startedMs).toISOString(), attempts: round, lastError: opts.describe(err), escalations: waiting?.escalations ?? 0 };
        waiting = w;
        opts.onWaiting(w);
        const due = () => Date.now() - startedMs >= opts.escalateEveryMs * (w.escalations + 1);
        const escalate = async () => {
          w.escalations += 1;
          opts.onWaiting(w);
          await opts.onEscalate(w);
        };
        if (due()) await escalate();
        // Each round already spent the activity's own retries; back off between rounds, bounded by the deadline.
        await sleep(Math.max(1, Math.min(1000 * 2 ** Math.min(round, 6), opts.deadlineAt() - Date.now(), 60_000)));
        // Still waiting: a round that failed fast (local attempts, short Retry-After) may pass the escalation
        // time only in the backoff; it is escalated before the next try, not after it.
        if (due() && patched(ESCALATE_AFTER_BACKOFF_PATCH)) await escalate();
      }
    }
  };
}
