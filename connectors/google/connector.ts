// The Google connector: Workspace Admin SDK (Directory, Reports) and Cloud IAM on the official
// googleapis SDK, authenticated as Cordon's service account with domain-wide delegation
// (Google Admin SDK and Cloud IAM docs). Credential kinds: oauth_grant (a user's grant to one OAuth client), api_key (an
// application-specific password), session (a user's web/device sessions) and
// service_account_key. SDK-internal retries are off: the activity retry policy waits, using
// the retryAfterMs that classifyGoogleError reads from Google's answer.
import { directoryApi, iamApi, policyAnalyzerApi, reportsApi, type admin_directory_v1, type admin_reports_v1, type iam_v1, type policyanalyzer_v1 } from './apis.ts';
import type { Consumer, Credential, CredentialKind, CredentialRef, Principal, ScopeReport } from '../../schemas/credential.ts';
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
  type CredentialLastUse,
  type ProbeResult,
  type ReauthScope,
  type ReplacementIssued,
  type Restriction,
  type RestrictionUndo,
  type WriteResult,
  type ReplaceOptions,
} from '../types.ts';
import { accessTokenClient, CLOUD_SCOPES, cordonClients, forgetAccessToken, refreshTokenClient, serviceAccountJwt } from './auth.ts';
import type { GoogleConnectorConfig } from './config.ts';
import { classifyGoogleError, goneShape } from './errors.ts';
import type { InventoryPrincipal, InventoryResult } from '../inventory.ts';
import { credentialIds, parseCredentialId, type ParsedCredentialId } from './ids.ts';
import { mapLimit } from '../bounded-map.ts';
import { certificateLabel, generateUploadableKey, replacementLabel, warmKeyPairs } from './uploaded-key.ts';
import { InFlightReads } from '../in-flight-reads.ts';
import type { AuditCursor } from '../../schemas/audit-cursor.ts';
import { readStreams, type ReadTokenUseOptions, type TokenUseBatch } from '../audit-stream.ts';
import { GOOGLE_AUDIT_APPLICATIONS, GOOGLE_AUDIT_OVERLAP_MS, googleAuditStream } from './audit-reader.ts';
import { deliverOrEndOwn, orphansDeleted } from '../replacement-attempts.ts';

export { GoogleConnectorConfig, type GoogleConnectorConfigInput } from './config.ts';

const GRANT_KINDS: readonly CredentialKind[] = ['oauth_grant', 'oauth_token', 'refresh_token'];
/** Parallel Directory calls when a ref forces a walk over every user (Google has no reverse lookup). */
const USER_WALK_CONCURRENCY = 8;
/** Service accounts whose keys a bare key id's search lists at once. */
const KEY_SEARCH_CONCURRENCY = 8;
/** Parallel deletes when re-authentication ends many keys or app passwords of one principal. */
const REAUTH_CONCURRENCY = 8;

/** Why the operations Google's connector leaves out are missing. */
export const GOOGLE_CANNOT: Partial<Record<Capability, string>> = {
  blockApp: "the Admin console's app access control (API controls) has no public API: an app cannot be blocked from here",
  revokeByValue: 'not implemented: revoke ends the credentials this connector identifies through the tenant’s admin API',
};

export const GOOGLE_BLIND_SPOTS = [
  'Directory tokens have no id, issue time or last-use time; both come from the Reports token log, which lags by minutes to hours',
  'a leaked OAuth token value cannot be looked up: give the client id (and user)',
  'web and device sessions cannot be listed; users.signOut ends them all without saying how many there were',
  'service-account keys have no last-use time in IAM: it is read from Policy Analyzer, which Google updates about once a day',
  'domain-wide delegation grants are not readable by API (Admin console only)',
  'consumers come from Cordon\'s inventory (CORDON_GOOGLE_INVENTORY_JSON): Google does not know who holds a credential',
  'Cloud Audit Logs are not read: audit covers Workspace token events only',
] as const;

type Directory = admin_directory_v1.Admin;
type Reports = admin_reports_v1.Admin;
type Iam = iam_v1.Iam;

/** A service account as a principal (serviceAccounts.get and .list answer the same fields). */
function toAccountPrincipal(account: iam_v1.Schema$ServiceAccount, email: string): Principal {
  return { id: account.email ?? email, displayName: account.displayName || email, type: 'service_account', status: account.disabled ? 'suspended' : 'active' };
}

/** `config` comes from GoogleConnectorConfig.fromEnv(env) or GoogleConnectorConfig.parse(input). */
export function createGoogleConnector(config: GoogleConnectorConfig): GoogleConnector {
  return new GoogleConnector(config);
}

export class GoogleConnector implements Connector {
  readonly provider = 'google' as const;
  readonly cannot = GOOGLE_CANNOT;
  readonly blindSpots: readonly string[] = GOOGLE_BLIND_SPOTS;
  readonly #config: GoogleConnectorConfig;
  /** Keys this connector disabled as a restriction: a retried restrict still hands back its undo. */
  readonly #disabledKeys = new Set<string>();
  readonly #directory: Directory;
  readonly #reports: Reports;
  readonly #iam: Iam;
  readonly #policyAnalyzer: policyanalyzer_v1.Policyanalyzer;
  readonly #apiOptions: { retry: false; timeout: number; rootUrl?: string };
  /** Cordon's own JWT clients (admin impersonation, cloud), kept to drop their cached tokens on a 401. */
  readonly #ownAuth: ReturnType<typeof cordonClients>;

  constructor(config: GoogleConnectorConfig) {
    this.#config = config;
    this.#ownAuth = cordonClients(config);
    const { admin, cloud } = this.#ownAuth;
    // `auth` is typed against googleapis' own copy of google-auth-library; the top-level JWT is
    // the same class at runtime (its transporter is what carries the token-URL redirect).
    const common = { retry: false as const, timeout: config.timeoutMs, ...(config.rootUrl ? { rootUrl: config.rootUrl } : {}) };
    this.#apiOptions = common;
    this.#directory = directoryApi({ auth: admin as never, ...common });
    this.#reports = reportsApi({ auth: admin as never, ...common });
    this.#iam = iamApi({ auth: cloud as never, ...common });
    this.#policyAnalyzer = policyAnalyzerApi({ auth: cloud as never, ...common });
  }

  /**
   * Every call made with Cordon's own credentials goes through here. An `auth` refusal (401, or the token
   * endpoint's invalid_grant) may be a token Google dropped early: the cached tokens are forgotten and the
   * call is made once more with fresh ones; a second refusal is final. Probes of leaked values never come
   * here (a 401 there means the value is dead). A ConnectorError thrown inside fn comes from a nested
   * #call that already refreshed once, so it is passed on as it is.
   */
  async #call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const classified = classifyGoogleError(err, what);
      if (classified.kind !== 'auth' || err instanceof ConnectorError) throw classified;
      forgetAccessToken(this.#ownAuth.admin);
      forgetAccessToken(this.#ownAuth.cloud);
    }
    try {
      return await fn();
    } catch (err) {
      const classified = classifyGoogleError(err, what);
      if (classified.kind !== 'auth' || err instanceof ConnectorError) throw classified;
      throw new ConnectorError(
        'auth',
        'google',
        `${classified.message}; still refused after Cordon fetched a fresh token for its own service account: check that the key in CORDON_GOOGLE_CREDENTIALS_JSON is neither disabled nor deleted, that its client id keeps its domain-wide delegation scopes, and that ${this.#config.subject} (CORDON_GOOGLE_SUBJECT) is an active admin`,
        { ...(classified.options.status ? { status: classified.options.status } : {}) },
      );
    }
  }

