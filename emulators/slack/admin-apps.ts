// admin.apps.* (Enterprise Grid; Slack Web API method docs): approved apps, uninstalling an app (every
// token it holds there dies) and restricting it from being installed again.
import type { Router } from '../core/http.ts';
import type { SlackTenantState } from './state.ts';
import { epoch, jsonArg, page, required, SlackMethodError, str, TIER, webApiMethod } from './web-api.ts';

export function addAdminAppRoutes(router: Router, state: SlackTenantState): void {
  const method = webApiMethod(router, state);

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
}
