// Slack Web API methods Cordon calls, as @slack/web-api 8.x sends them: `POST /api/<method>`,
// form-urlencoded, token in `Authorization: Bearer` (or a `token` field), objects and arrays
// JSON-encoded into one field. Answers are always HTTP 200 with `ok` (Slack Web API docs); only the
// framework's 429 differs. Operation names are the SDK method names.
import type { CallContext, EmuRequest, EmuResponse, Router } from '../core/http.ts';
import type { Caller, PostedMessage, SlackTenantState } from './state.ts';

type Args = Record<string, unknown>;
type Answer = Record<string, unknown>;

/** `{ok:false,error}` with optional extras (missing_scope carries `needed`/`provided`). */
class SlackMethodError extends Error {
  constructor(
    readonly error: string,
    readonly extra: Answer = {},
  ) {
    super(error);
  }
}

/** Calls per minute by Slack tier (Slack Web API docs: rate limits); `special` methods get their documented pace. */
const TIER = { 1: 1, 2: 20, 3: 50, 4: 100 } as const;

interface MethodSpec {
  /** Calls per minute per app per workspace (TIER[n]); only enforced when the scenario enables it. */
  perMinute: number;
  /** The scope the method needs (sent back in X-Accepted-OAuth-Scopes). */
  scope?: string;
  /** Enterprise Grid admin method: org admin/owner user token, `feature_not_enabled` without Grid. */
  admin?: boolean;
  /** Bot tokens cannot call these (e.g. admin.*): `not_allowed_token_type`. */
  userTokenOnly?: boolean;
}

type MethodHandler = (args: Args, caller: Caller, call: CallContext) => Answer;

/** Query string, form body and JSON body merged, the way Slack reads arguments. */
function readArgs(req: EmuRequest): Args {
  const args: Args = {};
  for (const [k, v] of req.query) args[k] = v;
  for (const [k, v] of req.form) args[k] = v;
  if (req.json && typeof req.json === 'object' && !Array.isArray(req.json)) Object.assign(args, req.json);
  return args;
}

function str(args: Args, name: string): string | undefined {
  const v = args[name];
  if (v === undefined || v === null || v === '') return undefined;
  return typeof v === 'string' ? v : String(v);
}

function required(args: Args, name: string): string {
  const v = str(args, name);
  if (v === undefined) throw new SlackMethodError('invalid_arguments', { response_metadata: { messages: [`[ERROR] missing required field: ${name}`] } });
  return v;
}

function bool(args: Args, name: string): boolean {
  const v = args[name];
  return v === true || v === 'true' || v === '1' || v === 1;
}

