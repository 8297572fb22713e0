// The Slack Audit Logs API as token-use events (docs/drift-watch.md, "Audit readers"): GET <auditUrl>logs with
// `oldest`/`latest` (Unix seconds, inclusive), `limit` and `cursor`; entries come newest first. Slack's own anomaly
// engine writes `anomaly` entries whose `details.reason` lists why (`ip_address`, `asn`, `session_fingerprint`,
// `excessive_downloads`, …): they pass through as provider_anomaly events with the reasons unchanged.
import type { Secret } from '../../logging/secret.ts';
import type { TokenUseEventInput } from '../../schemas/token-use.ts';
import type { AuditStream, MappedRecord } from '../audit-stream.ts';
import { fetchAuditPage, type SlackAuditEntry } from './audit-logs.ts';

/** Slack's audit log is near real time; every read goes back 30 minutes. */
export const SLACK_AUDIT_OVERLAP_MS = 30 * 60_000;
export const SLACK_AUDIT_PAGE_SIZE = 1000;

/** User lifecycle actions → the owner's new status (Slack Audit Logs API: user actions). */
export const SLACK_USER_STATUS_ACTIONS = {
  user_deactivated: 'offboarded',
  user_reactivated: 'reactivated',
  role_change_to_user: 'role_changed',
  role_change_to_admin: 'role_changed',
  role_change_to_owner: 'role_changed',
  role_change_to_guest: 'role_changed',
} as const;
/** App actions that end an app in the org or workspace. */
export const SLACK_APP_RETIRED_ACTIONS: readonly string[] = ['app_uninstalled', 'app_restricted', 'app_removed_from_whitelist'];
export const SLACK_SCOPE_ACTIONS: readonly string[] = ['app_scopes_expanded', 'bot_token_upgraded'];

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined);
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);

/** The id of the object an entry's entity is about: `entity[entity.type].id`. */
function entityRef(entry: SlackAuditEntry): { type: string; id: string; scopes?: string[] } | undefined {
  const type = str(entry.entity?.type);
  const inner = type ? entry.entity[type] : undefined;
  const id = inner && typeof inner === 'object' ? str(inner.id) : undefined;
  if (!type || !id) return undefined;
  const scopes = inner && typeof inner === 'object' ? strings(inner.scopes) : undefined;
  return { type, id, ...(scopes ? { scopes } : {}) };
}

/**
 * One Audit Logs entry as token-use events. The token is `<app or user id>:<token type>`: an entry about an app is
 * that app's bot token, any other is the acting user's own token; `details.token_type` overrides the type when an
 * entry carries it (Cordon's reading: Slack documents no per-entry token field).
 */
export function slackEntryToEvents(entry: SlackAuditEntry): MappedRecord {
  const id = str(entry.id);
  const action = str(entry.action);
  if (!id || !action || typeof entry.date_create !== 'number' || !Number.isFinite(entry.date_create)) return { malformed: 'no id, action or numeric date_create' };
  const at = new Date(entry.date_create * 1000).toISOString();
  const actor = str(entry.actor?.user?.id);
  const entity = entityRef(entry);
  const ip = str(entry.context?.ip_address);
  const ua = str(entry.context?.ua);
  const session = str(entry.context?.session_id);
  const seen = { ...(ip ? { ip } : {}), ...(ua ? { userAgent: ua } : {}), ...(session ? { sessionId: session } : {}) };
  const base = { id: `slack:${id}`, provider: 'slack' as const, at, operation: action };
  const status = SLACK_USER_STATUS_ACTIONS[action as keyof typeof SLACK_USER_STATUS_ACTIONS];
  if (status) {
    const subject = entity?.type === 'user' ? entity.id : undefined;
    if (!subject) return { malformed: `${action} without a user entity` };
    return { events: [{ ...base, action: 'principal_status', principal: subject, principalStatus: status }] };
  }
  if (SLACK_APP_RETIRED_ACTIONS.includes(action)) {
    if (entity?.type !== 'app') return { malformed: `${action} without an app entity` };
    return { events: [{ ...base, action: 'app_retired', principal: actor ?? entity.id, app: entity.id }] };
  }
  if (!actor) return { malformed: 'no actor.user.id' };
  if (action === 'user_login') return { events: [{ ...base, ...seen, action: 'login', principal: actor }] };
  const app = entity?.type === 'app' ? entity.id : undefined;
  const tokenType = str(entry.details?.token_type) ?? (app ? 'bot' : 'user');
  const token = { tokenKey: `${app ?? actor}:${tokenType}`, principal: actor, ...(app ? { app } : {}) };
  if (action === 'anomaly') {
    const reasons = strings(entry.details?.reason) ?? [];
    return { events: [{ ...base, ...token, ...seen, action: 'provider_anomaly', providerReasons: reasons }] };
  }
  if (SLACK_SCOPE_ACTIONS.includes(action)) {
    const scopes = strings(entry.details?.new_scopes) ?? entity?.scopes;
    return { events: [{ ...base, ...token, ...seen, action: 'scope_change', ...(scopes?.length ? { scopes } : {}) }] };
  }
  const event: TokenUseEventInput = {
    ...base,
    ...token,
    ...seen,
    action: 'use',
    ...(entity && !app && entity.id !== actor ? { target: entity.id } : {}),
  };
  return { events: [event] };
}

/** The Audit Logs API as one stream, newest first. `call` classifies errors. */
export function slackAuditStream(deps: {
  auditUrl: string;
  token: Secret;
  timeoutMs: number;
  call: <T>(what: string, fn: () => Promise<T>) => Promise<T>;
  pageSize?: number;
}): AuditStream<SlackAuditEntry> {
  return {
    name: 'log',
    order: 'desc',
    async page(window, cursor) {
      const query = {
        oldest: Math.floor(window.from / 1000),
        ...(window.until !== undefined ? { latest: Math.ceil(window.until / 1000) } : {}),
        limit: deps.pageSize ?? SLACK_AUDIT_PAGE_SIZE,
      };
      const page = await deps.call('audit logs', () => fetchAuditPage(deps.auditUrl, deps.token, query, cursor, deps.timeoutMs));
      return { records: page.entries, next: page.nextCursor || undefined };
    },
    map: slackEntryToEvents,
  };
}
