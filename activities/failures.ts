// The one place a connector's error becomes a Temporal failure. The failure `type` is part of the
// retry contract and what workflows branch on (never the message): stable names, see README.
import { ApplicationFailure } from '@temporalio/common';
import { ConnectorError } from '../connectors/types.ts';
import { redactText } from '../logging/logger.ts';

export const FAILURE_TYPES = {
  rate_limited: 'connector.rate_limited',
  unavailable: 'connector.unavailable',
  timeout: 'connector.timeout',
  auth: 'connector.auth',
  permission: 'connector.permission',
  not_found: 'connector.not_found',
  invalid: 'connector.invalid',
  conflict: 'connector.conflict',
  unsupported: 'connector.unsupported',
  self_lockout: 'cordon.self_lockout',
  no_connector: 'cordon.no_connector',
} as const;

export function toFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof ConnectorError) {
    return ApplicationFailure.create({
      type: FAILURE_TYPES[err.kind],
      message: redactText(err.message),
      nonRetryable: !err.retryable,
      // The provider's own Retry-After decides the next attempt; nothing sleeps inside the activity.
      ...(err.retryable && err.options.retryAfterMs !== undefined ? { nextRetryDelay: err.options.retryAfterMs } : {}),
      details: [{ provider: err.provider, kind: err.kind, ...(err.options.requestId ? { requestId: err.options.requestId } : {}), ...(err.options.status ? { status: err.options.status } : {}) }],
    });
  }
  return err instanceof Error ? new Error(redactText(err.message)) : err;
}

/** Wraps an activity so every error leaves through toFailure. */
export function mapFailures<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw toFailure(err);
    }
  };
}
