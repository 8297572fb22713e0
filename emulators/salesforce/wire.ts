// Salesforce's wire shapes: REST errors (a JSON array of `{message, errorCode}`), token-endpoint errors
// (OAuth JSON), the answers to faults, and the API versions served (Salesforce REST API docs: limits and
// errors, versions; Salesforce OAuth 2.0 docs).
import type { EmuResponse } from '../core/http.ts';
import type { ErrorShapes } from '../core/server.ts';

/**
 * A header the real SDKs never send: tests and drills name the caller's address with it, since every caller of
 * the emulator is 127.0.0.1. Without it, setClientAddress() and then X-Forwarded-For decide.
 */
export const CLIENT_IP_HEADER = 'x-emulator-client-ip';

/** REST errors are a JSON array of `{message, errorCode}` (Salesforce REST API docs: limits and errors). */
export function restError(status: number, errorCode: string, message: string): EmuResponse {
  return { status, body: [{ message, errorCode }] };
}

/** Token-endpoint errors are OAuth JSON `{error, error_description}` (Salesforce OAuth 2.0 docs). */
export function oauthError(error: string, description: string, status = 400): EmuResponse {
  return { status, body: { error, error_description: description } };
}

export const INVALID_SESSION = () => restError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
export const NOT_FOUND = () => restError(404, 'NOT_FOUND', 'The requested resource does not exist');
export const INSUFFICIENT_ACCESS = () =>
  restError(403, 'INSUFFICIENT_ACCESS_OR_READONLY', 'insufficient access rights on object id'); // status [unverified]

export const salesforceErrors: ErrorShapes = {
  // Salesforce sends no Retry-After: the daily limit is a rolling 24-hour window (Salesforce REST API docs: limits and errors).
  rateLimited: () => restError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'),
  unavailable: (status) =>
    status === 503
      ? restError(503, 'SERVER_UNAVAILABLE', 'Server is temporarily unavailable. Please try again later.')
      : status === 500
        ? restError(500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred. Please include this ErrorId if you contact support: 1880513517-12345 (-1133441545)')
        : // Edge proxies answer other 5xx with an HTML page; jsforce reports it as ERROR_HTTP_<status>.
          { status, headers: { 'content-type': 'text/html' }, body: `<html><body><h1>${status}</h1>Service unavailable</body></html>` },
  unauthorized: INVALID_SESSION,
  notFound: NOT_FOUND,
  methodNotAllowed: () => restError(405, 'METHOD_NOT_ALLOWED', 'HTTP Method not allowed for this resource'),
  internal: (m) => restError(500, 'UNKNOWN_EXCEPTION', `An unexpected error occurred: ${m}`),
};

/** API versions the emulator serves; jsforce's default 50.0 is among them (jsforce docs). */
export const MIN_VERSION = 31;
export const MAX_VERSION = 66;

export function versionLabel(v: number): string {
  const offset = MAX_VERSION - v;
  const group = Math.floor(offset / 3);
  const season = ['Spring', 'Winter', 'Summer'][offset % 3]!;
  const year = season === 'Summer' ? 25 - group : 26 - group;
  return `${season} '${String(year).padStart(2, '0')}`;
}

export function parseVersion(text: string | undefined): number | undefined {
  const m = /^v(\d+)\.0$/.exec(text ?? '');
  const n = m ? Number(m[1]) : NaN;
  return n >= MIN_VERSION && n <= MAX_VERSION ? n : undefined;
}