/** The SDK JSON-encodes arrays/objects into one form field; Slack also takes comma-separated lists. */
function jsonArg(args: Args, name: string, onInvalid: string): unknown {
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

function page<T>(items: T[], args: Args, max = 1000): { slice: T[]; next: string } {
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

const epoch = (iso: string | undefined) => (iso ? Math.floor(Date.parse(iso) / 1000) : 0);

export function registerWebApi(router: Router, state: SlackTenantState): void {
  const method = (name: string, spec: MethodSpec, handler: MethodHandler) => {
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

  const botIdOf = (caller: Caller) => (caller.user.bot ? caller.user.bot.botId : undefined);
  const appIdOf = (caller: Caller) => (caller.kind === 'token' ? caller.token.appId : undefined);

  // ---- auth -------------------------------------------------------------------------------

  method('auth.test', { perMinute: TIER[4] }, (_args, caller) => ({
    url: `https://${caller.team.domain}.slack.com/`,
    team: caller.team.name,
    user: caller.user.name,
    team_id: caller.team.id,
    user_id: caller.user.id,
    ...(botIdOf(caller) ? { bot_id: botIdOf(caller) } : {}),
    ...(appIdOf(caller) ? { app_id: appIdOf(caller) } : {}),
    ...(state.enterprise ? { enterprise_id: state.enterprise.id } : {}),
    is_enterprise_install: false,
  }));

  // Revokes the calling token only (Slack Web API docs: auth.revoke); `test=true` is a dry run. A second call
  // authenticates with a dead token and so answers token_revoked (Slack Web API method docs).
  method('auth.revoke', { perMinute: TIER[3] }, (args, caller, call) => {
    call.target = caller.credentialId;
    if (bool(args, 'test')) return { revoked: false };
    const now = new Date().toISOString();
    if (caller.kind === 'token') Object.assign(caller.token, { revoked: true, revokedAt: now });
    else caller.session.endedAt = now;
    return { revoked: true };
  });

  // ---- users ------------------------------------------------------------------------------

  method('users.info', { perMinute: TIER[4], scope: 'users:read' }, (args, _caller, call) => {
    const id = str(args, 'user');
    const user = id ? state.users.get(id) : undefined;
    if (!user) throw new SlackMethodError('user_not_found');
    call.target = user.id;
    return { user: renderUser(user, state) };
  });

  // ---- admin.users.session.* (Enterprise Grid) --------------------------------------------

  method('admin.users.session.list', { perMinute: TIER[2], scope: 'admin.users:read', admin: true }, (args, _caller, call) => {
    const userId = str(args, 'user_id');
    const teamId = str(args, 'team_id');
    // user_id and team_id go together or not at all (AdminUsersSessionListArguments).
    if (userId && !teamId) throw new SlackMethodError('missing_team');
    if (teamId && !userId) throw new SlackMethodError('missing_user');
    if (teamId && !state.teams.has(teamId)) throw new SlackMethodError('team_not_found');
    if (userId && !state.users.has(userId)) throw new SlackMethodError('user_not_found');
    if (userId) call.target = userId;
    const live = state.sessions.filter((s) => !s.endedAt && (!userId || (s.userId === userId && s.teamId === teamId)));
    // For one user, Slack may answer "nothing to list" as an error rather than an empty page (Slack admin API docs: admin.users.session.list).
    if (userId && !live.length) throw new SlackMethodError('no_active_sessions');
    const { slice, next } = page(live, args);
    return {
      active_sessions: slice.map((s) => ({
        user_id: s.userId,
        team_id: s.teamId,
        session_id: s.id,
        created: s.created,
        ...(s.recent ? { recent: s.recent } : {}),
      })),
      response_metadata: { next_cursor: next },
    };
  });

  method('admin.users.session.reset', { perMinute: TIER[2], scope: 'admin.users:write', admin: true }, (args, caller, call) => {
    const userId = required(args, 'user_id');
    const user = state.users.get(userId);
    if (!user) throw new SlackMethodError('user_not_found');
    call.target = userId;
    if (user.bot) throw new SlackMethodError('cannot_reset_bot');
    if (user.role === 'primary_owner') throw new SlackMethodError('cannot_reset_primary_owner');
    const mobileOnly = bool(args, 'mobile_only');
    const webOnly = bool(args, 'web_only');
    const now = new Date().toISOString();
    let ended = 0;
    for (const s of state.activeSessionsOf(userId)) {
      if (mobileOnly && s.client !== 'mobile') continue;
      if (webOnly && s.client === 'mobile') continue;
      s.endedAt = now;
      ended += 1;
    }
    // No sessions is still ok:true: the reset is a state, not an event (Slack Web API method docs [unverified]).
    state.recordAudit('user_session_reset_by_admin', caller.user.id, { type: 'user', id: userId }, { sessions_ended: ended, mobile_only: mobileOnly, web_only: webOnly });
    return {};
  });

  // Enqueues a reset of every session of up to 1,000 users (Slack Web API method docs: admin.users.session.resetBulk);
  // ok only means the job was enqueued. The emulator ends the sessions at once. Unverified (emulators/README.md):
  // a bot or the primary owner in the list refuses the whole call; unknown ids reset the others, then answer
  // failed_for_some_users with the ids in response_metadata.messages.
  method('admin.users.session.resetBulk', { perMinute: TIER[2], scope: 'admin.users:write', admin: true }, (args, caller, call) => {
    const ids = jsonArg(args, 'user_ids', 'invalid_arguments');
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > 1000 || !ids.every((v) => typeof v === 'string' && v)) {
      throw new SlackMethodError('invalid_arguments', { response_metadata: { messages: ['[ERROR] user_ids must be a list of 1 to 1000 user IDs'] } });
    }
    const userIds = [...new Set(ids as string[])];
    call.target = userIds.join(',');
    const known = userIds.flatMap((id) => {
      const user = state.users.get(id);
      return user ? [user] : [];
    });
    if (known.some((u) => u.bot)) throw new SlackMethodError('cannot_reset_bot');
    if (known.some((u) => u.role === 'primary_owner')) throw new SlackMethodError('cannot_reset_primary_owner');
    const mobileOnly = bool(args, 'mobile_only');
    const webOnly = bool(args, 'web_only');
    const now = new Date().toISOString();
    for (const user of known) {
      let ended = 0;
      for (const s of state.activeSessionsOf(user.id)) {
        if (mobileOnly && s.client !== 'mobile') continue;
        if (webOnly && s.client === 'mobile') continue;
        s.endedAt = now;
        ended += 1;
      }
      state.recordAudit('user_session_reset_by_admin', caller.user.id, { type: 'user', id: user.id }, { sessions_ended: ended, mobile_only: mobileOnly, web_only: webOnly });
    }
    const unknown = userIds.filter((id) => !state.users.has(id));
    if (unknown.length) throw new SlackMethodError('failed_for_some_users', { response_metadata: { messages: unknown.map((id) => `[ERROR] ${id}: user_not_found`) } });
    return {};
  });

  // Current Slack docs: `session_id` and `user_id` are required, `team_id` is optional (the SDK's type still
  // has the retired team_id-only shape, which Slack refuses with invalid_arguments; Slack Web API docs: admin.users.session.invalidate).
  method('admin.users.session.invalidate', { perMinute: TIER[2], scope: 'admin.users:write', admin: true }, (args, caller, call) => {
    const raw = required(args, 'session_id');
    const userId = required(args, 'user_id');
    const teamId = str(args, 'team_id');
    if (teamId && !state.teams.has(teamId)) throw new SlackMethodError('team_not_found');
    if (!state.users.has(userId)) throw new SlackMethodError('user_not_found');
    const session = state.sessions.find((s) => String(s.id) === raw && s.userId === userId && (!teamId || s.teamId === teamId));
    call.target = `session:${raw}`;
    // An ended session is gone as far as Slack is concerned (Slack Web API method docs).
    if (!session || session.endedAt) throw new SlackMethodError('session_not_found');
    const owner = state.users.get(session.userId);
    if (owner?.role === 'primary_owner') throw new SlackMethodError('cannot_invalidate_primary_owner');
    session.endedAt = new Date().toISOString();
    state.recordAudit('user_session_invalidated', caller.user.id, { type: 'user', id: session.userId }, { session_id: session.id });
    return {};
  });

  // ---- admin.apps.* -----------------------------------------------------------------------

  method('admin.apps.approved.list', { perMinute: TIER[2], scope: 'admin.apps:read', admin: true }, (args) => {
    const teamId = str(args, 'team_id');
    const enterpriseId = str(args, 'enterprise_id');
    if (teamId && enterpriseId) throw new SlackMethodError('invalid_arguments', { response_metadata: { messages: ['[ERROR] team_id and enterprise_id are mutually exclusive'] } });
    if (teamId && !state.teams.has(teamId)) throw new SlackMethodError('team_not_found');
    if (enterpriseId && enterpriseId !== state.enterprise?.id) throw new SlackMethodError('enterprise_not_found');
    const approved = [...state.apps.values()].filter((a) => a.approved && (!teamId || a.installedTeamIds.includes(teamId) || a.uninstalledTeamIds.includes(teamId)));
    const { slice, next } = page(approved, args);
    return {
      approved_apps: slice.map((a) => ({
        app: {
          id: a.id,
          name: a.name,
          description: a.description,
          help_url: '',
          privacy_policy_url: '',
          app_homepage_url: '',
          app_directory_url: '',
          is_app_directory_approved: false,
          is_internal: a.isInternal,
          is_granular_bot_app: true,
          additional_info: '',
          icons: {},
        },
        scopes: a.scopes.map((s) => ({ name: s.name, description: '', is_sensitive: s.sensitive, token_type: s.tokenType })),
        date_updated: epoch(a.approvedAt),
        last_resolved_by: { actor_id: a.approvedBy ?? '', actor_type: 'user' },
      })),
      response_metadata: { next_cursor: next },
    };
  });

  // Removes the app from the named workspaces (or the whole org): every token it holds there dies.
  method('admin.apps.uninstall', { perMinute: TIER[1], scope: 'admin.apps:write', admin: true }, (args, caller, call) => {
    const appId = required(args, 'app_id');
    const enterpriseId = str(args, 'enterprise_id');
    const teamIdsArg = jsonArg(args, 'team_ids', 'invalid_array_arg') ?? (str(args, 'team_id') ? [str(args, 'team_id')] : undefined);
    if (!enterpriseId && !teamIdsArg) throw new SlackMethodError('specify_enterprise_or_teams');
    const app = state.apps.get(appId);
    call.target = appId;
    if (!app) throw new SlackMethodError('app_not_found');
    let teamIds: string[];
    if (enterpriseId) {
      if (enterpriseId !== state.enterprise?.id) throw new SlackMethodError('enterprise_not_found');
      teamIds = [...state.teams.keys()];
    } else {
      if (!Array.isArray(teamIdsArg)) throw new SlackMethodError('invalid_array_arg');
      teamIds = teamIdsArg.map(String);
      if (teamIds.length > 100) throw new SlackMethodError('too_many_teams');
      if (teamIds.some((t) => !state.teams.has(t))) throw new SlackMethodError('teams_not_found');
    }
    const now = new Date().toISOString();
    for (const teamId of teamIds) {
      if (app.installedTeamIds.includes(teamId)) {
        app.installedTeamIds = app.installedTeamIds.filter((t) => t !== teamId);
        app.uninstalledTeamIds.push(teamId);
        state.recordAudit('app_uninstalled', caller.user.id, { type: 'app', id: appId }, { team_id: teamId });
      }
      for (const t of state.tokens) if (t.appId === appId && t.teamId === teamId && !t.revoked) Object.assign(t, { revoked: true, revokedAt: now });
    }
    // Not installed any more is ok:true: uninstalling is idempotent here (Slack Web API method docs [unverified]).
    return {};
  });

  // Blocks the app from being (re)installed; existing installs keep their tokens, which is why
  // Cordon uninstalls first (connectors/slack blockApp). Idempotent.
  method('admin.apps.restrict', { perMinute: TIER[2], scope: 'admin.apps:write', admin: true }, (args, caller, call) => {
    const appId = str(args, 'app_id');
    if (!appId) throw new SlackMethodError('missing_app_or_request_id');
    const teamId = str(args, 'team_id');
    const enterpriseId = str(args, 'enterprise_id');
    if (!teamId && !enterpriseId) throw new SlackMethodError('specify_enterprise_or_teams');
    // Exactly one of the two (TeamOrEnterpriseID): both together is refused, not resolved.
    if (teamId && enterpriseId) throw new SlackMethodError('invalid_arguments', { response_metadata: { messages: ['[ERROR] team_id and enterprise_id are mutually exclusive'] } });
    if (teamId && !state.teams.has(teamId)) throw new SlackMethodError('team_not_found');
    if (enterpriseId && enterpriseId !== state.enterprise?.id) throw new SlackMethodError('enterprise_not_found');
    const app = state.apps.get(appId);
    call.target = appId;
    if (!app) throw new SlackMethodError('app_not_found');
    if (!app.restricted) state.recordAudit('app_restricted', caller.user.id, { type: 'app', id: appId }, { scope: teamId ?? enterpriseId });
    app.restricted = true;
    app.approved = false;
    return {};
  });

  method('admin.apps.restricted.list', { perMinute: TIER[2], scope: 'admin.apps:read', admin: true }, (args) => {
    const restricted = [...state.apps.values()].filter((a) => a.restricted);
    const { slice, next } = page(restricted, args);
    return {
      restricted_apps: slice.map((a) => ({
        app: { id: a.id, name: a.name, description: a.description, is_internal: a.isInternal },
        scopes: a.scopes.map((s) => ({ name: s.name, description: '', is_sensitive: s.sensitive, token_type: s.tokenType })),
        date_updated: Math.floor(Date.now() / 1000),
        last_resolved_by: { actor_id: '', actor_type: 'user' },
      })),
      response_metadata: { next_cursor: next },
    };
  });

  // ---- chat.* and views.open (the approval messages of Cordon's Slack app; Slack Web API docs) ---

  const channelFor = (caller: Caller, raw: string): string => {
    const byId = state.channels.get(raw);
    if (byId) {
      if (byId.archived) throw new SlackMethodError('is_archived');
      return byId.id;
    }
    const byName = [...state.channels.values()].find((c) => c.name === raw.replace(/^#/, '') && c.teamId === caller.team.id);
    if (byName) {
      if (byName.archived) throw new SlackMethodError('is_archived');
      return byName.id;
    }
    // A user id as channel posts to the app's DM with that user.
    const user = state.users.get(raw);
    if (user && !user.bot) return `D${user.id.slice(1)}`;
    throw new SlackMethodError('channel_not_found');
  };

  const blocksOf = (args: Args): unknown[] | undefined => {
    const blocks = jsonArg(args, 'blocks', 'invalid_blocks');
    if (blocks === undefined) return undefined;
    if (!Array.isArray(blocks) || blocks.some((b) => !b || typeof b !== 'object' || typeof (b as { type?: unknown }).type !== 'string')) {
      throw new SlackMethodError('invalid_blocks');
    }
    if (blocks.length > 50) throw new SlackMethodError('msg_blocks_too_long');
    return blocks;
  };

  /**
   * Message metadata (Slack docs: message metadata): a JSON object `{event_type, event_payload}`.
   * Not JSON: `invalid_metadata_format`; JSON of another shape: `invalid_metadata_schema`.
   */
  const metadataOf = (args: Args): PostedMessage['metadata'] => {
    const raw = args.metadata;
    if (raw === undefined || raw === '') return undefined;
    let parsed: unknown = raw;
    if (typeof raw === 'string') {
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new SlackMethodError('invalid_metadata_format');
      }
    }
    const isObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
    if (!isObject(parsed) || typeof parsed.event_type !== 'string' || !parsed.event_type || !isObject(parsed.event_payload)) throw new SlackMethodError('invalid_metadata_schema');
    return { event_type: parsed.event_type, event_payload: parsed.event_payload };
  };

  const renderMessage = (m: PostedMessage) => ({
    type: 'message',
    text: m.text,
    user: m.user,
    ...(m.botId ? { bot_id: m.botId } : {}),
    app_id: m.appId,
    team: m.team,
    ts: m.ts,
    ...(m.blocks ? { blocks: m.blocks } : {}),
    ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
    ...(m.metadata ? { metadata: m.metadata } : {}),
    ...(m.edited ? { edited: m.edited } : {}),
  });

  /** Stores a message as the caller posted it (chat.postMessage and chat.postEphemeral alike). */
  const postMessage = (
    caller: Parameters<typeof appIdOf>[0],
    m: { channel: string; text: string; blocks: PostedMessage['blocks'] | undefined; threadTs: string | undefined } & Pick<Partial<PostedMessage>, 'metadata' | 'ephemeralTo'>,
  ): PostedMessage => {
    const botId = botIdOf(caller);
    const message: PostedMessage = {
      channel: m.channel,
      ts: state.nextTs(),
      text: m.text,
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ...(m.threadTs ? { threadTs: m.threadTs } : {}),
      user: caller.user.id,
      ...(botId ? { botId } : {}),
      appId: appIdOf(caller) ?? '',
      team: caller.team.id,
      ...(m.metadata ? { metadata: m.metadata } : {}),
      ...(m.ephemeralTo ? { ephemeralTo: m.ephemeralTo } : {}),
      previous: [],
      postedWith: caller.credentialId,
    };
    state.messages.push(message);
    return message;
  };

  method('chat.postMessage', { perMinute: 60, scope: 'chat:write' }, (args, caller, call) => {
    const channel = channelFor(caller, required(args, 'channel'));
    const text = str(args, 'text') ?? '';
    const blocks = blocksOf(args);
    if (!text && !blocks) throw new SlackMethodError('no_text');
    const threadTs = str(args, 'thread_ts');
    if (threadTs && !state.messages.some((m) => m.channel === channel && m.ts === threadTs && !m.ephemeralTo)) throw new SlackMethodError('thread_not_found');
    const metadata = metadataOf(args);
    const message = postMessage(caller, { channel, text, blocks, threadTs, ...(metadata ? { metadata } : {}) });
    call.target = `${channel}/${message.ts}`;
    return { channel, ts: message.ts, message: renderMessage(message) };
  });

  method('chat.update', { perMinute: TIER[3], scope: 'chat:write' }, (args, caller, call) => {
    const channel = channelFor(caller, required(args, 'channel'));
    const ts = required(args, 'ts');
    const message = state.messages.find((m) => m.channel === channel && m.ts === ts && !m.ephemeralTo);
    call.target = `${channel}/${ts}`;
    if (!message) throw new SlackMethodError('message_not_found');
    // Only the author may edit (a bot edits its own messages).
    if (message.user !== caller.user.id) throw new SlackMethodError('cant_update_message');
    const text = str(args, 'text');
    const blocks = blocksOf(args);
    if (text === undefined && blocks === undefined) throw new SlackMethodError('no_text');
    message.previous.push({ text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) });
    if (text !== undefined) message.text = text;
    if (blocks !== undefined) message.blocks = blocks;
    message.edited = { user: caller.user.id, ts: state.nextTs() };
    return { channel, ts, text: message.text, message: renderMessage(message) };
  });

  method('chat.postEphemeral', { perMinute: TIER[4], scope: 'chat:write' }, (args, caller, call) => {
    const channel = channelFor(caller, required(args, 'channel'));
    const userId = required(args, 'user');
    const target = state.users.get(userId);
    if (!target) throw new SlackMethodError('user_not_found');
    if (target.status !== 'active') throw new SlackMethodError('user_not_in_channel');
    const text = str(args, 'text') ?? '';
    const blocks = blocksOf(args);
    if (!text && !blocks) throw new SlackMethodError('no_text');
    const threadTs = str(args, 'thread_ts');
    const message = postMessage(caller, { channel, text, blocks, threadTs, ephemeralTo: userId });
    call.target = `${channel}/${userId}`;
    return { message_ts: message.ts };
  });

  // A thread: its parent then the replies, oldest first (Slack Web API docs: conversations.replies). `ts` may
  // name the parent or any reply; a message without replies comes back alone. The scope depends on the
  // conversation type (channels:/groups:/im:history). `metadata` only with `include_all_metadata`.
  // Cursor pagination (limit up to 1000); `oldest`/`latest` bound the ts, `inclusive` keeps the bounds.
  method('conversations.replies', { perMinute: TIER[3] }, (args, caller, call) => {
    const channel = required(args, 'channel');
    const ts = required(args, 'ts');
    const known = state.channels.get(channel);
    const isDm = channel.startsWith('D') && state.messages.some((m) => m.channel === channel);
    if (!known && !isDm) throw new SlackMethodError('channel_not_found');
    if (known && known.teamId !== caller.team.id) throw new SlackMethodError('channel_not_found');
    const needed = channel.startsWith('C') ? 'channels:history' : channel.startsWith('G') ? 'groups:history' : 'im:history';
    if (caller.scopes !== 'all' && !caller.scopes.includes(needed)) throw new SlackMethodError('missing_scope', { needed, provided: caller.scopes.join(',') });
    call.target = `${channel}/${ts}`;
    const visible = state.messages.filter((m) => m.channel === channel && !m.ephemeralTo);
    const named = visible.find((m) => m.ts === ts);
    if (!named) throw new SlackMethodError('thread_not_found');
    const parentTs = named.threadTs ?? named.ts;
    const oldest = str(args, 'oldest');
    const latest = str(args, 'latest');
    const inclusive = bool(args, 'inclusive');
    const within = (t: string) =>
      (oldest === undefined || (inclusive ? Number(t) >= Number(oldest) : Number(t) > Number(oldest))) && (latest === undefined || (inclusive ? Number(t) <= Number(latest) : Number(t) < Number(latest)));
    const thread = visible.filter((m) => m.ts === parentTs || m.threadTs === parentTs).sort((a, b) => Number(a.ts) - Number(b.ts));
    const replies = thread.filter((m) => m.ts !== parentTs);
    const withMetadata = bool(args, 'include_all_metadata');
    const render = (m: PostedMessage) => {
      const { metadata: _dropped, ...rest } = renderMessage(m);
      const base = withMetadata ? renderMessage(m) : rest;
      if (m.ts !== parentTs) return { ...base, thread_ts: parentTs, parent_user_id: thread.find((x) => x.ts === parentTs)?.user };
      if (!replies.length) return base;
      const users = [...new Set(replies.map((r) => r.user))];
      return { ...base, thread_ts: parentTs, reply_count: replies.length, reply_users_count: users.length, latest_reply: replies.at(-1)!.ts, reply_users: users };
    };
    const limitRaw = str(args, 'limit');
    const { slice, next } = page(thread.filter((m) => within(m.ts)), { ...args, limit: limitRaw ?? '1000' });
    return { messages: slice.map(render), has_more: Boolean(next), response_metadata: { next_cursor: next } };
  });

  method('views.open', { perMinute: TIER[4] }, (args, caller, call) => {
    const triggerId = str(args, 'trigger_id');
    const interactivityPointer = str(args, 'interactivity_pointer');
    if (!triggerId && !interactivityPointer) throw new SlackMethodError('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: trigger_id'] } });
    const view = jsonArg(args, 'view', 'invalid_arguments');
    if (!view || typeof view !== 'object' || Array.isArray(view)) {
      throw new SlackMethodError('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: view'] } });
    }
    const v = view as Record<string, unknown>;
    if (v.type !== 'modal' && v.type !== 'home') throw new SlackMethodError('invalid_arguments', { response_metadata: { messages: ['[ERROR] must be a valid enum value [json-pointer:/view/type]'] } });
    const id = state.nextId('V');
    state.views.push({
      id,
      triggerId: (triggerId ?? interactivityPointer)!,
      view: v,
      appId: appIdOf(caller) ?? '',
      ...(botIdOf(caller) ? { botId: botIdOf(caller)! } : {}),
      team: caller.team.id,
      openedWith: caller.credentialId,
      openedAt: new Date().toISOString(),
    });
    call.target = id;
    return {
      view: {
        id,
        team_id: caller.team.id,
        type: v.type,
        blocks: v.blocks ?? [],
        private_metadata: v.private_metadata ?? '',
        callback_id: v.callback_id ?? '',
        state: { values: {} },
        hash: `${Math.floor(Date.now() / 1000)}.${id}`,
        title: v.title,
        ...(v.submit ? { submit: v.submit } : {}),
        ...(v.close ? { close: v.close } : {}),
        clear_on_close: false,
        notify_on_close: false,
        root_view_id: id,
        app_id: appIdOf(caller) ?? '',
        external_id: v.external_id ?? '',
        bot_id: botIdOf(caller) ?? '',
      },
    };
  });
}

function renderUser(user: { id: string; teamId: string; name: string; realName: string; email?: string | undefined; status: string; role: string; bot?: { botId: string; appId: string } | undefined }, state: SlackTenantState) {
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
