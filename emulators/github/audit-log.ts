// The org audit log (GHEC; GitHub REST API docs: orgs/get-audit-log): `phrase` search (action, actor,
// user, repo, created, hashed_token), `include`, `order` and cursor pagination with `after`.
import type { Router } from '../core/http.ts';
import { callerRoute, gateOrg } from './access.ts';
import { sha256, type AuditRecord, type GitHubState } from './state.ts';
import { pageParams } from './wire.ts';

export function addAuditLogRoutes(router: Router, state: GitHubState): void {
  const route = callerRoute(router, state);

  function auditItem(e: AuditRecord): Record<string, unknown> {
    const t = e.token;
    return {
      '@timestamp': e.at,
      _document_id: e.documentId,
      action: e.action,
      actor: e.actor,
      ...(e.actorId !== undefined ? { actor_id: e.actorId } : {}),
      actor_location: { country_name: e.country },
      created_at: e.at,
      org: state.orgLogin(),
      org_id: state.section?.org.id,
      ...(e.user ? { user: e.user } : {}),
      ...(e.repo ? { repo: `${state.orgLogin()}/${e.repo}`, repository: `${state.orgLogin()}/${e.repo}` } : {}),
      ...(t && 'value' in t
        ? {
            // Token forensics fields: base64 SHA-256 of the value, never the value (GitHub docs,
            // "Identifying audit log events performed by an access token").
            hashed_token: sha256(t.value).digest('base64'),
            programmatic_access_type:
              t.kind === 'oauth_token'
                ? 'OAuth access token'
                : t.kind === 'app_installation_token'
                  ? 'GitHub App server-to-server token'
                  : t.kind === 'pat' && t.patType === 'fine_grained'
                    ? 'Fine-grained personal access token'
                    : 'Personal access token (classic)',
            ...(t.kind === 'pat' && t.patType === 'fine_grained' ? { token_id: t.tokenId } : t.kind === 'app_installation_token' ? {} : { token_id: t.id }),
            ...('scopes' in t ? { token_scopes: t.scopes.join(',') } : {}),
          }
        : {}),
      ...(e.extra ?? {}),
    };
  }

  function matchesPhrase(e: AuditRecord, item: Record<string, unknown>, phrase: string): boolean {
    const re = /(-?)([a-z_]+):(?:"([^"]*)"|(\S+))/g;
    for (const m of phrase.matchAll(re)) {
      const negate = m[1] === '-';
      const key = m[2]!;
      const value = m[3] ?? m[4] ?? '';
      let ok: boolean;
      switch (key) {
        case 'action':
          ok = e.action === value || e.action.startsWith(`${value}.`) || (value.endsWith('.*') && e.action.startsWith(value.slice(0, -1)));
          break;
        case 'actor':
          ok = e.actor.toLowerCase() === value.toLowerCase();
          break;
        case 'user':
          ok = (e.user ?? '').toLowerCase() === value.toLowerCase();
          break;
        case 'repo':
          ok = e.repo !== undefined && (value === e.repo || value === `${state.orgLogin()}/${e.repo}`);
          break;
        case 'hashed_token':
          ok = item.hashed_token === value;
          break;
        case 'created': {
          const c = /^(>=|<=|>|<)?(.+)$/.exec(value);
          const when = Date.parse(c?.[2] ?? '');
          const op = c?.[1] ?? '>=';
          ok = Number.isNaN(when) ? true : op === '>=' ? e.at >= when : op === '>' ? e.at > when : op === '<=' ? e.at <= when : e.at < when;
          break;
        }
        default:
          ok = true;
      }
      if (ok === negate) return false;
    }
    return true;
  }

  route('GET', '/orgs/:org/audit-log', 'orgs.getAuditLog', (req, _call, caller) => {
    const denied = gateOrg(state, caller, req.params.org!, { permission: 'organization_administration', write: false, ownerOnly: true });
    if (denied) return denied;
    const include = req.query.get('include') ?? 'web';
    const phrase = req.query.get('phrase') ?? '';
    const order = req.query.get('order') === 'asc' ? 1 : -1;
    const { perPage } = pageParams(req);
    let events = state.audit
      .filter((e) => (include === 'all' ? true : include === 'git' ? e.action.startsWith('git.') : !e.action.startsWith('git.')))
      .map((e) => ({ e, item: auditItem(e) }))
      .filter(({ e, item }) => matchesPhrase(e, item, phrase));
    events.sort((a, b) => order * (a.e.at - b.e.at));
    // Cursor pagination (`after`), as the audit log pages: the cursor is opaque to clients.
    const after = req.query.get('after');
    const start = after ? Number(Buffer.from(after, 'base64url').toString('utf8')) || 0 : 0;
    const slice = events.slice(start, start + perPage);
    const headers: Record<string, string> = {};
    if (start + perPage < events.length) {
      const q = new URLSearchParams(req.query);
      q.set('per_page', String(perPage));
      q.set('after', Buffer.from(String(start + perPage)).toString('base64url'));
      q.delete('page');
      headers.link = `<${state.baseUrl}${req.path}?${q.toString()}>; rel="next"`;
    }
    events = slice;
    return { status: 200, headers, body: events.map(({ item }) => item) };
  });
}
