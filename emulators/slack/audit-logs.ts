// The Audit Logs API (`GET /audit/v1/logs`): a separate REST API with real HTTP status codes and
// its own JSON shape, Enterprise Grid only, read with a user token of an org *owner* holding
// `auditlogs:read` (https://docs.slack.dev/reference/audit-logs-api/methods-actions-reference;
// Slack Audit Logs API docs). No @slack/web-api method exists for it. Entries come from the tenant's own calls and
// from seeded wire-shaped entries (auditRecords), which show once the audit clock passes their `availableAt`.
import type { CallContext, EmuRequest, EmuResponse, Router } from '../core/http.ts';
import type { AuditEventSeed, SlackTenantState } from './state.ts';
import { compareEntries, decodePosition, encodePosition, pageOf } from '../core/audit-log.ts';

const denied = (status: number, error: string): EmuResponse => ({ status, body: { ok: false, error } });

export function addAuditLogRoutes(router: Router, state: SlackTenantState): void {
  router.add('GET', '/audit/v1/logs', 'auditlogs.logs', (req: EmuRequest, call: CallContext) => {
    // Error bodies keep the Web API's `{ok:false,error}` words; the status codes are the audit API's
    // own (401 unauthenticated, 403 not allowed, 400 bad query) [status-to-word pairing unverified].
    const caller = state.authenticate(req.bearer);
    if (caller.credentialId) call.credential = caller.credentialId;
    if ('error' in caller) return denied(401, caller.error);
    if (caller.kind === 'token' && caller.token.type === 'bot') return denied(403, 'not_allowed_token_type');
    if (!state.enterprise) return denied(403, 'feature_not_enabled');
    if (caller.scopes !== 'all' && !caller.scopes.includes('auditlogs:read')) return denied(403, 'missing_scope');
    // "Enterprise organization administrator tokens are not currently supported": owners only.
    if (!['owner', 'primary_owner'].includes(caller.user.role)) return denied(403, 'not_an_owner');
    // Tier 3, counted org-wide rather than per app (methods-actions-reference).
    const retryAfter = state.throttle('auditlogs.logs', 'org', 50);
    if (retryAfter !== undefined) return { status: 429, headers: { 'retry-after': String(retryAfter) }, body: { ok: false, error: 'ratelimited' } };

    const q = req.query;
    const num = (name: string): number | undefined | 'bad' => {
      const v = q.get(name);
      if (v === null || v === '') return undefined;
      const n = Number(v);
      return Number.isInteger(n) && n >= 0 ? n : 'bad';
    };
    const oldest = num('oldest');
    const latest = num('latest');
    const limit = num('limit') ?? 100;
    if (oldest === 'bad' || latest === 'bad' || limit === 'bad' || limit < 1 || limit > 9999) return denied(400, 'invalid_arguments');
    const actions = q.get('action')?.split(',').map((a) => a.trim()).filter(Boolean);
    const actor = q.get('actor') ?? undefined;
    const entity = q.get('entity') ?? undefined;
    if (entity) call.target = entity;
    else if (actor) call.target = actor;

    const now = state.auditClock.now();
    const entityId = (entry: Record<string, unknown>): unknown => {
      const entity = entry.entity as Record<string, unknown> | undefined;
      const inner = typeof entity?.type === 'string' ? (entity[entity.type] as { id?: unknown } | undefined) : undefined;
      return inner?.id;
    };
    const rows = [
      ...state.wireAudit.visible(now).map((e) => ({ at: e.at, seq: e.seq, entry: e.record })),
      // The tenant's own calls' entries sort after seeded ones of the same millisecond.
      ...state.audit.map((e, i) => ({ at: Date.parse(e.at), seq: 1e12 + i, entry: renderEntry(e, state) as Record<string, unknown> })),
    ];
    const matching = rows
      .filter(({ at, entry }) => {
        const seconds = Math.floor(at / 1000);
        return (
          (oldest === undefined || seconds >= oldest) &&
          (latest === undefined || seconds <= latest) &&
          (!actions || actions.includes(String(entry.action))) &&
          (!actor || (entry.actor as { user?: { id?: unknown } } | undefined)?.user?.id === actor) &&
          (!entity || entityId(entry) === entity)
        );
      })
      // Newest first, as the real API pages backwards in time; same instant: later recorded first.
      .sort((a, b) => compareEntries(b, a));
    const cursor = q.get('cursor');
    const after = cursor ? decodePosition(cursor) : undefined;
    if (cursor && !after) return denied(400, 'invalid_cursor');
    const { page, more } = pageOf(matching, true, limit, after);
    const next = more ? encodePosition(page.at(-1)!) : '';
    return { status: 200, body: { entries: page.map((r) => r.entry), response_metadata: { next_cursor: next } } };
  });

  // Discovery endpoints need no token (methods-actions-reference).
  router.add('GET', '/audit/v1/actions', 'auditlogs.actions', () => ({
    status: 200,
    body: {
      actions: {
        user: ['user_login', 'user_logout', 'user_session_reset_by_admin', 'user_session_invalidated', 'user_deactivated', 'user_reactivated', 'role_change_to_user'],
        anomaly: ['anomaly'],
        app: ['app_installed', 'app_uninstalled', 'app_approved', 'app_restricted', 'app_scopes_expanded', 'app_token_preserved', 'bot_token_upgraded'],
      },
    },
  }));
  router.add('GET', '/audit/v1/schemas', 'auditlogs.schemas', () => ({
    status: 200,
    body: { schemas: ['user', 'app', 'workspace', 'channel'].map((type) => ({ type, workspace_or_org: 'both', description: `A ${type}` })) },
  }));
}

function renderEntry(e: AuditEventSeed, state: SlackTenantState) {
  const actor = state.users.get(e.actorUserId);
  const userObject = (id: string) => {
    const u = state.users.get(id);
    return { id, name: u?.name ?? id, email: u?.email ?? '', team: u?.teamId ?? '' };
  };
  let entity: Record<string, unknown>;
  switch (e.entity.type) {
    case 'user':
      entity = { type: 'user', user: userObject(e.entity.id) };
      break;
    case 'app': {
      const app = state.apps.get(e.entity.id);
      entity = {
        type: 'app',
        app: { id: e.entity.id, name: app?.name ?? e.entity.id, is_distributed: !app?.isInternal, is_directory_approved: false, scopes: app?.scopes.map((s) => s.name) ?? [] },
      };
      break;
    }
    case 'workspace': {
      const team = state.teams.get(e.entity.id);
      entity = { type: 'workspace', workspace: { id: e.entity.id, name: team?.name ?? e.entity.id, domain: team?.domain ?? '' } };
      break;
    }
    case 'channel':
      entity = { type: 'channel', channel: { id: e.entity.id, name: state.channels.get(e.entity.id)?.name ?? e.entity.id, privacy: 'public', is_shared: false, is_org_shared: false } };
      break;
  }
  const location = state.enterprise
    ? { type: 'enterprise', id: state.enterprise.id, name: state.enterprise.name, domain: state.enterprise.domain }
    : { type: 'workspace', id: actor?.teamId ?? '', name: '', domain: '' };
  return {
    id: e.id,
    date_create: Math.floor(Date.parse(e.at) / 1000),
    action: e.action,
    actor: { type: 'user', user: userObject(e.actorUserId) },
    entity,
    context: { location, ua: e.ua ?? '', ip_address: e.ip ?? '' },
    ...(e.details ? { details: e.details } : {}),
  };
}
