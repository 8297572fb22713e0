// The Salesforce connector on jsforce (design.md §4). It logs in as Cordon's admin user with the JWT bearer
// flow, identifies grants through SOQL over OauthToken / AuthSession / User / UserLogin, revokes a grant by
// posting its DeleteToken to the revoke endpoint, ends sessions by deleting AuthSession rows, freezes users
// through UserLogin, and mints replacements for integration users with the same JWT bearer flow. A staged
// containment's restriction narrows the login IP ranges of the user's profile through the Metadata API (SOAP).
// Wire facts: Salesforce REST API (SOQL query, sObject Collections), OAuth 2.0 JWT bearer flow and token revocation docs;
// Metadata API Developer Guide (readMetadata, updateMetadata, listMetadata, Profile.loginIpRanges); jsforce docs.
import { Connection } from 'jsforce';
import type { Consumer, Credential, CredentialKind, CredentialRef, Principal, ReauthScopeSnapshot, ScopeEnrichment, ScopeReport } from '../../schemas/credential.ts';
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
  type IdentifyOptions,
  type ProbeResult,
  type ReauthScope,
  type ReplacementIssued,
  type Restriction,
  type RestrictionUndo,
  type UnlabelledMint,
  type WriteResult,
} from '../types.ts';
import { GRANT_ID_PREFIX, grantIdOf } from './ids.ts';
import { SalesforceConnectorConfig } from './config.ts';
import { classifySalesforceError } from './errors.ts';
import { JWT_BEARER_GRANT, signJwtBearerAssertion } from './jwt-assertion.ts';

import type { InventoryPrincipal, InventoryResult } from '../inventory.ts';
import { mapLimit } from '../bounded-map.ts';
import type { AuditCursor } from '../../schemas/audit-cursor.ts';
import { readStreams, type ReadTokenUseOptions, type TokenUseBatch } from '../audit-stream.ts';
import { deliverOrEndOwn } from '../replacement-attempts.ts';
import { SALESFORCE_AUDIT_OVERLAP_MS, salesforceLoginStream, type SalesforceLoginObject } from './audit-reader.ts';
export { SalesforceConnectorConfig } from './config.ts';

/** A query on OauthToken returns at most this many rows (the reason every query filters by user or app). */
export const OAUTH_TOKEN_ROW_CAP = 2500;
/** Profiles Salesforce gives API-only integration users (Salesforce docs: API-only integration user profiles). */
const INTEGRATION_PROFILE = /integration|api only/i;

/** Why the operations the Salesforce connector leaves out are missing. */
export const SALESFORCE_CANNOT: Partial<Record<Capability, string>> = {
  blockApp: 'blocking a connected app is done in Setup (Connected Apps OAuth Usage), not through REST',
  revokeByValue: 'not implemented: revoke ends the credentials this connector identifies through the tenant’s admin API',
  lastUse: 'not implemented: a rotation cannot yet see a Salesforce consumer switch grants',
};

export const SALESFORCE_BLIND_SPOTS = [
  `OauthToken queries return at most ${OAUTH_TOKEN_ROW_CAP} rows: an org-wide listing can be truncated (Cordon filters by user and app)`,
  'OauthToken.Id is always null: a grant is identified as oauthtoken:<UserId>:<hash of its DeleteToken>',
  'Salesforce does not record who consumes a grant: consumers come from CORDON_SALESFORCE_CONSUMERS',
  'AuthSession does not name the connected app or the refresh token an access token came from: all Oauth2 sessions of the user are reported',
  'a leaked refresh token cannot be matched to its OauthToken row (only a partial value is stored); a leaked access token is matched through its own session',
  'connected apps cannot be blocked through the API (Setup only)',
  'restrict narrows the login IP ranges of the user\'s profile (Metadata API): new logins and token requests (JWT bearer, refresh token) from elsewhere are refused only through connected apps whose IP Relaxation is "Enforce IP restrictions"; an app that relaxes them is not held back (Cordon\'s own app must relax them to mint replacements while the restriction holds)',
  'access tokens issued before restrict keep working until they expire, unless the org\'s session settings enforce login IP ranges on every request',
  'a profile shared with other active users is not narrowed (it would restrict them too): the integration user needs a profile of its own',
] as const;

/** What restrict() writes and unrestrict() takes back: a profile's login IP ranges (Metadata API: ProfileLoginIpRange). */
export const LOGIN_IP_RANGES_UNDO = 'salesforce.profile.loginIpRanges';
/** Descriptions of the ranges Cordon writes start with this: a repeat can tell its own allowlist from an admin's. */
const CORDON_RANGE_TAG = 'Cordon allowlist';

export interface LoginIpRange {
  startAddress: string;
  endAddress: string;
  description?: string;
}

