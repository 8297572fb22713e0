// Telling Temporal a long activity attempt is alive. An attempt that heartbeats keeps its lease: the server
// retries it only when the heartbeats stop (its worker died) or its start-to-close bound passes.
import { Context } from '@temporalio/activity';

/** Heartbeats while `work` runs (a timer, so a slow provider call in between does not stop them). */
export const HEARTBEAT_EVERY_MS = 2_000;

/** Tells Temporal a long activity is alive; a no-op when called outside one (the activities' unit tests). */
export function heartbeat(): void {
  try {
    Context.current().heartbeat();
  } catch {
    // Not in an activity: nothing to tell.
  }
}

/** Runs `work`, heartbeating now and every HEARTBEAT_EVERY_MS until it settles. */
export async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  heartbeat();
  const timer = setInterval(heartbeat, HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
