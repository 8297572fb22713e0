// The GitHub connector (design.md §4) on @octokit/rest. What GitHub lets an org do by API shapes
// every method (GitHub REST API docs): OAuth tokens die only by value with the OAuth app's client
// secret; installation tokens only by value (or by uninstalling); fine-grained PATs and SAML-
// authorized classic PATs can only lose their access to this org through revoke(), and die
// everywhere only when their leaked value is reported (revokeByValue, POST /credentials/revoke);
// deploy keys are deleted and re-created. Fallback rungs: revokeAllForClient deletes an OAuth grant through a
// known live token value; blockApp suspends an installation whose app key is in CORDON_GITHUB_APP_KEYS. Credential ids
// are built and parsed in ./ids.ts.
import { createHash, randomUUID } from 'node:crypto';
import type { Consumer, Credential, CredentialRef, Principal, ScopeReport } from '../../schemas/credential.ts';
import { describeRef } from '../../schemas/credential.ts';
import { Secret } from '../../logging/secret.ts';
import { fingerprintOf } from '../fingerprint.ts';
import type { CredentialSink } from '../sinks/types.ts';
import {
  ConnectorError,
  unsupported,
  type AuditEvent,
  type Capability,
  type Connector,
  type ProbeResult,
  type ReauthScope,
  type ReplacementIssued,
  type UnlabelledMint,
  type RevokeContext,
  type WriteResult,
  type ReplaceOptions,
} from '../types.ts';
import { basicAuthorization, createClient, signAppJwt, type GitHubClient } from './client.ts';
import { credentialIds, parseCredentialId, type ParsedGitHubCredentialId } from './ids.ts';
import { GitHubConnectorConfigSchema, type GitHubConnectorConfig } from './config.ts';
import { generateDeployKeyPair } from './deploy-key.ts';
import type { InventoryPrincipal, InventoryResult } from '../inventory.ts';
import { alreadyGone, classifyGitHubError } from './errors.ts';
import type { AuditCursor } from '../../schemas/audit-cursor.ts';
import { readStreams, type ReadTokenUseOptions, type TokenUseBatch } from '../audit-stream.ts';
import { GITHUB_AUDIT_OVERLAP_MS, githubAuditStream } from './audit-reader.ts';
import { InFlightReads } from '../in-flight-reads.ts';
import { deliverOrEndOwn, orphansDeleted } from '../replacement-attempts.ts';
import { walkPagesLastFirst, type NumberedPage } from './pages.ts';

const PROVIDER = 'github' as const;
/** Refresh the installation token this long before GitHub's 1-hour expiry. */
const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
/** An installation token's life: `expires_at` is one hour after the mint (GitHub REST docs: apps). */
const INSTALLATION_TOKEN_LIFETIME_MS = 60 * 60_000;
const AUDIT_MAX_PAGES = 10;
/** POST /credentials/revoke takes at most this many values per request. */
export const CREDENTIAL_REVOKE_BATCH = 1000;
/**
 * The kinds GitHub's credential revocation accepts: classic and fine-grained PATs, OAuth tokens,
 * GitHub App user-to-server and refresh tokens. Not installation tokens (ghs_) nor SSH/deploy keys.
 */
const REVOCABLE_BY_VALUE = /^(?:ghp_|github_pat_|gho_|ghu_|ghr_)[A-Za-z0-9_]+$/;
const REVOCABLE_RULE = 'a value starting with ghp_, github_pat_, gho_, ghu_ or ghr_ followed by letters, digits or underscores';

export const GITHUB_BLIND_SPOTS: readonly string[] = [
  'GitHub does not record who holds a credential: consumers come from the configured inventory (CORDON_GITHUB_CONSUMERS)',
  "members' classic PATs and OAuth tokens of other apps are visible only through SAML credential authorizations (GHEC); removing one de-authorizes it for this org only, the token stays valid elsewhere",
  "fine-grained PAT revocation removes the token's access to this org only; the token itself lives until its owner deletes it or it is reported to POST /credentials/revoke",
  'installation tokens are not listable: they are identified by installation id, and revoked only with their own value',
  'OAuth tokens can be checked and revoked only for the configured OAuth app, and only with the token value',
  'member status (suspended, offboarded) is not read: principals are reported active',
];

/** Why the operations GitHub's connector leaves out are missing. */
export const GITHUB_CANNOT: Partial<Record<Capability, string>> = {
  restrict: 'GitHub has no per-credential IP allowlist or scope downgrade by API',
  suspendPrincipal: 'suspending users is enterprise-managed (SCIM/IdP), not an org REST call',
  lastUse: 'not implemented: a rotation cannot yet see a GitHub consumer switch (the audit log names tokens only by the hash of their value)',
};

interface SamlAuthorization {
  login: string;
  credential_id: number;
  credential_type: string;
  token_last_eight?: string;
  credential_authorized_at: string;
  scopes?: string[];
  credential_accessed_at: string | null;
  authorized_credential_id: number | null;
  authorized_credential_note?: string | null;
  authorized_credential_expires_at?: string | null;
}

interface AuditLogEntry {
  '@timestamp'?: number;
  action?: string;
  actor?: string;
  user?: string;
  repo?: string;
  token_id?: number;
  hashed_token?: string;
  actor_location?: { country_name?: string };
}

export class GitHubConnector implements Connector {
  readonly provider = PROVIDER;
  // revokeAllForClient (OAuth tokens, with a known value) and blockApp (installation tokens of apps whose key is
  // configured) work only in those cases; every other credential gets `unsupported` with the reason.
  readonly cannot = GITHUB_CANNOT;
  readonly blindSpots = GITHUB_BLIND_SPOTS;

  readonly #config: GitHubConnectorConfig;
  readonly #app: GitHubClient;
  readonly #installation: GitHubClient;
  readonly #oauth: GitHubClient | undefined;
  /** No Authorization header at all: POST /credentials/revoke answers 403 to any authenticated request. */
  readonly #anonymous: GitHubClient;
  #installationToken: { value: string; expiresAt: number } | undefined;
  #minting: Promise<string> | undefined;
  /**
   * Leaked values seen by identify/probe in this process, by credential id. The Connector contract
   * gives revoke only the credential, and GitHub revokes OAuth and installation tokens only by value.
   */
  readonly #leaked = new Map<string, Secret>();

  constructor(config: GitHubConnectorConfig) {
    this.#config = config;
    this.#app = createClient(config, () => `bearer ${signAppJwt(config.appId, config.appPrivateKey)}`);
    this.#installation = createClient(config, async () => `token ${await this.#token()}`);
    this.#oauth =
      config.oauthClientId && config.oauthClientSecret ? createClient(config, () => basicAuthorization(config.oauthClientId!, config.oauthClientSecret!)) : undefined;
    this.#anonymous = createClient(config, () => undefined);
  }