function ipv4(address: string): number | undefined {
  const parts = address.trim().split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function dotted(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** `192.0.2.0/28` → 192.0.2.0–192.0.2.15 (host bits dropped); a bare address is a range of one. */
export function cidrToRange(cidr: string): { startAddress: string; endAddress: string } | undefined {
  const m = /^([\d.]+)(?:\/(\d{1,2}))?$/.exec(cidr.trim());
  const ip = m ? ipv4(m[1]!) : undefined;
  const bits = m?.[2] === undefined ? 32 : Number(m[2]);
  if (ip === undefined || bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  const start = Math.floor(ip / size) * size;
  return { startAddress: dotted(start), endAddress: dotted(start + size - 1) };
}

const showRange = (r: LoginIpRange) => (r.startAddress === r.endAddress ? r.startAddress : `${r.startAddress}–${r.endAddress}`);
const showRanges = (rs: readonly LoginIpRange[]) => (rs.length ? rs.map(showRange).join(', ') : 'no ranges (any address)');
const rangeKey = (r: LoginIpRange) => `${ipv4(r.startAddress)}-${ipv4(r.endAddress)}`;
/** Same addresses, whatever the order and the descriptions. */
function sameRanges(a: readonly LoginIpRange[], b: readonly LoginIpRange[]): boolean {
  const x = [...new Set(a.map(rangeKey))].sort();
  const y = [...new Set(b.map(rangeKey))].sort();
  return x.length === y.length && x.every((k, i) => k === y[i]);
}
/** updateMetadata cannot empty the list (an empty array sends no element): "no ranges" goes back as every address. */
const EVERY_ADDRESS: LoginIpRange = { startAddress: '0.0.0.0', endAddress: '255.255.255.255', description: 'any address (restored by Cordon: the profile had no login IP ranges)' };

function parseRanges(value: unknown): LoginIpRange[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: LoginIpRange[] = [];
  for (const r of value as Array<Record<string, unknown>>) {
    if (typeof r?.startAddress !== 'string' || typeof r.endAddress !== 'string') return undefined;
    out.push({ startAddress: r.startAddress, endAddress: r.endAddress, ...(typeof r.description === 'string' && r.description ? { description: r.description } : {}) });
  }
  return out;
}

interface GrantRow {
  AppName: string | null;
  UserId: string;
  CreatedDate: string;
  LastUsedDate: string | null;
  UseCount: number | null;
  DeleteToken: string;
}

interface SessionRow {
  Id: string;
  UsersId: string;
  CreatedDate: string;
  LastModifiedDate: string | null;
  SessionType: string;
  SourceIp: string | null;
  IsCurrent?: boolean;
}

interface UserRow {
  Id: string;
  Username: string;
  Name: string;
  IsActive: boolean;
  Profile: { Name: string } | null;
}

interface OrgUser {
  principal: Principal;
  username: string;
}

/** A user and everything of it re-authentication ends, read in one round (#snapshotOf). */
interface Snapshot {
  userId: string;
  user: OrgUser;
  grants: GrantRow[];
  /** The user's OauthToken listing hit the row cap. */
  capped: boolean;
  /** Every session of the user, Cordon's current one included (IsCurrent). */
  sessions: SessionRow[];
}

/** What identify found for a ref, before it is turned into the report. */
interface Identified {
  grantRows: GrantRow[];
  sessionRows: SessionRow[];
  users: Map<string, OrgUser>;
  capped: boolean;
  reauth?: ReauthScopeSnapshot;
}

const SESSION_FIELDS = 'Id, UsersId, CreatedDate, LastModifiedDate, SessionType, SourceIp, IsCurrent';

/** SOQL string literal: backslash and quote escaped (SOQL reference, "Quoted String Escape Sequences"). */
function soql(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function soqlList(values: Iterable<string>): string {
  return `(${[...values].map(soql).join(', ')})`;
}

/** Salesforce refuses URIs over 16,384 characters (414): long IN lists go in slices of this many ids. */
const IN_LIST_SLICE = 200;
function slices<T>(values: readonly T[], size = IN_LIST_SLICE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

/** sObject Collections take at most 200 ids per call. */
const COLLECTION_LIMIT = 200;
/** Revokes and collection deletes in flight at once when re-authentication ends many credentials. */
const REAUTH_CONCURRENCY = 8;
/** Per-record delete errors that mean the session had already ended. */
/** Salesforce's default session timeout (Setup → Session Settings); an org may set 15 minutes to 24 hours. */
const SESSION_TIMEOUT_MS = 2 * 60 * 60_000;
const SESSION_GONE_CODES = new Set(['ENTITY_IS_DELETED', 'INVALID_CROSS_REFERENCE_KEY', 'NOT_FOUND']);
/** Entries kept per connector of what later calls reuse (DeleteTokens, usernames): a few MB at most. */
const REMEMBERED = 20_000;

/** Sets `key` in a map kept to REMEMBERED entries, the oldest out first. */
function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > REMEMBERED) map.delete(map.keys().next().value as K);
}

/** A User record id (key prefix 005), 15 or 18 characters. */
const USER_ID = /^005[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$/;


/** Salesforce datetimes (`…+0000`) as ISO strings. */
function iso(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export class SalesforceConnector implements Connector {
  readonly provider = 'salesforce' as const;
  readonly cannot = SALESFORCE_CANNOT;
  readonly blindSpots: readonly string[] = SALESFORCE_BLIND_SPOTS;
  readonly #config: SalesforceConnectorConfig;
  #conn: Promise<Connection> | undefined;
  /**
   * The undo of each restriction this connector wrote, by profile: a retried restrict whose first answer was lost
   * finds the profile already narrowed and must still hand back what it replaced.
   */
  readonly #restricted = new Map<string, RestrictionUndo>();
  /** LoginEvent or LoginHistory: asked once (readTokenUse). */
  #loginSource: Promise<SalesforceLoginObject> | undefined;
  /** The Manage Users check of Cordon's current session (#admin), made beside that session's first call. */
  #checked: { conn: Connection; done: Promise<void> } | undefined;
  /**
   * Each grant's DeleteToken by grant id, from every OauthToken read: a grant id is a hash of its DeleteToken,
   * so an entry never goes stale, and a revoke of a grant this worker has listed needs no look-up first (the
   * revoke endpoint answers a grant already gone with invalid_token). Never logged; bounded (oldest out first).
   */
  readonly #deleteTokens = new Map<string, Pick<GrantRow, 'AppName' | 'UserId' | 'DeleteToken'>>();
  /** Grant ids this worker saw revoked (its revoke answered 200 or invalid_token): a revoked grant never comes back. */
  readonly #revoked = new Map<string, true>();
  /**
   * Usernames by user id, from every User read: replace() logs in as the user without reading it again, and
   * listActive() names the credentials it lists. A username that changed since is found when the login is refused.
   */
  readonly #usernames = new Map<string, string>();

  constructor(config: SalesforceConnectorConfig) {
    this.#config = config;
  }

  // ---- plumbing ---------------------------------------------------------------------------------

  /** jsforce retries 5xx GETs and socket errors itself; Temporal's retry policy does the waiting instead. */
  #noRetry(conn: Connection): void {
    for (const holder of [conn, conn.oauth2] as Array<{ _transport: Connection['_transport'] }>) {
      const inner = holder._transport;
      const timeout = this.#config.requestTimeoutMs;
      holder._transport = {
        httpRequest: (req, options = {}) => inner.httpRequest(req, { ...options, timeout, retry: { ...options.retry, maxRetries: 0 } }),
        getRequestStreamCreator: () => inner.getRequestStreamCreator(),
      } as Connection['_transport'];
    }
  }

  #newConnection(extra: { accessToken?: string; instanceUrl?: string } = {}): Connection {
    const conn = new Connection({ loginUrl: this.#config.loginUrl, version: this.#config.apiVersion, ...extra });
    this.#noRetry(conn);
    return conn;
  }

  /** JWT bearer login for `username` on a connection; returns the token response (Salesforce OAuth 2.0 JWT bearer flow docs). */
  async #jwtLogin(conn: Connection, username: string): Promise<{ access_token: string; instance_url: string; id: string }> {
    const assertion = this.#assertion(username);
    return (await conn.oauth2.requestToken({ grant_type: JWT_BEARER_GRANT, assertion })) as { access_token: string; instance_url: string; id: string };
  }

  #assertion(username: string): string {
    return signJwtBearerAssertion({
      clientId: this.#config.clientId,
      username,
      audience: this.#config.audience ?? this.#config.loginUrl,
      privateKey: this.#config.privateKey,
    });
  }

  /**
   * Cordon's own session. The JWT flow has no refresh token, and jsforce is given no refreshFn: an expired or
   * refused session is dropped and renewed with a fresh assertion by #call, once, in one place.
   */
  async #admin(): Promise<Connection> {
    this.#conn ??= (async () => {
      const conn = this.#newConnection();
      await conn.authorize({ grant_type: JWT_BEARER_GRANT, assertion: this.#assertion(this.#config.username) });
      return conn;
    })();
    try {
      return await this.#conn;
    } catch (err) {
      this.#conn = undefined;
      throw err;
    }
  }

  /**
   * Without Manage Users an API user still reads OauthToken, but only its own rows: a silent blind spot.
   * UserLogin is invisible to it, so one query turns that into an explicit permission error. Asked once per
   * session, beside the session's first call (#call): no answer is handed back before it passed.
   */
  #permissionChecked(conn: Connection): Promise<void> {
    if (this.#checked?.conn !== conn) {
      const done: Promise<void> = conn.query('SELECT Id FROM UserLogin LIMIT 1').then(() => undefined);
      const checked = { conn, done };
      this.#checked = checked;
      done.catch(() => {
        if (this.#checked === checked) this.#checked = undefined; // asked again with the next call
      });
    }
    return this.#checked!.done;
  }

  /**
   * Every call made with Cordon's own session goes through here. An `auth` refusal (401 INVALID_SESSION_ID,
   * invalid_grant) may be a session the org ended early: it is dropped, Cordon logs in again with a fresh
   * JWT bearer assertion, and the call is made once more; a second refusal is final. Calls made with a
   * leaked value (#sessionOfToken) never come here: a 401 there means the value is dead. A ConnectorError
   * thrown inside fn comes from a nested #call that already retried, so it is passed on as it is.
   */
  async #call<T>(what: string, fn: (conn: Connection) => Promise<T>): Promise<T> {
    let used: Connection | undefined;
    try {
      used = await this.#admin();
      const conn = used;
      return (await Promise.all([fn(conn), this.#permissionChecked(conn)]))[0];
    } catch (err) {
      const classified = classifySalesforceError(err, what, this.#config.rateLimitBackoffMs);
      if (classified.kind !== 'auth' || err instanceof ConnectorError) throw classified;
      await this.#dropSession(used);
    }
    try {
      const conn = await this.#admin();
      return (await Promise.all([fn(conn), this.#permissionChecked(conn)]))[0];
    } catch (err) {
      const classified = classifySalesforceError(err, what, this.#config.rateLimitBackoffMs);
      if (classified.kind !== 'auth' || err instanceof ConnectorError) throw classified;
      throw new ConnectorError(
        'auth',
        'salesforce',
        `${classified.message}; refused again right after a fresh JWT bearer login as ${this.#config.username} (Cordon's own credential): check that CORDON_SALESFORCE_PRIVATE_KEY matches the certificate of Cordon's connected app (CORDON_SALESFORCE_CLIENT_ID), and that ${this.#config.username} is pre-authorised on it, active and not frozen`,
        { cause: err },
      );
    }
  }

  /** Forgets Cordon's session if it is still the refused one (a concurrent call may have renewed it already). */
  async #dropSession(refused: Connection | undefined): Promise<void> {
    const current = this.#conn;
    if (!current || !refused) return; // a refused login already forgot itself (#admin)
    const conn = await current.catch(() => undefined);
    if (this.#conn === current && conn === refused) this.#conn = undefined;
  }

  /** Every batch of a query (queryMore on nextRecordsUrl); `capped` says the OauthToken cap was reached. */
  async #queryAll<T>(conn: Connection, text: string): Promise<{ records: T[]; capped: boolean }> {
    let page = await conn.query<Record<string, unknown>>(text);
    const records = [...page.records] as T[];
    while (!page.done && page.nextRecordsUrl) {
      page = await conn.queryMore<Record<string, unknown>>(page.nextRecordsUrl);
      records.push(...(page.records as T[]));
    }
    return { records, capped: /\bFROM\s+OauthToken\b/i.test(text) && page.totalSize >= OAUTH_TOKEN_ROW_CAP };
  }

  // ---- model ------------------------------------------------------------------------------------

  async #users(conn: Connection, ids: Iterable<string>): Promise<Map<string, OrgUser>> {
    const unique = [...new Set(ids)];
    const out = new Map<string, OrgUser>();
    for (const slice of slices(unique)) for (const [id, user] of await this.#usersWhere(conn, { userWhere: `Id IN ${soqlList(slice)}`, loginWhere: `UserId IN ${soqlList(slice)}` })) out.set(id, user);
    return out;
  }

  /** Users and their frozen status (UserLogin), read side by side: each read is a round trip on a containment's critical path. */
  async #usersWhere(conn: Connection, filter: { userWhere: string; loginWhere: string }): Promise<Map<string, OrgUser>> {
    const out = new Map<string, OrgUser>();
    const [found, logins] = await Promise.all([
      this.#queryAll<UserRow>(conn, `SELECT Id, Username, Name, IsActive, Profile.Name FROM User WHERE ${filter.userWhere}`),
      this.#queryAll<{ UserId: string; IsFrozen: boolean }>(conn, `SELECT UserId, IsFrozen FROM UserLogin WHERE ${filter.loginWhere}`),
    ]);
    const frozen = new Set(logins.records.filter((l) => l.IsFrozen).map((l) => l.UserId));
    for (const u of found.records) {
      this.#rememberUsername(u.Id, u.Username);
      out.set(u.Id, {
        username: u.Username,
        principal: {
          id: u.Id,
          displayName: `${u.Name} <${u.Username}>`,
          type: INTEGRATION_PROFILE.test(u.Profile?.Name ?? '') ? 'integration_user' : 'user',
          status: !u.IsActive ? 'offboarded' : frozen.has(u.Id) ? 'suspended' : 'active',
        },
      });
    }
    return out;
  }

  async #userByRef(conn: Connection, ref: string): Promise<string | undefined> {
    if (USER_ID.test(ref)) return ref;
    const res = await conn.query<{ Id: string }>(`SELECT Id FROM User WHERE Username = ${soql(ref)} LIMIT 1`);
    return res.records[0]?.Id;
  }

  async #appName(conn: Connection, ref: string): Promise<string | undefined> {
    if (!/^0H4[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$/.test(ref)) return ref;
    const res = await conn.query<{ Name: string }>(`SELECT Name FROM ConnectedApplication WHERE Id = ${soql(ref)} LIMIT 1`);
    return res.records[0]?.Name;
  }

  #consumersOf(app: string | null, username: string, createdDate: string | undefined): Consumer[] {
    if (!app) return [];
    return this.#config.consumers
      .filter(
        (e) =>
          e.app.toLowerCase() === app.toLowerCase() &&
          e.user.toLowerCase() === username.toLowerCase() &&
          (!e.createdDate || iso(e.createdDate) === createdDate),
      )
      .flatMap((e) => e.consumers);
  }

  #isSelf(user: OrgUser): boolean {
    return user.username.toLowerCase() === this.#config.username.toLowerCase();
  }

  #grantCredential(row: GrantRow, user: OrgUser, kind: CredentialKind = 'refresh_token'): Credential {
    const lastUsed = iso(row.LastUsedDate);
    const created = iso(row.CreatedDate);
    return {
      provider: 'salesforce',
      kind,
      id: grantIdOf(row),
      label: `${row.AppName ?? 'unknown app'} refresh token of ${user.username}`,
      principal: user.principal,
      scopes: [],
      // Salesforce exposes a connected app by name only (its consumer key is not readable through the API).
      ...(row.AppName ? { clientId: row.AppName } : {}),
      ...(created ? { createdAt: created } : {}),
      ...(lastUsed ? { lastUsedAt: lastUsed } : {}),
      consumers: this.#consumersOf(row.AppName, user.username, created),
      selfOrLastAdmin: this.#isSelf(user),
    };
  }

  #sessionCredential(row: SessionRow, user: OrgUser): Credential {
    const created = iso(row.CreatedDate);
    const modified = iso(row.LastModifiedDate);
    return {
      provider: 'salesforce',
      kind: row.SessionType === 'Oauth2' ? 'oauth_token' : 'session',
      id: row.Id,
      label: `${row.SessionType} session of ${user.username}${row.SourceIp ? ` from ${row.SourceIp}` : ''}`,
      principal: user.principal,
      scopes: [],
      ...(created ? { createdAt: created } : {}),
      ...(modified ? { lastUsedAt: modified } : {}),
      consumers: [],
      selfOrLastAdmin: this.#isSelf(user),
    };
  }

  async #grants(conn: Connection, filter: { userIds?: string[]; app?: string; username?: string }): Promise<{ rows: GrantRow[]; capped: boolean }> {
    const where: string[] = [];
    if (filter.userIds) where.push(`UserId IN ${soqlList(filter.userIds)}`);
    if (filter.username) where.push(`User.Username = ${soql(filter.username)}`);
    if (filter.app) where.push(`AppName = ${soql(filter.app)}`);
    const res = await this.#queryAll<GrantRow>(
      conn,
      `SELECT AppName, UserId, CreatedDate, LastUsedDate, UseCount, DeleteToken FROM OauthToken${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`,
    );
    for (const row of res.records) this.#rememberDeleteToken(row);
    return { rows: res.records, capped: res.capped };
  }

  #rememberDeleteToken(row: GrantRow): void {
    remember(this.#deleteTokens, grantIdOf(row), { AppName: row.AppName, UserId: row.UserId, DeleteToken: row.DeleteToken });
  }

  #rememberUsername(userId: string, username: string): void {
    remember(this.#usernames, userId, username);
  }

  async #sessions(conn: Connection, userIds: string[], oauthOnly: boolean): Promise<SessionRow[]> {
    const rows: SessionRow[] = [];
    for (const slice of slices(userIds)) {
      const res = await this.#queryAll<SessionRow>(
        conn,
        `SELECT ${SESSION_FIELDS} FROM AuthSession WHERE UsersId IN ${soqlList(slice)}${oauthOnly ? ` AND SessionType = 'Oauth2'` : ''}`,
      );
      rows.push(...res.records);
    }
    return rows;
  }

  // ---- Connector --------------------------------------------------------------------------------

  async identify(ref: CredentialRef, options: IdentifyOptions = {}): Promise<ScopeReport> {
    return this.#call(`identify ${describeRef(ref)}`, async (conn) => {
      const blindSpots: string[] = [...SALESFORCE_BLIND_SPOTS];
      const riskFlags: string[] = [];
      let sessionIds: string[] | undefined;
      let grantId: string | undefined;

      if (ref.leakedValue && (ref.kind === 'oauth_token' || ref.kind === 'session')) {
        // An access token is a session id: asked with its own value, AuthSession names it (IsCurrent).
        const own = await this.#sessionOfToken(ref.leakedValue);
        if (own === 'dead') riskFlags.push('the leaked access token no longer authenticates');
        else if (own) sessionIds = [own];
      }
      if (ref.id?.startsWith(GRANT_ID_PREFIX)) {
        grantId = ref.id;
      } else if (ref.id && /^0Ak/.test(ref.id)) {
        sessionIds = [ref.id];
      }
      const userRef = ref.user ?? (grantId ? grantId.slice(GRANT_ID_PREFIX.length).split(':')[0] : undefined);
      if (!userRef && !ref.clientId && !sessionIds && riskFlags.length) {
        // Only a leaked value was given, and it no longer authenticates: nothing live to contain.
        return { provider: 'salesforce', ref: describeRef(ref), credentials: [], relatedServiceAccounts: [], riskFlags, blindSpots };
      }
      if (!userRef && !ref.clientId && !sessionIds) {
        throw new ConnectorError('invalid', 'salesforce', `salesforce: ${describeRef(ref)}: give a user, a connected app (clientId), a session id (0Ak…) or a grant id (oauthtoken:…)`);
      }
      const want = { grants: !sessionIds && ['refresh_token', 'oauth_grant', 'oauth_token'].includes(ref.kind), sessions: !grantId && ['oauth_token', 'session'].includes(ref.kind) };
      const found = userRef && !sessionIds ? await this.#identifyUser(conn, ref, userRef, grantId, want) : await this.#identifyElse(conn, ref, sessionIds, grantId, want);
      const { grantRows, sessionRows, users } = found;
      if (found.capped) blindSpots.push(`this query hit the ${OAUTH_TOKEN_ROW_CAP}-row OauthToken cap: more grants may exist`);

      const credentials: Credential[] = [];
      for (const row of grantRows) credentials.push(this.#grantCredential(row, users.get(row.UserId)!, ref.kind === 'oauth_grant' ? 'oauth_grant' : 'refresh_token'));
      for (const row of sessionRows) credentials.push(this.#sessionCredential(row, users.get(row.UsersId)!));
      if (!credentials.length) riskFlags.push(`no live credential matches ${describeRef(ref)}: already revoked, or outside what the API shows`);
      for (const c of credentials) {
        if (c.consumers.length > 1) riskFlags.push(`${c.id} is shared by ${c.consumers.length} consumers (${c.consumers.map((x) => x.id).join(', ')})`);
        if (c.selfOrLastAdmin) riskFlags.push(`${c.id} belongs to Cordon's own Salesforce user (${this.#config.username})`);
      }
      // The app's other holders are a risk flag only (they decide neither I6 nor I8): with deferEnrichment they
      // are read by enrich() once the revoke is acknowledged, else here, once the matched grants name the apps.
      const grantsByApp = grantRows.filter((r) => r.AppName);
      let pendingEnrichment: ScopeReport['pendingEnrichment'];
      if (options.deferEnrichment && grantsByApp.length) {
        pendingEnrichment = grantsByApp.map((r) => ({ credentialId: grantIdOf(r), context: { app: r.AppName! } }));
      } else if (grantsByApp.length) {
        riskFlags.push(...(await this.#otherHolders(conn, grantsByApp.map((r) => r.AppName!), new Set(users.keys()))));
      }
      // Service accounts tied to the credentials found: their own integration users, nothing more. Other holders
      // of the same app are only counted: forcing their re-authentication would end credentials no one named.
      const related = [...users.values()].filter((u) => u.principal.type === 'integration_user').map((u) => u.principal);
      return {
        provider: 'salesforce',
        ref: describeRef(ref),
        credentials,
        relatedServiceAccounts: related,
        riskFlags,
        blindSpots,
        ...(pendingEnrichment ? { pendingEnrichment } : {}),
        ...(found.reauth ? { reauthScopes: [found.reauth] } : {}),
      };
    });
  }

  /**
   * A ref that names its user (or a grant, which names its user): one round of side-by-side reads, the user's
   * row, its grants across every app and its sessions (#snapshotOf), beside the app's name. The same rows give
   * the credentials the ref names and what re-authenticating the user ends (`reauth`, I8), so the plan needs no
   * second read of them.
   */
  async #identifyUser(conn: Connection, ref: CredentialRef, userRef: string, grantId: string | undefined, want: { grants: boolean; sessions: boolean }): Promise<Identified> {
    const [live, app] = await Promise.all([this.#snapshotOf(conn, userRef), ref.clientId ? this.#appName(conn, ref.clientId) : undefined]);
    if (ref.user && !live) throw new ConnectorError('not_found', 'salesforce', `salesforce: user ${ref.user} not found in the org; check the username`);
    if (ref.clientId && !app) throw new ConnectorError('not_found', 'salesforce', `salesforce: connected app ${ref.clientId} not found`);
    if (!live) return { grantRows: [], sessionRows: [], users: new Map(), capped: false };
    // SOQL compares strings case-insensitively: the app filter the query would have applied, applied here.
    const grantRows = want.grants ? live.grants.filter((r) => (!app || r.AppName?.toLowerCase() === app.toLowerCase()) && (!grantId || grantIdOf(r) === grantId)) : [];
    const sessionRows = want.sessions ? live.sessions.filter((s) => ref.kind !== 'oauth_token' || s.SessionType === 'Oauth2') : [];
    return { grantRows, sessionRows, users: new Map([[live.userId, live.user]]), capped: live.capped, reauth: this.#reauthOf(live) };
  }

  /** A ref by connected app alone, by session id or by leaked access token: the rows it names, then their users. */
  async #identifyElse(conn: Connection, ref: CredentialRef, sessionIds: string[] | undefined, grantId: string | undefined, want: { grants: boolean; sessions: boolean }): Promise<Identified> {
    // The user and the app are looked up side by side.
    const [userId, app] = await Promise.all([ref.user ? this.#userByRef(conn, ref.user) : undefined, ref.clientId ? this.#appName(conn, ref.clientId) : undefined]);
    if (ref.user && !userId) throw new ConnectorError('not_found', 'salesforce', `salesforce: user ${ref.user} not found in the org; check the username`);
    if (ref.clientId && !app) throw new ConnectorError('not_found', 'salesforce', `salesforce: connected app ${ref.clientId} not found`);
    const userIds = userId ? [userId] : undefined;
    let grantRows: GrantRow[] = [];
    let capped = false;
    if (want.grants) {
      const res = await this.#grants(conn, { ...(userIds ? { userIds } : {}), ...(app ? { app } : {}) });
      capped = res.capped;
      grantRows = grantId ? res.rows.filter((r) => grantIdOf(r) === grantId) : res.rows;
    }
    let sessionRows: SessionRow[] = [];
    if (want.sessions) {
      if (sessionIds) {
        sessionRows = (await this.#queryAll<SessionRow>(conn, `SELECT ${SESSION_FIELDS} FROM AuthSession WHERE Id IN ${soqlList(sessionIds)}`)).records;
      } else {
        sessionRows = await this.#sessions(conn, userIds ?? [...new Set(grantRows.map((r) => r.UserId))], ref.kind === 'oauth_token');
      }
    }
    const users = await this.#users(conn, [...grantRows.map((r) => r.UserId), ...sessionRows.map((r) => r.UsersId)]);
    return { grantRows, sessionRows, users, capped };
  }

  /** Risk flags for the other users holding grants of `apps` (not in `known`). */
  async #otherHolders(conn: Connection, apps: readonly string[], known: ReadonlySet<string>): Promise<string[]> {
    const names = [...new Set(apps)];
    const holders = await this.#queryAll<{ UserId: string }>(conn, `SELECT UserId FROM OauthToken WHERE AppName IN ${soqlList(names)}`);
    const others = new Set(holders.records.map((h) => h.UserId).filter((id) => !known.has(id)));
    if (!others.size) return [];
    return [`${others.size}${holders.capped ? '+' : ''} other user(s) also hold grants of ${names.join(', ')}: not in this scope (name them, or revoke every grant of the app)`];
  }

  /** What identify left for after the revoke: the other holders of the grants' apps (a risk flag only). */
  async enrich(report: ScopeReport): Promise<ScopeEnrichment> {
    const pending = report.pendingEnrichment ?? [];
    const apps = pending.map((p) => p.context.app).filter((a): a is string => !!a);
    const known = new Set(report.credentials.map((c) => c.principal.id));
    const riskFlags = apps.length ? await this.#call(`list the other holders of ${[...new Set(apps)].join(', ')}`, (conn) => this.#otherHolders(conn, apps, known)) : [];
    const credentials = pending.flatMap((p) => {
      const c = report.credentials.find((x) => x.id === p.credentialId);
      return c ? [{ credentialId: c.id, label: c.label, principal: c.principal, ...(c.lastUsedAt ? { lastUsedAt: c.lastUsedAt } : {}) }] : [];
    });
    return { provider: 'salesforce', credentials, riskFlags, blindSpots: [] };
  }

  /** The re-authentication scope of a snapshot's user (what reauthScope would answer), or why there is none (I6). */
  #reauthOf(live: Snapshot): ReauthScopeSnapshot {
    if (this.#isSelf(live.user)) return { principalId: live.userId, credentials: [], effects: [], notPossible: this.#selfReauthRefusal(live.user) };
    const credentials = [...live.grants.map((r) => this.#grantCredential(r, live.user)), ...live.sessions.filter((s) => !s.IsCurrent).map((s) => this.#sessionCredential(s, live.user))];
    return { principalId: live.userId, credentials: credentials.filter((c) => !c.selfOrLastAdmin), effects: [] };
  }

  /** The AuthSession id of an access token, asked with the token itself; 'dead' on INVALID_SESSION_ID. */
  async #sessionOfToken(token: string): Promise<string | 'dead' | undefined> {
    const admin = await this.#admin();
    const conn = this.#newConnection({ accessToken: token, instanceUrl: admin.instanceUrl });
    try {
      const res = await conn.query<{ Id: string }>(`SELECT Id FROM AuthSession WHERE IsCurrent = true`);
      return res.records[0]?.Id;
    } catch (err) {
      const classified = classifySalesforceError(err, 'look up the session of a token', this.#config.rateLimitBackoffMs);
      if (classified.kind === 'auth') return 'dead';
      throw classified;
    }
  }

  /**
   * Hygiene sweeps (issue 7): every OAuth grant (refresh token) of the org with its user. Sessions
   * are left out: they expire by themselves and are not what a hygiene sweep is after.
   */
  async inventory(): Promise<InventoryResult> {
    return this.#call('inventory of OAuth grants', async (conn) => {
      const { rows, capped } = await this.#grants(conn, {});
      const users = await this.#users(conn, rows.map((r) => r.UserId));
      const blindSpots: string[] = [
        ...SALESFORCE_BLIND_SPOTS,
        'the OAuth scopes of a grant are not readable through the API: over-broad scopes (e.g. full) cannot be flagged',
        'sessions are not inventoried (they expire on their own)',
      ];
      if (capped) blindSpots.push(`the org-wide OauthToken listing hit the ${OAUTH_TOKEN_ROW_CAP}-row cap: more grants exist than were inventoried`);
      const missing = rows.filter((r) => !users.has(r.UserId)).length;
      if (missing) blindSpots.push(`${missing} grant(s) belong to users this connector cannot read`);
      const credentials = rows.filter((r) => users.has(r.UserId)).map((r) => this.#grantCredential(r, users.get(r.UserId)!));
      const principals: InventoryPrincipal[] = [...users.values()].map((u) => u.principal);
      return { provider: 'salesforce' as const, takenAt: new Date().toISOString(), credentials, principals, blindSpots };
    });
  }

  /**
   * The principal's live grants and sessions. A user this worker has read (identify) is not read again: its grants
   * and sessions are listed by its id, under the principal as given; otherwise the user is read beside them.
   */
  async listActive(principal: Principal): Promise<Credential[]> {
    return this.#call(`list credentials of ${principal.id}`, async (conn) => {
      const username = USER_ID.test(principal.id) ? this.#usernames.get(principal.id) : undefined;
      if (username) {
        const user: OrgUser = { username, principal };
        const [grants, sessions] = await Promise.all([this.#grants(conn, { userIds: [principal.id] }), this.#sessions(conn, [principal.id], false)]);
        return [...grants.rows.map((r) => this.#grantCredential(r, user)), ...sessions.filter((s) => !s.IsCurrent).map((s) => this.#sessionCredential(s, user))];
      }
      const { user, grants, sessions } = await this.#liveOf(conn, principal);
      return [...grants.map((r) => this.#grantCredential(r, user)), ...sessions.map((s) => this.#sessionCredential(s, user))];
    });
  }

  /** A user's grants and sessions (never Cordon's own current session), read in one round. */
  async #liveOf(conn: Connection, principal: Principal): Promise<{ userId: string; user: OrgUser; grants: GrantRow[]; sessions: SessionRow[] }> {
    const live = await this.#snapshotOf(conn, principal.id);
    if (!live) throw new ConnectorError('not_found', 'salesforce', `salesforce: user ${principal.id} not found in the org`);
    return { ...live, sessions: live.sessions.filter((s) => !s.IsCurrent) };
  }

  /**
   * A user (with its frozen status), its grants across every app and its sessions, in one round of side-by-side
   * queries: by id, or by username through the relationship fields (OauthToken.User, AuthSession.Users,
   * UserLogin.User; Salesforce Object Reference), so no look-up of the id comes first. Undefined: no such user.
   */
  async #snapshotOf(conn: Connection, ref: string): Promise<Snapshot | undefined> {
    const byId = USER_ID.test(ref);
    const value = soql(ref);
    const [users, grants, sessions] = await Promise.all([
      this.#usersWhere(conn, byId ? { userWhere: `Id = ${value}`, loginWhere: `UserId = ${value}` } : { userWhere: `Username = ${value}`, loginWhere: `User.Username = ${value}` }),
      this.#grants(conn, byId ? { userIds: [ref] } : { username: ref }),
      this.#queryAll<SessionRow>(conn, `SELECT ${SESSION_FIELDS} FROM AuthSession WHERE ${byId ? 'UsersId' : 'Users.Username'} = ${value}`),
    ]);
    const [userId, user] = [...users][0] ?? [];
    if (!userId || !user) return undefined;
    return { userId, user, grants: grants.rows, capped: grants.capped, sessions: sessions.records };
  }

  async revoke(credential: Credential): Promise<WriteResult> {
    if (credential.id.startsWith(GRANT_ID_PREFIX)) return this.#revokeGrant(credential.id);
    return this.#endSession(credential.id);
  }

  /** Posts the grant's DeleteToken to the revoke endpoint; 400 invalid_token means already revoked (Salesforce OAuth 2.0 token revocation docs). */
  async #revokeGrant(grantId: string): Promise<WriteResult> {
    if (this.#revoked.has(grantId)) return { outcome: 'already_done', detail: `${grantId} was already revoked` };
    // A grant this worker listed (identify, reauthScope) is revoked at once: its id is a hash of its DeleteToken.
    const known = this.#deleteTokens.get(grantId);
    if (known) return this.#revokeRow(known);
    const userId = grantId.slice(GRANT_ID_PREFIX.length).split(':')[0]!;
    const row = await this.#call(`look up ${grantId}`, async (conn) => (await this.#grants(conn, { userIds: [userId] })).rows.find((r) => grantIdOf(r) === grantId));
    if (!row) return { outcome: 'already_done', detail: `${grantId} is no longer listed in OauthToken` };
    return this.#revokeRow(row);
  }

  /** One revoke call, in its own #call: a 401 refreshes Cordon's session and repeats this revoke only. */
  async #revokeRow(row: Pick<GrantRow, 'AppName' | 'UserId' | 'DeleteToken'>): Promise<WriteResult> {
    const grantId = grantIdOf(row);
    const ended = () => {
      remember(this.#revoked, grantId, true);
      this.#deleteTokens.delete(grantId);
    };
    return this.#call(`revoke ${grantId}`, async (conn) => {
      try {
        await conn.oauth2.revokeToken(row.DeleteToken);
      } catch (err) {
        if ((err as Error).name !== 'invalid_token') throw err;
        ended();
        return { outcome: 'already_done', detail: `${grantId} was already revoked` };
      }
      ended();
      return { outcome: 'done', detail: `revoked ${row.AppName ?? 'app'} grant of ${row.UserId} and its access tokens` };
    });
  }

  /**
   * Deletes up to 200 AuthSessions in one sObject Collections call (allOrNone false; Salesforce REST API docs: sObject Collections). A session
   * already deleted (ENTITY_IS_DELETED, INVALID_CROSS_REFERENCE_KEY, NOT_FOUND) counts as gone; any other
   * per-record error is thrown after the batch, classified by its code.
   */
  async #destroySessions(ids: readonly string[]): Promise<{ ended: number; gone: number }> {
    return this.#call(`end ${ids.length} session(s)`, async (conn) => {
      const results = await conn.sobject('AuthSession').destroy([...ids], { allOrNone: false });
      let ended = 0;
      let gone = 0;
      const failed: { id: string; code: string; message: string }[] = [];
      results.forEach((r, i) => {
        if (r.success) return void ended++;
        const error = (r.errors[0] ?? {}) as { errorCode?: string; statusCode?: string; message?: string };
        const code = error.statusCode ?? error.errorCode ?? 'UNKNOWN_EXCEPTION';
        if (SESSION_GONE_CODES.has(code)) gone++;
        else failed.push({ id: ids[i]!, code, message: error.message ?? '' });
      });
      if (failed.length) {
        const first = failed[0]!;
        throw Object.assign(new Error(`${failed.length} of ${ids.length} session(s) not deleted, first ${first.id}: ${first.message}`), { name: first.code, errorCode: first.code });
      }
      return { ended, gone };
    });
  }

  /** Deletes an AuthSession; NOT_FOUND means it already ended (Salesforce REST API docs: sObject delete). */
  async #endSession(sessionId: string): Promise<WriteResult> {
    return this.#call(`end session ${sessionId}`, async (conn) => {
      try {
        await conn.sobject('AuthSession').destroy(sessionId);
      } catch (err) {
        const code = (err as { errorCode?: string }).errorCode;
        if (code === 'NOT_FOUND' || code === 'ENTITY_IS_DELETED') return { outcome: 'already_done', detail: `${sessionId} had already ended` };
        throw err;
      }
      return { outcome: 'done', detail: `deleted AuthSession ${sessionId}` };
    });
  }

  /**
   * A replacement is an access token for the credential's user minted with Cordon's JWT bearer app
   * (Salesforce OAuth 2.0 JWT bearer flow docs; that flow issues no refresh token). Salesforce has no label to find it again by, so
   * the sink's record under the idempotency key is what makes a retry return the same one (I4).
   */
  /**
   * A replacement is a session the JWT bearer flow opens for the user. It carries no label, and the user's
   * other sessions (theirs, or another consumer's replacement being minted at the same moment) look the
   * same, so one an interrupted attempt opened and never delivered cannot be told apart and ended safely
   * (I8). It dies with the org's session timeout (2 hours unless the org set another, Salesforce Session
   * Settings), so the activity notes each mint first and reports the possible orphan.
   */
  unlabelledMint(credential: Credential): UnlabelledMint {
    return {
      what: `session of ${credential.principal.id} opened by Cordon's connected app`,
      whyNotEnded: 'a session carries no label, and it cannot be told apart from the user\'s other sessions',
      lifetimeMs: SESSION_TIMEOUT_MS,
    };
  }

  async replace(credential: Credential, consumer: Consumer, idempotencyKey: string, sink: CredentialSink): Promise<ReplacementIssued> {
    const already = await sink.lookup(idempotencyKey);
    if (already) return { replacementId: already.replacementId, fingerprint: already.fingerprint, sink: already.location };
    return this.#call(`replace ${credential.id} for ${consumer.id}`, async (conn) => {
      const userId = credential.principal.id;
      // The username this worker read with the credential is used at once: a login Salesforce refuses (a user
      // deactivated, frozen or renamed since) is explained by reading the user then (#refusedLogin).
      const known = this.#usernames.get(userId);
      const user = known ? { Username: known, IsActive: true } : await this.#userRow(conn, credential);
      if (!user.IsActive) throw this.#noReplacement(user.Username, 'offboarded');
      const minting = this.#newConnection();
      const res = await this.#jwtLogin(minting, user.Username).catch(async (err: Error) => {
        // The JWT bearer flow works only for users pre-authorised on Cordon's app (Salesforce OAuth 2.0 JWT bearer flow docs).
        if (err.name !== 'invalid_grant') throw err;
        const renamed = await this.#refusedLogin(conn, credential, user.Username, err);
        return this.#jwtLogin(minting, renamed).catch((again: Error) => {
          throw again.name === 'invalid_grant' ? this.#loginRefusal(renamed, again) : again;
        });
      });
      const sessionId = await this.#sessionOfToken(res.access_token);
      if (!sessionId || sessionId === 'dead') {
        // The retry will mint again: revoke this one first, so no consumer-less token is left alive (I4).
        await minting.oauth2.revokeToken(res.access_token).catch(() => undefined);
        throw new ConnectorError('unavailable', 'salesforce', `salesforce: the token minted for ${user.Username} does not show its session yet; it was revoked and will be minted again`);
      }
      const value = new Secret(res.access_token);
      // Another attempt's delivery kept instead: its session is the consumer's, this token is revoked (connectors/replacement-attempts.ts).
      const { kept: delivered, lost } = await deliverOrEndOwn(sink, { idempotencyKey, replacementId: sessionId, consumer, target: consumer.sink, value }, () => minting.oauth2.revokeToken(res.access_token));
      if (lost) return lost;
      return { replacementId: delivered.replacementId, fingerprint: delivered.fingerprint || fingerprintOf(value.reveal()), sink: delivered.location };
    });
  }

  async #userRow(conn: Connection, credential: Credential): Promise<{ Id: string; Username: string; IsActive: boolean }> {
    const found = await conn.query<{ Id: string; Username: string; IsActive: boolean }>(`SELECT Id, Username, IsActive FROM User WHERE Id = ${soql(credential.principal.id)} LIMIT 1`);
    const row = found.records[0];
    if (!row) throw new ConnectorError('not_found', 'salesforce', `salesforce: user ${credential.principal.id} of ${credential.id} not found`);
    this.#rememberUsername(row.Id, row.Username);
    return row;
  }

  /**
   * Why Salesforce refused the JWT bearer login as `username`: the user offboarded or frozen (conflict), Cordon's
   * address outside its profile's login IP ranges, or Cordon's app not pre-authorised for it (permission). A user
   * renamed since this worker read it is no refusal: its new username is returned, to log in with once more.
   */
  async #refusedLogin(conn: Connection, credential: Credential, username: string, err: Error): Promise<string> {
    const [row, login] = await Promise.all([
      this.#userRow(conn, credential),
      conn.query<{ IsFrozen: boolean }>(`SELECT IsFrozen FROM UserLogin WHERE UserId = ${soql(credential.principal.id)} LIMIT 1`),
    ]);
    if (!row.IsActive) throw this.#noReplacement(row.Username, 'offboarded');
    if (login.records[0]?.IsFrozen) throw this.#noReplacement(row.Username, 'suspended');
    if (row.Username.toLowerCase() !== username.toLowerCase()) return row.Username;
    throw this.#loginRefusal(username, err);
  }

  #noReplacement(username: string, status: string): ConnectorError {
    return new ConnectorError('conflict', 'salesforce', `salesforce: cannot issue a replacement for ${username}: the user is ${status}`);
  }

  #loginRefusal(username: string, err: Error): ConnectorError {
    if (/ip restricted/i.test(err.message)) {
      return new ConnectorError(
        'permission',
        'salesforce',
        `salesforce: the login IP ranges of ${username}'s profile refuse Cordon's address (${err.message}): set IP Relaxation to "Relax IP restrictions" on Cordon's connected app, or add Cordon's egress to the allowlist`,
        { cause: err },
      );
    }
    return new ConnectorError(
      'permission',
      'salesforce',
      `salesforce: Cordon's connected app may not log in as ${username} (${err.message}); pre-authorise the user's profile or a permission set on the app`,
      { cause: err },
    );
  }

  /**
   * Re-authenticating a user ends its refresh-token grants and its sessions (access tokens are sessions).
   * Cordon's own user is refused (I6): ending its other sessions would log out every other Cordon worker.
   */
  async reauthScope(principal: Principal): Promise<ReauthScope> {
    return this.#call(`list what re-authenticating ${principal.id} ends`, async (conn) => {
      const live = await this.#snapshotOf(conn, principal.id);
      if (!live) throw new ConnectorError('not_found', 'salesforce', `salesforce: user ${principal.id} not found in the org`);
      const scope = this.#reauthOf(live);
      if (scope.notPossible) throw new ConnectorError('conflict', 'salesforce', scope.notPossible);
      return { credentials: scope.credentials, effects: scope.effects };
    });
  }

  /**
   * Ends exactly `end`: each grant by its own revoke call, sessions by sObject Collections deletes of up to 200
   * ids, at most REAUTH_CONCURRENCY calls in flight. Only credentials still listed for the user are touched;
   * one already gone counts as ended.
   */
  async forceReauth(principal: Principal, end: readonly Credential[]): Promise<WriteResult> {
    const listed = await this.#reauthRows(principal, end);
    const { userId } = listed;
    for (const c of end) {
      const owner = c.id.startsWith(GRANT_ID_PREFIX) ? c.id.slice(GRANT_ID_PREFIX.length).split(':')[0] : c.principal.id;
      if (owner !== userId || c.principal.id !== userId)
        throw new ConnectorError('invalid', 'salesforce', `salesforce: ${c.id} does not belong to ${userId}: re-authenticating a user ends only its own grants and sessions`);
      if (c.selfOrLastAdmin) throw new ConnectorError('invalid', 'salesforce', `salesforce: refusing to end ${c.id}: it is Cordon's own (design.md I6)`);
    }
    const wanted = new Set(end.map((c) => c.id));
    // Listed sessions never include Cordon's current one (IsCurrent): it is not ended from under itself (I6).
    const grantRows = listed.grants.filter((r) => wanted.has(grantIdOf(r)));
    const sessionIds = listed.sessionIds.filter((id) => wanted.has(id));
    let gone = end.length - grantRows.length - sessionIds.length;
    // Grants first: revoking one also ends the sessions minted from it, which then answer as already deleted.
    const revoked = await mapLimit(grantRows, REAUTH_CONCURRENCY, (row) => this.#revokeRow(row));
    const deleted = await mapLimit(slices(sessionIds, COLLECTION_LIMIT), REAUTH_CONCURRENCY, (batch) => this.#destroySessions(batch));
    const grantsEnded = revoked.filter((r) => r.outcome === 'done').length;
    const sessionsEnded = deleted.reduce((n, d) => n + d.ended, 0);
    gone += revoked.length - grantsEnded + deleted.reduce((n, d) => n + d.gone, 0);
    const detail = `revoked ${grantsEnded} grant(s) and ended ${sessionsEnded} session(s) of ${userId}${gone ? `; ${gone} already gone` : ''}`;
    return grantsEnded + sessionsEnded ? { outcome: 'done', detail } : { outcome: 'already_done', detail };
  }

  /**
   * The grants and sessions of `end` forceReauth may touch. When this worker listed every grant of `end` (their
   * DeleteTokens are known) and the principal is not Cordon's own user (compared by id with Cordon's session),
   * nothing is read again: the plan's listing named them, a grant's or a session's owner never changes, and one
   * ended meanwhile answers as already gone. Otherwise the user's live grants and sessions are listed first.
   */
  async #reauthRows(principal: Principal, end: readonly Credential[]): Promise<{ userId: string; grants: Pick<GrantRow, 'AppName' | 'UserId' | 'DeleteToken'>[]; sessionIds: string[] }> {
    // Grants this worker saw revoked are left out (counted as already gone): no call for them.
    const grants = end.filter((c) => c.id.startsWith(GRANT_ID_PREFIX) && !this.#revoked.has(c.id)).map((c) => this.#deleteTokens.get(c.id));
    const selfId = USER_ID.test(principal.id) ? await this.#call('read Cordon\'s own user id', async (conn) => conn.userInfo?.id) : undefined;
    if (selfId && selfId.slice(0, 15) !== principal.id.slice(0, 15) && grants.every((g) => g !== undefined)) {
      return { userId: principal.id, grants, sessionIds: end.filter((c) => !c.id.startsWith(GRANT_ID_PREFIX)).map((c) => c.id) };
    }
    return this.#call(`list what re-authenticating ${principal.id} ends`, async (conn) => {
      const live = await this.#liveOf(conn, principal);
      this.#refuseReauthOfCordon(live.user);
      return { userId: live.userId, grants: live.grants, sessionIds: live.sessions.map((s) => s.Id) };
    });
  }

  #refuseReauthOfCordon(user: OrgUser): void {
    if (this.#isSelf(user)) throw new ConnectorError('conflict', 'salesforce', this.#selfReauthRefusal(user));
  }

  #selfReauthRefusal(user: OrgUser): string {
    return `salesforce: refusing to force re-authentication of ${user.username}: it is Cordon's own user, and ending its sessions would log out Cordon (design.md I6)`;
  }

  /**
   * An `ip_allowlist` narrows the login IP ranges of the credential's user's profile to the allowlist (Metadata API:
   * readMetadata / updateMetadata of Profile.loginIpRanges). Refused for Cordon's own user or profile (I6) and for a
   * profile other active users share (I8). The undo carries the ranges it replaced.
   */
  async restrict(credential: Credential, restriction: Restriction): Promise<WriteResult> {
    if (restriction.kind !== 'ip_allowlist') {
      throw unsupported('salesforce', 'restrict', `the scopes of an existing grant cannot be narrowed (${restriction.kind}); an ip_allowlist of the consumers' egress narrows the user's profile login IP ranges instead`);
    }
    if (!restriction.values.length) {
      throw new ConnectorError('invalid', 'salesforce', "salesforce: no consumer egress range is known: name the consumers' egress in the inventory");
    }
    const wanted: LoginIpRange[] = [];
    for (const value of [...new Set(restriction.values)]) {
      const range = cidrToRange(value);
      if (!range) throw new ConnectorError('invalid', 'salesforce', `salesforce: ${value} is not an IPv4 address or CIDR`);
      if (wanted.some((w) => sameRanges([w], [range]))) continue;
      const owners = credential.consumers.filter((c) => c.egress?.includes(value)).map((c) => c.id);
      wanted.push({ ...range, description: `${CORDON_RANGE_TAG}: ${owners.length ? `egress of ${owners.join(', ')}` : value}`.slice(0, 255) });
    }
    return this.#call(`narrow the login IP ranges of ${credential.principal.id}'s profile`, async (conn) => {
      const target = await this.#profileToNarrow(conn, credential.principal.id);
      const current = await this.#readLoginIpRanges(conn, target.fullName);
      const effect = `logins and token requests of ${target.username} from elsewhere are refused through connected apps that enforce IP restrictions; access tokens already issued live until they expire`;
      if (sameRanges(current, wanted)) {
        if (current.every((r) => r.description?.startsWith(CORDON_RANGE_TAG))) {
          const undo = this.#restricted.get(target.fullName);
          if (undo) return { outcome: 'already_done', detail: `login IP ranges of profile ${target.fullName} already narrowed to ${showRanges(wanted)}`, undo };
          throw new ConnectorError(
            'conflict',
            'salesforce',
            `salesforce: the login IP ranges of profile ${target.fullName} are already Cordon's allowlist (${showRanges(current)}), written by an earlier restriction this worker did not make: the ranges it replaced are in that run's evidence; restore them by hand once the containment ends`,
          );
        }
        return { outcome: 'already_done', detail: `login IP ranges of profile ${target.fullName} already are ${showRanges(current)}`, undo: this.#undoOf(target, current, current) };
      }
      await this.#writeLoginIpRanges(conn, target.fullName, wanted);
      const undo = this.#undoOf(target, current, wanted);
      this.#restricted.set(target.fullName, undo);
      return { outcome: 'done', detail: `login IP ranges of profile ${target.fullName} narrowed to ${showRanges(wanted)} (were ${showRanges(current)}): ${effect}`, undo };
    });
  }

  /** Writes back the ranges restrict() replaced; already equal is `already_done`. */
  async unrestrict(credential: Credential, undo: RestrictionUndo): Promise<WriteResult> {
    const profile = undo.data.profile;
    const previous = parseRanges(undo.data.previous);
    if (undo.kind !== LOGIN_IP_RANGES_UNDO || typeof profile !== 'string' || !profile || !previous) {
      throw new ConnectorError('invalid', 'salesforce', `salesforce: cannot undo ${undo.kind} for ${credential.id}: expected ${LOGIN_IP_RANGES_UNDO} with data { profile, previous: [{ startAddress, endAddress }] }`);
    }
    const applied = parseRanges(undo.data.applied);
    const restore = previous.length ? previous : [EVERY_ADDRESS];
    return this.#call(`restore the login IP ranges of profile ${profile}`, async (conn) => {
      const current = await this.#readLoginIpRanges(conn, profile);
      if (sameRanges(current, restore)) {
        this.#restricted.delete(profile);
        return { outcome: 'already_done', detail: `login IP ranges of profile ${profile} already are ${showRanges(current)}` };
      }
      await this.#writeLoginIpRanges(conn, profile, restore);
      this.#restricted.delete(profile);
      const changed = applied && !sameRanges(current, applied) ? `; they had been changed since Cordon narrowed them (to ${showRanges(current)}), restored all the same` : '';
      return { outcome: 'done', detail: `login IP ranges of profile ${profile} restored to ${showRanges(restore)}${changed}` };
    });
  }

  #undoOf(target: { fullName: string; profileId: string; userId: string }, previous: LoginIpRange[], applied: LoginIpRange[]): RestrictionUndo {
    const back = previous.length ? showRanges(previous) : `no ranges (written back as ${showRange(EVERY_ADDRESS)}, which admits every address; updateMetadata cannot empty the list)`;
    return {
      kind: LOGIN_IP_RANGES_UNDO,
      description: `restore the login IP ranges of profile ${target.fullName} to ${back}`,
      data: { profile: target.fullName, profileId: target.profileId, userId: target.userId, previous, applied },
    };
  }

  /**
   * The profile of the credential's user, if narrowing it touches no one else: not Cordon's own user or profile
   * (I6), not a profile other active users share (I8). Its Metadata API fullName comes from listMetadata, by id
   * (standard profiles have fullNames of their own, e.g. System Administrator is Admin).
   */
  async #profileToNarrow(conn: Connection, principalId: string): Promise<{ userId: string; username: string; profileId: string; fullName: string }> {
    const userId = await this.#userByRef(conn, principalId);
    const user = userId
      ? (await conn.query<{ Id: string; Username: string; ProfileId: string; Profile: { Name: string } | null }>(`SELECT Id, Username, ProfileId, Profile.Name FROM User WHERE Id = ${soql(userId)} LIMIT 1`)).records[0]
      : undefined;
    if (!user) throw new ConnectorError('not_found', 'salesforce', `salesforce: user ${principalId} not found in the org`);
    const profileName = user.Profile?.Name ?? user.ProfileId;
    if (user.Username.toLowerCase() === this.#config.username.toLowerCase()) {
      throw new ConnectorError('conflict', 'salesforce', `salesforce: refusing to narrow the login IP ranges of ${user.Username}: it is Cordon's own user, and Cordon would lock itself out (design.md I6)`);
    }
    const others = (
      await this.#queryAll<{ Id: string; Username: string }>(conn, `SELECT Id, Username FROM User WHERE ProfileId = ${soql(user.ProfileId)} AND IsActive = true`)
    ).records.filter((u) => u.Id !== user.Id);
    if (others.some((u) => u.Username.toLowerCase() === this.#config.username.toLowerCase())) {
      throw new ConnectorError('conflict', 'salesforce', `salesforce: refusing to narrow the login IP ranges of profile ${profileName}: Cordon's own user ${this.#config.username} has it too, and Cordon would lock itself out (design.md I6)`);
    }
    if (others.length) {
      const names = others.slice(0, 5).map((u) => u.Username).join(', ');
      throw new ConnectorError(
        'conflict',
        'salesforce',
        `salesforce: refusing to narrow the login IP ranges of profile ${profileName}: ${others.length} other active user(s) have it too (${names}${others.length > 5 ? ', …' : ''}) and would be restricted as well (design.md I8); give ${user.Username} a profile of its own`,
      );
    }
    const listed = await conn.metadata.list({ type: 'Profile' });
    const id15 = (id: string) => id.slice(0, 15);
    const entry = (Array.isArray(listed) ? listed : [listed]).find((f) => f && id15(f.id) === id15(user.ProfileId));
    if (!entry) throw new ConnectorError('not_found', 'salesforce', `salesforce: profile ${profileName} (${user.ProfileId}) of ${user.Username} is not listed by the Metadata API`);
    return { userId: user.Id, username: user.Username, profileId: user.ProfileId, fullName: entry.fullName };
  }

  async #readLoginIpRanges(conn: Connection, fullName: string): Promise<LoginIpRange[]> {
    const [record] = (await conn.metadata.read('Profile', [fullName])) as Array<{ fullName?: string | null; loginIpRanges?: unknown } | undefined>;
    // readMetadata answers a name the org does not have with an empty record, not a fault.
    if (!record?.fullName) throw new ConnectorError('not_found', 'salesforce', `salesforce: profile ${fullName} not found through the Metadata API (readMetadata returned no record)`);
    return parseRanges(record.loginIpRanges ?? []) ?? [];
  }

  /** updateMetadata answers per component: a failure is in the SaveResult, not a fault. */
  async #writeLoginIpRanges(conn: Connection, fullName: string, ranges: readonly LoginIpRange[]): Promise<void> {
    const saved = await conn.metadata.update('Profile', { fullName, loginIpRanges: ranges.map((r) => ({ ...r })) } as never);
    const result = Array.isArray(saved) ? saved[0] : saved;
    if (result?.success) return;
    const error = result?.errors?.[0] ?? { statusCode: 'UNKNOWN_EXCEPTION', message: 'updateMetadata reported no success and no error' };
    if (error.statusCode === 'INVALID_CROSS_REFERENCE_KEY') {
      throw new ConnectorError('not_found', 'salesforce', `salesforce: profile ${fullName} not found by updateMetadata (INVALID_CROSS_REFERENCE_KEY: ${error.message})`);
    }
    throw Object.assign(new Error(`updateMetadata of profile ${fullName}: ${error.message}`), { name: error.statusCode, errorCode: error.statusCode });
  }

  async probe(credential: Credential, leakedValue: string): Promise<ProbeResult> {
    if (credential.kind === 'refresh_token' || credential.kind === 'oauth_grant') {
      // Trying a refresh token needs the app's consumer key, which the API does not reveal.
      return 'unknown';
    }
    try {
      const own = await this.#sessionOfToken(leakedValue);
      return own === 'dead' ? 'dead' : 'alive';
    } catch (err) {
      throw classifySalesforceError(err, `probe ${credential.id}`, this.#config.rateLimitBackoffMs);
    }
  }

  /**
   * Reads LoginEvent where the org has Event Monitoring, else LoginHistory; a cursor keeps the object it started
   * with. Whether LoginEvent exists is asked once per connector (INVALID_TYPE means the org lacks it).
   */
  async readTokenUse(cursor: AuditCursor | undefined, options: ReadTokenUseOptions = {}): Promise<TokenUseBatch> {
    const object: SalesforceLoginObject = cursor?.streams.LoginEvent ? 'LoginEvent' : cursor?.streams.LoginHistory ? 'LoginHistory' : await this.#loginObject();
    const stream = salesforceLoginStream({ object, run: (what, fn) => this.#call(what, fn) });
    return readStreams('salesforce', [stream], cursor, { ...options, defaultOverlapMs: SALESFORCE_AUDIT_OVERLAP_MS });
  }

  #loginObject(): Promise<SalesforceLoginObject> {
    this.#loginSource ??= this.#call('checking for Event Monitoring (LoginEvent)', async (conn) => {
      try {
        await conn.query('SELECT Id FROM LoginEvent LIMIT 1');
        return 'LoginEvent' as const;
      } catch (err) {
        if ((err as { errorCode?: unknown }).errorCode === 'INVALID_TYPE') return 'LoginHistory' as const;
        throw err;
      }
    }).catch((err: unknown) => {
      this.#loginSource = undefined;
      throw err;
    });
    return this.#loginSource;
  }

  async audit(principal: Principal, sinceIso: string): Promise<AuditEvent[]> {
    return this.#call(`audit ${principal.id}`, async (conn) => {
      const userId = await this.#userByRef(conn, principal.id);
      if (!userId) throw new ConnectorError('not_found', 'salesforce', `salesforce: user ${principal.id} not found in the org`);
      const since = new Date(sinceIso).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const res = await this.#queryAll<{ LoginTime: string; LoginType: string; Application: string | null; SourceIp: string | null; Status: string }>(
        conn,
        `SELECT LoginTime, LoginType, Application, SourceIp, Status FROM LoginHistory WHERE UserId = ${soql(userId)} AND LoginTime >= ${since} ORDER BY LoginTime ASC`,
      );
      return res.records.map((r) => ({
        at: iso(r.LoginTime) ?? r.LoginTime,
        actor: userId,
        action: `login:${r.LoginType}`,
        detail: `${r.Application ?? 'unknown app'} from ${r.SourceIp ?? 'unknown address'}: ${r.Status}`,
      }));
    });
  }

  async revokeAllForClient(credential: Credential): Promise<WriteResult> {
    const app = credential.clientId;
    if (!app) throw new ConnectorError('invalid', 'salesforce', `salesforce: ${credential.id} names no connected app`);
    const { rows } = await this.#call(`list every grant of ${app}`, (conn) => this.#grants(conn, { app }));
    const outcomes = await mapLimit(rows, REAUTH_CONCURRENCY, (row) => this.#revokeRow(row));
    const revoked = outcomes.filter((o) => o.outcome === 'done').length;
    return revoked ? { outcome: 'done', detail: `revoked ${revoked} grant(s) of ${app}` } : { outcome: 'already_done', detail: `${app} has no grant left` };
  }

  /** Freezes the user through UserLogin (idempotent PATCH, Salesforce object reference: UserLogin, User). */
  async suspendPrincipal(principal: Principal): Promise<WriteResult> {
    return this.#call(`freeze ${principal.id}`, async (conn) => {
      const userId = await this.#userByRef(conn, principal.id);
      if (!userId) throw new ConnectorError('not_found', 'salesforce', `salesforce: user ${principal.id} not found in the org`);
      const login = await conn.query<{ Id: string; IsFrozen: boolean }>(`SELECT Id, IsFrozen FROM UserLogin WHERE UserId = ${soql(userId)} LIMIT 1`);
      const row = login.records[0];
      if (!row) throw new ConnectorError('not_found', 'salesforce', `salesforce: no UserLogin for ${userId}`);
      if (row.IsFrozen) return { outcome: 'already_done', detail: `${userId} was already frozen` };
      await conn.sobject('UserLogin').update({ Id: row.Id, IsFrozen: true });
      return { outcome: 'done', detail: `froze ${userId}` };
    });
  }
}

export function createSalesforceConnector(config: SalesforceConnectorConfig): SalesforceConnector {
  return new SalesforceConnector(SalesforceConnectorConfig.parse(config));
}
