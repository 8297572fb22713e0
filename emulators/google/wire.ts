// Google's three error envelopes (Admin SDK, Cloud IAM and Google OAuth 2.0 docs): the legacy Admin SDK JSON error with
// `errors[].reason`, the AIP-193 error of Cloud IAM (`status`, `details`, no `errors[]`), and the
// OAuth token endpoint's `{error, error_description}`. gaxios reads `error.message` from the first
// two and turns the third into "<error>: <error_description>".
import type { EmuResponse } from '../core/http.ts';
import type { ErrorShapes } from '../core/server.ts';

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'ALREADY_EXISTS',
  412: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** Admin SDK (Directory, Reports) error: `{error:{code,message,errors:[{message,domain,reason}]}}`. */
export function adminError(code: number, reason: string, message: string, extra: Record<string, string> = {}): EmuResponse {
  return {
    status: code,
    body: { error: { code, message, errors: [{ message, domain: 'global', reason, ...extra }], status: STATUS_NAMES[code] ?? 'UNKNOWN' } },
  };
}

/** Cloud IAM (AIP-193) error: `{error:{code,message,status,details?}}`. */
export function iamError(code: number, status: string, message: string, details?: unknown[]): EmuResponse {
  return { status: code, body: { error: { code, message, status, ...(details ? { details } : {}) } } };
}

/** OAuth token / revoke endpoint error: `{error, error_description}`. */
export function oauthError(code: number, error: string, description: string): EmuResponse {
  return { status: code, body: { error, error_description: description } };
}

export const INVALID_CREDENTIALS =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

export function adminUnauthorized(): EmuResponse {
  const answer = adminError(401, 'authError', INVALID_CREDENTIALS, { location: 'Authorization', locationType: 'header' });
  // The errors[] entry of a real 401 says "Invalid Credentials"; the top-level message is the long one.
  (answer.body as { error: { errors: { message: string }[] } }).error.errors[0]!.message = 'Invalid Credentials';
  return { ...answer, headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' } };
}

export function iamUnauthorized(): EmuResponse {
  return {
    ...iamError(401, 'UNAUTHENTICATED', INVALID_CREDENTIALS),
    headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
  };
}

/**
 * What the framework answers for injected faults and unknown routes. One origin serves Admin SDK
 * and IAM, and ErrorShapes does not see which was called, so faults use the legacy envelope (it
 * carries `status` too, as Google's current front end sends). Rate limiting is Directory's
 * 403 userRateLimitExceeded (Admin SDK docs: usage limits); the requested delay rides in a
 * google.rpc.RetryInfo detail, the AIP-193 way for a server to say how long to wait.
 */
export const googleErrorShapes: ErrorShapes = {
  rateLimited: (retryAfterSec) => {
    const message = 'Quota exceeded for quota metric \'Queries\' and limit \'Queries per minute per user\' of service \'admin.googleapis.com\'.';
    const answer = adminError(403, 'userRateLimitExceeded', message);
    (answer.body as { error: Record<string, unknown> }).error.details = [
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfterSec}s` },
    ];
    return answer;
  },
  unavailable: (status) =>
    adminError(status, 'backendError', status === 503 ? 'The service is currently unavailable.' : 'Backend Error'),
  unauthorized: adminUnauthorized,
  notFound: (path) => adminError(404, 'notFound', `Not Found: ${path}`),
  methodNotAllowed: (path) => adminError(405, 'httpMethodNotAllowed', `Method not allowed: ${path}`),
  internal: () => adminError(500, 'backendError', 'Internal error encountered.'),
};

/** int64 fields travel as JSON strings (proto3 JSON mapping). */
export function int64(n: number): string {
  return String(Math.trunc(n));
}
