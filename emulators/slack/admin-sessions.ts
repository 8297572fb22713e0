// admin.users.session.* (Enterprise Grid; Slack Web API method docs): list a user's sessions, reset them per
// user or in bulk, and invalidate one session. Org admin or owner user tokens only.
import type { Router } from '../core/http.ts';
import type { SlackTenantState } from './state.ts';
import { bool, jsonArg, page, required, SlackMethodError, str, TIER, webApiMethod } from './web-api.ts';

export function addAdminSessionRoutes(router: Router, state: SlackTenantState): void {
  const method = webApiMethod(router, state);

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
}
