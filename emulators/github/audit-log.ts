// The org audit log (GHEC; GitHub REST API docs: orgs/get-audit-log): `phrase` search (action, actor,
// user, repo, created, hashed_token), `include`, `order` and cursor pagination with `after`/`before` in the Link
// header. Entries come from the org's own calls and from seeded wire-shaped records (auditRecords), which show
// once the audit clock passes their `availableAt`.
import type { Router } from '../core/http.ts';
import { callerRoute, gateOrg } from './access.ts';
import { sha256, type AuditRecord, type GitHubState } from './state.ts';
import { compareEntries, decodePosition, encodePosition, pageOf } from '../core/audit-log.ts';
import { invalidRequest, pageParams } from './wire.ts';

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

  /** GitHub's search qualifiers (Reviewing the audit log for your organization, "Searching the audit log"), on the rendered entry. */
  function matchesPhrase(item: Record<string, unknown>, at: number, phrase: string): boolean {
    const re = /(-?)([a-z_]+):(?:"([^"]*)"|(\S+))/g;
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    for (const m of phrase.matchAll(re)) {
      const negate = m[1] === '-';
      const key = m[2]!;
      const value = m[3] ?? m[4] ?? '';
      const action = text(item.action);
      let ok: boolean;
      switch (key) {
        case 'action':
          ok = action === value || action.startsWith(`${value}.`) || (value.endsWith('.*') && action.startsWith(value.slice(0, -1)));
          break;
        case 'actor':
        case 'user':
          ok = text(item[key]).toLowerCase() === value.toLowerCase();
          break;
        case 'repo':
          ok = item.repo !== undefined && (value === item.repo || `${state.orgLogin()}/${value}` === item.repo);
          break;
        case 'hashed_token':
          ok = item.hashed_token === value;
          break;
        case 'created': {
          const c = /^(>=|<=|>|<)?(.+)$/.exec(value);
          const raw = c?.[2] ?? '';
          // A time without a zone is UTC here, as the audit log reads it [unverified].
          const when = Date.parse(/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(raw) ? `${raw}Z` : raw);
          const op = c?.[1] ?? '>=';
          ok = Number.isNaN(when) ? true : op === '>=' ? at >= when : op === '>' ? at > when : op === '<=' ? at <= when : at < when;
          break;
        }
        default:
          ok = true;
      }
      if (ok === negate) return false;
    }
    return true;
  }

  // The entries the org's own calls recorded sort after seeded ones of the same millisecond.
  const INTERNAL_SEQ = 1e12;

  route('GET', '/orgs/:org/audit-log', 'orgs.getAuditLog', (req, _call, caller) => {
    const denied = gateOrg(state, caller, req.params.org!, { permission: 'organization_administration', write: false, ownerOnly: true });
    if (denied) return denied;
    const include = req.query.get('include') ?? 'web';
    if (!['web', 'git', 'all'].includes(include)) return invalidRequest(`"${include}" is not a valid value for include: web, git or all`);
    const phrase = req.query.get('phrase') ?? '';
    const descending = req.query.get('order') !== 'asc';
    const { perPage } = pageParams(req);
    const now = state.auditClock.now();
    const all = [
      ...state.wireAudit.visible(now).map((e) => ({ at: e.at, seq: e.seq, item: e.record })),
      ...state.audit.map((e, i) => ({ at: e.at, seq: INTERNAL_SEQ + i, item: auditItem(e) })),
    ];
    const events = all
      .filter(({ item }) => {
        const git = typeof item.action === 'string' && item.action.startsWith('git.');
        return include === 'all' || (include === 'git') === git;
      })
      .filter(({ item, at }) => matchesPhrase(item, at, phrase))
      .sort((a, b) => (descending ? -1 : 1) * compareEntries(a, b));
    // Cursor pagination (`after`/`before`): the cursor is an opaque position, so entries that arrive between
    // two reads neither repeat nor shift a page.
    const after = req.query.get('after');
    const before = req.query.get('before');
    const position = (raw: string | null) => (raw ? decodePosition(raw) : undefined);
    if ((after && !position(after)) || (before && !position(before))) return invalidRequest('the after or before cursor is not one this API gave');
    const { page, more, earlier } = pageOf(events, descending, perPage, position(after), position(before));
    const link = (rel: string, key: 'after' | 'before', at: { at: number; seq: number }) => {
      const q = new URLSearchParams(req.query);
      q.set('per_page', String(perPage));
      q.delete('after');
      q.delete('before');
      q.delete('page');
      q.set(key, encodePosition(at));
      return `<${state.baseUrl}${req.path}?${q.toString()}>; rel="${rel}"`;
    };
    const rels: string[] = [];
    if (page.length && more) rels.push(link('next', 'after', page.at(-1)!));
    if (page.length && earlier) rels.push(link('prev', 'before', page[0]!));
    return { status: 200, headers: rels.length ? { link: rels.join(', ') } : {}, body: page.map(({ item }) => item) };
  });
}
