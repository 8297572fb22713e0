// POST /credentials/revoke (GitHub REST API docs: credentials/revoke): anyone who holds a leaked value
// may report it, unauthenticated; known ghp_/github_pat_/gho_/ghu_/ghr_ values die everywhere. The
// call log names the revoked credentials by label, never by value.
import type { Router } from '../core/http.ts';
import { bodyObject, callerRoute } from './access.ts';
import type { GitHubState } from './state.ts';
import { DOCS, githubError } from './wire.ts';

export function addCredentialRevokeRoutes(router: Router, state: GitHubState): void {
  const route = callerRoute(router, state);

  route('POST', '/credentials/revoke', 'credentials.revoke', (req, call, caller) => {
    // "Any authenticated requests will return a 403." (credentials/revoke)
    if (caller.type !== 'anonymous') return githubError(403, 'Forbidden');
    const list = bodyObject(req).credentials;
    if (!Array.isArray(list) || list.length < 1 || list.length > 1000 || !list.every((v) => typeof v === 'string')) {
      return { status: 422, body: { message: 'Validation Failed', errors: ['credentials must be an array of 1 to 1000 strings'], documentation_url: DOCS, status: '422' } };
    }
    const revoked: string[] = [];
    for (const value of list as string[]) {
      const c = state.byValue.get(value);
      // Installation tokens (ghs_) and SSH keys are not revocable here.
      if (!c || c.revoked || c.kind === 'app_installation_token' || !/^(ghp_|github_pat_|gho_|ghu_|ghr_)/.test(value)) continue;
      c.revoked = true;
      revoked.push(state.credentialLabel(c));
      state.record('credential.revoked_by_report', 'github', { ...('owner' in c ? { user: c.owner } : {}), token: c });
    }
    if (revoked.length) call.target = revoked.join(',');
    return { status: 202, body: {} };
  });
}
