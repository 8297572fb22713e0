// SAML credential authorizations (GHEC; GitHub REST API docs: orgs/list-saml-sso-authorizations): the
// classic PATs and OAuth tokens authorized for the org, and removing one (the token stays valid elsewhere).
import type { Router } from '../core/http.ts';
import { callerRoute, gateOrg } from './access.ts';
import type { GitHubState, Live } from './state.ts';
import { notFound, paginate } from './wire.ts';

export function addSamlRoutes(router: Router, state: GitHubState): void {
  const route = callerRoute(router, state);

  type SamlAuthorizable = Extract<Live, { kind: 'oauth_token' }> | Extract<Live, { kind: 'pat'; patType: 'classic' }>;
  const samlAuthorized = () =>
    state.credentials.filter(
      (c): c is SamlAuthorizable =>
        !c.revoked && !c.samlRemoved && ((c.kind === 'pat' && c.patType === 'classic') || (c.kind === 'oauth_token' && c.samlCredentialId !== undefined)),
    );
  const samlId = (c: SamlAuthorizable) => (c.kind === 'oauth_token' ? c.samlCredentialId! : c.id);

  route('GET', '/orgs/:org/credential-authorizations', 'orgs.listSamlSsoAuthorizations', (req, _call, caller) => {
    const denied = gateOrg(state, caller, req.params.org!, { permission: 'organization_administration', write: false, ownerOnly: true });
    if (denied) return denied;
    const login = req.query.get('login')?.toLowerCase();
    const list = samlAuthorized().filter((c) => !login || ('owner' in c && c.owner.toLowerCase() === login));
    const { page, headers } = paginate(req, state.baseUrl, list);
    return {
      status: 200,
      headers,
      body: page.map((c) => ({
        login: c.owner,
        credential_id: samlId(c),
        credential_type: c.kind === 'oauth_token' ? 'OAuth app token' : 'personal access token',
        token_last_eight: c.value.slice(-8),
        credential_authorized_at: c.createdAt,
        scopes: c.scopes,
        credential_accessed_at: c.lastUsedAt ?? null,
        authorized_credential_id: c.id,
        authorized_credential_title: c.kind === 'pat' ? c.note : (c.note ?? null),
        authorized_credential_note: c.kind === 'pat' ? c.note : (c.note ?? null),
        authorized_credential_expires_at: c.expiresAt ?? null,
      })),
    };
  });

  route('DELETE', '/orgs/:org/credential-authorizations/:credential_id', 'orgs.removeSamlSsoAuthorization', (req, call, caller) => {
    const denied = gateOrg(state, caller, req.params.org!, { permission: 'organization_administration', write: true, ownerOnly: true });
    if (denied) return denied;
    const c = samlAuthorized().find((x) => samlId(x) === Number(req.params.credential_id));
    if (!c) return notFound();
    call.target = state.credentialLabel(c);
    c.samlRemoved = true;
    state.record('org_credential_authorization.deauthorized', caller, { user: c.owner, token: c });
    return { status: 204 };
  });
}
