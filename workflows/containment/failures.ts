// What failed, read from an activity failure: its `type` (what the workflow branches on, never the
// message text) and its message (for the evidence).
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

export function failureType(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

export function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}
