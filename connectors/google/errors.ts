// The ONE place Google SDK errors become ConnectorError kinds (design.md §4). gaxios throws
// GaxiosError with the HTTP status and Google's body: the Admin SDK's legacy envelope (reason in
// errors[0].reason), IAM's AIP-193 envelope (status string), or the token endpoint's
// {error, error_description} (Google API docs: errors and limits; google-auth-library docs). gaxios ignores Retry-After (googleapis docs), so
// the delay is read here and handed to the activity retry policy instead.
import { ConnectorError, type ConnectorErrorKind } from '../types.ts';

/** Directory quota is per minute (developers.google.com/admin-sdk/directory/v1/limits): wait that long when Google names no delay. */
export const DEFAULT_RATE_LIMIT_DELAY_MS = 60_000;

const RATE_LIMIT_REASONS = new Set(['userRateLimitExceeded', 'rateLimitExceeded', 'quotaExceeded', 'dailyLimitExceeded']);
const NETWORK_TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'TimeoutError', 'AbortError', 'UND_ERR_HEADERS_TIMEOUT']);
const NETWORK_DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET']);

interface GoogleErrorBody {
  error?:
    | string
    | {
        code?: number;
        message?: string;
        status?: string;
        errors?: { reason?: string; message?: string }[];
        details?: { '@type'?: string; retryDelay?: string }[];
      };
  error_description?: string;
}

interface GaxiosLike {
  status?: number;
  code?: string | number;
  name?: string;
  message?: string;
  response?: { status?: number; data?: unknown; headers?: unknown };
  /** gaxios wraps a fetch abort (its `timeout` option) with the AbortError as cause. */
  cause?: { name?: string; code?: string };
}

function header(headers: unknown, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const v = (headers as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

/** google.rpc.RetryInfo `retryDelay` ("7s", "1.5s"), else Retry-After seconds, else undefined. */
function retryDelayMs(body: GoogleErrorBody | undefined, headers: unknown): number | undefined {
  const details = typeof body?.error === 'object' ? body.error.details : undefined;
  const info = details?.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo');
  const m = info?.retryDelay ? /^(\d+(?:\.\d+)?)s$/.exec(info.retryDelay) : null;
  if (m) return Math.round(Number(m[1]) * 1000);
  const after = header(headers, 'retry-after');
  if (after && /^\d+$/.test(after)) return Number(after) * 1000;
  return undefined;
}

/**
 * Map anything a Google call threw to a ConnectorError. `what` says what was being done, for a
 * message a responder can act on; no secret ever goes into it (bodies carry none back).
 */
export function classifyGoogleError(err: unknown, what: string): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const e = (err ?? {}) as GaxiosLike;
  const status = e.response?.status ?? e.status;
  const body = e.response?.data as GoogleErrorBody | undefined;
  const make = (kind: ConnectorErrorKind, detail: string, extra: { retryAfterMs?: number } = {}) =>
    // No `cause`: a GaxiosError carries its request (Bearer header, signed assertion), which must
    // never reach a log or history (design.md I5). Status and message are all callers need.
    new ConnectorError(kind, 'google', `google: ${what}: ${detail}`, { ...extra, ...(status ? { status } : {}) });

  if (status === undefined) {
    const code = String(e.code ?? e.cause?.code ?? '');
    const names = [e.name, e.cause?.name, code].filter((n): n is string => Boolean(n));
    if (names.some((n) => NETWORK_TIMEOUT_CODES.has(n)) || /timeout|timed out|aborted/i.test(e.message ?? '')) return make('timeout', 'no answer in time');
    if (NETWORK_DOWN_CODES.has(code) || /fetch failed|socket/i.test(e.message ?? '')) return make('unavailable', `cannot reach Google (${code || 'network error'})`);
    return make('invalid', e.message ?? String(err));
  }

  // Token endpoint errors: {error: "invalid_grant", error_description: "..."}.
  if (typeof body?.error === 'string') {
    const text = `${body.error}: ${body.error_description ?? ''}`.trim();
    if (status >= 500) return make('unavailable', text);
    if (status === 429) return make('rate_limited', text, { retryAfterMs: retryDelayMs(body, e.response?.headers) ?? DEFAULT_RATE_LIMIT_DELAY_MS });
    if (['invalid_grant', 'unauthorized_client', 'invalid_client'].includes(body.error))
      return make('auth', `${text} (check CORDON_GOOGLE_CREDENTIALS_JSON, the key's state and the domain-wide delegation of its client id)`);
    return make('invalid', text);
  }

  const error = typeof body?.error === 'object' ? body.error : undefined;
  const reason = error?.errors?.[0]?.reason;
  const message = error?.message ?? e.message ?? `HTTP ${status}`;
  if (status === 429 || (reason && RATE_LIMIT_REASONS.has(reason)) || error?.status === 'RESOURCE_EXHAUSTED')
    return make('rate_limited', message, { retryAfterMs: retryDelayMs(body, e.response?.headers) ?? DEFAULT_RATE_LIMIT_DELAY_MS });
  if (status === 408 || status === 504 || error?.status === 'DEADLINE_EXCEEDED') return make('timeout', message);
  if (status >= 500) return make('unavailable', message);
  if (status === 401) return make('auth', `${message} (Cordon's own Google credentials were refused)`);
  if (status === 403) return make('permission', message);
  if (status === 404) return make('not_found', message);
  if (status === 409 || error?.status === 'ALREADY_EXISTS' || error?.status === 'FAILED_PRECONDITION' || status === 412) return make('conflict', message);
  return make('invalid', message);
}

/**
 * How a Directory delete says the thing is already gone. Google documents no answer for repeating
 * asps.delete, so every plausible shape counts (emulators/README.md, "Unverified answers"): 404, 410, a 400
 * whose reason is notFound, and a 400/422 whose text says "not found" are `gone`; a 400 whose reason is
 * `invalid` is `check` (the same answer could mean a malformed request: the caller confirms by listing).
 * Anything else is undefined: not an "already gone" answer.
 */
export function goneShape(err: unknown): 'gone' | 'check' | undefined {
  if (err instanceof ConnectorError) return undefined;
  const e = (err ?? {}) as GaxiosLike;
  const status = e.response?.status ?? e.status;
  const body = e.response?.data as GoogleErrorBody | undefined;
  const error = typeof body?.error === 'object' ? body.error : undefined;
  const reasons = (error?.errors ?? []).map((x) => x.reason);
  const text = [error?.message, ...(error?.errors ?? []).map((x) => x.message)].filter(Boolean).join(' ');
  if (status === 404 || status === 410) return 'gone';
  if ((status === 400 || status === 422) && (reasons.includes('notFound') || /not found/i.test(text) || error?.status === 'NOT_FOUND')) return 'gone';
  if (status === 400 && reasons.includes('invalid')) return 'check';
  return undefined;
}