  /** The installation-authenticated client, for the GitHub Actions secret sink of the same org. */
  get installationClient(): GitHubClient {
    return this.#installation;
  }

  // ---- plumbing ---------------------------------------------------------------------------------

  /**
   * Every call made with Cordon's own credentials (installation token, app JWT, OAuth app secret) goes
   * through here: classified once, and a 401 drops the cached installation token and tries exactly once
   * more with a fresh one minted from the app JWT (I9: one transient 401 must not end the run with the
   * leaked credential alive). Never used for calls made with a leaked value: there a 401 means dead.
   */
  async #call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const first = classifyGitHubError(err, what);
      if (first.kind !== 'auth') throw first;
      this.#installationToken = undefined;
    }
    try {
      return await fn();
    } catch (err) {
      const second = classifyGitHubError(err, what);
      if (second.kind !== 'auth') throw second;
      const { appId, installationId, org } = this.#config;
      throw new ConnectorError(
        'auth',
        PROVIDER,
        `${second.message} (Cordon's credential was refused again after minting a fresh installation token; check that GitHub App ${appId} is still installed on ${org} ` +
          `as installation ${installationId} and not suspended, that CORDON_GITHUB_APP_PRIVATE_KEY is one of the app's current keys, and, for OAuth-app calls, ` +
          'CORDON_GITHUB_OAUTH_CLIENT_ID / CORDON_GITHUB_OAUTH_CLIENT_SECRET)',
        second.options,
      );
    }
  }

  /**
   * Whether a leaked value still authenticates (GET /rate_limit accepts any token and costs no quota):
   * `dead` only on GitHub's own 401, asked twice so that one transient 401 is never recorded as death.
   */
  async #authenticates(value: string, what: string): Promise<{ alive: true } | { dead: ConnectorError }> {
    let last: ConnectorError | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.#byValue(value).rest.rateLimit.get();
        return { alive: true };
      } catch (err) {
        last = classifyGitHubError(err, what);
        if (last.kind !== 'auth') throw last;
      }
    }
    return { dead: last! };
  }

  /** Cordon's own installation token, minted with the app JWT and cached until near expiry. */
  async #token(): Promise<string> {
    if (this.#installationToken && this.#installationToken.expiresAt - TOKEN_REFRESH_MARGIN_MS > Date.now()) return this.#installationToken.value;
    this.#minting ??= (async () => {
      try {
        const r = await this.#app.rest.apps.createInstallationAccessToken({ installation_id: this.#config.installationId });
        this.#installationToken = { value: r.data.token, expiresAt: Date.parse(r.data.expires_at) };
        return r.data.token;
      } catch (err) {
        throw classifyGitHubError(err, `minting Cordon's installation token (installation ${this.#config.installationId})`);
      } finally {
        this.#minting = undefined;
      }
    })();
    return this.#minting;
  }

  #byValue(value: string): GitHubClient {
    return createClient(this.#config, () => `token ${value}`);
  }

  #consumers(id: string): Consumer[] {
    return this.#config.consumers[id] ?? [];
  }

  #user(login: string): Principal {
    return { id: login, displayName: login, type: login.endsWith('[bot]') ? 'bot' : 'user', status: 'active' };
  }

  #remember(id: string, value: string | undefined): void {
    if (value) this.#leaked.set(id, new Secret(value));
  }

  // ---- listing ----------------------------------------------------------------------------------

  async #samlAuthorizations(login?: string): Promise<SamlAuthorization[]> {
    const org = this.#config.org;
    // Walked last page first: other runs remove authorizations from this list while it is read (pages.ts).
    return this.#call(`listing SAML credential authorizations of ${org}`, () =>
      walkPagesLastFirst(
        (page) => this.#installation.request('GET /orgs/{org}/credential-authorizations', { org, per_page: 100, page, ...(login ? { login } : {}) }) as Promise<NumberedPage<SamlAuthorization>>,
        (a) => a.credential_id,
      ),
    );
  }

  #fromSaml(a: SamlAuthorization): Credential {
    const isOAuth = a.credential_type === 'OAuth app token';
    const id = isOAuth && a.authorized_credential_id !== null ? credentialIds.oauthToken(a.authorized_credential_id) : credentialIds.pat('classic', a.credential_id);
    return {
      provider: PROVIDER,
      kind: isOAuth ? 'oauth_token' : 'pat',
      id,
      label: `${a.credential_type} of ${a.login}${a.authorized_credential_note ? ` (${a.authorized_credential_note})` : ''} …${a.token_last_eight ?? ''}`,
      principal: this.#user(a.login),
      scopes: a.scopes ?? [],
      createdAt: a.credential_authorized_at,
      ...(a.credential_accessed_at ? { lastUsedAt: a.credential_accessed_at } : {}),
      consumers: this.#consumers(id),
      selfOrLastAdmin: false,
    };
  }

  async #patGrants(filter: { owner?: string[]; token_id?: string[] } = {}): Promise<Credential[]> {
    const org = this.#config.org;
    const grants = await this.#call(`listing fine-grained PAT grants of ${org}`, () =>
      walkPagesLastFirst((page) => this.#installation.rest.orgs.listPatGrants({ org, per_page: 100, page, ...filter }), (g) => g.id),
    );
    return grants.map((g) => {
      const id = credentialIds.pat('fine_grained', g.id);
      const scopes = Object.entries(g.permissions ?? {}).flatMap(([area, perms]) =>
        Object.entries((perms ?? {}) as Record<string, string>).map(([name, level]) => `${area}:${name}:${level}`),
      );
      return {
        provider: PROVIDER,
        kind: 'pat' as const,
        id,
        label: `fine-grained PAT "${g.token_name}" of ${g.owner.login}`,
        principal: this.#user(g.owner.login),
        scopes,
        createdAt: g.access_granted_at,
        ...(g.token_last_used_at ? { lastUsedAt: g.token_last_used_at } : {}),
        consumers: this.#consumers(id),
        selfOrLastAdmin: false,
      };
    });
  }

  /** Identification's deploy-key listings, shared while in flight (a repository's keys identified side by side list it once). */
  readonly #identifyKeyListings = new InFlightReads<Credential[]>();
  /**
   * Identification's org-wide listings, shared the same way: a PAT or OAuth token named by id is found by walking
   * the org's SAML authorizations (or PAT grants), every page of them, so a mass containment of an org's classic PATs
   * walked the whole list once per ref. Keyed by the login filter ('' for the whole org).
   */
  readonly #identifySaml = new InFlightReads<SamlAuthorization[]>();
  readonly #identifyPatGrants = new InFlightReads<Credential[]>();
  #identifySamlOf(login: string | undefined): Promise<SamlAuthorization[]> {
    return this.#identifySaml.read(login?.toLowerCase() ?? '', () => this.#samlAuthorizations(login));
  }

  async #deployKeys(owner: string, repo: string): Promise<Credential[]> {
    return (await this.#listDeployKeys(owner, repo)).map((k) => this.#fromDeployKey(owner, repo, k));
  }

  /** A repository's deploy keys, walked last page first (pages.ts): other runs delete keys while it is read. */
  async #listDeployKeys(owner: string, repo: string) {
    return this.#call(`listing deploy keys of ${owner}/${repo}`, () =>
      walkPagesLastFirst((page) => this.#installation.rest.repos.listDeployKeys({ owner, repo, per_page: 100, page }), (k) => k.id),
    );
  }

  #fromDeployKey(owner: string, repo: string, k: { id: number; key: string; title: string; read_only: boolean; created_at: string; last_used?: string | null }): Credential {
    const id = credentialIds.deployKey(owner, repo, k.id);
    return {
      provider: PROVIDER,
      kind: 'deploy_key',
      id,
      label: `deploy key "${k.title}" on ${owner}/${repo}${k.read_only ? ' (read-only)' : ' (read-write)'}`,
      principal: repoPrincipal(owner, repo),
      scopes: [k.read_only ? 'contents:read' : 'contents:write'],
      createdAt: k.created_at,
      ...(k.last_used ? { lastUsedAt: k.last_used } : {}),
      consumers: this.#consumers(id),
      // The SSH public key's own sha256, so a responder can match it with `ssh-keygen -lf`.
      fingerprint: createHash('sha256').update(Buffer.from(k.key.split(/\s+/)[1] ?? '', 'base64')).digest('hex').slice(0, 12),
      selfOrLastAdmin: false,
    };
  }

  async #installationCredential(installationId: number): Promise<Credential | undefined> {
    const org = this.#config.org;
    const all = await this.#call(`listing app installations of ${org}`, () =>
      this.#installation.paginate('GET /orgs/{org}/installations', { org, per_page: 100 }),
    );
    const i = (all as Array<{ id: number; app_slug: string; client_id?: string; permissions: Record<string, string>; created_at: string; suspended_at: string | null }>).find(
      (x) => x.id === installationId,
    );
    if (!i) return undefined;
    const id = credentialIds.installation(i.id);
    return {
      provider: PROVIDER,
      kind: 'app_installation_token',
      id,
      label: `installation tokens of app ${i.app_slug} (installation ${i.id})`,
      principal: { id: `app:${i.app_slug}`, displayName: `${i.app_slug}[bot]`, type: 'bot', status: i.suspended_at ? 'suspended' : 'active' },
      scopes: Object.entries(i.permissions).map(([k, v]) => `${k}:${v}`),
      ...(i.client_id ? { clientId: i.client_id } : {}),
      createdAt: i.created_at,
      consumers: this.#consumers(id),
      // I6: Cordon's own installation is how the connector reaches the org.
      selfOrLastAdmin: i.id === this.#config.installationId,
    };
  }

  /** Audit-log token forensics: events whose hashed_token is this value's (GitHub docs: audit log). */
  async #auditByValue(value: string): Promise<AuditLogEntry[]> {
    const org = this.#config.org;
    const hashed = createHash('sha256').update(value).digest('base64');
    return this.#call(`searching the audit log of ${org} by token hash`, () =>
      this.#installation.request('GET /orgs/{org}/audit-log', { org, include: 'all', per_page: 100, phrase: `hashed_token:"${hashed}"` }),
    ).then((r) => r.data as AuditLogEntry[]);
  }

  // ---- Connector --------------------------------------------------------------------------------

  async identify(ref: CredentialRef): Promise<ScopeReport> {
    const found: Credential[] = [];
    const riskFlags: string[] = [];
    const blindSpots = [...GITHUB_BLIND_SPOTS];
    const parsed = ref.id ? parseCredentialId(ref.id) : undefined;
    const value = ref.leakedValue;

    switch (ref.kind) {
      case 'oauth_token': {
        const clientId = ref.clientId ?? this.#config.oauthClientId;
        if (value && this.#oauth && clientId === this.#config.oauthClientId) {
          const checked = await this.#checkOAuth(value);
          if (checked) {
            this.#remember(checked.id, value);
            found.push(checked);
          } else riskFlags.push(`the leaked value is not a live token of OAuth app ${clientId}: already revoked, or issued to another app`);
        } else if (value) {
          blindSpots.push(`no client secret for OAuth app ${clientId ?? '(unknown)'}: the token can be found only through SAML authorizations`);
        }
        if (!found.length) {
          const saml = await this.#identifySamlOf(ref.user);
          const last8 = value?.slice(-8);
          for (const a of saml) {
            if (a.credential_type !== 'OAuth app token') continue;
            const c = this.#fromSaml(a);
            if ((parsed && c.id === ref.id) || (last8 && a.token_last_eight === last8) || (!parsed && !last8 && ref.user)) {
              this.#remember(c.id, value);
              found.push(c);
            }
          }
        }
        break;
      }
      case 'app_installation_token': {
        const installationId = parsed?.type === 'app_installation_token' ? parsed.num : Number(ref.id ?? ref.keyId ?? Number.NaN);
        if (Number.isInteger(installationId)) {
          const c = await this.#installationCredential(installationId);
          if (c) {
            this.#remember(c.id, value);
            found.push(c);
          }
        } else {
          blindSpots.push('installation tokens are not listable: give the installation id to identify which installation the token belongs to');
        }
        break;
      }
      case 'pat': {
        if (parsed?.type === 'pat_fine_grained') {
          found.push(...(await this.#identifyPatGrants.read('', () => this.#patGrants())).filter((c) => c.id === ref.id));
        } else if (parsed?.type === 'pat_classic') {
          found.push(...(await this.#identifySamlOf(ref.user)).map((a) => this.#fromSaml(a)).filter((c) => c.id === ref.id));
        } else if (value?.startsWith('github_pat_')) {
          // Fine-grained PATs are found by value through the audit log's token hash → token_id.
          const tokenIds = [...new Set((await this.#auditByValue(value)).map((e) => e.token_id).filter((t): t is number => typeof t === 'number'))];
          if (tokenIds.length) found.push(...(await this.#patGrants({ token_id: tokenIds.map(String) })));
          else blindSpots.push('the fine-grained PAT has no audit-log event in this org: its grant cannot be matched to the value');
        } else if (value) {
          const last8 = value.slice(-8);
          found.push(...(await this.#identifySamlOf(ref.user)).filter((a) => a.credential_type === 'personal access token' && a.token_last_eight === last8).map((a) => this.#fromSaml(a)));
        } else if (ref.user) {
          found.push(...(await this.#patGrants({ owner: [ref.user] })));
          found.push(...(await this.#identifySamlOf(ref.user)).filter((a) => a.credential_type === 'personal access token').map((a) => this.#fromSaml(a)));
        }
        for (const c of found) {
          this.#remember(c.id, value);
          if (c.id.startsWith('pat:classic:')) riskFlags.push(`${c.id}: a classic PAT can only be de-authorized for this org; ask its owner to delete it or report it to /credentials/revoke`);
        }
        break;
      }
      case 'deploy_key': {
        if (parsed?.type === 'deploy_key') {
          // Joined by the repository's other keys identified at the same time (connectors/in-flight-reads.ts).
          const keys = await this.#identifyKeyListings.read(`${parsed.owner}/${parsed.repo}`.toLowerCase(), () => this.#deployKeys(parsed.owner!, parsed.repo!));
          found.push(...keys.filter((k) => k.id === ref.id));
        } else {
          throw new ConnectorError('invalid', PROVIDER, `github: a deploy key ref needs id "deploy_key:<owner>/<repo>:<key id>" (got ${describeRef(ref)})`);
        }
        break;
      }
      default:
        throw unsupported(PROVIDER, 'describe', `GitHub has no ${ref.kind} credentials Cordon can find`);
    }

    for (const c of found) if (c.consumers.length > 1) riskFlags.push(`${c.id} is shared by ${c.consumers.length} consumers`);
    for (const c of found) if (c.selfOrLastAdmin) riskFlags.push(`${c.id} is Cordon's own connector credential (I6)`);
    return { provider: PROVIDER, ref: describeRef(ref), credentials: found, relatedServiceAccounts: [], riskFlags, blindSpots };
  }

  async #checkOAuth(value: string): Promise<Credential | undefined> {
    const clientId = this.#config.oauthClientId!;
    try {
      const r = await this.#call(`checking an OAuth token of ${clientId}`, () => this.#oauth!.rest.apps.checkToken({ client_id: clientId, access_token: value }));
      const a = r.data;
      const id = credentialIds.oauthToken(a.id);
      return {
        provider: PROVIDER,
        kind: 'oauth_token',
        id,
        label: `OAuth token of ${a.user?.login ?? 'unknown user'} for ${a.app.name}${a.note ? ` (${a.note})` : ''} …${a.token_last_eight ?? ''}`,
        principal: this.#user(a.user?.login ?? 'unknown'),
        scopes: a.scopes ?? [],
        clientId,
        createdAt: a.created_at,
        consumers: this.#consumers(id),
        fingerprint: fingerprintOf(value),
        selfOrLastAdmin: false,
      };
    } catch (err) {
      const e = classifyGitHubError(err, `checking an OAuth token of ${clientId}`);
      // "Invalid tokens will return 404 NOT FOUND" (apps/check-token).
      if (e.kind === 'not_found') return undefined;
      throw e;
    }
  }

  /**
   * Hygiene sweeps (issue 7): every SAML-authorized token and classic PAT, fine-grained PAT grant
   * and app installation of the org, and the deploy keys of the repositories the consumer inventory
   * names (the emulated API subset has no repository listing, so no other repository is walked).
   */
  async inventory(): Promise<InventoryResult> {
    const org = this.#config.org;
    const [saml, pats, installations] = await Promise.all([
      this.#samlAuthorizations(),
      this.#patGrants(),
      this.#call(`listing app installations of ${org}`, () => this.#installation.paginate('GET /orgs/{org}/installations', { org, per_page: 100 })) as Promise<Array<{ id: number }>>,
    ]);
    const apps = await Promise.all(installations.map((i) => this.#installationCredential(i.id)));
    const repos = new Set<string>();
    for (const id of Object.keys(this.#config.consumers)) {
      const parsed = parseCredentialId(id);
      if (parsed?.type === 'deploy_key' && parsed.owner && parsed.repo) repos.add(`${parsed.owner}/${parsed.repo}`);
    }
    const keys = await Promise.all(
      [...repos].map(async (full) => {
        const [owner, repo] = full.split('/') as [string, string];
        try {
          return await this.#deployKeys(owner, repo);
        } catch (err) {
          if (err instanceof ConnectorError && err.kind === 'not_found') return [];
          throw err;
        }
      }),
    );
    const credentials = [...saml.map((a) => this.#fromSaml(a)), ...pats, ...apps.filter((c): c is Credential => c !== undefined), ...keys.flat()];
    const principals = new Map<string, InventoryPrincipal>();
    for (const c of credentials) principals.set(c.principal.id, c.principal);
    return {
      provider: PROVIDER,
      takenAt: new Date().toISOString(),
      credentials,
      principals: [...principals.values()],
      blindSpots: [
        ...GITHUB_BLIND_SPOTS,
        `deploy keys were listed only for the ${repos.size} repositories named in CORDON_GITHUB_CONSUMERS`,
        'OAuth tokens of members who did not authorize them for SAML SSO are not listed',
      ],
    };
  }

  async listActive(principal: Principal): Promise<Credential[]> {
    const repo = /^repo:([^/]+)\/(.+)$/.exec(principal.id);
    if (repo) return this.#deployKeys(repo[1]!, repo[2]!);
    const app = /^app:(.+)$/.exec(principal.id);
    if (app) {
      const org = this.#config.org;
      const all = (await this.#call(`listing app installations of ${org}`, () =>
        this.#installation.paginate('GET /orgs/{org}/installations', { org, per_page: 100 }),
      )) as Array<{ id: number; app_slug: string }>;
      const mine = all.filter((i) => i.app_slug === app[1]);
      const creds = await Promise.all(mine.map((i) => this.#installationCredential(i.id)));
      // A suspended installation's tokens are refused and it mints none: not active (blockApp).
      return creds.filter((c): c is Credential => c !== undefined && c.principal.status !== 'suspended');
    }
    const [grants, saml] = await Promise.all([this.#patGrants({ owner: [principal.id] }), this.#samlAuthorizations(principal.id)]);
    return [...grants, ...saml.map((a) => this.#fromSaml(a))];
  }

  /**
   * Revoke one credential. OAuth and installation tokens need the leaked value: from the context
   * when the responder gave it, else the one identify/probe saw in this process.
   */
  async revoke(credential: Credential, context: RevokeContext = {}): Promise<WriteResult> {
    const parsed = parseCredentialId(credential.id);
    if (!parsed) throw new ConnectorError('invalid', PROVIDER, `github: ${credential.id} is not a GitHub credential id Cordon issued`);
    const value = context.leakedValue ?? this.#leaked.get(credential.id)?.reveal();
    const org = this.#config.org;
    switch (parsed.type) {
      case 'oauth_token': {
        const clientId = credential.clientId ?? this.#config.oauthClientId;
        if (value && this.#oauth && clientId === this.#config.oauthClientId) {
          return this.#idempotent(`revoking ${credential.id}`, (r) => r, () =>
            this.#oauth!.rest.apps.deleteToken({ client_id: clientId!, access_token: value }),
          );
        }
        // Without the value (or the app's secret) only the org's SAML authorization can go.
        const saml = (await this.#samlAuthorizations(credential.principal.id)).find((a) => a.authorized_credential_id === parsed.num && a.credential_type === 'OAuth app token');
        if (!saml) {
          throw new ConnectorError('invalid', PROVIDER, `github: revoking ${credential.id} needs the token value and the OAuth app's client secret (or a SAML authorization to remove); none is available`);
        }
        const r = await this.#removeSaml(saml.credential_id, credential.id);
        return { ...r, detail: 'SAML authorization removed: the token is de-authorized for this org only' };
      }
      case 'app_installation_token': {
        if (!value) {
          throw new ConnectorError('invalid', PROVIDER, `github: ${credential.id}: installation tokens are revoked only with their own value (DELETE /installation/token); none was given`);
        }
        let refused: ConnectorError;
        try {
          const r = await this.#byValue(value).rest.apps.revokeInstallationAccessToken();
          return { outcome: 'done', ...requestIdOf(r.headers) };
        } catch (err) {
          refused = classifyGitHubError(err, `revoking ${credential.id}`);
          if (refused.kind !== 'auth') throw refused;
        }
        // The token authenticates its own revocation, so a dead one answers 401 (GitHub REST API docs); so does a
        // transient refusal. Only a confirming 401 with the same value makes it `already_done`.
        const check = await this.#authenticates(value, `confirming that ${credential.id} is dead`);
        if ('dead' in check) {
          const requestId = check.dead.options.requestId ?? refused.options.requestId;
          return { outcome: 'already_done', ...(requestId ? { requestId } : {}), detail: 'GitHub says the token no longer authenticates' };
        }
        throw new ConnectorError('unavailable', PROVIDER, `github: revoking ${credential.id}: GitHub refused the revoke (401) but the token still authenticates; will retry`, refused.options);
      }
      case 'pat_fine_grained':
        return this.#idempotent(`revoking org access of ${credential.id}`, (r) => ({ ...r, detail: 'org access revoked; the token itself is not deleted' }), () =>
          this.#installation.rest.orgs.updatePatAccess({ org, pat_id: parsed.num, action: 'revoke' }),
        );
      case 'pat_classic': {
        const r = await this.#removeSaml(parsed.num, credential.id);
        return { ...r, detail: 'SAML authorization removed: the PAT is de-authorized for this org only' };
      }
      case 'deploy_key':
        return this.#idempotent(`deleting ${credential.id}`, (r) => r, () =>
          this.#installation.rest.repos.deleteDeployKey({ owner: parsed.owner!, repo: parsed.repo!, key_id: parsed.num }),
        );
    }
  }

  /**
   * Kill leaked values everywhere through GitHub's credential revocation (POST /credentials/revoke):
   * unauthenticated, at most 1,000 values a request, 202 `{}` whatever the values were (asynchronous, no
   * per-token answer; GitHub notifies the owners, and a revoked value cannot be reactivated). Every value
   * is checked before anything is sent. The org-side cut-off stays in revoke(), which the caller runs
   * first; the caller also paces these calls (documented limit: 60 unauthenticated requests an hour).
   * No 401 refresh here: no credential of Cordon's is involved.
   */
  async revokeByValue(items: readonly { credential: Credential; leakedValue: string }[]): Promise<WriteResult> {
    const values: string[] = [];
    for (const [i, { credential, leakedValue }] of items.entries()) {
      const which = credential?.id ?? `item ${i}`;
      if (credential?.provider !== PROVIDER) {
        throw new ConnectorError('invalid', PROVIDER, `github: revokeByValue takes only GitHub credentials; ${which} is a ${credential?.provider ?? 'missing'} credential`);
      }
      if (typeof leakedValue !== 'string' || !REVOCABLE_BY_VALUE.test(leakedValue)) {
        const hint = typeof leakedValue === 'string' && leakedValue.startsWith('ghs_')
          ? ' (installation tokens are revoked with their own value through DELETE /installation/token)'
          : '';
        throw new ConnectorError(
          'invalid',
          PROVIDER,
          `github: ${which}: GitHub's credential revocation accepts only ${REVOCABLE_RULE}; the leaked value given does not match, so nothing was sent${hint}`,
        );
      }
      values.push(leakedValue);
    }
    const unique = [...new Set(values)];
    if (!unique.length) return { outcome: 'already_done', detail: 'no credential values to report' };
    const batches = Math.ceil(unique.length / CREDENTIAL_REVOKE_BATCH);
    let requestId: string | undefined;
    for (let b = 0; b < batches; b++) {
      const batch = unique.slice(b * CREDENTIAL_REVOKE_BATCH, (b + 1) * CREDENTIAL_REVOKE_BATCH);
      const what = `reporting ${batch.length} credential(s) to GitHub's credential revocation${batches > 1 ? ` (request ${b + 1} of ${batches})` : ''}`;
      try {
        const r = await this.#anonymous.rest.credentials.revoke({ credentials: batch });
        requestId = requestIdOf(r.headers).requestId ?? requestId;
      } catch (err) {
        // 403/429 with rate-limit headers → rate_limited with the reset; the error never carries the body.
        throw classifyGitHubError(err, what);
      }
    }
    return {
      outcome: 'done',
      ...(requestId ? { requestId } : {}),
      detail: `reported ${unique.length} credential(s) to GitHub's credential revocation; GitHub revokes them asynchronously and notifies their owners`,
    };
  }

  async #removeSaml(credentialId: number, label: string): Promise<WriteResult> {
    const org = this.#config.org;
    return this.#idempotent(`removing the SAML authorization of ${label}`, (r) => r, () =>
      this.#installation.request('DELETE /orgs/{org}/credential-authorizations/{credential_id}', { org, credential_id: credentialId }),
    );
  }

  /**
   * A delete whose "already gone" answer is success (I4): 404 (GitHub REST API docs), and the undocumented but
   * plausible 410 and 422 "not found" (alreadyGone). A 401 still goes through #call's one refresh.
   */
  async #idempotent(what: string, shape: (r: WriteResult) => WriteResult, fn: () => Promise<{ headers: Record<string, unknown> }>): Promise<WriteResult> {
    const r = await this.#call(what, async () => {
      try {
        return { done: await fn() };
      } catch (err) {
        const gone = alreadyGone(err);
        if (gone) return { gone };
        throw err;
      }
    });
    if ('gone' in r) return { outcome: 'already_done', ...r.gone };
    return shape({ outcome: 'done', ...requestIdOf(r.done.headers) });
  }

  whyNoReplacement(credential: Credential): string | undefined {
    const parsed = parseCredentialId(credential.id);
    switch (parsed?.type) {
      case 'oauth_token':
        return `${credential.id}: GitHub mints OAuth tokens only through the user's authorization flow; the consumer must re-authorize`;
      case 'pat_fine_grained':
      case 'pat_classic':
        return `${credential.id}: GitHub has no API to create personal access tokens; its owner must create one`;
      case 'app_installation_token':
        return parsed.num === this.#config.installationId ? undefined : `${credential.id}: minting tokens for installation ${parsed.num} needs its app's private key, which Cordon does not hold`;
      default:
        return undefined;
    }
  }

  async replace(credential: Credential, consumer: Consumer, idempotencyKey: string, sink: CredentialSink, options: ReplaceOptions = {}): Promise<ReplacementIssued> {
    const parsed = parseCredentialId(credential.id);
    const delivered = await sink.lookup(idempotencyKey);
    if (delivered) {
      // An earlier attempt's delivery was kept, and that attempt may have died before ending the other mints under
      // its tag (connectors/replacement-attempts.ts): they go now. None can exist on the run's first claim.
      const orphans = parsed?.type === 'deploy_key' && !options.firstClaim ? await this.#endDeployKeyOrphans(parsed, idempotencyKey, delivered.replacementId) : [];
      return { replacementId: delivered.replacementId, fingerprint: delivered.fingerprint, sink: delivered.location, ...(orphans.length ? { note: orphansDeleted(orphans) } : {}) };
    }
    const refused = this.whyNoReplacement(credential);
    if (refused) throw unsupported(PROVIDER, 'replace', refused);
    switch (parsed?.type) {
      case 'deploy_key':
        return this.#replaceDeployKey(parsed, credential, consumer, idempotencyKey, sink, options);
      case 'app_installation_token':
        return this.#replaceInstallationToken(parsed.num, credential, consumer, idempotencyKey, sink);
      default:
        throw new ConnectorError('invalid', PROVIDER, `github: ${credential.id} is not a GitHub credential id Cordon issued`);
    }
  }

  async #replaceDeployKey(parsed: ParsedGitHubCredentialId, credential: Credential, consumer: Consumer, idempotencyKey: string, sink: CredentialSink, options: ReplaceOptions): Promise<ReplacementIssued> {
    const owner = parsed.owner!;
    const repo = parsed.repo!;
    const tag = deployKeyTag(idempotencyKey);
    const readOnly = !credential.scopes.includes('contents:write');
    const pair = generateDeployKeyPair(`cordon-${consumer.id}`);
    const created = await this.#call(`adding a replacement deploy key to ${owner}/${repo}`, () =>
      this.#installation.rest.repos.createDeployKey({ owner, repo, key: pair.publicKey, title: `${consumer.name || consumer.id} [${tag}]`, read_only: readOnly }),
    );
    const replacementId = credentialIds.deployKey(owner, repo, created.data.id);
    // Another attempt's delivery kept instead: its key is the consumer's, this one goes (connectors/replacement-attempts.ts).
    const { kept: out, lost } = await deliverOrEndOwn(sink, { idempotencyKey, replacementId, consumer, target: consumer.sink, value: new Secret(pair.privateKey) }, () =>
      this.#deleteDeployKey(owner, repo, created.data.id, 'another attempt delivered first'),
    );
    if (lost) return lost;
    // Delivered: keys earlier attempts minted under this tag are held by nobody now. None on the run's first claim.
    const orphans = options.firstClaim ? [] : await this.#endDeployKeyOrphans(parsed, idempotencyKey, replacementId);
    return { replacementId, fingerprint: fingerprintOf(pair.privateKey), sink: out.location, ...requestIdOf(created.headers), ...(orphans.length ? { note: orphansDeleted(orphans) } : {}) };
  }

  #deleteDeployKey(owner: string, repo: string, id: number, why: string): Promise<WriteResult> {
    return this.#idempotent(`deleting replacement ${id} (${why})`, (r) => r, () => this.#installation.rest.repos.deleteDeployKey({ owner, repo, key_id: id }));
  }

  /** Deletes the deploy keys minted under this replacement's tag except `kept` (the delivery the sink kept); their ids. */
  async #endDeployKeyOrphans(parsed: ParsedGitHubCredentialId, idempotencyKey: string, kept: string): Promise<string[]> {
    const owner = parsed.owner!;
    const repo = parsed.repo!;
    const tag = deployKeyTag(idempotencyKey);
    const orphans = (await this.#listDeployKeys(owner, repo)).filter((k) => k.title.includes(tag) && credentialIds.deployKey(owner, repo, k.id) !== kept);
    for (const k of orphans) await this.#deleteDeployKey(owner, repo, k.id, 'minted by an earlier attempt, never delivered');
    return orphans.map((k) => credentialIds.deployKey(owner, repo, k.id));
  }

  /**
   * An installation token carries no label, is not listable, and is revoked only with its own value
   * (DELETE /installation/token; POST /credentials/revoke refuses ghs_ tokens): one an interrupted attempt
   * minted and never delivered cannot be found or ended. It expires one hour after its mint (GitHub REST docs:
   * create an installation access token), so the activity notes each mint first and reports the possible orphan.
   */
  unlabelledMint(credential: Credential): UnlabelledMint | undefined {
    const parsed = parseCredentialId(credential.id);
    if (parsed?.type !== 'app_installation_token') return undefined;
    return {
      what: `installation token of installation ${parsed.num}`,
      whyNotEnded: 'GitHub revokes an installation token only with its own value, which died with that attempt',
      lifetimeMs: INSTALLATION_TOKEN_LIFETIME_MS,
    };
  }

  async #replaceInstallationToken(installationId: number, credential: Credential, consumer: Consumer, idempotencyKey: string, sink: CredentialSink): Promise<ReplacementIssued> {
    // Installation tokens carry no label: the sink lookup above is the idempotency record, and the activity
    // noted this mint in the replacement registry first (see unlabelledMint).
    const r = await this.#call(`minting an installation token for ${installationId}`, () =>
      this.#app.rest.apps.createInstallationAccessToken({ installation_id: installationId }),
    );
    const replacementId = `app_installation_token:${installationId}:${randomUUID()}`;
    const out = await sink.deliver({ idempotencyKey, replacementId, consumer, target: consumer.sink, value: new Secret(r.data.token) });
    return { replacementId: out.replacementId, fingerprint: fingerprintOf(r.data.token), sink: out.location, ...requestIdOf(r.headers) };
  }

  /**
   * What re-authenticating a principal ends (I8): every credential listActive shows for it except Cordon's
   * own — a repository's deploy keys, a member's fine-grained PAT grants and SAML-authorized tokens.
   */
  async reauthScope(principal: Principal): Promise<ReauthScope> {
    this.#refuseApp(principal);
    const credentials = (await this.listActive(principal)).filter((c) => !c.selfOrLastAdmin);
    return { credentials, effects: [] };
  }

  /** Revokes or de-authorizes exactly the credentials in `end` (I8); one already gone counts as ended. */
  async forceReauth(principal: Principal, end: readonly Credential[]): Promise<WriteResult> {
    this.#refuseApp(principal);
    for (const c of end) {
      if (c.selfOrLastAdmin) throw new ConnectorError('conflict', PROVIDER, `github: ${c.id} is Cordon's own connector credential; it is never ended (design.md I6)`);
      if (c.provider !== PROVIDER || c.principal.id !== principal.id || !parseCredentialId(c.id)) {
        throw new ConnectorError('invalid', PROVIDER, `github: forceReauth of ${principal.id} ends only that principal's GitHub credentials; ${c.id} is not one`);
      }
    }
    let saml: SamlAuthorization[] | undefined;
    let revoked = 0;
    let requestId: string | undefined;
    for (const c of end) {
      const parsed = parseCredentialId(c.id)!;
      let r: WriteResult;
      if (parsed.type === 'oauth_token' && !this.#leaked.has(c.id)) {
        // Listed through its SAML authorization: removing it de-authorizes the token for this org; gone is ended.
        saml ??= await this.#samlAuthorizations(principal.id);
        const a = saml.find((x) => x.authorized_credential_id === parsed.num && x.credential_type === 'OAuth app token');
        r = a ? await this.#removeSaml(a.credential_id, c.id) : { outcome: 'already_done' };
      } else {
        r = await this.revoke(c);
      }
      if (r.outcome === 'done') revoked += 1;
      requestId = r.requestId ?? requestId;
    }
    return {
      outcome: revoked ? 'done' : 'already_done',
      ...(requestId ? { requestId } : {}),
      detail: `${revoked} of the ${end.length} listed credentials of ${principal.id} revoked or de-authorized (${end.length - revoked} already gone); nothing else touched`,
    };
  }

  #refuseApp(principal: Principal): void {
    if (principal.id.startsWith('app:')) {
      throw unsupported(PROVIDER, 'forceReauth', `${principal.id}: an app's tokens expire within the hour; revoking them needs each token's value`);
    }
  }

  /**
   * Without its value, a personal access token or a user's OAuth token can only lose its access to the org
   * (SAML credential authorization / fine-grained PAT org access): it still authenticates for its owner.
   */
  cutOffOnly(credential: Credential): string | undefined {
    const owner = `${credential.principal.displayName} (${credential.principal.id})`;
    if (credential.kind === 'pat') {
      return `${credential.label} no longer reaches org ${this.#config.org}, but the token itself lives: its owner ${owner} must delete it (GitHub → Settings → Developer settings → Personal access tokens), or whoever holds the leaked value can give it to Cordon (cordon contain --leaked-value-stdin) to revoke it through GitHub's credential revocation`;
    }
    if (credential.kind === 'oauth_token' || credential.kind === 'refresh_token') {
      return `${credential.label} no longer reaches org ${this.#config.org}, but the token itself lives: its owner ${owner} must revoke the app (GitHub → Settings → Applications), or the leaked value can be given to Cordon to revoke it everywhere`;
    }
    return undefined;
  }

  async probe(credential: Credential, leakedValue: string): Promise<ProbeResult> {
    this.#remember(credential.id, leakedValue);
    if (credential.kind === 'deploy_key') return 'unknown'; // SSH keys cannot be tried over REST
    if (credential.kind === 'oauth_token' && this.#oauth && (credential.clientId ?? this.#config.oauthClientId) === this.#config.oauthClientId) {
      return (await this.#checkOAuth(leakedValue)) ? 'alive' : 'dead';
    }
    // GET /rate_limit: 401 Bad credentials (twice) is GitHub's own answer for a dead value.
    try {
      return 'dead' in (await this.#authenticates(leakedValue, `probing ${credential.id}`)) ? 'dead' : 'alive';
    } catch (err) {
      const e = classifyGitHubError(err, `probing ${credential.id}`);
      if (e.retryable) throw e;
      return 'unknown';
    }
  }

  async readTokenUse(cursor: AuditCursor | undefined, options: ReadTokenUseOptions = {}): Promise<TokenUseBatch> {
    const stream = githubAuditStream({ client: this.#installation, org: this.#config.org, call: (what, fn) => this.#call(what, fn) });
    return readStreams(PROVIDER, [stream], cursor, { ...options, defaultOverlapMs: GITHUB_AUDIT_OVERLAP_MS });
  }

  async audit(principal: Principal, sinceIso: string): Promise<AuditEvent[]> {
    const org = this.#config.org;
    const actor = principal.id.startsWith('app:') ? `${principal.id.slice(4)}[bot]` : principal.id.startsWith('repo:') ? undefined : principal.id;
    const phrase = [actor ? `actor:${actor}` : `repo:${principal.id.slice(5)}`, `created:>=${sinceIso.slice(0, 19)}`].join(' ');
    const events = await this.#call(`reading the audit log of ${org}`, async () => {
      const read: AuditLogEntry[] = [];
      let pages = 0;
      for await (const page of this.#installation.paginate.iterator('GET /orgs/{org}/audit-log', { org, include: 'all', per_page: 100, phrase })) {
        read.push(...(page.data as AuditLogEntry[]));
        if (++pages >= AUDIT_MAX_PAGES) break;
      }
      return read;
    });
    return events.map((e) => ({
      at: new Date(e['@timestamp'] ?? 0).toISOString(),
      actor: e.actor ?? 'unknown',
      action: e.action ?? 'unknown',
      ...(e.token_id !== undefined ? { credentialId: String(e.token_id) } : {}),
      detail: [e.repo, e.user, e.actor_location?.country_name].filter(Boolean).join(' '),
    }));
  }

  /**
   * For an OAuth token of the configured OAuth app: DELETE /applications/{client_id}/grant with one of the
   * grant's token values deletes every token the app holds for that user (apps/delete-authorization). GitHub
   * reaches the grant only through a live token value, so without one (or for any other kind) it is unsupported.
   */
  async revokeAllForClient(credential: Credential): Promise<WriteResult> {
    const parsed = parseCredentialId(credential.id);
    if (parsed?.type !== 'oauth_token') {
      throw unsupported(PROVIDER, 'revokeAllForClient', `${credential.id}: GitHub revokes all of an app's tokens for a user only for OAuth apps (DELETE /applications/{client_id}/grant); this is not an OAuth token`);
    }
    const clientId = credential.clientId ?? this.#config.oauthClientId;
    if (!this.#oauth || !clientId || clientId !== this.#config.oauthClientId) {
      throw unsupported(PROVIDER, 'revokeAllForClient', `${credential.id}: deleting the grant needs the client id and secret of OAuth app ${clientId ?? '(unknown)'}; Cordon holds only those of ${this.#config.oauthClientId ?? 'no OAuth app'} (CORDON_GITHUB_OAUTH_CLIENT_ID / _SECRET)`);
    }
    const value = this.#leaked.get(credential.id)?.reveal();
    if (!value) {
      throw unsupported(PROVIDER, 'revokeAllForClient', `${credential.id}: GitHub deletes a grant only through one of its token values, and this worker does not hold the leaked value (give it to identify, e.g. cordon contain --leaked-value-stdin)`);
    }
    const what = `deleting the grant of OAuth app ${clientId} for ${credential.principal.id}`;
    const r = await this.#call(what, async () => {
      try {
        return { done: await this.#oauth!.rest.apps.deleteAuthorization({ client_id: clientId, access_token: value }) };
      } catch (err) {
        if (alreadyGone(err)) return { gone: true as const };
        throw err;
      }
    });
    if ('gone' in r) {
      // The value no longer authenticates: whether the grant went with it or other tokens of it live, GitHub cannot be asked through it.
      throw unsupported(PROVIDER, 'revokeAllForClient', `${credential.id}: the known token value no longer authenticates, and GitHub reaches a grant only through a live token of it; ${credential.principal.id} must revoke ${clientId} (Settings → Applications) if other tokens remain`);
    }
    return {
      outcome: 'done',
      ...requestIdOf(r.done.headers),
      detail: `grant of OAuth app ${clientId} for ${credential.principal.id} deleted: every token the app held for this user is revoked; the user must authorize the app again`,
    };
  }

  /**
   * For an installation token: suspend its installation (PUT /app/installations/{id}/suspended), which only
   * the installation's own app can do, with its JWT. Possible when the org owns the app and its key is in
   * CORDON_GITHUB_APP_KEYS; never for Cordon's own installation (I6). A suspended installation's tokens are
   * refused and it mints no new ones until the app unsuspends it.
   */
  async blockApp(credential: Credential): Promise<WriteResult> {
    const parsed = parseCredentialId(credential.id);
    if (parsed?.type !== 'app_installation_token') {
      throw unsupported(PROVIDER, 'blockApp', `${credential.id}: an org cannot block an app by API; only a GitHub App's installation can be suspended, by the app itself`);
    }
    if (parsed.num === this.#config.installationId || credential.selfOrLastAdmin) {
      throw new ConnectorError('conflict', PROVIDER, `github: ${credential.id} is Cordon's own installation; suspending it would lock Cordon out (design.md I6)`);
    }
    const org = this.#config.org;
    const all = (await this.#call(`listing app installations of ${org}`, () =>
      this.#installation.paginate('GET /orgs/{org}/installations', { org, per_page: 100 }),
    )) as Array<{ id: number; app_id: number; app_slug: string; suspended_at: string | null }>;
    const installation = all.find((i) => i.id === parsed.num);
    if (!installation) return { outcome: 'already_done', detail: `installation ${parsed.num} is no longer in ${org}: its tokens died with it` };
    if (installation.suspended_at) return { outcome: 'already_done', detail: `installation ${parsed.num} of app ${installation.app_slug} was already suspended (${installation.suspended_at})` };
    const key = this.#config.appKeys[String(installation.app_id)];
    if (!key) {
      throw unsupported(PROVIDER, 'blockApp', `${credential.id}: only app ${installation.app_slug} (id ${installation.app_id}) itself, with its JWT, can suspend installation ${parsed.num} by API; Cordon holds no key for it (CORDON_GITHUB_APP_KEYS, for apps the org owns). An org owner can suspend it in the web UI (Settings → GitHub Apps → Configure → Suspend)`);
    }
    const asApp = createClient(this.#config, () => `bearer ${signAppJwt(installation.app_id, key)}`);
    const what = `suspending installation ${parsed.num} of app ${installation.app_slug}`;
    try {
      const r = await asApp.rest.apps.suspendInstallation({ installation_id: parsed.num });
      return {
        outcome: 'done',
        ...requestIdOf(r.headers),
        detail: `installation ${parsed.num} of app ${installation.app_slug} suspended: its tokens are refused and it mints none until the app unsuspends it (DELETE /app/installations/${parsed.num}/suspended)`,
      };
    } catch (err) {
      const gone = alreadyGone(err);
      if (gone && (err as { status?: number }).status !== 422) return { outcome: 'already_done', ...gone, detail: `installation ${parsed.num} no longer exists` };
      const e = classifyGitHubError(err, what);
      if (e.kind === 'auth') {
        throw new ConnectorError('auth', PROVIDER, `${e.message} (the key for app ${installation.app_id} in CORDON_GITHUB_APP_KEYS was refused: is it one of the app's current keys?)`, e.options);
      }
      throw e;
    }
  }

}

function repoPrincipal(owner: string, repo: string): Principal {
  return { id: `repo:${owner}/${repo}`, displayName: `deploy keys of ${owner}/${repo}`, type: 'service_account', status: 'active' };
}

function requestIdOf(headers: Record<string, unknown>): { requestId?: string } {
  const id = headers['x-github-request-id'];
  return typeof id === 'string' ? { requestId: id } : {};
}

/** The GitHub connector for a parsed (or raw) configuration. */
export function createGitHubConnector(config: GitHubConnectorConfig | Record<string, unknown>): GitHubConnector {
  return new GitHubConnector(GitHubConnectorConfigSchema.parse(config));
}

/** A replacement deploy key's provider-side label, in its title: a hash of the idempotency key, so a later attempt finds what an earlier one minted. */
function deployKeyTag(idempotencyKey: string): string {
  return `cordon:${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 16)}`;
}