  /** Runs fn; a 404 answers `onMissing` instead of throwing. */
  async #orMissing<T, M>(what: string, fn: () => Promise<T>, onMissing: M): Promise<T | M> {
    try {
      return await this.#call(what, fn);
    } catch (err) {
      if (err instanceof ConnectorError && err.kind === 'not_found') return onMissing;
      throw err;
    }
  }

  /**
   * Deletes one app password; one already gone is `gone`. Google documents no answer for a repeat, so every
   * plausible "gone" shape counts (goneShape); an ambiguous 400 `invalid` counts only when asps.list confirms
   * the code is no longer there, otherwise it is the error it says.
   */
  async #deleteAsp(userKey: string, codeId: number): Promise<'done' | 'gone'> {
    const what = `asps.delete ${credentialIds.asp(userKey, codeId)}`;
    let ambiguous: unknown;
    const r = await this.#call(what, async () => {
      try {
        await this.#directory.asps.delete({ userKey, codeId });
        return 'done' as const;
      } catch (err) {
        const shape = goneShape(err);
        if (shape === 'gone') return 'gone' as const;
        if (shape === 'check') {
          ambiguous = err;
          return 'check' as const;
        }
        throw err;
      }
    });
    if (r !== 'check') return r;
    const listed = await this.#orMissing(`asps.list ${userKey}`, () => this.#directory.asps.list({ userKey }), undefined);
    if (!(listed?.data.items ?? []).some((a) => Number(a.codeId) === Number(codeId))) return 'gone';
    throw classifyGoogleError(ambiguous, what);
  }

  // ---- principals -------------------------------------------------------------------------

  async #userPrincipal(userKey: string): Promise<Principal> {
    return toUserPrincipal(await this.#userRecord(userKey));
  }

  async #userRecord(userKey: string): Promise<admin_directory_v1.Schema$User> {
    const user = await this.#call(`users.get ${userKey}`, () => this.#directory.users.get({ userKey }));
    return user.data;
  }

  /** Identification's account reads, shared while in flight (an owner's keys identified side by side read their account once). */
  readonly #identifyAccountReads = new InFlightReads<Principal>();

  /** The account as identification reads it: a read of the same account already in flight is joined (connectors/in-flight-reads.ts). */
  #identifiedAccount(email: string): Promise<Principal> {
    return this.#identifyAccountReads.read(email.toLowerCase(), () => this.#accountPrincipal(email));
  }

  async #accountPrincipal(email: string): Promise<Principal> {
    const account = await this.#call(`serviceAccounts.get ${email}`, () =>
      this.#iam.projects.serviceAccounts.get({ name: `projects/-/serviceAccounts/${email}` }),
    );
    return toAccountPrincipal(account.data, email);
  }

  async #allUserEmails(): Promise<string[]> {
    const emails: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.#call('users.list', () =>
        this.#directory.users.list({ customer: this.#config.customerId, maxResults: 500, ...(pageToken ? { pageToken } : {}) }),
      );
      for (const u of page.data.users ?? []) if (u.primaryEmail) emails.push(u.primaryEmail);
      pageToken = page.data.nextPageToken ?? undefined;
    } while (pageToken);
    return emails;
  }

  #consumers(id: string): Consumer[] {
    return this.#config.inventory[id] ?? [];
  }

  #isOwnKey(keyId: string): boolean {
    return keyId === this.#config.credentials.private_key_id;
  }

  // ---- grants (Directory tokens) ----------------------------------------------------------

  /** Last use and first authorisation of a grant, from the Reports token log (Admin SDK Reports API docs). */
  async #grantTimes(user: string, clientId: string): Promise<{ createdAt?: string; lastUsedAt?: string }> {
    const newest = async (eventName: string) => {
      const page = await this.#call(`activities.list ${user}`, () =>
        this.#reports.activities.list({ userKey: user, applicationName: 'token', eventName, filters: `client_id==${clientId}`, maxResults: 1000 }),
      );
      const items = page.data.items ?? [];
      return { newest: items[0]?.id?.time ?? undefined, oldest: items.at(-1)?.id?.time ?? undefined };
    };
    const [activity, authorize] = await Promise.all([newest('activity'), newest('authorize')]);
    return { ...(authorize.oldest ? { createdAt: authorize.oldest } : {}), ...(activity.newest ? { lastUsedAt: activity.newest } : {}) };
  }

  async #grantCredentials(principal: Principal, tokens: admin_directory_v1.Schema$Token[]): Promise<Credential[]> {
    return Promise.all(
      tokens.map(async (t) => {
        const id = credentialIds.grant(principal.id, t.clientId!);
        return {
          provider: 'google' as const,
          kind: 'oauth_grant' as const,
          id,
          label: `${t.displayText || t.clientId} grant of ${principal.id}`,
          principal,
          scopes: t.scopes ?? [],
          clientId: t.clientId!,
          ...(await this.#grantTimes(principal.id, t.clientId!)),
          consumers: this.#consumers(id),
          selfOrLastAdmin: t.clientId === this.#config.credentials.client_id,
        };
      }),
    );
  }

  async #grantsOf(user: string, clientId: string | undefined): Promise<Credential[]> {
    const tokens = await this.#orMissing(`tokens.list ${user}`, () => this.#directory.tokens.list({ userKey: user }), undefined);
    const matching = (tokens?.data.items ?? []).filter((t) => t.clientId && (!clientId || t.clientId === clientId));
    if (matching.length === 0) return [];
    return this.#grantCredentials(await this.#userPrincipal(user), matching);
  }

  async #aspsOf(user: string, principal?: Principal): Promise<Credential[]> {
    const asps = await this.#orMissing(`asps.list ${user}`, () => this.#directory.asps.list({ userKey: user }), undefined);
    const items = asps?.data.items ?? [];
    if (items.length === 0) return [];
    const owner = principal ?? (await this.#userPrincipal(user));
    return items.map((a) => {
      const id = credentialIds.asp(owner.id, a.codeId!);
      const lastUsed = Number(a.lastTimeUsed ?? 0);
      return {
        provider: 'google' as const,
        kind: 'api_key' as const,
        id,
        label: `app password "${a.name}" of ${owner.id}`,
        principal: owner,
        scopes: ['https://mail.google.com/'],
        createdAt: new Date(Number(a.creationTime)).toISOString(),
        ...(lastUsed > 0 ? { lastUsedAt: new Date(lastUsed).toISOString() } : {}),
        consumers: this.#consumers(id),
        selfOrLastAdmin: false,
      };
    });
  }

  // ---- service-account keys ---------------------------------------------------------------

  /**
   * When each service-account key last authenticated: Policy Analyzer's serviceAccountKeyLastAuthentication
   * activities, one query per project (Policy Intelligence docs: "View recent usage for service accounts and
   * keys"; role roles/policyanalyzer.activityAnalysisViewer). Other kinds have no per-credential record here.
   */
  async lastUse(credentialIds: readonly string[]): Promise<CredentialLastUse[]> {
    const source = 'Policy Analyzer serviceAccountKeyLastAuthentication';
    const byProject = new Map<string, string[]>();
    for (const id of credentialIds) {
      const m = /^projects\/([^/]+)\/serviceAccounts\/[^/]+\/keys\/([^/]+)$/.exec(id);
      if (!m || m[1] === '-') throw new ConnectorError('invalid', 'google', `google: ${id} is not a service-account key name with its project (projects/<project>/serviceAccounts/<email>/keys/<id>); only keys have a last-use record`);
      byProject.set(m[1]!, [...(byProject.get(m[1]!) ?? []), id]);
    }
    const out: CredentialLastUse[] = [];
    for (const [project, ids] of byProject) {
      const seen = new Map<string, string>();
      let pageToken: string | undefined;
      do {
        const page = await this.#call(`policyanalyzer activities.query ${project}`, () =>
          this.#policyAnalyzer.projects.locations.activityTypes.activities.query({
            parent: `projects/${project}/locations/global/activityTypes/serviceAccountKeyLastAuthentication`,
            pageSize: 1000,
            ...(pageToken ? { pageToken } : {}),
          }),
        );
        for (const a of page.data.activities ?? []) {
          // The full resource name names the account by email or unique id; the key id alone is unique.
          const keyId = /\/keys\/([^/]+)$/.exec(a.fullResourceName ?? '')?.[1];
          const at = (a.activity as { lastAuthenticatedTime?: unknown } | null | undefined)?.lastAuthenticatedTime;
          if (keyId && typeof at === 'string' && !Number.isNaN(Date.parse(at))) seen.set(keyId, at);
        }
        pageToken = page.data.nextPageToken ?? undefined;
      } while (pageToken);
      for (const id of ids) {
        const at = seen.get(id.slice(id.lastIndexOf('/') + 1));
        out.push({ credentialId: id, source, ...(at ? { lastUsedAt: new Date(Date.parse(at)).toISOString() } : {}) });
      }
    }
    return out;
  }

  #keyCredential(key: iam_v1.Schema$ServiceAccountKey, principal: Principal): Credential {
    const parsed = parseCredentialId(key.name!) as Extract<ParsedCredentialId, { type: 'key' }>;
    return {
      provider: 'google',
      kind: 'service_account_key',
      id: key.name!,
      label: `key ${parsed.keyId.slice(0, 8)}… of ${parsed.account}${key.disabled ? ' (disabled)' : ''}`,
      principal,
      scopes: [...CLOUD_SCOPES],
      ...(key.validAfterTime ? { createdAt: key.validAfterTime } : {}),
      consumers: this.#consumers(key.name!),
      selfOrLastAdmin: this.#isOwnKey(parsed.keyId),
    };
  }

  async #keysOf(accountEmail: string, principal?: Principal, options: { activeOnly?: boolean } = {}): Promise<Credential[]> {
    const listed = await this.#call(`keys.list ${accountEmail}`, () =>
      this.#iam.projects.serviceAccounts.keys.list({ name: `projects/-/serviceAccounts/${accountEmail}`, keyTypes: ['USER_MANAGED'] }),
    );
    // A disabled key cannot sign: it is not active, though it is listed until deleted.
    const keys = (listed.data.keys ?? []).filter((k) => !options.activeOnly || !k.disabled);
    if (keys.length === 0) return [];
    const owner = principal ?? (await this.#accountPrincipal(accountEmail));
    return keys.map((k) => this.#keyCredential(k, owner));
  }

  /**
   * Key resource names a ref points at: by name, by leaked key file, by key id (+ account). A bare key id is
   * found by listing the projects' accounts and their keys, whose answers already hold everything keys.get and
   * serviceAccounts.get would say (the key's state, the account's name and status): `listed` carries them, so
   * identify reads nothing more before the revoke.
   */
  async #keysFor(ref: CredentialRef, blindSpots: string[]): Promise<{ name: string; listed?: { key: iam_v1.Schema$ServiceAccountKey; account: Principal } }[]> {
    const named = await this.#keyNamesFor(ref, blindSpots);
    if (Array.isArray(named)) return named.map((name) => ({ name }));
    const { keyId } = named;
    // A bare key id: search every account of the configured projects, the projects side by side and the
    // accounts' key listings side by side (KEY_SEARCH_CONCURRENCY at once): one after the other, each account
    // before the one holding the key would cost a round before the revoke.
    if (this.#config.projects.length === 0) blindSpots.push('a bare key id was given and CORDON_GOOGLE_PROJECTS is empty: no project was searched');
    const accounts = (await Promise.all(this.#config.projects.map((project) => this.#accountsOf(project)))).flat();
    let found: { name: string; listed: { key: iam_v1.Schema$ServiceAccountKey; account: Principal } } | undefined;
    await mapLimit(accounts, KEY_SEARCH_CONCURRENCY, async (a) => {
      if (found) return;
      const keys = await this.#call(`keys.list ${a.email}`, () => this.#iam.projects.serviceAccounts.keys.list({ name: a.name! }));
      const hit = (keys.data.keys ?? []).find((k) => k.name?.endsWith(`/keys/${keyId}`));
      if (hit && !found) found = { name: hit.name!, listed: { key: hit, account: toAccountPrincipal(a, a.email ?? '') } };
    });
    return found ? [found] : [];
  }

  /** Every service account of a project, all pages. */
  async #accountsOf(project: string): Promise<iam_v1.Schema$ServiceAccount[]> {
    const out: iam_v1.Schema$ServiceAccount[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.#call(`serviceAccounts.list ${project}`, () =>
        this.#iam.projects.serviceAccounts.list({ name: `projects/${project}`, pageSize: 100, ...(pageToken ? { pageToken } : {}) }),
      );
      out.push(...(page.data.accounts ?? []));
      pageToken = page.data.nextPageToken ?? undefined;
    } while (pageToken);
    return out;
  }

  /** Key resource names a ref that names its account or key points at; a bare key id is #keysFor's to search. */
  async #keyNamesFor(ref: CredentialRef, blindSpots: string[]): Promise<string[] | { keyId: string }> {
    const byId = ref.id ? parseCredentialId(ref.id) : undefined;
    if (byId?.type === 'key') return [byId.name];
    if (ref.leakedValue) {
      const leaked = parseKeyFile(ref.leakedValue);
      if (leaked) return [credentialIds.key('-', leaked.client_email, leaked.private_key_id)];
      blindSpots.push('the leaked value is not a service-account key file: its key id cannot be read from it');
    }
    const keyId = ref.keyId ?? ref.id;
    const account = ref.user;
    if (keyId && account) return [credentialIds.key('-', account, keyId)];
    if (account && !keyId) {
      const keys = await this.#keysOf(account);
      return keys.map((k) => k.id);
    }
    return keyId ? { keyId } : [];
  }

  // ---- Connector --------------------------------------------------------------------------

  async identify(ref: CredentialRef): Promise<ScopeReport> {
    const blindSpots: string[] = [...GOOGLE_BLIND_SPOTS];
    const riskFlags: string[] = [];
    const related = new Map<string, Principal>();
    let credentials: Credential[] = [];

    if (GRANT_KINDS.includes(ref.kind)) {
      const parsed = ref.id ? parseCredentialId(ref.id) : undefined;
      const user = parsed?.type === 'grant' ? parsed.user : ref.user;
      const clientId = parsed?.type === 'grant' ? parsed.clientId : ref.clientId;
      if (!user && !clientId) {
        blindSpots.push('no client id or user given: a Google OAuth token value cannot be traced to its grant');
      } else if (user) {
        await this.#userPrincipal(user); // an unknown user is not_found, said plainly
        credentials = await this.#grantsOf(user, clientId);
      } else {
        const users = await this.#allUserEmails();
        const found = await mapLimit(users, USER_WALK_CONCURRENCY, (u) => this.#grantsOf(u, clientId));
        credentials = found.flat();
        riskFlags.push(`searched all ${users.length} users for grants to ${clientId}`);
      }
    } else if (ref.kind === 'service_account_key') {
      warmKeyPairs(); // its replacements' key pairs, generated while the key is found and revoked
      for (const { name, listed } of await this.#keysFor(ref, blindSpots)) {
        // Found by listing: the listing's answers are the key and its account. Named: the key's name names its
        // account, and the key (does it exist, is it disabled) and the account are read side by side.
        const named = parseCredentialId(name) as Extract<ParsedCredentialId, { type: 'key' }> | undefined;
        const [key, namedPrincipal] = listed
          ? [listed.key, listed.account]
          : await Promise.all([
              this.#orMissing(`keys.get ${name}`, async () => (await this.#iam.projects.serviceAccounts.keys.get({ name })).data, undefined),
              named?.type === 'key' ? this.#orMissing(`account of ${name}`, () => this.#identifiedAccount(named.account), undefined) : undefined,
            ]);
        if (!key) {
          riskFlags.push(`${name} does not exist (already deleted?)`);
          continue;
        }
        const account = parseCredentialId(key.name!) as Extract<ParsedCredentialId, { type: 'key' }>;
        const principal = namedPrincipal && (listed || named?.account === account.account) ? namedPrincipal : await this.#identifiedAccount(account.account);
        related.set(principal.id, principal);
        const credential = this.#keyCredential(key, principal);
        if (key.disabled) riskFlags.push(`${credential.id} is disabled but not deleted: it can be re-enabled`);
        credentials.push(credential);
      }
    } else if (ref.kind === 'session' || ref.kind === 'api_key') {
      const parsed = ref.id ? parseCredentialId(ref.id) : undefined;
      const user = parsed && 'user' in parsed ? parsed.user : ref.user;
      if (!user) throw new ConnectorError('invalid', 'google', `google: a ${ref.kind} ref needs the user (email) it belongs to`);
      const principal = await this.#userPrincipal(user);
      if (ref.kind === 'session') {
        const id = credentialIds.sessions(principal.id);
        credentials = [{ provider: 'google', kind: 'session', id, label: `web and device sessions of ${principal.id}`, principal, scopes: [], consumers: this.#consumers(id), selfOrLastAdmin: principal.id === this.#config.subject }];
      } else {
        const wanted = parsed?.type === 'asp' ? String(parsed.codeId) : ref.keyId;
        credentials = (await this.#aspsOf(user, principal)).filter((c) => !wanted || c.id.endsWith(`/asps/${wanted}`));
      }
    } else {
      throw new ConnectorError('invalid', 'google', `google: Google has no ${ref.kind} credentials; use oauth_grant, service_account_key, session or api_key`);
    }

    for (const c of credentials) {
      if (c.consumers.length > 1) riskFlags.push(`${c.id} is shared by ${c.consumers.length} consumers`);
      if (c.principal.type === 'integration_user' || c.principal.type === 'service_account') related.set(c.principal.id, c.principal);
      if (c.principal.status !== 'active' && c.kind !== 'service_account_key')
        riskFlags.push(`${c.id} belongs to a ${c.principal.status} user: its grants still exist until deleted`);
      if (c.selfOrLastAdmin) riskFlags.push(`${c.id} is Cordon's own access path (design.md I6)`);
    }
    return { provider: 'google', ref: describeRef(ref), credentials, relatedServiceAccounts: [...related.values()], riskFlags, blindSpots };
  }

  /**
   * Hygiene sweeps (issue 7): every user's grants and app passwords, and every service-account key
   * of the configured projects. Keys of disabled accounts are listed too: they can be re-enabled.
   */
  async inventory(): Promise<InventoryResult> {
    const blindSpots: string[] = [
      ...GOOGLE_BLIND_SPOTS,
      'when a user was suspended or offboarded is not read (Reports admin log): credentials created after offboarding are judged against the last sign-in',
    ];
    const users: admin_directory_v1.Schema$User[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.#call('users.list', () =>
        this.#directory.users.list({ customer: this.#config.customerId, maxResults: 500, ...(pageToken ? { pageToken } : {}) }),
      );
      users.push(...(page.data.users ?? []).filter((u) => u.primaryEmail));
      pageToken = page.data.nextPageToken ?? undefined;
    } while (pageToken);
    const principals: InventoryPrincipal[] = users.map((u) => {
      const lastLogin = u.lastLoginTime && Date.parse(u.lastLoginTime) > 0 ? { lastLoginAt: u.lastLoginTime } : {};
      return { ...toUserPrincipal(u), ...lastLogin };
    });
    const perUser = await mapLimit(principals, USER_WALK_CONCURRENCY, async (p) => {
      const tokens = await this.#orMissing(`tokens.list ${p.id}`, () => this.#directory.tokens.list({ userKey: p.id }), undefined);
      const grants = await this.#grantCredentials(toPrincipalOnly(p), (tokens?.data.items ?? []).filter((t) => t.clientId));
      return [...grants, ...(await this.#aspsOf(p.id, toPrincipalOnly(p)))];
    });
    const credentials = perUser.flat();
    if (this.#config.projects.length === 0) blindSpots.push('CORDON_GOOGLE_PROJECTS is empty: no service-account key was inventoried');
    for (const project of this.#config.projects) {
      for (const a of await this.#accountsOf(project)) {
        if (!a.email) continue;
        const principal: Principal = { id: a.email, displayName: a.displayName || a.email, type: 'service_account', status: a.disabled ? 'suspended' : 'active' };
        principals.push(principal);
        credentials.push(...(await this.#keysOf(a.email, principal)));
      }
    }
    return { provider: 'google', takenAt: new Date().toISOString(), credentials, principals, blindSpots };
  }

  async listActive(principal: Principal): Promise<Credential[]> {
    if (principal.type === 'service_account') {
      return this.#orMissing('keys.list', () => this.#keysOf(principal.id, principal, { activeOnly: true }), []);
    }
    const exists = await this.#orMissing(`users.get ${principal.id}`, () => this.#userPrincipal(principal.id), undefined);
    if (!exists) return [];
    const [grants, asps] = await Promise.all([this.#grantsOf(principal.id, undefined), this.#aspsOf(principal.id, exists)]);
    return [...grants, ...asps];
  }

  async revoke(credential: Credential): Promise<WriteResult> {
    const target = parseTarget(credential);
    switch (target.type) {
      case 'grant': {
        // tokens.delete kills every token the user issued to that client; 404 = already gone (Admin SDK Directory API docs).
        const r = await this.#orMissing(`tokens.delete ${credential.id}`, () => this.#directory.tokens.delete({ userKey: target.user, clientId: target.clientId }), 'missing' as const);
        return r === 'missing' ? { outcome: 'already_done', detail: 'no grant left for this user and client' } : { outcome: 'done' };
      }
      case 'asp': {
        const r = await this.#deleteAsp(target.user, target.codeId);
        return r === 'gone' ? { outcome: 'already_done', detail: 'app password already deleted' } : { outcome: 'done' };
      }
      case 'sessions':
        await this.#call(`users.signOut ${target.user}`, () => this.#directory.users.signOut({ userKey: target.user }));
        return { outcome: 'done', detail: 'signed out of all web and device sessions' };
      case 'key': {
        if (this.#isOwnKey(target.keyId) || credential.selfOrLastAdmin)
          throw new ConnectorError('invalid', 'google', `google: refusing to delete ${credential.id}: it is Cordon's own key (design.md I6)`);
        const r = await this.#orMissing(`keys.delete ${credential.id}`, () => this.#iam.projects.serviceAccounts.keys.delete({ name: target.name }), 'missing' as const);
        return r === 'missing' ? { outcome: 'already_done', detail: 'key already deleted' } : { outcome: 'done' };
      }
    }
  }

  /**
   * A new key per consumer, minted with keys.upload from a key pair generated here, so the key carries a
   * provider-side label: its certificate's subject names (run, credential, consumer). An attempt that died
   * after the upload and before the sink delivered left a key whose private half died with it; the retry
   * finds it by that label and deletes it once its own delivery is the one kept (connectors/replacement-attempts.ts),
   * so one live key per consumer remains and no key anyone else made is touched (I8). keys.create keys carry no label: used only where an organization
   * policy forbids uploads, and the evidence says what that costs.
   */
  whyNoReplacement(credential: Credential): string | undefined {
    return parseTarget(credential).type === 'key' ? undefined : `a credential of kind ${credential.kind} cannot be re-issued by an admin: the user (or app) must sign in or consent again`;
  }

  async replace(credential: Credential, consumer: Consumer, idempotencyKey: string, sink: CredentialSink, options: ReplaceOptions = {}): Promise<ReplacementIssued> {
    const target = parseTarget(credential);
    if (target.type !== 'key') throw unsupported('google', 'replace', this.whyNoReplacement(credential)!);
    const account = `projects/-/serviceAccounts/${target.account}`;
    const label = replacementLabel(idempotencyKey);
    const deleteKey = (key: string, why: string) => this.#orMissing(`keys.delete ${key} (${why})`, () => this.#iam.projects.serviceAccounts.keys.delete({ name: key }), 'missing' as const);
    /** Deletes the keys uploaded under this replacement's label except `kept`, the delivery the sink kept. */
    const endOrphans = async (kept: string) => {
      const orphans = (await this.#keysLabelled(account, label)).filter((k) => k !== kept);
      for (const key of orphans) await deleteKey(key, 'minted by an earlier attempt, never delivered');
      return orphans;
    };
    const delivered = await sink.lookup(idempotencyKey);
    if (delivered) {
      // An earlier attempt's delivery was kept, and that attempt may have died before ending the other uploads under
      // its label (connectors/replacement-attempts.ts): they go now. None can exist on the run's first claim.
      const orphans = options.firstClaim ? [] : await endOrphans(delivered.replacementId);
      return { replacementId: delivered.replacementId, fingerprint: delivered.fingerprint, sink: delivered.location, ...(orphans.length ? { note: orphansDeleted(orphans) } : {}) };
    }
    const pair = await generateUploadableKey(label);
    const upload = () =>
      this.#call(`keys.upload for ${target.account}`, async () => {
        try {
          return await this.#iam.projects.serviceAccounts.keys.upload({ name: account, requestBody: { publicKeyData: Buffer.from(pair.certificatePem).toString('base64') } });
        } catch (err) {
          if (refusedByUploadPolicy(err)) return 'upload_forbidden' as const;
          if (failedPrecondition(err)) return 'key_limit' as const;
          throw err;
        }
      });
    let uploaded = await upload();
    // An account holds at most ten user-managed keys (Cloud IAM docs: service account keys). At the limit, earlier
    // attempts' labelled keys may hold the slot this one needs: they go first here, the one case where they go
    // before this attempt's delivery (an attempt given up on that still runs would lose its key; replacement-attempts.ts).
    const freed = uploaded === 'key_limit' && !options.firstClaim ? await this.#keysLabelled(account, label) : [];
    for (const key of freed) await deleteKey(key, 'minted by an earlier attempt; the account is at its ten-key limit');
    if (freed.length) uploaded = await upload();
    if (uploaded === 'key_limit') {
      throw new ConnectorError('conflict', 'google', `google: keys.upload for ${target.account} was refused (FAILED_PRECONDITION): the account already has the ten user-managed keys Google allows; delete one it no longer uses, then retry the containment`);
    }
    if (uploaded === 'upload_forbidden') return this.#replaceWithCreate(target.account, consumer, idempotencyKey, sink);
    const name = uploaded.data.name ?? '';
    const m = /^projects\/([^/]+)\/serviceAccounts\/([^/]+)\/keys\/([^/]+)$/.exec(name);
    if (!m) throw new ConnectorError('unavailable', 'google', `google: keys.upload for ${target.account} answered without a key name`);
    const [, projectId, email, keyId] = m as unknown as [string, string, string, string];
    // The standard service-account key file, as keys.create's privateKeyData decodes to (Cloud IAM docs: service account keys).
    const value = JSON.stringify({
      type: 'service_account',
      project_id: projectId,
      private_key_id: keyId,
      private_key: pair.privateKeyPem,
      client_email: email.includes('@') ? email : target.account,
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: 'https://oauth2.googleapis.com/token',
    });
    // Another attempt's delivery kept instead: its key is the consumer's, this one goes (connectors/replacement-attempts.ts).
    const { kept: out, lost } = await deliverOrEndOwn(sink, { idempotencyKey, replacementId: name, consumer, target: consumer.sink, value: new Secret(value) }, () =>
      deleteKey(name, 'another attempt delivered first'),
    );
    if (lost) return lost;
    // Delivered: keys earlier attempts uploaded under this label are held by nobody now. None on the run's first claim.
    const orphans = [...freed, ...(options.firstClaim ? [] : await endOrphans(name))];
    return { replacementId: name, fingerprint: fingerprintOf(value), sink: out.location, ...(orphans.length ? { note: orphansDeleted(orphans) } : {}) };
  }

  /** Uploaded keys of `account` whose certificate subject is `label`: the ones this replacement minted before. */
  async #keysLabelled(account: string, label: string): Promise<string[]> {
    const listed = await this.#call(`keys.list for ${account}`, () => this.#iam.projects.serviceAccounts.keys.list({ name: account, keyTypes: ['USER_MANAGED'] }));
    const uploaded = (listed.data.keys ?? []).filter((k) => k.name && k.keyOrigin === 'USER_PROVIDED');
    const found: string[] = [];
    for (const k of uploaded) {
      const got = await this.#orMissing(`keys.get ${k.name}`, () => this.#iam.projects.serviceAccounts.keys.get({ name: k.name!, publicKeyType: 'TYPE_X509_PEM_FILE' }), undefined);
      const pem = got?.data.publicKeyData ? Buffer.from(got.data.publicKeyData, 'base64').toString('utf8') : '';
      if (pem && certificateLabel(pem) === label) found.push(k.name!);
    }
    return found;
  }

  /** keys.create, where uploads are forbidden: no label, so an attempt that dies before delivery can leave an orphan. */
  async #replaceWithCreate(accountId: string, consumer: Consumer, idempotencyKey: string, sink: CredentialSink): Promise<ReplacementIssued> {
    const created = await this.#call(`keys.create for ${accountId}`, () =>
      this.#iam.projects.serviceAccounts.keys.create({
        name: `projects/-/serviceAccounts/${accountId}`,
        requestBody: { privateKeyType: 'TYPE_GOOGLE_CREDENTIALS_FILE', keyAlgorithm: 'KEY_ALG_RSA_2048' },
      }),
    );
    const value = Buffer.from(created.data.privateKeyData ?? '', 'base64').toString('utf8');
    if (!value) throw new ConnectorError('unavailable', 'google', `google: keys.create for ${accountId} answered without key data`);
    const name = created.data.name!;
    // Another attempt's delivery kept instead: this unlabelled key is held by nobody (connectors/replacement-attempts.ts).
    const { kept: out, lost } = await deliverOrEndOwn(sink, { idempotencyKey, replacementId: name, consumer, target: consumer.sink, value: new Secret(value) }, () =>
      this.#orMissing(`keys.delete ${name} (another attempt delivered first)`, () => this.#iam.projects.serviceAccounts.keys.delete({ name }), 'missing' as const),
    );
    if (lost) return lost;
    return {
      replacementId: out.replacementId,
      fingerprint: fingerprintOf(value),
      sink: out.location,
      note: 'minted with keys.create: the organization policy iam.disableServiceAccountKeyUpload refuses keys.upload, and a created key carries no label, so a worker lost between mint and delivery would leave a key no one holds; list the account\'s keys after the run',
    };
  }

  /**
   * A service account "signs in" with its user-managed keys: all of them but Cordon's own (I6). A user
   * signs in with its sessions (ended by users.signOut, not listable), its app passwords and its backup
   * codes. OAuth grants are not part of it: they stay until revoked on their own.
   */
  async reauthScope(principal: Principal): Promise<ReauthScope> {
    if (principal.type === 'service_account') {
      const keys = await this.#orMissing(`keys.list ${principal.id}`, () => this.#keysOf(principal.id, principal), []);
      return { credentials: keys.filter((k) => !k.selfOrLastAdmin), effects: [] };
    }
    this.#refuseSigningOutCordon(principal);
    const record = await this.#userRecord(principal.id); // the status now, not when the ref was given
    const current = toUserPrincipal(record);
    const asps = await this.#aspsOf(principal.id, current);
    // An admin's roles are never removed here: that needs its own approval, outside re-authentication.
    return { credentials: asps, effects: userReauthEffects(current, isAdminUser(record)) };
  }

  /** Ends exactly the keys (or app passwords) in `end`, plus, for a user, the effects reauthScope announced. */
  async forceReauth(principal: Principal, end: readonly Credential[]): Promise<WriteResult> {
    if (principal.type === 'service_account') {
      const names = end.map((c) => {
        const target = parseTarget(c);
        if (target.type !== 'key' || target.account.toLowerCase() !== principal.id.toLowerCase())
          throw new ConnectorError('invalid', 'google', `google: ${c.id} is not a key of ${principal.id}: re-authenticating it ends only that account's keys`);
        if (this.#isOwnKey(target.keyId) || c.selfOrLastAdmin)
          throw new ConnectorError('invalid', 'google', `google: refusing to delete ${c.id}: it is Cordon's own key (design.md I6)`);
        return target.name;
      });
      const deleted = await mapLimit(names, REAUTH_CONCURRENCY, async (name) => {
        const r = await this.#orMissing(`keys.delete ${name}`, () => this.#iam.projects.serviceAccounts.keys.delete({ name }), 'missing' as const);
        return r === 'missing' ? 0 : 1;
      });
      const n = deleted.reduce<number>((a, b) => a + b, 0);
      return { outcome: n ? 'done' : 'already_done', detail: `${n} of ${names.length} keys deleted${n < names.length ? ` (${names.length - n} already gone)` : ''}` };
    }
    this.#refuseSigningOutCordon(principal);
    const userKey = principal.id;
    const codeIds = end.flatMap((c) => {
      const target = parseTarget(c);
      if (!('user' in target) || target.user.toLowerCase() !== userKey.toLowerCase() || target.type === 'grant')
        throw new ConnectorError('invalid', 'google', `google: ${c.id} is not an app password or the sessions of ${userKey}: re-authenticating a user ends only those`);
      return target.type === 'asp' ? [target.codeId] : []; // the sessions credential is what users.signOut ends
    });
    const record = await this.#userRecord(userKey); // the status now, not when the plan was made
    const current = toUserPrincipal(record);
    // A non-admin user must choose a new password before the next sign-in; set before the sign-out so no
    // sign-in in between reuses the old one. Admins are left to a separate, approved decision.
    let password = '';
    if (!isAdminUser(record)) {
      await this.#call(`users.patch ${userKey} (changePasswordAtNextLogin)`, () =>
        this.#directory.users.patch({ userKey, requestBody: { changePasswordAtNextLogin: true } }),
      );
      password = 'new password required at next sign-in; ';
    }
    await this.#call(`users.signOut ${userKey}`, () => this.#directory.users.signOut({ userKey }));
    const deleted = await mapLimit(codeIds, REAUTH_CONCURRENCY, async (codeId) => ((await this.#deleteAsp(userKey, codeId)) === 'gone' ? 0 : 1));
    const n = deleted.reduce<number>((a, b) => a + b, 0);
    // Backup codes cannot be invalidated for a suspended user, and need not be: it cannot sign in (GAM does the same; Admin SDK Directory API docs: verificationCodes).
    let codes = 'backup codes invalidated';
    if (current.status === 'active') await this.#call(`verificationCodes.invalidate ${userKey}`, () => this.#directory.verificationCodes.invalidate({ userKey }));
    else codes = 'backup codes left (user not active)';
    return { outcome: 'done', detail: `signed out; ${password}${n} of ${codeIds.length} app passwords deleted; ${codes}` };
  }

  #refuseSigningOutCordon(principal: Principal): void {
    if (principal.id.toLowerCase() === this.#config.subject.toLowerCase())
      throw new ConnectorError('conflict', 'google', `google: refusing to sign out ${principal.id}: Cordon impersonates it (design.md I6)`);
  }

  async restrict(credential: Credential, restriction: Restriction): Promise<WriteResult> {
    const target = parseTarget(credential);
    // Google can neither allowlist IPs nor narrow a key or grant; disabling a key (reversible with
    // :enable) is the only restriction it offers (Cloud IAM docs: disabling service account keys).
    if (target.type !== 'key') throw unsupported('google', 'restrict', `a ${credential.kind} can only be revoked, not restricted`);
    if (this.#isOwnKey(target.keyId)) throw new ConnectorError('invalid', 'google', `google: refusing to disable Cordon's own key ${credential.id} (design.md I6)`);
    const undo: RestrictionUndo = { kind: KEY_DISABLED_UNDO, description: `re-enable key ${target.keyId} of ${target.account}`, data: { name: target.name } };
    const stops = `disabling stops every consumer of the key (${consumerNames(credential)}), not only the leaked copy: it is the only reversible restriction Google offers for keys, in place of ${restriction.kind}`;
    const key = await this.#call(`keys.get ${credential.id}`, () => this.#iam.projects.serviceAccounts.keys.get({ name: target.name }));
    if (key.data.disabled) {
      // Disabled by this connector, whose answer was lost: the same undo. Disabled by someone else: it stays disabled.
      if (this.#disabledKeys.has(target.name)) return { outcome: 'already_done', detail: `key already disabled; ${stops}`, undo };
      return { outcome: 'already_done', detail: 'key was already disabled before this restriction: Cordon will not re-enable a key it did not disable' };
    }
    await this.#call(`keys.disable ${credential.id}`, () => this.#iam.projects.serviceAccounts.keys.disable({ name: target.name, requestBody: {} }));
    this.#disabledKeys.add(target.name);
    return { outcome: 'done', detail: `key disabled; ${stops}`, undo };
  }

  /** Re-enables a key restrict() disabled (keys.enable); already enabled, or deleted since (revoked), is `already_done`. */
  async unrestrict(credential: Credential, undo: RestrictionUndo): Promise<WriteResult> {
    const target = parseTarget(credential);
    const name = undo.data.name;
    if (undo.kind !== KEY_DISABLED_UNDO || target.type !== 'key' || typeof name !== 'string' || name !== target.name) {
      throw new ConnectorError('invalid', 'google', `google: cannot undo ${undo.kind} for ${credential.id}: expected ${KEY_DISABLED_UNDO} with data { name: ${target.type === 'key' ? target.name : 'the key name'} }`);
    }
    const key = await this.#orMissing(`keys.get ${credential.id}`, () => this.#iam.projects.serviceAccounts.keys.get({ name }), 'missing' as const);
    if (key === 'missing') {
      this.#disabledKeys.delete(name);
      return { outcome: 'already_done', detail: 'key deleted since it was disabled: nothing to re-enable' };
    }
    if (!key.data.disabled) {
      this.#disabledKeys.delete(name);
      return { outcome: 'already_done', detail: 'key already enabled' };
    }
    await this.#call(`keys.enable ${credential.id}`, () => this.#iam.projects.serviceAccounts.keys.enable({ name, requestBody: {} }));
    this.#disabledKeys.delete(name);
    return { outcome: 'done', detail: `key ${target.keyId} of ${target.account} re-enabled` };
  }

  async probe(credential: Credential, leakedValue: string): Promise<ProbeResult> {
    const target = parseTarget(credential);
    if (target.type === 'key') {
      const leaked = parseKeyFile(leakedValue);
      const privateKey = leaked?.private_key ?? (leakedValue.includes('PRIVATE KEY') ? leakedValue : undefined);
      if (!privateKey) return 'unknown';
      const jwt = serviceAccountJwt(
        { email: leaked?.client_email ?? target.account, privateKey },
        { scopes: CLOUD_SCOPES, tokenUrl: this.#config.tokenUrl, timeoutMs: this.#config.timeoutMs },
      );
      return this.#probeToken('probe key', () => jwt.getAccessToken());
    }
    if (target.type === 'grant') {
      if (leakedValue.startsWith('1//')) {
        const client = refreshTokenClient(this.#config, credential.clientId, leakedValue);
        return this.#probeToken('probe refresh token', () => client.getAccessToken());
      }
      if (leakedValue.startsWith('ya29.')) {
        // An access token: any Directory call tells a dead token (401) from a live one (2xx, or
        // 403 because a vendor's token carries no admin scope).
        const directory = directoryApi({ auth: accessTokenClient(leakedValue) as never, ...this.#apiOptions });
        try {
          await directory.users.get({ userKey: target.user });
          return 'alive';
        } catch (err) {
          const classified = classifyGoogleError(err, 'probe access token');
          if (classified.kind === 'auth') return 'dead';
          if (classified.kind === 'permission') return 'alive';
          if (classified.retryable) throw classified;
          return 'unknown';
        }
      }
    }
    return 'unknown';
  }

  /** `dead` only on Google's own auth refusal (invalid_grant); outages stay retryable errors. */
  async #probeToken(what: string, fetchToken: () => Promise<unknown>): Promise<ProbeResult> {
    try {
      await fetchToken();
      return 'alive';
    } catch (err) {
      const classified = classifyGoogleError(err, what);
      const oauthError = (err as { response?: { data?: { error?: unknown } } }).response?.data?.error;
      if (oauthError === 'invalid_grant') return 'dead';
      if (classified.retryable) throw classified;
      return 'unknown';
    }
  }

  async readTokenUse(cursor: AuditCursor | undefined, options: ReadTokenUseOptions = {}): Promise<TokenUseBatch> {
    const streams = GOOGLE_AUDIT_APPLICATIONS.map((application) =>
      googleAuditStream({ reports: this.#reports, application, call: (what, fn) => this.#call(what, fn) }),
    );
    return readStreams('google', streams, cursor, { ...options, defaultOverlapMs: GOOGLE_AUDIT_OVERLAP_MS });
  }

  async audit(principal: Principal, sinceIso: string): Promise<AuditEvent[]> {
    if (principal.type === 'service_account') return [];
    const events: AuditEvent[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.#call(`activities.list ${principal.id}`, () =>
        this.#reports.activities.list({ userKey: principal.id, applicationName: 'token', startTime: sinceIso, maxResults: 1000, ...(pageToken ? { pageToken } : {}) }),
      );
      for (const activity of page.data.items ?? []) {
        for (const event of activity.events ?? []) {
          const param = (name: string) => event.parameters?.find((p) => p.name === name)?.value ?? undefined;
          const clientId = param('client_id');
          const detail = [param('app_name'), activity.ipAddress ? `from ${activity.ipAddress}` : undefined, param('method_name')].filter(Boolean).join(' ');
          events.push({
            at: activity.id?.time ?? '',
            actor: activity.actor?.email ?? principal.id,
            action: `token.${event.name ?? 'unknown'}`,
            ...(clientId ? { credentialId: credentialIds.grant(principal.id, clientId) } : {}),
            ...(detail ? { detail } : {}),
          });
        }
      }
      pageToken = page.data.nextPageToken ?? undefined;
    } while (pageToken);
    return events;
  }

  async revokeAllForClient(credential: Credential): Promise<WriteResult> {
    const parsed = parseCredentialId(credential.id);
    const clientId = credential.clientId ?? (parsed?.type === 'grant' ? parsed.clientId : undefined);
    if (!clientId) throw unsupported('google', 'revokeAllForClient', `${credential.id} is not tied to an OAuth client`);
    const users = await this.#allUserEmails();
    const deleted = await mapLimit(users, USER_WALK_CONCURRENCY, async (userKey) => {
      const r = await this.#orMissing(`tokens.delete ${userKey}`, () => this.#directory.tokens.delete({ userKey, clientId }), 'missing' as const);
      return r === 'missing' ? 0 : 1;
    });
    const n = deleted.reduce<number>((a, b) => a + b, 0);
    return { outcome: n ? 'done' : 'already_done', detail: `${n} of ${users.length} users had a grant to ${clientId}` };
  }

  async suspendPrincipal(principal: Principal): Promise<WriteResult> {
    if (principal.type === 'service_account') {
      if (principal.id === this.#config.credentials.client_email)
        throw new ConnectorError('invalid', 'google', `google: refusing to disable ${principal.id}: it is Cordon's own service account (design.md I6)`);
      const current = await this.#accountPrincipal(principal.id);
      if (current.status !== 'active') return { outcome: 'already_done' };
      await this.#call(`serviceAccounts.disable ${principal.id}`, () =>
        this.#iam.projects.serviceAccounts.disable({ name: `projects/-/serviceAccounts/${principal.id}`, requestBody: {} }),
      );
      return { outcome: 'done', detail: 'service account disabled' };
    }
    if (principal.id === this.#config.subject)
      throw new ConnectorError('invalid', 'google', `google: refusing to suspend ${principal.id}: Cordon impersonates it (design.md I6)`);
    const current = await this.#userPrincipal(principal.id);
    if (current.status !== 'active') return { outcome: 'already_done', detail: `user already ${current.status}` };
    await this.#call(`users.update ${principal.id}`, () => this.#directory.users.patch({ userKey: principal.id, requestBody: { suspended: true } }));
    return { outcome: 'done', detail: 'user suspended' };
  }
}

/**
 * IAM's refusal of keys.upload under the organization policy constraint iam.disableServiceAccountKeyUpload:
 * 400 FAILED_PRECONDITION whose google.rpc.PreconditionFailure names the constraint (Cloud IAM docs:
 * restricting service account key upload). Any other FAILED_PRECONDITION (the 10-key limit) is not it.
 */
function refusedByUploadPolicy(err: unknown): boolean {
  const body = (err as { response?: { data?: { error?: { status?: string; details?: { violations?: { type?: string }[] }[] } } } }).response?.data?.error;
  if (body?.status !== 'FAILED_PRECONDITION') return false;
  return (body.details ?? []).some((d) => (d.violations ?? []).some((v) => v.type?.endsWith('iam.disableServiceAccountKeyUpload')));
}

/** 400 FAILED_PRECONDITION without a policy violation: what keys.upload and keys.create answer at the ten-key limit. */
function failedPrecondition(err: unknown): boolean {
  const body = (err as { response?: { data?: { error?: { status?: string } } } }).response?.data?.error;
  return body?.status === 'FAILED_PRECONDITION' && !refusedByUploadPolicy(err);
}

function parseTarget(credential: Credential): ParsedCredentialId {
  const parsed = parseCredentialId(credential.id);
  if (!parsed) throw new ConnectorError('invalid', 'google', `google: ${credential.id} is not a Google credential id Cordon issued`);
  return parsed;
}

/** What restrict() returns and unrestrict() takes back for a service-account key. */
export const KEY_DISABLED_UNDO = 'google.key.disabled';

function consumerNames(credential: Credential): string {
  return credential.consumers.length ? credential.consumers.map((c) => c.id).join(', ') : 'no consumer is known';
}

/**
 * What forcing a user to re-authenticate does besides deleting the app passwords it lists. For an admin the
 * password is left alone and no role is removed: both need a decision of their own.
 */
function userReauthEffects(current: Principal, admin: boolean): string[] {
  const effects = ['signs out every web and mobile session (users.signOut; Google does not say how many there were)'];
  if (!admin) effects.push('requires a new password at next sign-in (users.patch changePasswordAtNextLogin)');
  if (current.status === 'active') effects.push('invalidates backup verification codes');
  return effects;
}

function isAdminUser(u: admin_directory_v1.Schema$User): boolean {
  return Boolean(u.isAdmin || u.isDelegatedAdmin);
}

function toPrincipalOnly(p: InventoryPrincipal): Principal {
  return { id: p.id, displayName: p.displayName, type: p.type, status: p.status };
}

function toUserPrincipal(u: admin_directory_v1.Schema$User): Principal {
  const email = u.primaryEmail ?? u.id ?? '';
  // Workspace has no "integration user" flag; organisations park them in a dedicated org unit.
  const integration = /integration|service/i.test(u.orgUnitPath ?? '');
  return {
    id: email,
    displayName: u.name?.fullName || email,
    type: integration ? 'integration_user' : 'user',
    status: u.archived ? 'offboarded' : u.suspended ? 'suspended' : 'active',
  };
}

function parseKeyFile(text: string): { client_email: string; private_key_id: string; private_key: string } | undefined {
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    if (typeof json.client_email === 'string' && typeof json.private_key_id === 'string' && typeof json.private_key === 'string')
      return { client_email: json.client_email, private_key_id: json.private_key_id, private_key: json.private_key };
  } catch {
    // not JSON: maybe a bare PEM, handled by the caller
  }
  return undefined;
}

