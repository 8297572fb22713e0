// The one place GitHub errors become ConnectorErrors (design.md §4). Rate limits follow
// @octokit/plugin-throttling's own reading (@octokit/plugin-throttling docs; GitHub REST API docs: rate limits): a secondary limit is a 403/429
// whose message says "secondary rate" and carries retry-after; a primary limit is a 403/429 with
// x-ratelimit-remaining: 0, to wait until x-ratelimit-reset.
import { RequestError } from '@octokit/request-error';
import { ConnectorError } from '../types.ts';

const SECONDARY_FALLBACK_MS = 60_000; // GitHub: "wait at least one minute" without retry-after

export function classifyGitHubError(err: unknown, what: string, now = Date.now()): ConnectorError {
  if (err instanceof ConnectorError) return err;
  if (!(err instanceof RequestError)) {
    const name = err instanceof Error ? err.name : '';
    const kind = name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'unavailable';
    return new ConnectorError(kind, 'github', `github: ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const headers = err.response?.headers ?? {};
  const requestId = typeof headers['x-github-request-id'] === 'string' ? headers['x-github-request-id'] : undefined;
  const data = err.response?.data as { message?: unknown } | undefined;
  const providerMessage = typeof data?.message === 'string' ? data.message : undefined;
  const base = { status: err.status, ...(requestId ? { requestId } : {}) };
  // The RequestError is not kept as the cause: its request body can carry a token value (I5).
  if (!err.response) {
    // Transport failure wrapped by @octokit/request as a 500 with no response.
    const cause = (err as { cause?: unknown }).cause;
    const causeName = cause instanceof Error ? cause.name : '';
    const timedOut = causeName === 'TimeoutError' || causeName === 'AbortError' || /timeout|aborted/i.test(err.message);
    return new ConnectorError(timedOut ? 'timeout' : 'unavailable', 'github', `github: ${what}: ${timedOut ? 'timed out' : 'unreachable'} (${err.message})`, base);
  }
  const message = `github: ${what}: ${err.status} ${providerMessage ?? err.message}`;
  const retryAfterHeader = Number(headers['retry-after']);
  if (err.status === 403 || err.status === 429) {
    if (/\bsecondary rate\b/i.test(providerMessage ?? err.message) || (err.status === 429 && Number.isFinite(retryAfterHeader))) {
      const retryAfterMs = Number.isFinite(retryAfterHeader) && retryAfterHeader >= 0 ? retryAfterHeader * 1000 : SECONDARY_FALLBACK_MS;
      return new ConnectorError('rate_limited', 'github', message, { ...base, retryAfterMs });
    }
    if (headers['x-ratelimit-remaining'] === '0') {
      const reset = Number(headers['x-ratelimit-reset']);
      const retryAfterMs = Number.isFinite(reset) ? Math.max(0, reset * 1000 - now) + 1000 : SECONDARY_FALLBACK_MS;
      return new ConnectorError('rate_limited', 'github', message, { ...base, retryAfterMs });
    }
    if (err.status === 429) return new ConnectorError('rate_limited', 'github', message, { ...base, retryAfterMs: SECONDARY_FALLBACK_MS });
    return new ConnectorError('permission', 'github', message, base);
  }
  if (err.status === 401) return new ConnectorError('auth', 'github', message, base);
  if (err.status === 404) return new ConnectorError('not_found', 'github', message, base);
  if (err.status === 409) return new ConnectorError('conflict', 'github', message, base);
  if (err.status === 422) {
    const conflict = /already (in use|exists)/i.test(err.message);
    return new ConnectorError(conflict ? 'conflict' : 'invalid', 'github', message, base);
  }
  if (err.status >= 500) {
    return new ConnectorError('unavailable', 'github', message, {
      ...base,
      ...(Number.isFinite(retryAfterHeader) ? { retryAfterMs: retryAfterHeader * 1000 } : {}),
    });
  }
  return new ConnectorError('invalid', 'github', message, base);
}

/**
 * Whether a delete's refusal says the thing is already gone. GitHub documents 404 for an invalid token
 * (apps/delete-token) and nothing for a deploy key deleted twice, so every plausible shape counts
 * (emulators/README.md, "Unverified answers"): 404, 410, and a 422 whose text (message or errors[]) says
 * "not found" or "already deleted/revoked". Returns GitHub's request id when it names one.
 */
export function alreadyGone(err: unknown): { requestId?: string } | undefined {
  if (!(err instanceof RequestError) || !err.response) return undefined;
  const headers = err.response.headers ?? {};
  const requestId = typeof headers['x-github-request-id'] === 'string' ? { requestId: headers['x-github-request-id'] } : {};
  if (err.status === 404 || err.status === 410) return requestId;
  if (err.status === 422) {
    const text = `${err.message} ${JSON.stringify(err.response.data ?? '')}`;
    if (/not found|already (?:been )?(?:deleted|revoked|removed)/i.test(text)) return requestId;
  }
  return undefined;
}
