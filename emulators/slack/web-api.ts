// Slack Web API methods Cordon calls, as @slack/web-api 8.x sends them: `POST /api/<method>`,
// form-urlencoded, token in `Authorization: Bearer` (or a `token` field), objects and arrays
// JSON-encoded into one field. Answers are always HTTP 200 with `ok` (Slack Web API docs); only the
// framework's 429 differs. Operation names are the SDK method names.
import type { CallContext, EmuRequest, EmuResponse, Router } from '../core/http.ts';
import type { Caller, SlackTenantState } from './state.ts';

export type Args = Record<string, unknown>;
export type Answer = Record<string, unknown>;

/** `{ok:false,error}` with optional extras (missing_scope carries `needed`/`provided`). */
export class SlackMethodError extends Error {
  constructor(
    readonly error: string,
    readonly extra: Answer = {},
  ) {
    super(error);
  }
}

/** Calls per minute by Slack tier (Slack Web API docs: rate limits); `special` methods get their documented pace. */
export const TIER = { 1: 1, 2: 20, 3: 50, 4: 100 } as const;

export interface MethodSpec {
  /** Calls per minute per app per workspace (TIER[n]); only enforced when the scenario enables it. */
  perMinute: number;
  /** The scope the method needs (sent back in X-Accepted-OAuth-Scopes). */
  scope?: string;
  /** Enterprise Grid admin method: org admin/owner user token, `feature_not_enabled` without Grid. */
  admin?: boolean;
  /** Bot tokens cannot call these (e.g. admin.*): `not_allowed_token_type`. */
  userTokenOnly?: boolean;
}

export type MethodHandler = (args: Args, caller: Caller, call: CallContext) => Answer;

/** Query string, form body and JSON body merged, the way Slack reads arguments. */
export function readArgs(req: EmuRequest): Args {
  const args: Args = {};
  for (const [k, v] of req.query) args[k] = v;
  for (const [k, v] of req.form) args[k] = v;
  if (req.json && typeof req.json === 'object' && !Array.isArray(req.json)) Object.assign(args, req.json);
  return args;
}

export function str(args: Args, name: string): string | undefined {
  const v = args[name];
  if (v === undefined || v === null || v === '') return undefined;
  return typeof v === 'string' ? v : String(v);
}

export function required(args: Args, name: string): string {
  const v = str(args, name);
  if (v === undefined) throw new SlackMethodError('invalid_arguments', { response_metadata: { messages: [`[ERROR] missing required field: ${name}`] } });
  return v;
}

export function bool(args: Args, name: string): boolean {
  const v = args[name];
  return v === true || v === 'true' || v === '1' || v === 1;
}

