// Slack's answers to faults and unrouted calls (Slack Web API docs: rate limits, errors).
import type { ErrorShapes } from '../core/server.ts';

/**
 * Slack's framework-produced answers: 429 + integer Retry-After (the SDK's only non-200 it reads),
 * `invalid_auth` as HTTP 200 for expired auth, `unknown_method` as HTTP 200 for a method that does
 * not exist, and a JSON body on 5xx (the SDK surfaces it as WebAPIHTTPError.body).
 */
export const slackErrorShapes: ErrorShapes = {
  rateLimited: (retryAfterSec) => ({ status: 429, headers: { 'retry-after': String(retryAfterSec) }, body: { ok: false, error: 'ratelimited' } }),
  unavailable: (status) => ({ status, body: { ok: false, error: status === 503 ? 'service_unavailable' : 'fatal_error' } }),
  unauthorized: () => ({ status: 200, body: { ok: false, error: 'invalid_auth' } }),
  notFound: (path) => (path.startsWith('/api/') ? { status: 200, body: { ok: false, error: 'unknown_method' } } : { status: 404, body: { ok: false, error: 'not_found' } }),
  methodNotAllowed: () => ({ status: 405, body: { ok: false, error: 'method_not_allowed' } }),
  internal: () => ({ status: 500, body: { ok: false, error: 'fatal_error' } }),
};
