// The one place a connector's error becomes a Temporal failure. The failure `type` is part of the
// retry contract and what workflows branch on (never the message): stable names, see README.
import { ApplicationFailure } from '@temporalio/common';
import { ConnectorError } from '../connectors/types.ts';
import { redactText } from '../logging/logger.ts';

import { FAILURE_TYPES } from '../schemas/failure-types.ts';

export { FAILURE_TYPES };

/**
 * The leaked values an activity was given (encrypted in history, in clear in its arguments). An SDK
 * can echo one in an error (fetch repeats an invalid header value): they are cut out of every
 * failure text before it reaches history, evidence or logs (I5), as are their pieces.
 */
export function secretsIn(args: unknown[], depth = 0): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (!a || typeof a !== 'object' || depth > 3) continue;
    for (const [k, v] of Object.entries(a)) {
      if (k === 'leakedValue' && typeof v === 'string' && v) out.push(v, ...v.split(/[\s"'`]+/).filter((p) => p.length >= 8));
      else if (v && typeof v === 'object') out.push(...secretsIn([v], depth + 1));
    }
  }
  return [...new Set(out)].sort((a, b) => b.length - a.length);
}

function scrub(text: string, secrets: readonly string[]): string {
  return redactText(secrets.reduce((t, secret) => t.split(secret).join('[redacted]'), text));
}

export function toFailure(err: unknown, secrets: readonly string[] = []): unknown {
  if (err instanceof ApplicationFailure) return secrets.length && err.message.length ? ApplicationFailure.create({ type: err.type ?? 'Error', message: scrub(err.message, secrets), nonRetryable: err.nonRetryable ?? false, details: err.details ?? [] }) : err;
  if (err instanceof ConnectorError) {
    return ApplicationFailure.create({
      type: FAILURE_TYPES[err.kind],
      message: scrub(err.message, secrets),
      nonRetryable: !err.retryable,
      // The provider's own Retry-After decides the next attempt; nothing sleeps inside the activity.
      ...(err.retryable && err.options.retryAfterMs !== undefined ? { nextRetryDelay: err.options.retryAfterMs } : {}),
      details: [{ provider: err.provider, kind: err.kind, ...(err.options.requestId ? { requestId: err.options.requestId } : {}), ...(err.options.status ? { status: err.options.status } : {}) }],
    });
  }
  return err instanceof Error ? new Error(scrub(err.message, secrets)) : err;
}

/** Wraps an activity so every error leaves through toFailure. */
export function mapFailures<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw toFailure(err, secretsIn(args));
    }
  };
}
