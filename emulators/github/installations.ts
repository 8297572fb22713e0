// GitHub App installations (GitHub REST API docs: apps): as the app (JWT), list, get, delete, suspend
// and unsuspend its installations and mint installation access tokens (one hour, optionally narrowed
// to fewer permissions or repositories); as an installation, revoke its own token; as the org, list
// the apps installed. A suspended installation mints nothing and its tokens are refused (access.ts).
import type { CallContext, EmuRequest, EmuResponse, Router } from '../core/http.ts';
import { bodyObject, callerRoute, gateOrg, LEVEL, type Handler } from './access.ts';
import { randomToken, type App, type Caller, type GitHubState, type Installation, type Live } from './state.ts';
import { githubError, invalidRequest, notFound, paginate, requiresAuthentication, simpleUser, validationFailed } from './wire.ts';

const INSTALLATION_TOKEN_TTL_MS = 60 * 60 * 1000;

export function addInstallationRoutes(router: Router, state: GitHubState): void {
  const route = callerRoute(router, state);

  function installationBody(i: Installation): Record<string, unknown> {
    const app = state.apps.find((a) => a.id === i.appId);
    return {
      id: i.id,
      // The GHEC description of GET /app/installations types `account` as simple-user AND enterprise
      // (allOf), so the org account carries both sets of fields.
      account: { ...simpleUser(state.orgAccount()), name: state.section?.org.name ?? state.orgLogin(), slug: state.orgLogin(), description: null, website_url: null, created_at: i.createdAt, updated_at: i.createdAt },
      repository_selection: i.repositorySelection,
      access_tokens_url: `${state.baseUrl}/app/installations/${i.id}/access_tokens`,
      repositories_url: `${state.baseUrl}/installation/repositories`,
      html_url: `https://github.com/organizations/${state.orgLogin()}/settings/installations/${i.id}`,
      app_id: i.appId,
      app_slug: app?.slug ?? '',
      client_id: app?.clientId,
      target_id: state.section?.org.id ?? 0,
      target_type: 'Organization',
      permissions: i.permissions,
      events: i.events,
      created_at: i.createdAt,
      updated_at: i.updatedAt,
      single_file_name: null,
      has_multiple_single_files: false,
      single_file_paths: [],
      suspended_by: i.suspendedAt ? simpleUser(state.orgAccount()) : null,
      suspended_at: i.suspendedAt ?? null,
    };
  }

  const requireApp = (caller: Caller): App | EmuResponse => {
    if (caller.type === 'app') return caller.app;
    if (caller.type === 'anonymous') return requiresAuthentication();
    // Any other credential on /app/*: GitHub asks for a JWT.
    return githubError(401, 'A JSON web token could not be decoded');
  };
  const installationOf = (app: App, id: string | undefined): Installation | undefined => {
    const i = state.installations.get(Number(id));
    return i && !i.deleted && i.appId === app.id ? i : undefined;
  };

  /** As the app (JWT), one of its own installations (another app's or a deleted one is 404), named as the call's target. */
  const withInstallation =
    (handler: (i: Installation, req: EmuRequest, call: CallContext, caller: Caller) => EmuResponse): Handler =>
    (req, call, caller) => {
      const app = requireApp(caller);
      if ('status' in app) return app;
      const i = installationOf(app, req.params.installation_id);
      if (!i) return notFound();
      call.target = `installation:${i.id}`;
      return handler(i, req, call, caller);
    };

  route('GET', '/app/installations', 'apps.listInstallations', (req, _call, caller) => {
    const app = requireApp(caller);
    if ('status' in app) return app;
    const mine = [...state.installations.values()].filter((i) => i.appId === app.id && !i.deleted);
    const { page, headers } = paginate(req, state.baseUrl, mine);
    return { status: 200, headers, body: page.map(installationBody) };
  });

  route('GET', '/app/installations/:installation_id', 'apps.getInstallation', withInstallation((i) => ({ status: 200, body: installationBody(i) })));

  route('DELETE', '/app/installations/:installation_id', 'apps.deleteInstallation', withInstallation((i, _req, _call, caller) => {
    i.deleted = true;
    for (const c of state.credentials) if (c.kind === 'app_installation_token' && c.installationId === i.id) c.revoked = true;
    state.record('integration_installation.destroy', caller, { extra: { installation_id: i.id } });
    return { status: 204 };
  }));

  route('PUT', '/app/installations/:installation_id/suspended', 'apps.suspendInstallation', withInstallation((i, _req, _call, caller) => {
    if (!i.suspendedAt) {
      i.suspendedAt = new Date().toISOString();
      i.updatedAt = i.suspendedAt;
      state.record('integration_installation.suspend', caller, { extra: { installation_id: i.id } });
    }
    return { status: 204 };
  }));

  route('DELETE', '/app/installations/:installation_id/suspended', 'apps.unsuspendInstallation', withInstallation((i) => {
    delete i.suspendedAt;
    i.updatedAt = new Date().toISOString();
    return { status: 204 };
  }));

  route('POST', '/app/installations/:installation_id/access_tokens', 'apps.createInstallationAccessToken', withInstallation((i, req) => {
    if (i.suspendedAt) return githubError(403, 'This installation has been suspended');
    const body = bodyObject(req);
    const wanted = body.permissions;
    let permissions = { ...i.permissions };
    if (wanted !== undefined) {
      if (!wanted || typeof wanted !== 'object') return invalidRequest('For \'properties/permissions\', it is not an object.');
      for (const [name, level] of Object.entries(wanted as Record<string, unknown>)) {
        if ((LEVEL[String(level)] ?? 0) === 0 || (LEVEL[i.permissions[name] ?? ''] ?? 0) < (LEVEL[String(level)] ?? 0)) {
          return validationFailed([{ resource: 'Installation', field: 'permissions', code: 'invalid', message: 'The permissions requested are not granted to this installation.' }]);
        }
      }
      permissions = Object.fromEntries(Object.entries(wanted as Record<string, string>)) as typeof permissions;
    }
    const names = Array.isArray(body.repositories) ? body.repositories.map(String) : [];
    for (const name of names) {
      const repo = state.repos.get(name.toLowerCase());
      if (!repo || (i.repositorySelection === 'selected' && !i.repositories.includes(repo.name))) {
        return validationFailed([{ resource: 'Installation', field: 'repositories', code: 'invalid', message: 'There is at least one repository that does not exist or is not accessible to the parent installation.' }]);
      }
    }
    const now = Date.now();
    const token: Live = {
      kind: 'app_installation_token',
      id: state.nextId++,
      installationId: i.id,
      value: randomToken('ghs_'),
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + INSTALLATION_TOKEN_TTL_MS).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      consumers: [],
      revoked: false,
      orgAccessRevoked: false,
      samlRemoved: false,
    };
    state.credentials.push(token);
    state.minted.add(token);
    state.index(token);
    return {
      status: 201,
      body: { token: token.value, expires_at: token.expiresAt, permissions, repository_selection: names.length ? 'selected' : i.repositorySelection },
    };
  }));

  route('DELETE', '/installation/token', 'apps.revokeInstallationAccessToken', (_req, call, caller) => {
    if (caller.type === 'anonymous') return requiresAuthentication();
    if (caller.type !== 'installation') return githubError(403, 'Resource not accessible by integration');
    call.target = state.credentialLabel(caller.token);
    caller.token.revoked = true;
    return { status: 204 };
  });

  route('GET', '/orgs/:org/installations', 'orgs.listAppInstallations', (req, _call, caller) => {
    const denied = gateOrg(state, caller, req.params.org!, { permission: 'organization_administration', write: false, ownerOnly: true });
    if (denied) return denied;
    const all = [...state.installations.values()].filter((i) => !i.deleted);
    const { page, headers } = paginate(req, state.baseUrl, all);
    return { status: 200, headers, body: { total_count: all.length, installations: page.map(installationBody) } };
  });
}