/** The SDK JSON-encodes arrays/objects into one form field; Slack also takes comma-separated lists. */
export function jsonArg(args: Args, name: string, onInvalid: string): unknown {
  const v = args[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') return v;
  if (!/^\s*[[{]/.test(v)) return v.split(',').map((s) => s.trim()).filter(Boolean);
  try {
    return JSON.parse(v);
  } catch {
    throw new SlackMethodError(onInvalid);
  }
}

export function page<T>(items: T[], args: Args, max = 1000): { slice: T[]; next: string } {
  const limitRaw = str(args, 'limit');
  const limit = limitRaw === undefined ? 100 : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw new SlackMethodError('invalid_limit');
  const cursor = str(args, 'cursor');
  let start = 0;
  if (cursor) {
    const decoded = Buffer.from(cursor, 'base64').toString('utf8');
    const m = /^next:(\d+)$/.exec(decoded);
    if (!m) throw new SlackMethodError('invalid_cursor');
    start = Number(m[1]);
  }
  const slice = items.slice(start, start + limit);
  const next = start + limit < items.length ? Buffer.from(`next:${start + limit}`).toString('base64') : '';
  return { slice, next };
}

export const epoch = (iso: string | undefined) => (iso ? Math.floor(Date.parse(iso) / 1000) : 0);

/**
 * Adds Web API methods: `POST` and `GET /api/<name>`, each authenticated, rate-limited per app and
 * workspace, scope- and admin-checked, and answered in Slack's `{ok, …}` envelope.
 */
export function webApiMethod(router: Router, state: SlackTenantState) {
  return (name: string, spec: MethodSpec, handler: MethodHandler) => {
    const run = (req: EmuRequest, call: CallContext): EmuResponse => {
      const args = readArgs(req);
      // The header wins over a body `token`, as in the SDK (it sends both when `token` is passed).
      const caller = state.authenticate(req.bearer ?? str(args, 'token'));
      const headers: Record<string, string> = {};
      if (spec.scope) headers['x-accepted-oauth-scopes'] = spec.scope;
      if (caller.credentialId) call.credential = caller.credentialId;
      if ('error' in caller) return { status: 200, headers, body: { ok: false, error: caller.error } };
      // Limits apply per method per workspace per app; a replayed session counts per user.
      const limitKey = caller.kind === 'token' ? `${caller.token.appId}:${caller.team.id}` : `user:${caller.user.id}`;
      const retryAfter = state.throttle(name, limitKey, spec.perMinute);
      if (retryAfter !== undefined) return { status: 429, headers: { 'retry-after': String(retryAfter) }, body: { ok: false, error: 'ratelimited' } };
      if (caller.scopes !== 'all') headers['x-oauth-scopes'] = caller.scopes.join(',');
      try {
        if ((spec.admin || spec.userTokenOnly) && caller.kind === 'token' && caller.token.type === 'bot') throw new SlackMethodError('not_allowed_token_type');
        if (spec.admin && !state.enterprise) throw new SlackMethodError('feature_not_enabled');
        if (spec.scope && caller.scopes !== 'all' && !caller.scopes.includes(spec.scope)) {
          throw new SlackMethodError('missing_scope', { needed: spec.scope, provided: caller.scopes.join(',') });
        }
        if (spec.admin && !['admin', 'owner', 'primary_owner'].includes(caller.user.role)) throw new SlackMethodError('not_an_admin');
        return { status: 200, headers, body: { ok: true, ...handler(args, caller, call) } };
      } catch (err) {
        if (err instanceof SlackMethodError) return { status: 200, headers, body: { ok: false, error: err.error, ...err.extra } };
        throw err;
      }
    };
    // Slack accepts GET with query arguments for most methods as well (Slack Web API method docs).
    router.add('POST', `/api/${name}`, name, run);
    router.add('GET', `/api/${name}`, name, run);
  };
}

export const botIdOf = (caller: Caller) => (caller.user.bot ? caller.user.bot.botId : undefined);
export const appIdOf = (caller: Caller) => (caller.kind === 'token' ? caller.token.appId : undefined);

/** users.info's user object (Slack Web API docs: users.info); Enterprise Grid adds `enterprise_user`. */
export function renderUser(user: { id: string; teamId: string; name: string; realName: string; email?: string | undefined; status: string; role: string; bot?: { botId: string; appId: string } | undefined }, state: SlackTenantState) {
  return {
    id: user.id,
    team_id: user.teamId,
    name: user.name,
    // Slack has no suspension: a deactivated account is `deleted: true`.
    deleted: user.status !== 'active',
    real_name: user.realName,
    is_admin: ['admin', 'owner', 'primary_owner'].includes(user.role),
    is_owner: ['owner', 'primary_owner'].includes(user.role),
    is_primary_owner: user.role === 'primary_owner',
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: Boolean(user.bot),
    is_app_user: false,
    updated: 0,
    ...(state.enterprise ? { enterprise_user: { id: user.id, enterprise_id: state.enterprise.id, enterprise_name: state.enterprise.name, is_admin: ['admin', 'owner', 'primary_owner'].includes(user.role), is_owner: ['owner', 'primary_owner'].includes(user.role), teams: [user.teamId] } } : {}),
    profile: {
      real_name: user.realName,
      display_name: user.name,
      ...(user.email ? { email: user.email } : {}),
      team: user.teamId,
      ...(user.bot ? { bot_id: user.bot.botId, api_app_id: user.bot.appId, always_active: true } : {}),
    },
  };
}
