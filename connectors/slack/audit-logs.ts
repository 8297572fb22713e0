// A small client for the Audit Logs API (`GET <auditUrl>logs`): @slack/web-api has no method for
// it (Slack Audit Logs API docs). Real HTTP status codes; 429 carries Retry-After. Enterprise Grid, org owner.
import type { Secret } from '../../logging/secret.ts';
import { httpStatusError, classifySlackError, retryAfterHeader } from './errors.ts';

export interface SlackAuditEntry {
  id: string;
  date_create: number;
  action: string;
  actor: { type: string; user?: { id: string; name?: string; email?: string } };
  entity: { type: string } & Record<string, { id?: string; name?: string; scopes?: unknown } | string>;
  context?: { ip_address?: string; ua?: string; session_id?: string | number; location?: { id?: string } };
  details?: Record<string, unknown>;
}

export interface AuditQuery {
  oldest?: number;
  latest?: number;
  actor?: string;
  entity?: string;
  action?: string[];
  /** Entries per page, 1–9999 (default 1000 here; the API's own default is 100). */
  limit?: number;
}

/** At most this many pages per query; beyond it the connector reports a blind spot. */
export const AUDIT_MAX_PAGES = 20;

/** One page of `GET <auditUrl>logs`: the entries and the cursor of the next page ('' at the end). */
export async function fetchAuditPage(
  auditUrl: string,
  token: Secret,
  query: AuditQuery,
  cursor: string | undefined,
  timeoutMs: number,
): Promise<{ entries: SlackAuditEntry[]; nextCursor: string }> {
  const params = new URLSearchParams({ limit: String(query.limit ?? 1000) });
  if (query.oldest !== undefined) params.set('oldest', String(query.oldest));
  if (query.latest !== undefined) params.set('latest', String(query.latest));
  if (query.actor) params.set('actor', query.actor);
  if (query.entity) params.set('entity', query.entity);
  if (query.action?.length) params.set('action', query.action.join(','));
  if (cursor) params.set('cursor', cursor);
  let res: Response;
  try {
    res = await fetch(`${auditUrl}logs?${params}`, {
      headers: { authorization: `Bearer ${token.reveal()}`, accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    throw classifySlackError(err, 'audit logs');
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (res.status !== 200) {
    const word = (body as { error?: unknown } | undefined)?.error;
    throw httpStatusError(res.status, 'audit logs', retryAfterHeader(res.headers.get('retry-after')), typeof word === 'string' ? word : undefined);
  }
  const page = body as { entries?: unknown; response_metadata?: { next_cursor?: unknown } } | undefined;
  const entries = Array.isArray(page?.entries) ? (page.entries as SlackAuditEntry[]) : [];
  const next = page?.response_metadata?.next_cursor;
  return { entries, nextCursor: typeof next === 'string' ? next : '' };
}

export async function fetchAuditEntries(
  auditUrl: string,
  token: Secret,
  query: AuditQuery,
  timeoutMs: number,
): Promise<{ entries: SlackAuditEntry[]; truncated: boolean }> {
  const entries: SlackAuditEntry[] = [];
  let cursor = '';
  for (let pageNo = 0; pageNo < AUDIT_MAX_PAGES; pageNo++) {
    const page = await fetchAuditPage(auditUrl, token, query, cursor, timeoutMs);
    entries.push(...page.entries);
    cursor = page.nextCursor;
    if (!cursor) return { entries, truncated: false };
  }
  return { entries, truncated: true };
}
