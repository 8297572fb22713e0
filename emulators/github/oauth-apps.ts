// OAuth apps' token routes, authenticated with the app's client id and secret as Basic auth (GitHub
// REST API docs: OAuth authorizations, apps/check-token, reset-token, delete-token, delete-authorization):
// check, reset and delete one token by value, and delete the user's whole grant to the app.
import type { EmuRequest, EmuResponse, Router } from '../core/http.ts';
import { bodyObject, callerRoute } from './access.ts';
import { isExpired, memberAccount, randomToken, sha256, type Caller, type GitHubState, type Live, type OAuthApp } from './state.ts';
import { goneAnswer, invalidRequest, notFound, requiresAuthentication, simpleUser } from './wire.ts';

export function addOAuthAppRoutes(router: Router, state: GitHubState): void {
  const route = callerRoute(router, state);

  /** Basic auth with the OAuth app's client id + secret, matching the path's client id (GitHub docs: GitHub App and OAuth app authentication). */
  function oauthAppOf(caller: Caller, clientId: string): OAuthApp | EmuResponse {
    if (caller.type === 'anonymous') return requiresAuthentication();
    if (caller.type !== 'basic') return notFound();
    const app = state.oauthApps.find((a) => a.clientId === clientId);
    if (!app || caller.user !== clientId || caller.password !== app.clientSecret) return notFound();
    return app;
  }

  function liveOAuthToken(req: EmuRequest, clientId: string): Extract<Live, { kind: 'oauth_token' }> | EmuResponse {
    const accessToken = bodyObject(req).access_token;
    if (typeof accessToken !== 'string' || !accessToken) return invalidRequest('"access_token" wasn\'t supplied.');
    const t = state.byValue.get(accessToken);
    // "Invalid tokens will return 404 NOT FOUND" (apps/check-token).
    if (!t || t.kind !== 'oauth_token' || t.clientId !== clientId || t.revoked || isExpired(t)) return notFound();
    return t;
  }

  function authorizationBody(t: Extract<Live, { kind: 'oauth_token' }>): Record<string, unknown> {
    const app = state.oauthApps.find((a) => a.clientId === t.clientId);
    const owner = state.members.get(t.owner.toLowerCase());
    return {
      id: t.id,
      url: `${state.baseUrl}/authorizations/${t.id}`,
      scopes: t.scopes,
      token: t.value,
      token_last_eight: t.value.slice(-8),
      hashed_token: sha256(t.value).digest('hex'),
      app: { client_id: t.clientId, name: app?.name ?? t.clientId, url: `https://github.com/apps/${encodeURIComponent(app?.name ?? t.clientId)}` },
      note: t.note ?? null,
      note_url: null,
      updated_at: t.createdAt,
      created_at: t.createdAt,
      fingerprint: null,
      user: owner ? simpleUser(memberAccount(owner)) : null,
      installation: null,
      expires_at: t.expiresAt ?? null,
    };
  }

  route('POST', '/applications/:client_id/token', 'apps.checkToken', (req, call, caller) => {
    const app = oauthAppOf(caller, req.params.client_id!);
    if ('status' in app) return app;
    const t = liveOAuthToken(req, app.clientId);
    if (!('kind' in t)) return t;
    call.target = state.credentialLabel(t);
    return { status: 200, body: authorizationBody(t) };
  });

  route('PATCH', '/applications/:client_id/token', 'apps.resetToken', (req, call, caller) => {
    const app = oauthAppOf(caller, req.params.client_id!);
    if ('status' in app) return app;
    const t = liveOAuthToken(req, app.clientId);
    if (!('kind' in t)) return t;
    call.target = state.credentialLabel(t);
    // The old value stops working at once; the authorization keeps its id (apps/reset-token).
    state.byValue.delete(t.value);
    (t as { value: string }).value = randomToken(t.value.slice(0, 4));
    state.index(t);
    state.record('oauth_access.regenerate', caller, { user: t.owner, extra: { oauth_application_id: app.id } });
    return { status: 200, body: authorizationBody(t) };
  });

  route('DELETE', '/applications/:client_id/token', 'apps.deleteToken', (req, call, caller) => {
    const app = oauthAppOf(caller, req.params.client_id!);
    if ('status' in app) return app;
    const t = liveOAuthToken(req, app.clientId);
    if (!('kind' in t)) {
      // Unknown: 404 (GitHub REST API docs). Known but already revoked: the answer the test picked (404 by default).
      const known = state.byValue.get(String(bodyObject(req).access_token ?? ''));
      const gone = state.goneAnswers.get('apps.deleteToken');
      return known?.kind === 'oauth_token' && known.revoked && gone ? goneAnswer(gone, 'OauthAccess') : t;
    }
    call.target = state.credentialLabel(t);
    t.revoked = true;
    state.record('oauth_access.destroy', caller, { user: t.owner, token: t, extra: { oauth_application_id: app.id } });
    return { status: 204 };
  });

  route('DELETE', '/applications/:client_id/grant', 'apps.deleteAuthorization', (req, call, caller) => {
    const app = oauthAppOf(caller, req.params.client_id!);
    if ('status' in app) return app;
    const t = liveOAuthToken(req, app.clientId);
    if (!('kind' in t)) return t;
    call.target = `oauth_grant:${app.clientId}:${t.owner}`;
    // "Deleting an application's grant will also delete all OAuth tokens associated with the application for the user."
    for (const c of state.credentials) if (c.kind === 'oauth_token' && c.clientId === app.clientId && c.owner === t.owner) c.revoked = true;
    state.record('oauth_authorization.destroy', caller, { user: t.owner, extra: { oauth_application_id: app.id } });
    return { status: 204 };
  });
}
