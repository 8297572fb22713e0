// GitHub's wire shapes: error bodies, user/org objects, Link-header pagination. Shapes follow the
// components of @octokit/openapi's ghec.json (basic-error, validation-error, simple-user) and
// the GitHub REST API docs (errors, pagination, rate limits).
import type { EmuRequest, EmuResponse } from '../core/http.ts';
import type { ErrorShapes } from '../core/server.ts';
import type { GoneStatus } from './state.ts';

export const DOCS = 'https://docs.github.com/rest';

/** basic-error: `{message, documentation_url, status}`; GitHub sends the status as a string. */
export function githubError(status: number, message: string, documentationUrl = DOCS, headers?: Record<string, string>): EmuResponse {
  return { status, ...(headers ? { headers } : {}), body: { message, documentation_url: documentationUrl, status: String(status) } };
}

export const badCredentials = () => githubError(401, 'Bad credentials');
export const requiresAuthentication = () => githubError(401, 'Requires authentication');
export const notFound = () => githubError(404, 'Not Found');
export const notAccessibleByIntegration = () => githubError(403, 'Resource not accessible by integration');

/** A body that failed GitHub's request schema: 422 without errors[] (what api.github.com answers). */
export function invalidRequest(detail: string): EmuResponse {
  return { status: 422, body: { message: `Invalid request.\n\n${detail}`, documentation_url: DOCS, status: '422' } };
}

/** validation-error: 422 "Validation Failed" with errors[] naming resource, field and code. */
export function validationFailed(errors: Array<{ resource: string; field: string; code: string; message?: string }>, documentationUrl = DOCS): EmuResponse {
  return { status: 422, body: { message: 'Validation Failed', errors, documentation_url: documentationUrl, status: '422' } };
}

export interface Account {
  login: string;
  id: number;
  type: 'User' | 'Organization' | 'Bot';
  name?: string | undefined;
}

/** simple-user, as GitHub renders users, bots and organizations inside other objects. */
export function simpleUser(a: Account): Record<string, unknown> {
  const api = `https://api.github.com/users/${encodeURIComponent(a.login)}`;
  return {
    login: a.login,
    id: a.id,
    node_id: Buffer.from(`04:${a.type}${a.id}`).toString('base64'),
    avatar_url: `https://avatars.githubusercontent.com/u/${a.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: `https://github.com/${encodeURIComponent(a.login)}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: a.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

/** `per_page` (≤100, default 30) and `page` (default 1), as GitHub reads them. */
export function pageParams(req: EmuRequest): { perPage: number; page: number } {
  const perPage = Math.min(100, Math.max(1, Number.parseInt(req.query.get('per_page') ?? '30', 10) || 30));
  const page = Math.max(1, Number.parseInt(req.query.get('page') ?? '1', 10) || 1);
  return { perPage, page };
}

/**
 * One page of `items` and the Link header GitHub sends with it (rel next/last/first/prev; Octokit's
 * paginate follows rel="next"). The URLs are absolute, on the emulator's own base URL.
 */
export function paginate<T>(req: EmuRequest, baseUrl: string, items: readonly T[]): { page: T[]; headers: Record<string, string> } {
  const { perPage, page } = pageParams(req);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (p: number) => {
    const q = new URLSearchParams(req.query);
    q.set('per_page', String(perPage));
    q.set('page', String(p));
    return `<${baseUrl}${req.path}?${q.toString()}>`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`${link(page - 1)}; rel="prev"`);
  if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
  if (page > 1) rels.push(`${link(1)}; rel="first"`);
  return { page: items.slice((page - 1) * perPage, page * perPage), headers: rels.length ? { link: rels.join(', ') } : {} };
}

/** How a repeated delete answers once the thing is gone, as the test picked (GitHubEmulator.setGoneAnswer). */
export function goneAnswer(status: GoneStatus, what: string): EmuResponse {
  if (status === 410) return githubError(410, `${what} has been deleted`);
  if (status === 422) return validationFailed([{ resource: what, field: 'id', code: 'missing', message: `${what} not found` }]);
  return notFound();
}

/** GitHub's answers to faults and unrouted calls (GitHub REST API docs: rate limits, troubleshooting). */
export const githubErrorShapes: ErrorShapes = {
  // The secondary limit: 403 whose message Octokit's throttling plugin matches with /\bsecondary rate\b/i.
  rateLimited: (retryAfterSec) =>
    githubError(
      403,
      'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.',
      'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      { 'retry-after': String(retryAfterSec) },
    ),
  unavailable: (status) => githubError(status, status === 502 ? 'Server Error' : status === 503 ? 'Service Unavailable' : 'Server Error'),
  unauthorized: () => badCredentials(),
  notFound: () => notFound(),
  methodNotAllowed: () => githubError(404, 'Not Found'),
  internal: () => githubError(500, 'Server Error'),
};
