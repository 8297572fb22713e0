// Emulator of the GitHub REST subset Cordon uses (GitHub REST API docs: OAuth authorizations,
// apps, deploy keys, Actions secrets, credential revocation, audit log): OAuth-app token check/reset/delete and grant delete (Basic auth), GitHub App JWT routes,
// installation tokens, org fine-grained PAT grants, SAML credential authorizations, deploy keys,
// Actions secrets (sealed box), unauthenticated /credentials/revoke, the org audit log and
// /rate_limit. State is real: a revoked token answers 401 Bad credentials on every route.
import { createHash, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import sodium from 'libsodium-wrappers';
import { Router, type CallContext, type EmuRequest, type EmuResponse } from '../core/http.ts';
import type { ProviderEmulator } from '../core/provider.ts';
import type { ErrorShapes } from '../core/server.ts';
import { looksLikeJwt, publicKeyFromPem, verifyAppJwt, type RegisteredApp } from './app-jwt.ts';
import { GitHubScenario, type GitHubCredential } from './scenario.ts';
import {
  badCredentials,
  DOCS,
  githubError,
  invalidRequest,
  notAccessibleByIntegration,
  notFound,
  paginate,
  pageParams,
  requiresAuthentication,
  simpleUser,
  validationFailed,
  type Account,
} from './wire.ts';

await sodium.ready;

const RATE_LIMIT_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';
const ANONYMOUS_LIMIT_PER_HOUR = 60; // https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api
const INSTALLATION_TOKEN_TTL_MS = 60 * 60 * 1000;

type Member = GitHubScenario['principals'][number];
type Installation = GitHubScenario['installations'][number] & { deleted: boolean; updatedAt: string };
type App = GitHubScenario['apps'][number] & RegisteredApp & { privateKeyPem?: string };
type OAuthApp = GitHubScenario['oauthApps'][number];
type Repo = GitHubScenario['repos'][number];

/** A credential as the emulator keeps it: the scenario's record plus what has happened to it since. */
type Live = GitHubCredential & {
  revoked: boolean;
  /** Fine-grained PAT whose org access was revoked (the token itself lives on). */
  orgAccessRevoked: boolean;
  /** Classic PAT / OAuth token whose SAML authorization for the org was removed. */
  samlRemoved: boolean;
};

interface SecretRecord {
  createdAt: string;
  updatedAt: string;
  value: string | undefined;
}

interface AuditRecord {
  at: number;
  documentId: string;
  action: string;
  actor: string;
  actorId?: number | undefined;
  user?: string | undefined;
  repo?: string | undefined;
  country: string;
  token?: Live | undefined;
  extra?: Record<string, unknown>;
}

type Caller =
  | { type: 'anonymous' }
  | { type: 'basic'; user: string; password: string }
  | { type: 'app'; app: App }
  | { type: 'installation'; installation: Installation; token: Live }
  | { type: 'user'; member: Member; token: Live };

/** The id Cordon's connector gives a GitHub credential; also the call log's credential label. */
export function githubCredentialId(c: GitHubCredential, org: string): string {
  switch (c.kind) {
    case 'oauth_token':
      return `oauth_token:${c.id}`;
    case 'app_installation_token':
      return `app_installation_token:${c.installationId}`;
    case 'pat':
      return c.patType === 'fine_grained' ? `pat:fine_grained:${c.id}` : `pat:classic:${c.id}`;
    case 'deploy_key':
      return `deploy_key:${org}/${c.repo}:${c.id}`;
  }
}

export interface GitHubEmulator extends ProviderEmulator<GitHubScenario> {
  /** The clear value last delivered into an Actions secret (decrypted with the repo's key): for tests only. */
  revealSecret(owner: string, repo: string, name: string): string | undefined;
  /** PEM private key of an app whose key pair the emulator generated (apps without publicKeyPem). */
  appPrivateKeyPem(appId: number): string | undefined;
  /**
   * How a repeated delete answers once the thing is gone. GitHub documents only 404 for an invalid token
   * (apps/delete-token) and nothing for a deleted deploy key, so tests pick each plausible shape: 404 Not Found
   * (the default), 410 Gone, or 422 whose message says "not found". Reset by load().
   */
  setGoneAnswer(operation: GoneOperation, status: GoneStatus): void;
}

export type GoneOperation = 'apps.deleteToken' | 'repos.deleteDeployKey';
export type GoneStatus = 404 | 410 | 422;

function goneAnswer(status: GoneStatus, what: string): EmuResponse {
  if (status === 410) return githubError(410, `${what} has been deleted`);
  if (status === 422) return validationFailed([{ resource: what, field: 'id', code: 'missing', message: `${what} not found` }]);
  return notFound();
}

const errors: ErrorShapes = {
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

function randomToken(prefix: string, length = 36): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(length);
  let out = prefix;
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

const sha256 = (value: string) => createHash('sha256').update(value);

/** Authorization header forms Octokit sends: `token X`, `bearer X` (JWT), `Basic X`. */
function authorizationOf(req: EmuRequest): { scheme: 'token' | 'basic'; value: string } | undefined {
  const raw = String(req.headers.authorization ?? '').trim();
  if (!raw) return undefined;
  const m = /^(token|bearer|basic)\s+(.+)$/i.exec(raw);
  if (!m) return { scheme: 'token', value: raw };
  return { scheme: m[1]!.toLowerCase() === 'basic' ? 'basic' : 'token', value: m[2]!.trim() };
}

function listParam(req: EmuRequest, name: string): string[] {
  return [...req.query.getAll(name), ...req.query.getAll(`${name}[]`)].flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

export function createGitHubEmulator(): GitHubEmulator {
  let baseUrl = 'http://127.0.0.1';
  let section: GitHubScenario | undefined;
  let members = new Map<string, Member>();
  let apps: App[] = [];
  let oauthApps: OAuthApp[] = [];
  let installations = new Map<number, Installation>();
  let repos = new Map<string, Repo>();
  let credentials: Live[] = [];
  let byValue = new Map<string, Live>();
  let secrets = new Map<string, SecretRecord>();
  let repoKeys = new Map<string, { keyId: string; publicKey: Uint8Array; privateKey: Uint8Array }>();
  let audit: AuditRecord[] = [];
  let nextId = 50_000_000;
  /** Installation tokens minted through the API (not part of the scenario's counts). */
  let minted = new Set<Live>();
  let requestSeq = 0;
  const buckets = new Map<string, { limit: number; used: number; reset: number }>();
  const generatedKeys = new Map<number, string>();
  let goneAnswers = new Map<GoneOperation, GoneStatus>();

  const orgLogin = () => section?.org.login ?? '';
  const orgAccount = (): Account => ({ login: orgLogin(), id: section?.org.id ?? 0, type: 'Organization', name: section?.org.name });
  const memberAccount = (m: Member): Account => ({ login: m.login, id: m.id, type: m.type === 'bot' ? 'Bot' : 'User', name: m.name });
  const isExpired = (c: Live) => c.expiresAt !== undefined && Date.parse(c.expiresAt) <= Date.now();
  const credentialLabel = (c: Live) => githubCredentialId(c, orgLogin());

  function index(c: Live): void {
    if ('value' in c) byValue.set(c.value, c);
  }

  function record(action: string, actor: Caller | string, extra: Partial<AuditRecord> = {}): void {
    const actorName =
      typeof actor === 'string'
        ? actor
        : actor.type === 'user'
          ? actor.member.login
          : actor.type === 'installation'
            ? `${apps.find((a) => a.id === actor.installation.appId)?.slug ?? 'app'}[bot]`
            : actor.type === 'app'
              ? actor.app.slug
              : actor.type === 'basic'
                ? (oauthApps.find((a) => a.clientId === actor.user)?.name ?? actor.user)
                : 'github';
    const actorId = typeof actor !== 'string' && actor.type === 'user' ? actor.member.id : undefined;
    const token = typeof actor !== 'string' && (actor.type === 'user' || actor.type === 'installation') ? actor.token : undefined;
    audit.push({ at: Date.now(), documentId: randomBytes(16).toString('base64url'), action, actor: actorName, actorId, country: 'United States', token, ...extra });
  }

  // ---- callers and gates ------------------------------------------------------------------------

  function resolveCaller(req: EmuRequest): Caller | EmuResponse {
    const auth = authorizationOf(req);
    if (!auth) return { type: 'anonymous' };
    if (auth.scheme === 'basic') {
      const b = req.basic;
      return b ? { type: 'basic', user: b.user, password: b.password } : badCredentials();
    }
    if (looksLikeJwt(auth.value)) {
      const check = verifyAppJwt(auth.value, apps);
      return check.ok ? { type: 'app', app: check.app } : githubError(401, check.message);
    }
    const token = byValue.get(auth.value);
    // Revoked, expired, reset-away and unknown values all answer the same: GitHub says nothing more.
    if (!token || token.revoked || isExpired(token)) return badCredentials();
    if (token.kind === 'app_installation_token') {
      const installation = installations.get(token.installationId);
      if (!installation || installation.deleted) return badCredentials();
      return { type: 'installation', installation, token };
    }
    if (token.kind === 'deploy_key') return badCredentials();
    const member = members.get(token.owner.toLowerCase());
    if (!member) return badCredentials();
    return { type: 'user', member, token };
  }

  function callerLabel(caller: Caller): string | undefined {
    switch (caller.type) {
      case 'anonymous':
        return undefined;
      case 'basic':
        return `oauth_app:${caller.user}`;
      case 'app':
        return `app:${caller.app.id}`;
      case 'installation':
      case 'user':
        return credentialLabel(caller.token);
    }
  }

  function bucketFor(label: string | undefined): { limit: number; used: number; reset: number } {
    const key = label ?? 'anonymous';
    const now = Math.floor(Date.now() / 1000);
    let b = buckets.get(key);
    if (!b || b.reset <= now) {
      b = { limit: label ? (section?.rateLimitPerHour ?? 5000) : ANONYMOUS_LIMIT_PER_HOUR, used: 0, reset: now + 3600 };
      buckets.set(key, b);
    }
    return b;
  }

  function rateLimitHeaders(label: string | undefined): Record<string, string> {
    const b = bucketFor(label);
    return {
      'x-ratelimit-limit': String(b.limit),
      'x-ratelimit-remaining': String(Math.max(0, b.limit - b.used)),
      'x-ratelimit-reset': String(b.reset),
      'x-ratelimit-used': String(b.used),
      'x-ratelimit-resource': 'core',
    };
  }

  /** Primary limit: one point per call; exhausted → 403 with x-ratelimit-remaining: 0 (GitHub REST API docs: rate limits). */
  function consume(caller: Caller, label: string | undefined): EmuResponse | undefined {
    const b = bucketFor(label);
    if (b.used >= b.limit) {
      const who =
        caller.type === 'installation'
          ? `installation ID ${caller.installation.id}`
          : caller.type === 'user'
            ? `user ID ${caller.member.id}`
            : caller.type === 'anonymous'
              ? '127.0.0.1'
              : `app ${label}`;
      return githubError(403, `API rate limit exceeded for ${who}.`, RATE_LIMIT_DOCS, rateLimitHeaders(label));
    }
    b.used += 1;
    return undefined;
  }

  const LEVEL: Record<string, number> = { read: 1, write: 2, admin: 3 };
  const permits = (inst: Installation, permission: string, write: boolean) => (LEVEL[inst.permissions[permission] ?? ''] ?? 0) >= (write ? 2 : 1);

  interface Need {
    /** The installation permission the route needs (GitHub Apps). */
    permission: string;
    write: boolean;
    /** Users need to be org owners (audit log, SAML authorizations, deploy keys, secrets). */
    ownerOnly: boolean;
    /** "Only GitHub Apps can use this endpoint" (fine-grained PAT grants). */
    appsOnly?: boolean;
  }

  function gateOrg(caller: Caller, org: string, need: Need): EmuResponse | undefined {
    if (!section || org.toLowerCase() !== orgLogin().toLowerCase()) return notFound();
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

  function gateRepo(caller: Caller, owner: string, repoName: string, need: Need): { repo: Repo } | { denied: EmuResponse } {
    // Token-level refusals (SAML enforcement, revoked org access) come first, then what the caller
    // cannot see (404), then a missing installation permission (403).
    const denied = gateOrg(caller, owner, { ...need, permission: '', ownerOnly: false });
    if (denied) return { denied };
    const repo = repos.get(repoName.toLowerCase());
    if (!repo) return { denied: notFound() };
    if (caller.type === 'installation' && caller.installation.repositorySelection === 'selected' && !caller.installation.repositories.includes(repo.name)) {
      return { denied: notFound() };
    }
    const refused = gateOrg(caller, owner, { ...need, ownerOnly: false });
    if (refused) return { denied: refused };
    // A member without admin rights cannot see a repo's keys or secrets: 404, as GitHub answers.
    if (caller.type === 'user' && need.ownerOnly && caller.member.orgRole !== 'admin') return { denied: notFound() };
    return { repo };
  }

  // ---- response shapes --------------------------------------------------------------------------

  function installationBody(i: Installation): Record<string, unknown> {
    const app = apps.find((a) => a.id === i.appId);
    return {
      id: i.id,
      // The GHEC description of GET /app/installations types `account` as simple-user AND enterprise
      // (allOf), so the org account carries both sets of fields.
      account: { ...simpleUser(orgAccount()), name: section?.org.name ?? orgLogin(), slug: orgLogin(), description: null, website_url: null, created_at: i.createdAt, updated_at: i.createdAt },
      repository_selection: i.repositorySelection,
      access_tokens_url: `${baseUrl}/app/installations/${i.id}/access_tokens`,
      repositories_url: `${baseUrl}/installation/repositories`,
      html_url: `https://github.com/organizations/${orgLogin()}/settings/installations/${i.id}`,
      app_id: i.appId,
      app_slug: app?.slug ?? '',
      client_id: app?.clientId,
      target_id: section?.org.id ?? 0,
      target_type: 'Organization',
      permissions: i.permissions,
      events: i.events,
      created_at: i.createdAt,
      updated_at: i.updatedAt,
      single_file_name: null,
      has_multiple_single_files: false,
      single_file_paths: [],
      suspended_by: i.suspendedAt ? simpleUser(orgAccount()) : null,
      suspended_at: i.suspendedAt ?? null,
    };
  }

  function authorizationBody(t: Extract<Live, { kind: 'oauth_token' }>): Record<string, unknown> {
    const app = oauthApps.find((a) => a.clientId === t.clientId);
    const owner = members.get(t.owner.toLowerCase());
    return {
      id: t.id,
      url: `${baseUrl}/authorizations/${t.id}`,
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

  function deployKeyBody(k: Extract<Live, { kind: 'deploy_key' }>): Record<string, unknown> {
    return {
      id: k.id,
      key: k.publicKey,
      url: `${baseUrl}/repos/${orgLogin()}/${k.repo}/keys/${k.id}`,
      title: k.title,
      verified: true,
      created_at: k.createdAt,
      read_only: k.readOnly,
      added_by: k.addedBy ?? null,
      last_used: k.lastUsedAt ?? null,
      enabled: true,
    };
  }

  function repoKey(repo: Repo) {
    let k = repoKeys.get(repo.name);
    if (!k) {
      const pair = sodium.crypto_box_keypair();
      k = { keyId: String(568_250_167_242_549_000 + repo.id), publicKey: pair.publicKey, privateKey: pair.privateKey };
      repoKeys.set(repo.name, k);
    }
    return k;
  }

  // ---- routes -----------------------------------------------------------------------------------

  const router = new Router();
  type Handler = (req: EmuRequest, call: CallContext, caller: Caller) => EmuResponse;
  const route = (method: string, pattern: string, operation: string, handler: Handler, options: { counts?: boolean } = {}) =>
    router.add(method, pattern, operation, (req, call) => {
      const caller = resolveCaller(req);
      if (!('type' in caller)) return caller;
      const label = callerLabel(caller);
      if (label) call.credential = label;
      // A suspended installation's API access is blocked (GitHub docs: suspending a GitHub App installation); the
      // exact answer on routes outside the org is undocumented: 403 as on org routes (emulators/README.md).
      if (caller.type === 'installation' && caller.installation.suspendedAt) return githubError(403, 'This installation has been suspended');
      if (options.counts !== false) {
        const limited = consume(caller, label);
        if (limited) return limited;
      }
      return handler(req, call, caller);
    });

  const bodyObject = (req: EmuRequest): Record<string, unknown> =>
    req.json && typeof req.json === 'object' && !Array.isArray(req.json) ? (req.json as Record<string, unknown>) : {};

  /** Basic auth with the OAuth app's client id + secret, matching the path's client id (GitHub docs: GitHub App and OAuth app authentication). */
  function oauthAppOf(caller: Caller, clientId: string): OAuthApp | EmuResponse {
    if (caller.type === 'anonymous') return requiresAuthentication();
    if (caller.type !== 'basic') return notFound();
    const app = oauthApps.find((a) => a.clientId === clientId);
    if (!app || caller.user !== clientId || caller.password !== app.clientSecret) return notFound();
    return app;
  }

  function liveOAuthToken(req: EmuRequest, clientId: string): Extract<Live, { kind: 'oauth_token' }> | EmuResponse {
    const accessToken = bodyObject(req).access_token;
    if (typeof accessToken !== 'string' || !accessToken) return invalidRequest('"access_token" wasn\'t supplied.');
    const t = byValue.get(accessToken);
    // "Invalid tokens will return 404 NOT FOUND" (apps/check-token).
    if (!t || t.kind !== 'oauth_token' || t.clientId !== clientId || t.revoked || isExpired(t)) return notFound();
    return t;
  }

  route('GET', '/rate_limit', 'rateLimit.get', (_req, call) => {
    const b = bucketFor(call.credential);
    const rate = { limit: b.limit, remaining: Math.max(0, b.limit - b.used), reset: b.reset, used: b.used };
    const other = (limit: number) => ({ limit, remaining: limit, reset: b.reset, used: 0 });
    return {
      status: 200,
      body: {
        resources: { core: rate, search: other(30), graphql: other(5000), integration_manifest: other(5000), code_search: other(10) },
        rate,
      },
    };
  }, { counts: false });

  route('POST', '/applications/:client_id/token', 'apps.checkToken', (req, call, caller) => {
    const app = oauthAppOf(caller, req.params.client_id!);
    if ('status' in app) return app;
    const t = liveOAuthToken(req, app.clientId);
    if (!('kind' in t)) return t;
    call.target = credentialLabel(t);
    return { status: 200, body: authorizationBody(t) };
  });

  route('PATCH', '/applications/:client_id/token', 'apps.resetToken', (req, call, caller) => {
    const app = oauthAppOf(caller, req.params.client_id!);
    if ('status' in app) return app;
    const t = liveOAuthToken(req, app.clientId);
    if (!('kind' in t)) return t;
    call.target = credentialLabel(t);
    // The old value stops working at once; the authorization keeps its id (apps/reset-token).
    byValue.delete(t.value);
    (t as { value: string }).value = randomToken(t.value.slice(0, 4));
    index(t);
    record('oauth_access.regenerate', caller, { user: t.owner, extra: { oauth_application_id: app.id } });
    return { status: 200, body: authorizationBody(t) };
  });

  route('DELETE', '/applications/:client_id/token', 'apps.deleteToken', (req, call, caller) => {
    const app = oauthAppOf(caller, req.params.client_id!);
    if ('status' in app) return app;
    const t = liveOAuthToken(req, app.clientId);
    if (!('kind' in t)) {
      // Unknown: 404 (GitHub REST API docs). Known but already revoked: the answer the test picked (404 by default).
      const known = byValue.get(String(bodyObject(req).access_token ?? ''));
      const gone = goneAnswers.get('apps.deleteToken');
      return known?.kind === 'oauth_token' && known.revoked && gone ? goneAnswer(gone, 'OauthAccess') : t;
    }
    call.target = credentialLabel(t);
    t.revoked = true;
    record('oauth_access.destroy', caller, { user: t.owner, token: t, extra: { oauth_application_id: app.id } });
    return { status: 204 };
  });

  route('DELETE', '/applications/:client_id/grant', 'apps.deleteAuthorization', (req, call, caller) => {
    const app = oauthAppOf(caller, req.params.client_id!);
    if ('status' in app) return app;
    const t = liveOAuthToken(req, app.clientId);
    if (!('kind' in t)) return t;
    call.target = `oauth_grant:${app.clientId}:${t.owner}`;
    // "Deleting an application's grant will also delete all OAuth tokens associated with the application for the user."
    for (const c of credentials) if (c.kind === 'oauth_token' && c.clientId === app.clientId && c.owner === t.owner) c.revoked = true;
    record('oauth_authorization.destroy', caller, { user: t.owner, extra: { oauth_application_id: app.id } });
    return { status: 204 };
  });

  const requireApp = (caller: Caller): App | EmuResponse => {
    if (caller.type === 'app') return caller.app;
    if (caller.type === 'anonymous') return requiresAuthentication();
    // Any other credential on /app/*: GitHub asks for a JWT.
    return githubError(401, 'A JSON web token could not be decoded');
  };
  const installationOf = (app: App, id: string | undefined): Installation | undefined => {
    const i = installations.get(Number(id));
    return i && !i.deleted && i.appId === app.id ? i : undefined;
  };

  route('GET', '/app/installations', 'apps.listInstallations', (req, _call, caller) => {
    const app = requireApp(caller);
    if ('status' in app) return app;
    const mine = [...installations.values()].filter((i) => i.appId === app.id && !i.deleted);
    const { page, headers } = paginate(req, baseUrl, mine);
    return { status: 200, headers, body: page.map(installationBody) };
  });

  route('GET', '/app/installations/:installation_id', 'apps.getInstallation', (req, call, caller) => {
    const app = requireApp(caller);
    if ('status' in app) return app;
    const i = installationOf(app, req.params.installation_id);
    if (!i) return notFound();
    call.target = `installation:${i.id}`;
    return { status: 200, body: installationBody(i) };
  });

  route('DELETE', '/app/installations/:installation_id', 'apps.deleteInstallation', (req, call, caller) => {
    const app = requireApp(caller);
    if ('status' in app) return app;
    const i = installationOf(app, req.params.installation_id);
    if (!i) return notFound();
    call.target = `installation:${i.id}`;
    i.deleted = true;
    for (const c of credentials) if (c.kind === 'app_installation_token' && c.installationId === i.id) c.revoked = true;
    record('integration_installation.destroy', caller, { extra: { installation_id: i.id } });
    return { status: 204 };
  });

  route('PUT', '/app/installations/:installation_id/suspended', 'apps.suspendInstallation', (req, call, caller) => {
    const app = requireApp(caller);
    if ('status' in app) return app;
    const i = installationOf(app, req.params.installation_id);
    if (!i) return notFound();
    call.target = `installation:${i.id}`;
    if (!i.suspendedAt) {
      i.suspendedAt = new Date().toISOString();
      i.updatedAt = i.suspendedAt;
      record('integration_installation.suspend', caller, { extra: { installation_id: i.id } });
    }
    return { status: 204 };
  });

  route('DELETE', '/app/installations/:installation_id/suspended', 'apps.unsuspendInstallation', (req, call, caller) => {
    const app = requireApp(caller);
    if ('status' in app) return app;
    const i = installationOf(app, req.params.installation_id);
    if (!i) return notFound();
    call.target = `installation:${i.id}`;
    delete i.suspendedAt;
    i.updatedAt = new Date().toISOString();
    return { status: 204 };
  });

  route('POST', '/app/installations/:installation_id/access_tokens', 'apps.createInstallationAccessToken', (req, call, caller) => {
    const app = requireApp(caller);
    if ('status' in app) return app;
    const i = installationOf(app, req.params.installation_id);
    if (!i) return notFound();
    call.target = `installation:${i.id}`;
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
      const repo = repos.get(name.toLowerCase());
      if (!repo || (i.repositorySelection === 'selected' && !i.repositories.includes(repo.name))) {
        return validationFailed([{ resource: 'Installation', field: 'repositories', code: 'invalid', message: 'There is at least one repository that does not exist or is not accessible to the parent installation.' }]);
      }
    }
    const now = Date.now();
    const token: Live = {
      kind: 'app_installation_token',
      id: nextId++,
      installationId: i.id,
      value: randomToken('ghs_'),
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + INSTALLATION_TOKEN_TTL_MS).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      consumers: [],
      revoked: false,
      orgAccessRevoked: false,
      samlRemoved: false,
    };
    credentials.push(token);
    minted.add(token);
    index(token);
    return {
      status: 201,
      body: { token: token.value, expires_at: token.expiresAt, permissions, repository_selection: names.length ? 'selected' : i.repositorySelection },
    };
  });

  route('DELETE', '/installation/token', 'apps.revokeInstallationAccessToken', (_req, call, caller) => {
    if (caller.type === 'anonymous') return requiresAuthentication();
    if (caller.type !== 'installation') return githubError(403, 'Resource not accessible by integration');
    call.target = credentialLabel(caller.token);
    caller.token.revoked = true;
    return { status: 204 };
  });

  route('GET', '/orgs/:org/installations', 'orgs.listAppInstallations', (req, _call, caller) => {
    const denied = gateOrg(caller, req.params.org!, { permission: 'organization_administration', write: false, ownerOnly: true });
    if (denied) return denied;
    const all = [...installations.values()].filter((i) => !i.deleted);
    const { page, headers } = paginate(req, baseUrl, all);
    return { status: 200, headers, body: { total_count: all.length, installations: page.map(installationBody) } };
  });

  // ---- fine-grained PAT grants (GitHub Apps only) ----

  const fineGrained = () =>
    credentials.filter((c): c is Extract<Live, { kind: 'pat'; patType: 'fine_grained' }> => c.kind === 'pat' && c.patType === 'fine_grained');
  const activeGrant = (c: Live) => !c.revoked && !c.orgAccessRevoked;

  route('GET', '/orgs/:org/personal-access-tokens', 'orgs.listPatGrants', (req, _call, caller) => {
    const denied = gateOrg(caller, req.params.org!, { permission: 'organization_personal_access_tokens', write: false, ownerOnly: true, appsOnly: true });
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
    const { page, headers } = paginate(req, baseUrl, grants);
    return {
      status: 200,
      headers,
      body: page.map((g) => {
        const owner = members.get(g.owner.toLowerCase());
        return {
          id: g.id,
          owner: simpleUser(owner ? memberAccount(owner) : { login: g.owner, id: 0, type: 'User' }),
          repository_selection: g.repositorySelection,
          repositories_url: `${baseUrl}/organizations/${section?.org.id}/personal-access-tokens/${g.id}/repositories`,
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
    record('personal_access_token.access_revoked', caller, { user: g.owner, token: g });
  }

  route('POST', '/orgs/:org/personal-access-tokens', 'orgs.updatePatAccesses', (req, call, caller) => {
    const denied = gateOrg(caller, req.params.org!, { permission: 'organization_personal_access_tokens', write: true, ownerOnly: true, appsOnly: true });
    if (denied) return denied;
    const body = bodyObject(req);
    if (body.action !== 'revoke') return invalidRequest('"action" must be "revoke".');
    const ids = body.pat_ids;
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100 || !ids.every((n) => Number.isInteger(n))) {
      return invalidRequest('"pat_ids" must be an array of 1 to 100 integers.');
    }
    const grants = fineGrained().filter((g) => ids.includes(g.id) && activeGrant(g));
    call.target = grants.map((g) => credentialLabel(g)).join(',') || undefined;
    for (const g of grants) revokeGrant(g, caller);
    // Asynchronous on GitHub: 202 with an empty object, whatever was already revoked.
    return { status: 202, body: {} };
  });

  route('POST', '/orgs/:org/personal-access-tokens/:pat_id', 'orgs.updatePatAccess', (req, call, caller) => {
    const denied = gateOrg(caller, req.params.org!, { permission: 'organization_personal_access_tokens', write: true, ownerOnly: true, appsOnly: true });
    if (denied) return denied;
    if (bodyObject(req).action !== 'revoke') return invalidRequest('"action" must be "revoke".');
    const g = fineGrained().find((c) => c.id === Number(req.params.pat_id));
    if (!g || !activeGrant(g)) return notFound();
    call.target = credentialLabel(g);
    revokeGrant(g, caller);
    return { status: 204 };
  });

  // ---- SAML credential authorizations (GHEC) ----

  type SamlAuthorizable = Extract<Live, { kind: 'oauth_token' }> | Extract<Live, { kind: 'pat'; patType: 'classic' }>;
  const samlAuthorized = () =>
    credentials.filter(
      (c): c is SamlAuthorizable =>
        !c.revoked && !c.samlRemoved && ((c.kind === 'pat' && c.patType === 'classic') || (c.kind === 'oauth_token' && c.samlCredentialId !== undefined)),
    );
  const samlId = (c: SamlAuthorizable) => (c.kind === 'oauth_token' ? c.samlCredentialId! : c.id);

  route('GET', '/orgs/:org/credential-authorizations', 'orgs.listSamlSsoAuthorizations', (req, _call, caller) => {
    const denied = gateOrg(caller, req.params.org!, { permission: 'organization_administration', write: false, ownerOnly: true });
    if (denied) return denied;
    const login = req.query.get('login')?.toLowerCase();
    const list = samlAuthorized().filter((c) => !login || ('owner' in c && c.owner.toLowerCase() === login));
    const { page, headers } = paginate(req, baseUrl, list);
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
    const denied = gateOrg(caller, req.params.org!, { permission: 'organization_administration', write: true, ownerOnly: true });
    if (denied) return denied;
    const c = samlAuthorized().find((x) => samlId(x) === Number(req.params.credential_id));
    if (!c) return notFound();
    call.target = credentialLabel(c);
    c.samlRemoved = true;
    record('org_credential_authorization.deauthorized', caller, { user: c.owner, token: c });
    return { status: 204 };
  });

  // ---- org audit log (GHEC) ----

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
      org: orgLogin(),
      org_id: section?.org.id,
      ...(e.user ? { user: e.user } : {}),
      ...(e.repo ? { repo: `${orgLogin()}/${e.repo}`, repository: `${orgLogin()}/${e.repo}` } : {}),
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
          ok = e.repo !== undefined && (value === e.repo || value === `${orgLogin()}/${e.repo}`);
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
    const denied = gateOrg(caller, req.params.org!, { permission: 'organization_administration', write: false, ownerOnly: true });
    if (denied) return denied;
    const include = req.query.get('include') ?? 'web';
    const phrase = req.query.get('phrase') ?? '';
    const order = req.query.get('order') === 'asc' ? 1 : -1;
    const { perPage } = pageParams(req);
    let events = audit
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
      headers.link = `<${baseUrl}${req.path}?${q.toString()}>; rel="next"`;
    }
    events = slice;
    return { status: 200, headers, body: events.map(({ item }) => item) };
  });

  // ---- deploy keys ----

  const deployKeys = (repo: Repo) =>
    credentials.filter((c): c is Extract<Live, { kind: 'deploy_key' }> => c.kind === 'deploy_key' && !c.revoked && c.repo === repo.name);
  const keyNeed = (write: boolean): Need => ({ permission: 'administration', write, ownerOnly: true });

  route('GET', '/repos/:owner/:repo/keys', 'repos.listDeployKeys', (req, _call, caller) => {
    const g = gateRepo(caller, req.params.owner!, req.params.repo!, keyNeed(false));
    if ('denied' in g) return g.denied;
    const { page, headers } = paginate(req, baseUrl, deployKeys(g.repo));
    return { status: 200, headers, body: page.map(deployKeyBody) };
  });

  route('POST', '/repos/:owner/:repo/keys', 'repos.createDeployKey', (req, call, caller) => {
    const g = gateRepo(caller, req.params.owner!, req.params.repo!, keyNeed(true));
    if ('denied' in g) return g.denied;
    const body = bodyObject(req);
    if (typeof body.key !== 'string') return invalidRequest('"key" wasn\'t supplied.');
    const parts = body.key.trim().split(/\s+/);
    const valid = parts.length >= 2 && /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com)$/.test(parts[0]!) && /^[A-Za-z0-9+/]+=*$/.test(parts[1]!);
    if (!valid) {
      return validationFailed([{ resource: 'PublicKey', code: 'custom', field: 'key', message: 'key is invalid. You must supply a key in OpenSSH public key format' }]);
    }
    const canonical = `${parts[0]} ${parts[1]}`;
    // A public key can be used once across GitHub (GitHub REST API docs: Actions secrets).
    if (credentials.some((c) => c.kind === 'deploy_key' && !c.revoked && c.publicKey.split(/\s+/).slice(0, 2).join(' ') === canonical)) {
      return validationFailed([{ resource: 'PublicKey', code: 'custom', field: 'key', message: 'key is already in use' }]);
    }
    const key: Live = {
      kind: 'deploy_key',
      id: nextId++,
      repo: g.repo.name,
      title: typeof body.title === 'string' ? body.title : '',
      publicKey: canonical,
      readOnly: body.read_only === undefined ? false : Boolean(body.read_only),
      createdAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      consumers: [],
      ...(caller.type === 'user' ? { addedBy: caller.member.login } : {}),
      revoked: false,
      orgAccessRevoked: false,
      samlRemoved: false,
    };
    credentials.push(key);
    call.target = credentialLabel(key);
    record('public_key.create', caller, { repo: g.repo.name, extra: { title: key.title, read_only: key.readOnly } });
    const bodyOut = deployKeyBody(key);
    return { status: 201, headers: { location: String(bodyOut.url) }, body: bodyOut };
  });

  route('GET', '/repos/:owner/:repo/keys/:key_id', 'repos.getDeployKey', (req, call, caller) => {
    const g = gateRepo(caller, req.params.owner!, req.params.repo!, keyNeed(false));
    if ('denied' in g) return g.denied;
    const k = deployKeys(g.repo).find((c) => c.id === Number(req.params.key_id));
    if (!k) return notFound();
    call.target = credentialLabel(k);
    return { status: 200, body: deployKeyBody(k) };
  });

  route('DELETE', '/repos/:owner/:repo/keys/:key_id', 'repos.deleteDeployKey', (req, call, caller) => {
    const g = gateRepo(caller, req.params.owner!, req.params.repo!, keyNeed(true));
    if ('denied' in g) return g.denied;
    const k = deployKeys(g.repo).find((c) => c.id === Number(req.params.key_id));
    if (!k) {
      // Already deleted: 404 by convention (undocumented); a test may pick 410 or 422 "not found" instead.
      const deleted = credentials.some((c) => c.kind === 'deploy_key' && c.revoked && c.repo === g.repo.name && c.id === Number(req.params.key_id));
      const gone = goneAnswers.get('repos.deleteDeployKey');
      return deleted && gone ? goneAnswer(gone, 'PublicKey') : notFound();
    }
    call.target = credentialLabel(k);
    k.revoked = true;
    record('public_key.delete', caller, { repo: g.repo.name, extra: { title: k.title } });
    return { status: 204 };
  });

  // ---- Actions secrets (libsodium sealed box) ----

  const secretNeed = (write: boolean): Need => ({ permission: 'secrets', write, ownerOnly: true });
  const secretKey = (repo: Repo, name: string) => `${repo.name}/${name.toUpperCase()}`;

  route('GET', '/repos/:owner/:repo/actions/secrets/public-key', 'actions.getRepoPublicKey', (req, call, caller) => {
    const g = gateRepo(caller, req.params.owner!, req.params.repo!, secretNeed(false));
    if ('denied' in g) return g.denied;
    const k = repoKey(g.repo);
    call.target = `repo:${orgLogin()}/${g.repo.name}`;
    return { status: 200, body: { key_id: k.keyId, key: sodium.to_base64(k.publicKey, sodium.base64_variants.ORIGINAL) } };
  });

  route('GET', '/repos/:owner/:repo/actions/secrets', 'actions.listRepoSecrets', (req, _call, caller) => {
    const g = gateRepo(caller, req.params.owner!, req.params.repo!, secretNeed(false));
    if ('denied' in g) return g.denied;
    const mine = [...secrets.entries()]
      .filter(([k]) => k.startsWith(`${g.repo.name}/`))
      .map(([k, s]) => ({ name: k.slice(g.repo.name.length + 1), created_at: s.createdAt, updated_at: s.updatedAt }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const { page, headers } = paginate(req, baseUrl, mine);
    return { status: 200, headers, body: { total_count: mine.length, secrets: page } };
  });

  route('GET', '/repos/:owner/:repo/actions/secrets/:secret_name', 'actions.getRepoSecret', (req, call, caller) => {
    const g = gateRepo(caller, req.params.owner!, req.params.repo!, secretNeed(false));
    if ('denied' in g) return g.denied;
    const s = secrets.get(secretKey(g.repo, req.params.secret_name!));
    if (!s) return notFound();
    call.target = `secret:${orgLogin()}/${g.repo.name}:${req.params.secret_name!.toUpperCase()}`;
    return { status: 200, body: { name: req.params.secret_name!.toUpperCase(), created_at: s.createdAt, updated_at: s.updatedAt } };
  });

  route('PUT', '/repos/:owner/:repo/actions/secrets/:secret_name', 'actions.createOrUpdateRepoSecret', (req, call, caller) => {
    const g = gateRepo(caller, req.params.owner!, req.params.repo!, secretNeed(true));
    if ('denied' in g) return g.denied;
    const name = req.params.secret_name!;
    if (!/^[A-Z_][A-Z0-9_]*$/i.test(name) || /^GITHUB_/i.test(name)) {
      return validationFailed([{ resource: 'Secret', field: 'name', code: 'invalid', message: 'Secret names can only contain alphanumeric characters or underscores, must not start with a number or GITHUB_.' }]);
    }
    const body = bodyObject(req);
    const encrypted = body.encrypted_value;
    const keyId = body.key_id;
    const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
    if (typeof encrypted !== 'string' || !base64.test(encrypted)) return invalidRequest('"encrypted_value" wasn\'t supplied or is not base64.');
    if (typeof keyId !== 'string') return invalidRequest('"key_id" wasn\'t supplied.');
    const k = repoKey(g.repo);
    if (keyId !== k.keyId) return validationFailed([{ resource: 'Secret', field: 'key_id', code: 'invalid', message: 'key_id does not match the repository public key' }]);
    let value: string;
    try {
      value = sodium.to_string(sodium.crypto_box_seal_open(sodium.from_base64(encrypted, sodium.base64_variants.ORIGINAL), k.publicKey, k.privateKey));
    } catch {
      return validationFailed([{ resource: 'Secret', field: 'encrypted_value', code: 'invalid', message: 'encrypted_value could not be decrypted with the repository public key' }]);
    }
    const id = secretKey(g.repo, name);
    call.target = `secret:${orgLogin()}/${g.repo.name}:${name.toUpperCase()}`;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const existing = secrets.get(id);
    if (existing) {
      existing.updatedAt = now;
      existing.value = value;
      record('repo.update_actions_secret', caller, { repo: g.repo.name, extra: { name: name.toUpperCase() } });
      return { status: 204 };
    }
    secrets.set(id, { createdAt: now, updatedAt: now, value });
    record('repo.create_actions_secret', caller, { repo: g.repo.name, extra: { name: name.toUpperCase() } });
    return { status: 201, body: {} };
  });

  route('DELETE', '/repos/:owner/:repo/actions/secrets/:secret_name', 'actions.deleteRepoSecret', (req, call, caller) => {
    const g = gateRepo(caller, req.params.owner!, req.params.repo!, secretNeed(true));
    if ('denied' in g) return g.denied;
    const id = secretKey(g.repo, req.params.secret_name!);
    if (!secrets.has(id)) return notFound();
    call.target = `secret:${orgLogin()}/${g.repo.name}:${req.params.secret_name!.toUpperCase()}`;
    secrets.delete(id);
    record('repo.remove_actions_secret', caller, { repo: g.repo.name, extra: { name: req.params.secret_name!.toUpperCase() } });
    return { status: 204 };
  });

  // ---- report-and-revoke leaked values (unauthenticated) ----

  route('POST', '/credentials/revoke', 'credentials.revoke', (req, call, caller) => {
    // "Any authenticated requests will return a 403." (credentials/revoke)
    if (caller.type !== 'anonymous') return githubError(403, 'Forbidden');
    const list = bodyObject(req).credentials;
    if (!Array.isArray(list) || list.length < 1 || list.length > 1000 || !list.every((v) => typeof v === 'string')) {
      return { status: 422, body: { message: 'Validation Failed', errors: ['credentials must be an array of 1 to 1000 strings'], documentation_url: DOCS, status: '422' } };
    }
    const revoked: string[] = [];
    for (const value of list as string[]) {
      const c = byValue.get(value);
      // Installation tokens (ghs_) and SSH keys are not revocable here.
      if (!c || c.revoked || c.kind === 'app_installation_token' || !/^(ghp_|github_pat_|gho_|ghu_|ghr_)/.test(value)) continue;
      c.revoked = true;
      revoked.push(credentialLabel(c));
      record('credential.revoked_by_report', 'github', { ...('owner' in c ? { user: c.owner } : {}), token: c });
    }
    if (revoked.length) call.target = revoked.join(',');
    return { status: 202, body: {} };
  });

  return {
    provider: 'github',
    router,
    errors,
    decorate: (_operation, call) => {
      requestSeq += 1;
      return {
        ...rateLimitHeaders(call.credential),
        'x-github-request-id': `CA11:${process.pid.toString(16).toUpperCase()}:${requestSeq.toString(16).toUpperCase().padStart(6, '0')}`,
        'x-github-api-version-selected': '2022-11-28',
      };
    },
    setBaseUrl(url) {
      baseUrl = url.replace(/\/$/, '');
    },
    load(input) {
      section = input === undefined ? undefined : GitHubScenario.parse(input);
      members = new Map((section?.principals ?? []).map((m) => [m.login.toLowerCase(), m]));
      oauthApps = section?.oauthApps ?? [];
      apps = (section?.apps ?? []).map((a) => {
        if (a.publicKeyPem) return { ...a, publicKey: publicKeyFromPem(a.publicKeyPem) };
        let pem = generatedKeys.get(a.id);
        let publicKey: KeyObject;
        if (pem) {
          publicKey = publicKeyFromPem(pem);
        } else {
          const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
          pem = pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
          generatedKeys.set(a.id, pem);
          publicKey = pair.publicKey;
        }
        return { ...a, publicKey, privateKeyPem: pem };
      });
      installations = new Map((section?.installations ?? []).map((i) => [i.id, { ...i, deleted: false, updatedAt: i.createdAt }]));
      repos = new Map((section?.repos ?? []).map((r) => [r.name.toLowerCase(), r]));
      credentials = (section?.credentials ?? []).map((c) => ({ ...structuredClone(c), revoked: false, orgAccessRevoked: false, samlRemoved: false }));
      byValue = new Map();
      for (const c of credentials) index(c);
      secrets = new Map(
        (section?.secrets ?? []).map((s) => [`${s.repo}/${s.name.toUpperCase()}`, { createdAt: s.createdAt, updatedAt: s.updatedAt, value: s.value }]),
      );
      repoKeys = new Map();
      buckets.clear();
      const byId = new Map(credentials.map((c) => [c.id, c]));
      audit = (section?.auditEvents ?? []).map((e) => ({
        at: Date.parse(e.at),
        documentId: sha256(`${e.at}|${e.action}|${e.actor}|${e.credentialId ?? ''}`).digest('base64url').slice(0, 22),
        action: e.action,
        actor: e.actor,
        actorId: members.get(e.actor.toLowerCase())?.id,
        user: e.user,
        repo: e.repo,
        country: e.country ?? 'United States',
        token: e.credentialId !== undefined ? byId.get(e.credentialId) : undefined,
      }));
      nextId = 50_000_000;
      minted = new Set();
      goneAnswers = new Map();
    },
    counts() {
      return {
        principals: members.size,
        oauthApps: oauthApps.length,
        apps: apps.length,
        installations: [...installations.values()].filter((i) => !i.deleted).length,
        repos: repos.size,
        credentials: credentials.filter((c) => !c.revoked && !minted.has(c)).length,
        secrets: secrets.size,
        auditEvents: audit.length,
      };
    },
    connectorEnv() {
      if (!section) return {};
      const env: Record<string, string> = { CORDON_GITHUB_API_URL: baseUrl, CORDON_GITHUB_ORG: section.org.login };
      const app = apps.find((a) => a.cordon);
      const installation = app ? [...installations.values()].find((i) => i.appId === app.id && !i.deleted) : undefined;
      if (app?.privateKeyPem && installation) {
        env.CORDON_GITHUB_APP_ID = String(app.id);
        env.CORDON_GITHUB_APP_PRIVATE_KEY = app.privateKeyPem;
        env.CORDON_GITHUB_INSTALLATION_ID = String(installation.id);
      }
      const oauth = oauthApps.find((a) => a.cordon);
      if (oauth) {
        env.CORDON_GITHUB_OAUTH_CLIENT_ID = oauth.clientId;
        env.CORDON_GITHUB_OAUTH_CLIENT_SECRET = oauth.clientSecret;
      }
      // GitHub does not record who holds a credential: the consumer inventory is the operator's, keyed
      // by the connector's credential ids.
      const inventory: Record<string, unknown> = {};
      for (const c of section.credentials) if (c.consumers.length) inventory[githubCredentialId(c, section.org.login)] = c.consumers;
      env.CORDON_GITHUB_CONSUMERS = JSON.stringify(inventory);
      return env;
    },
    revealSecret(owner, repo, name) {
      if (owner.toLowerCase() !== orgLogin().toLowerCase()) return undefined;
      return secrets.get(`${repo}/${name.toUpperCase()}`)?.value;
    },
    appPrivateKeyPem(appId) {
      return apps.find((a) => a.id === appId)?.privateKeyPem;
    },
    setGoneAnswer(operation, status) {
      goneAnswers.set(operation, status);
    },
  };
}
