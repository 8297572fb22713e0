// The GitHub org audit log as token-use events (docs/drift-watch.md, "Audit readers"): GET /orgs/{org}/audit-log
// (GHEC; no Octokit method, so octokit.request) with `include=all`, `order=asc` and a `created:` range, paged by
// the `after` cursor of the Link header. An entry made with a token carries `hashed_token` (base64 SHA-256 of the
// token), `programmatic_access_type`, `token_scopes`, `actor_ip` and `user_agent` (GitHub docs, "Identifying audit
// log events performed by an access token"); org membership and app removals say when an owner or an app is gone.
import type { CredentialKind } from '../../schemas/credential.ts';
import type { TokenUseAction, TokenUseEventInput } from '../../schemas/token-use.ts';
import type { AuditStream, MappedRecord } from '../audit-stream.ts';
import type { GitHubClient } from './client.ts';
import { linkParam } from './pages.ts';

/** GitHub's audit log shows events within seconds to minutes; every read goes back 30 minutes. */
export const GITHUB_AUDIT_OVERLAP_MS = 30 * 60_000;
/** The most the audit log gives per page (orgs/get-audit-log `per_page`). */
export const GITHUB_AUDIT_PAGE_SIZE = 100;

/** `programmatic_access_type` values and the credential kind each names (GitHub audit log reference). */
export const PROGRAMMATIC_ACCESS_TYPES: Readonly<Record<string, CredentialKind>> = {
  'Personal access token (classic)': 'pat',
  'Fine-grained personal access token': 'pat',
  'OAuth access token': 'oauth_token',
  'GitHub App user-to-server token': 'oauth_token',
  'GitHub App server-to-server token': 'app_installation_token',
};

/** Token events that are not a use: the grant was given or taken back. */
export const GITHUB_GRANT_ACTIONS: Readonly<Record<string, TokenUseAction>> = {
  'oauth_authorization.create': 'authorize',
  'personal_access_token.access_granted': 'authorize',
  'oauth_authorization.destroy': 'revoke',
  'personal_access_token.access_revoked': 'revoke',
};

/** Events about a member (`user`) as a whole (GitHub audit log reference: `org` category). */
export const GITHUB_MEMBER_ACTIONS: Readonly<Record<string, 'offboarded' | 'role_changed' | 'suspended'>> = {
  'org.remove_member': 'offboarded',
  'org.update_member': 'role_changed',
  'org.block_user': 'suspended',
};

/** Events that end an app in the org (`integration` names it). */
export const GITHUB_APP_RETIRED_ACTIONS: readonly string[] = ['integration_installation.destroy', 'integration_installation.suspend'];

export interface GitHubAuditEntry {
  '@timestamp'?: unknown;
  _document_id?: unknown;
  action?: unknown;
  actor?: unknown;
  user?: unknown;
  repo?: unknown;
  actor_ip?: unknown;
  user_agent?: unknown;
  hashed_token?: unknown;
  programmatic_access_type?: unknown;
  token_scopes?: unknown;
  integration?: unknown;
  oauth_application_name?: unknown;
  [field: string]: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** One audit-log entry as token-use events (none when it is not about a token, an owner or an app). */
export function githubEntryToEvents(entry: GitHubAuditEntry): MappedRecord {
  const stamp = entry['@timestamp'];
  const documentId = str(entry._document_id);
  const action = str(entry.action);
  if (typeof stamp !== 'number' || !Number.isFinite(stamp)) return { malformed: '@timestamp is not a number of milliseconds' };
  if (!documentId || !action) return { malformed: 'no _document_id or action' };
  const at = new Date(stamp).toISOString();
  const id = `github:${documentId}`;
  const actor = str(entry.actor);
  const member = GITHUB_MEMBER_ACTIONS[action];
  if (member) {
    const principal = str(entry.user);
    if (!principal) return { malformed: `${action} without user` };
    return { events: [{ id, provider: 'github', at, action: 'principal_status', principal, principalStatus: member, operation: action }] };
  }
  if (GITHUB_APP_RETIRED_ACTIONS.includes(action)) {
    const app = str(entry.integration);
    if (!app) return { malformed: `${action} without integration` };
    return { events: [{ id, provider: 'github', at, action: 'app_retired', principal: actor ?? app, app, operation: action }] };
  }
  const hashed = str(entry.hashed_token);
  if (!hashed) return { skip: 'not made with a token' };
  if (!actor) return { malformed: 'a token event without actor' };
  const kind = PROGRAMMATIC_ACCESS_TYPES[str(entry.programmatic_access_type) ?? ''];
  const scopes = str(entry.token_scopes)?.split(',').map((s) => s.trim()).filter(Boolean);
  const app = str(entry.integration) ?? str(entry.oauth_application_name);
  const event: TokenUseEventInput = {
    id,
    provider: 'github',
    at,
    action: GITHUB_GRANT_ACTIONS[action] ?? 'use',
    tokenKey: hashed,
    principal: actor,
    operation: action,
    ...(kind ? { credentialKind: kind } : {}),
    ...(app ? { app } : {}),
    ...(str(entry.repo) ? { target: str(entry.repo) } : {}),
    ...(str(entry.actor_ip) ? { ip: str(entry.actor_ip) } : {}),
    ...(str(entry.user_agent) ? { userAgent: str(entry.user_agent) } : {}),
    ...(scopes?.length ? { scopes } : {}),
  };
  return { events: [event] };
}

/** `created:` takes ISO 8601 with an offset; whole seconds (the reader drops what is before its window). */
const searchTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');

/** The `after` cursor of the Link header's rel="next", if any. */
export function nextAfter(link: string | undefined): string | undefined {
  return linkParam(link, 'next', 'after');
}

/** The org audit log as one stream, oldest first. `call` classifies errors (and renews Cordon's token once). */
export function githubAuditStream(deps: {
  client: GitHubClient;
  org: string;
  call: <T>(what: string, fn: () => Promise<T>) => Promise<T>;
  pageSize?: number;
}): AuditStream<GitHubAuditEntry> {
  return {
    name: 'log',
    order: 'asc',
    async page(window, after) {
      const phrase = [`created:>=${searchTime(window.from)}`, ...(window.until !== undefined ? [`created:<=${searchTime(window.until + 999)}`] : [])].join(' ');
      const response = await deps.call(`reading the audit log of ${deps.org}`, () =>
        deps.client.request('GET /orgs/{org}/audit-log', {
          org: deps.org,
          include: 'all',
          order: 'asc',
          per_page: deps.pageSize ?? GITHUB_AUDIT_PAGE_SIZE,
          phrase,
          ...(after ? { after } : {}),
        }),
      );
      const records = Array.isArray(response.data) ? (response.data as GitHubAuditEntry[]) : [];
      return { records, next: nextAfter(response.headers.link) };
    },
    map: githubEntryToEvents,
  };
}
