// The one place Slack failures become ConnectorError kinds (design.md §4). Slack answers HTTP 200
// with `ok:false` and an error word for almost everything (Slack Web API docs: errors and rate limits); only 429 (+ Retry-After)
// and transport failures differ. The Audit Logs API uses real status codes (Slack Audit Logs API docs).
import { ErrorCode, type WebAPIHTTPError, type WebAPIPlatformError, type WebAPIRateLimitedError, type WebAPIRequestError } from '@slack/web-api';
import { ConnectorError, type ConnectorErrorKind } from '../types.ts';

/** Auth errors of the token that made the call: the credential is dead or unusable. */
export const SLACK_AUTH_ERRORS = new Set(['not_authed', 'invalid_auth', 'token_revoked', 'token_expired', 'account_inactive', 'org_login_required', 'two_factor_setup_required']);

const KIND_BY_SLACK_ERROR: Record<string, ConnectorErrorKind> = {
  ratelimited: 'rate_limited',
  rate_limited: 'rate_limited',
  missing_scope: 'permission',
  not_allowed_token_type: 'permission',
  not_an_admin: 'permission',
  not_an_owner: 'permission',
  no_permission: 'permission',
  admin_unauthorized: 'permission',
  restricted_action: 'permission',
  ekm_access_denied: 'permission',
  permission_denied: 'permission',
  access_denied: 'permission',
  cannot_reset_primary_owner: 'permission',
  cannot_invalidate_primary_owner: 'permission',
  can_not_uninstall: 'permission',
  user_not_found: 'not_found',
  session_not_found: 'not_found',
  app_not_found: 'not_found',
  team_not_found: 'not_found',
  teams_not_found: 'not_found',
  enterprise_not_found: 'not_found',
  channel_not_found: 'not_found',
  message_not_found: 'not_found',
  feature_not_enabled: 'unsupported',
  unknown_method: 'unsupported',
  cannot_reset_bot: 'unsupported',
  fatal_error: 'unavailable',
  internal_error: 'unavailable',
  service_unavailable: 'unavailable',
  request_timeout: 'timeout',
};

const WHAT_TO_DO: Partial<Record<ConnectorErrorKind, string>> = {
  auth: 'check CORDON_SLACK_ADMIN_TOKEN (an org owner user token that is still valid)',
  permission: 'the admin token needs admin.users:read/write, admin.apps:read/write, users:read and auditlogs:read, installed at org level by an owner',
  unsupported: 'admin.* methods and the Audit Logs API need Slack Enterprise Grid',
};

function kindOfSlackError(error: string): ConnectorErrorKind {
  if (SLACK_AUTH_ERRORS.has(error)) return 'auth';
  return KIND_BY_SLACK_ERROR[error] ?? 'invalid';
}

function make(kind: ConnectorErrorKind, what: string, detail: string, options: { retryAfterMs?: number; status?: number; cause?: unknown } = {}): ConnectorError {
  const advice = WHAT_TO_DO[kind];
  return new ConnectorError(kind, 'slack', `slack: ${what}: ${detail}${advice ? `; ${advice}` : ''}`, options);
}

/** Map anything a Slack call threw (SDK error, audit answer, transport failure) to a ConnectorError. */
export function classifySlackError(err: unknown, what: string): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case ErrorCode.RateLimitedError: {
      const retryAfter = (err as WebAPIRateLimitedError).retryAfter;
      return make('rate_limited', what, `rate limited, retry after ${retryAfter}s`, { retryAfterMs: retryAfter * 1000, status: 429, cause: err });
    }
    case ErrorCode.PlatformError: {
      const data = (err as WebAPIPlatformError).data as { error?: string; needed?: string; response_metadata?: { retryAfter?: number } };
      const error = data.error ?? 'unknown_error';
      const kind = kindOfSlackError(error);
      const retryAfter = data.response_metadata?.retryAfter;
      return make(kind, what, error + (data.needed ? ` (needs ${data.needed})` : ''), {
        ...(kind === 'rate_limited' ? { retryAfterMs: (retryAfter ?? 1) * 1000 } : {}),
        status: 200,
        cause: err,
      });
    }
    case ErrorCode.HTTPError: {
      const http = err as WebAPIHTTPError;
      return httpStatusError(http.statusCode, what, retryAfterHeader(http.headers['retry-after']), bodyError(http.body), err);
    }
    case ErrorCode.RequestError: {
      const original = (err as WebAPIRequestError).original;
      return transportError(original, what, err);
    }
  }
  // A 429 whose Retry-After the SDK could not parse arrives as a plain Error (WebClient.makeRequest).
  if (err instanceof Error && /Retry header did not contain a valid timeout/.test(err.message)) {
    return make('rate_limited', what, 'rate limited without a usable Retry-After', { retryAfterMs: 60_000, status: 429, cause: err });
  }
  return transportError(err, what, err);
}

/** Status-code errors: the Audit Logs API, and non-200 answers the Web API SDK surfaces. */
export function httpStatusError(status: number, what: string, retryAfterSec: number | undefined, slackError: string | undefined, cause?: unknown): ConnectorError {
  const detail = `HTTP ${status}${slackError ? ` ${slackError}` : ''}`;
  if (status === 429) return make('rate_limited', what, detail, { retryAfterMs: (retryAfterSec ?? 60) * 1000, status, cause });
  if (status === 408 || status === 504) return make('timeout', what, detail, { status, cause });
  if (status >= 500) return make('unavailable', what, detail, { status, cause });
  if (slackError) {
    const kind = kindOfSlackError(slackError);
    if (kind !== 'invalid') return make(kind, what, detail, { status, cause });
  }
  if (status === 401) return make('auth', what, detail, { status, cause });
  if (status === 403) return make('permission', what, detail, { status, cause });
  if (status === 404) return make('not_found', what, detail, { status, cause });
  return make('invalid', what, detail, { status, cause });
}

function transportError(original: unknown, what: string, cause: unknown): ConnectorError {
  const name = (original as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return make('timeout', what, 'the request timed out', { cause });
  return make('unavailable', what, `transport failure (${original instanceof Error ? original.message : String(original)})`, { cause });
}

export function retryAfterHeader(value: unknown): number | undefined {
  const n = Number.parseInt(String(value ?? ''), 10);
  return Number.isNaN(n) ? undefined : n;
}

function bodyError(body: unknown): string | undefined {
  const e = (body as { error?: unknown } | null)?.error;
  return typeof e === 'string' ? e : undefined;
}

/** The Slack error word of a platform error, for the few places that branch on it (already revoked). */
export function slackErrorWord(err: unknown): string | undefined {
  if ((err as { code?: unknown } | null)?.code !== ErrorCode.PlatformError) return undefined;
  return ((err as WebAPIPlatformError).data as { error?: string }).error;
}
