// auth.test, auth.revoke and users.info (Slack Web API method docs): who a token is, revoking the calling
// token, and reading a user (a deactivated account is `deleted: true`).
import type { Router } from '../core/http.ts';
import type { SlackTenantState } from './state.ts';
import { appIdOf, bool, botIdOf, renderUser, SlackMethodError, str, TIER, webApiMethod } from './web-api.ts';

export function addAuthRoutes(router: Router, state: SlackTenantState): void {
  const method = webApiMethod(router, state);

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
}
