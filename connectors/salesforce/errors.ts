// The one place where jsforce's errors become ConnectorError kinds (design.md §4).
// jsforce hides the HTTP status: REST errors arrive as HttpApiError named after Salesforce's errorCode,
// OAuth errors as an Error named after the OAuth `error`, non-JSON answers as ERROR_HTTP_<status>
// (jsforce docs; Salesforce REST API docs: limits and errors).
import { ConnectorError, type ConnectorErrorKind } from '../types.ts';

const BY_CODE: Record<string, ConnectorErrorKind> = {
  REQUEST_LIMIT_EXCEEDED: 'rate_limited',
  INVALID_SESSION_ID: 'auth',
  INVALID_AUTH_HEADER: 'auth',
  invalid_grant: 'auth',
  invalid_client_id: 'auth',
  invalid_client: 'auth',
  inactive_user: 'auth',
  inactive_org: 'auth',
  INSUFFICIENT_ACCESS_OR_READONLY: 'permission',
  INSUFFICIENT_ACCESS: 'permission',
  API_DISABLED_FOR_ORG: 'permission',
  API_CURRENTLY_DISABLED: 'permission',
  FUNCTIONALITY_NOT_ENABLED: 'permission',
  // Cordon queries only standard objects: one that is "not supported" is one the user may not see
  // (UserLogin and ConnectedApplication need Manage Users / Customize Application).
  INVALID_TYPE: 'permission',
  NOT_FOUND: 'not_found',
  ENTITY_IS_DELETED: 'not_found',
  INVALID_CROSS_REFERENCE_KEY: 'not_found',
  MALFORMED_QUERY: 'invalid',
  INVALID_FIELD: 'invalid',
  INVALID_QUERY_LOCATOR: 'invalid',
  JSON_PARSER_ERROR: 'invalid',
  FIELD_INTEGRITY_EXCEPTION: 'invalid',
  INVALID_TYPE_FOR_OPERATION: 'unsupported',
  UNSUPPORTED_API_VERSION: 'invalid',
  'soapenv:Client': 'invalid',
  unsupported_grant_type: 'invalid',
  unsupported_token_type: 'invalid',
  invalid_token: 'not_found',
  UNABLE_TO_LOCK_ROW: 'conflict',
  SERVER_UNAVAILABLE: 'unavailable',
  UNKNOWN_EXCEPTION: 'unavailable',
  REQUEST_RUNNING_TOO_LONG: 'unavailable',
};

const TRANSPORT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'ENETDOWN', 'ENETUNREACH', 'EHOSTDOWN', 'EPIPE', 'UND_ERR_SOCKET']);

/** SOAP faults (Metadata API) name their code `sf:CODE`; jsforce passes the faultcode on as it is. */
function codeOf(err: { name?: string; errorCode?: string }): string {
  return (err.errorCode ?? err.name ?? '').replace(/^sf:/, '');
}

function kindOf(err: { name?: string; errorCode?: string; code?: string; message?: string }): ConnectorErrorKind {
  const code = codeOf(err);
  if (BY_CODE[code]) return BY_CODE[code]!;
  const http = /^ERROR_HTTP_(\d{3})$/.exec(code);
  if (http) {
    const status = Number(http[1]);
    // A raw HTTP error (calls jsforce does not parse, e.g. the OAuth revoke endpoint) still names Salesforce's
    // own code in its body: a 403 REQUEST_LIMIT_EXCEEDED is the API allowance, not a missing permission.
    const named = /"errorCode"\s*:\s*"([A-Z_]+)"/.exec(err.message ?? '')?.[1];
    if (named && BY_CODE[named]) return BY_CODE[named]!;
    if (status === 401) return 'auth';
    if (status === 403) return 'permission';
    if (status === 404) return 'not_found';
    if (status === 409) return 'conflict';
    if (status === 429) return 'rate_limited';
    if (status >= 500) return 'unavailable';
    return 'invalid';
  }
  // jsforce aborts after `timeout` with this message (request-helper.js executeWithTimeout).
  if (err.message === 'Request Timeout' || err.code === 'ETIMEDOUT' || err.name === 'AbortError') return 'timeout';
  if (err.name === 'FetchError' || (err.code && TRANSPORT_CODES.has(err.code))) return 'unavailable';
  // jsforce wraps a failed session refresh: the JWT bearer re-login was refused.
  if (err.message?.startsWith('Unable to refresh session due to:')) return 'auth';
  return 'unavailable';
}

/**
 * Classifies anything jsforce (or this connector) threw. `what` says what Cordon was doing, for a message
 * a responder can act on; `rateLimitBackoffMs` is the wait announced for REQUEST_LIMIT_EXCEEDED.
 */
export function classifySalesforceError(err: unknown, what: string, rateLimitBackoffMs: number): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as {
    name?: string;
    errorCode?: string;
    code?: string;
    message?: string;
  };
  const kind = kindOf(e);
  const code = codeOf(e) || 'Error';
  const hint =
    kind === 'rate_limited'
      ? ' (daily API allowance exhausted; Salesforce gives no Retry-After)'
      : kind === 'auth'
        ? ' (check the connected app certificate, that the user is pre-authorised, active and not frozen)'
        : kind === 'permission'
          ? ' (Cordon\'s user needs Manage Users and Customize Application, and Modify Metadata to restrict)'
          : '';
  // jsforce's OAuth calls build their error from the answer's `error` and `error_description`: an answer without
  // them (an OAuth endpoint answering in the REST error shape, an empty JSON body) leaves neither a code nor a word.
  const said = e.message || (codeOf(e) ? '' : "Salesforce's answer carried no error code or description (retried as a transient failure)");
  return new ConnectorError(kind, 'salesforce', `salesforce: ${what} failed: ${code}: ${said}${hint}`, {
    cause: err,
    ...(kind === 'rate_limited' ? { retryAfterMs: rateLimitBackoffMs } : {}),
  });
}
