// Who is calling and what they may do: the caller from the Authorization header (Basic for OAuth
// apps, an App JWT, or a token value), the org and repo gates every org route applies (GitHub REST
// API docs: permissions required for GitHub Apps and fine-grained PATs, SAML enforcement), and the
// route wrapper that resolves the caller, labels the call and spends its rate-limit budget first.
import type { CallContext, EmuRequest, EmuResponse, Router } from '../core/http.ts';
import { looksLikeJwt, verifyAppJwt } from './app-jwt.ts';
import { consume } from './rate-limit.ts';
import { isExpired, type Caller, type GitHubState, type Installation, type Repo } from './state.ts';
import { badCredentials, githubError, notAccessibleByIntegration, notFound, requiresAuthentication } from './wire.ts';

/** Authorization header forms Octokit sends: `token X`, `bearer X` (JWT), `Basic X`. */
function authorizationOf(req: EmuRequest): { scheme: 'token' | 'basic'; value: string } | undefined {
  const raw = String(req.headers.authorization ?? '').trim();
  if (!raw) return undefined;
  const m = /^(token|bearer|basic)\s+(.+)$/i.exec(raw);
  if (!m) return { scheme: 'token', value: raw };
  return { scheme: m[1]!.toLowerCase() === 'basic' ? 'basic' : 'token', value: m[2]!.trim() };
}

export function resolveCaller(state: GitHubState, req: EmuRequest): Caller | EmuResponse {
  const auth = authorizationOf(req);
  if (!auth) return { type: 'anonymous' };
  if (auth.scheme === 'basic') {
    const b = req.basic;
    return b ? { type: 'basic', user: b.user, password: b.password } : badCredentials();
  }
  if (looksLikeJwt(auth.value)) {
    const check = verifyAppJwt(auth.value, state.apps);
    return check.ok ? { type: 'app', app: check.app } : githubError(401, check.message);
  }
  const token = state.byValue.get(auth.value);
  // Revoked, expired, reset-away and unknown values all answer the same: GitHub says nothing more.
  if (!token || token.revoked || isExpired(token)) return badCredentials();
  if (token.kind === 'app_installation_token') {
    const installation = state.installations.get(token.installationId);
    if (!installation || installation.deleted) return badCredentials();
    return { type: 'installation', installation, token };
  }
  if (token.kind === 'deploy_key') return badCredentials();
  const member = state.members.get(token.owner.toLowerCase());
  if (!member) return badCredentials();
  return { type: 'user', member, token };
}

export function callerLabel(state: GitHubState, caller: Caller): string | undefined {
  switch (caller.type) {
    case 'anonymous':
      return undefined;
    case 'basic':
      return `oauth_app:${caller.user}`;
    case 'app':
      return `app:${caller.app.id}`;
    case 'installation':
    case 'user':
      return state.credentialLabel(caller.token);
  }
}

export const LEVEL: Record<string, number> = { read: 1, write: 2, admin: 3 };
const permits = (inst: Installation, permission: string, write: boolean) => (LEVEL[inst.permissions[permission] ?? ''] ?? 0) >= (write ? 2 : 1);

export interface Need {
  /** The installation permission the route needs (GitHub Apps). */
  permission: string;
  write: boolean;
  /** Users need to be org owners (audit log, SAML authorizations, deploy keys, secrets). */
  ownerOnly: boolean;
  /** "Only GitHub Apps can use this endpoint" (fine-grained PAT grants). */
  appsOnly?: boolean;
}

export function gateOrg(state: GitHubState, caller: Caller, org: string, need: Need): EmuResponse | undefined {
  if (!state.section || org.toLowerCase() !== state.orgLogin().toLowerCase()) return notFound();
  switch (caller.type) {
    case 'anonymous':
      return requiresAuthentication();
    case 'basic':
      return notFound();
    case 'app':
      return githubError(401, 'A JSON web token could not be decoded');
    case 'installation':
      if (caller.installation.suspendedAt) return githubError(403, 'This installation has been suspended');
      return !need.permission || permits(caller.installation, need.permission, need.write) ? undefined : notAccessibleByIntegration();
    case 'user': {
      if (caller.member.status !== 'active') return notFound();
      const t = caller.token;
      if (t.kind === 'pat' && t.patType === 'fine_grained' && t.orgAccessRevoked) return githubError(403, 'Resource not accessible by personal access token');
      if (t.samlRemoved)
        return githubError(403, 'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.');
      if (need.appsOnly) return githubError(403, 'Resource not accessible by personal access token');
      if (need.ownerOnly && caller.member.orgRole !== 'admin') return githubError(403, 'Must have admin rights to the organization.');
      return undefined;
    }
  }
}

export function gateRepo(state: GitHubState, caller: Caller, owner: string, repoName: string, need: Need): { repo: Repo } | { denied: EmuResponse } {
  // Token-level refusals (SAML enforcement, revoked org access) come first, then what the caller
  // cannot see (404), then a missing installation permission (403).
  const denied = gateOrg(state, caller, owner, { ...need, permission: '', ownerOnly: false });
  if (denied) return { denied };
  const repo = state.repos.get(repoName.toLowerCase());
  if (!repo) return { denied: notFound() };
  if (caller.type === 'installation' && caller.installation.repositorySelection === 'selected' && !caller.installation.repositories.includes(repo.name)) {
    return { denied: notFound() };
  }
  const refused = gateOrg(state, caller, owner, { ...need, ownerOnly: false });
  if (refused) return { denied: refused };
  // A member without admin rights cannot see a repo's keys or secrets: 404, as GitHub answers.
  if (caller.type === 'user' && need.ownerOnly && caller.member.orgRole !== 'admin') return { denied: notFound() };
  return { repo };
}

export type Handler = (req: EmuRequest, call: CallContext, caller: Caller) => EmuResponse;

/**
 * Adds routes whose handler gets the resolved caller: an unreadable credential is refused first, the call
 * is labelled with the caller's credential, a suspended installation is refused, and the call spends one
 * point of the caller's rate-limit budget unless `counts` is false.
 */
export function callerRoute(router: Router, state: GitHubState) {
  return (method: string, pattern: string, operation: string, handler: Handler, options: { counts?: boolean } = {}) =>
    router.add(method, pattern, operation, (req, call) => {
      const caller = resolveCaller(state, req);
      if (!('type' in caller)) return caller;
      const label = callerLabel(state, caller);
      if (label) call.credential = label;
      // A suspended installation's API access is blocked (GitHub docs: suspending a GitHub App installation); the
      // exact answer on routes outside the org is undocumented: 403 as on org routes (emulators/README.md).
      if (caller.type === 'installation' && caller.installation.suspendedAt) return githubError(403, 'This installation has been suspended');
      if (options.counts !== false) {
        const limited = consume(state, caller, label);
        if (limited) return limited;
      }
      return handler(req, call, caller);
    });
}

export const bodyObject = (req: EmuRequest): Record<string, unknown> =>
  req.json && typeof req.json === 'object' && !Array.isArray(req.json) ? (req.json as Record<string, unknown>) : {};

