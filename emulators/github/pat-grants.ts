// Fine-grained personal access tokens' grants to the org (GitHub REST API docs: orgs/personal-access-tokens):
// GitHub Apps only. Listing and revoking a grant removes the token's access to this org; the token itself lives on.
import type { EmuRequest, Router } from '../core/http.ts';
import { bodyObject, callerRoute, gateOrg } from './access.ts';
import { isExpired, memberAccount, type Caller, type GitHubState, type Live } from './state.ts';
import { invalidRequest, notFound, paginate, simpleUser } from './wire.ts';

function listParam(req: EmuRequest, name: string): string[] {
  return [...req.query.getAll(name), ...req.query.getAll(`${name}[]`)].flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

export function addPatGrantRoutes(router: Router, state: GitHubState): void {
  const route = callerRoute(router, state);

  const fineGrained = () =>
    state.credentials.filter((c): c is Extract<Live, { kind: 'pat'; patType: 'fine_grained' }> => c.kind === 'pat' && c.patType === 'fine_grained');
  const activeGrant = (c: Live) => !c.revoked && !c.orgAccessRevoked;

  route('GET', '/orgs/:org/personal-access-tokens', 'orgs.listPatGrants', (req, _call, caller) => {
    const denied = gateOrg(state, caller, req.params.org!, { permission: 'organization_personal_access_tokens', write: false, ownerOnly: true, appsOnly: true });
    if (denied) return denied;
    const owners = listParam(req, 'owner').map((o) => o.toLowerCase());
    const tokenIds = listParam(req, 'token_id').map(Number);
    if (owners.length > 10) return invalidRequest('"owner" may name at most 10 users.');
    if (tokenIds.length > 50) return invalidRequest('"token_id" may name at most 50 tokens.');
    let grants = fineGrained().filter(activeGrant);
    if (owners.length) grants = grants.filter((g) => owners.includes(g.owner.toLowerCase()));
    if (tokenIds.length) grants = grants.filter((g) => tokenIds.includes(g.tokenId));
    const direction = req.query.get('direction') === 'asc' ? 1 : -1;
    grants.sort((a, b) => direction * (Date.parse(a.createdAt) - Date.parse(b.createdAt)));
    const { page, headers } = paginate(req, state.baseUrl, grants);
    return {
      status: 200,
      headers,
      body: page.map((g) => {
        const owner = state.members.get(g.owner.toLowerCase());
        return {
          id: g.id,
          owner: simpleUser(owner ? memberAccount(owner) : { login: g.owner, id: 0, type: 'User' }),
          repository_selection: g.repositorySelection,
          repositories_url: `${state.baseUrl}/organizations/${state.section?.org.id}/personal-access-tokens/${g.id}/repositories`,
          permissions: g.permissions,
          access_granted_at: g.createdAt,
          token_id: g.tokenId,
          token_name: g.name,
          token_expired: isExpired(g),
          token_expires_at: g.expiresAt ?? null,
          token_last_used_at: g.lastUsedAt ?? null,
        };
      }),
    };
  });

  function revokeGrant(g: Extract<Live, { kind: 'pat' }>, caller: Caller): void {
    g.orgAccessRevoked = true;
    state.record('personal_access_token.access_revoked', caller, { user: g.owner, token: g });
  }

  route('POST', '/orgs/:org/personal-access-tokens', 'orgs.updatePatAccesses', (req, call, caller) => {
    const denied = gateOrg(state, caller, req.params.org!, { permission: 'organization_personal_access_tokens', write: true, ownerOnly: true, appsOnly: true });
    if (denied) return denied;
    const body = bodyObject(req);
    if (body.action !== 'revoke') return invalidRequest('"action" must be "revoke".');
    const ids = body.pat_ids;
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100 || !ids.every((n) => Number.isInteger(n))) {
      return invalidRequest('"pat_ids" must be an array of 1 to 100 integers.');
    }
    const grants = fineGrained().filter((g) => ids.includes(g.id) && activeGrant(g));
    call.target = grants.map((g) => state.credentialLabel(g)).join(',') || undefined;
    for (const g of grants) revokeGrant(g, caller);
    // Asynchronous on GitHub: 202 with an empty object, whatever was already revoked.
    return { status: 202, body: {} };
  });

  route('POST', '/orgs/:org/personal-access-tokens/:pat_id', 'orgs.updatePatAccess', (req, call, caller) => {
    const denied = gateOrg(state, caller, req.params.org!, { permission: 'organization_personal_access_tokens', write: true, ownerOnly: true, appsOnly: true });
    if (denied) return denied;
    if (bodyObject(req).action !== 'revoke') return invalidRequest('"action" must be "revoke".');
    const g = fineGrained().find((c) => c.id === Number(req.params.pat_id));
    if (!g || !activeGrant(g)) return notFound();
    call.target = state.credentialLabel(g);
    revokeGrant(g, caller);
    return { status: 204 };
  });
}
