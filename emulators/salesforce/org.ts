// The emulated org's state: users, connected apps, refresh-token grants (OauthToken rows), sessions
// (AuthSession rows; an OAuth access token is the session id) and login history. Every way a credential
// dies goes through here, so a revoked token stops working on every endpoint at once (Salesforce OAuth 2.0 token revocation docs).
import { createHash, randomBytes } from 'node:crypto';
import type { Consumer } from '../core/types.ts';
import { AuditClock, AuditLog } from '../core/audit-log.ts';
import type { SalesforceAuditSeed, SalesforceLoginIpRange, SalesforceScenario } from './scenario.ts';
import { parseSalesforceDate, type SoqlCatalog, type SoqlObject, type SoqlRow } from './soql.ts';

export interface OrgUser {
  id: string;
  username: string;
  name: string;
  email: string;
  profile: string;
  admin: boolean;
  isActive: boolean;
  frozen: boolean;
  passwordLocked: boolean;
  createdDate: string;
  lastLoginDate: string | undefined;
  loginModified: string;
}

export interface OrgApp {
  id: string;
  name: string;
  consumerKey: string;
  adminApprovedUsersOnly: boolean;
  approvedUserIds: Set<string>;
  publicKeyPem: string | undefined;
  /** ConnectedAppOauthPolicy.ipRelaxation: only ENFORCE makes the token endpoint check profile login IP ranges. */
  ipRelaxation: 'ENFORCE' | 'BYPASS' | 'ENFORCE_ACTIVATED_DEVICES';
}

/** A profile and its login IP ranges (Metadata API: Profile). No ranges = any address may log in. */
export interface OrgProfile {
  id: string;
  name: string;
  /** The Metadata API name (readMetadata/updateMetadata fullNames, listMetadata). */
  fullName: string;
  custom: boolean;
  loginIpRanges: SalesforceLoginIpRange[];
}

export interface OrgGrant {
  key: string;
  appId: string;
  userId: string;
  scopes: string[];
  refreshToken: string;
  deleteToken: string;
  createdDate: string;
  lastUsedDate: string | undefined;
  useCount: number;
  consumers: Consumer[];
}

export interface OrgSession {
  id: string;
  userId: string;
  accessToken: string;
  sessionType: string;
  loginType: string;
  appId: string | undefined;
  grantKey: string | undefined;
  scopes: string[];
  createdDate: string;
  sourceIp: string;
  numSecondsValid: number;
  consumers: Consumer[];
}

interface LoginRow {
  id: string;
  userId: string;
  at: string;
  loginType: string;
  application: string;
  sourceIp: string;
  status: string;
  apiType: string | null;
}

/** Salesforce writes datetimes as `2025-08-08T12:00:00.000+0000`. */
export function sfDateTime(iso: string | Date): string {
  return new Date(iso).toISOString().replace('Z', '+0000');
}

const INTEGRATION_PROFILE = 'Salesforce API Only System Integrations';
/** Standard profiles whose Metadata API fullName differs from Profile.Name (Metadata API: Profile). */
const STANDARD_PROFILE_FULL_NAMES: Record<string, string> = {
  'System Administrator': 'Admin',
  'Standard User': 'Standard',
  'Read Only': 'ReadOnly',
  'Minimum Access - Salesforce': 'Minimum Access - Salesforce',
  [INTEGRATION_PROFILE]: INTEGRATION_PROFILE,
};

/** An IPv4 address as a number, for range checks; undefined when it is not one. */
export function ipv4ToNumber(address: string): number | undefined {
  const parts = address.trim().split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function derived(kind: string, orgId: string, key: string, length: number): string {
  return createHash('sha256').update(`${kind}:${orgId}:${key}`).digest('base64url').slice(0, length);
}

export const SOQL_OBJECTS: Record<string, SoqlObject & { minVersion: number }> = {
  OauthToken: {
    name: 'OauthToken',
    minVersion: 32,
    fields: ['Id', 'AccessToken', 'AppMenuItemId', 'AppName', 'CreatedDate', 'DeleteToken', 'LastUsedDate', 'RequestToken', 'UseCount', 'UserId'],
    relationships: { User: { object: 'User', idField: 'UserId' } },
  },
  AuthSession: {
    name: 'AuthSession',
    minVersion: 29,
    fields: [
      'Id', 'UsersId', 'CreatedDate', 'LastModifiedDate', 'NumSecondsValid', 'IsCurrent', 'LoginType', 'LoginHistoryId',
      'LogoutUrl', 'ParentId', 'SessionSecurityLevel', 'SessionType', 'SourceIp', 'UserType',
    ],
    relationships: { Users: { object: 'User', idField: 'UsersId' } },
  },
  UserLogin: {
    name: 'UserLogin',
    minVersion: 29,
    fields: ['Id', 'UserId', 'IsFrozen', 'IsPasswordLocked', 'LastModifiedById', 'LastModifiedDate'],
    // Object Reference, UserLogin.UserId: "Relationship name: User".
    relationships: { User: { object: 'User', idField: 'UserId' } },
  },
  User: {
    name: 'User',
    minVersion: 1,
    fields: ['Id', 'Username', 'Name', 'Email', 'IsActive', 'UserType', 'ProfileId', 'LastLoginDate', 'CreatedDate'],
    relationships: { Profile: { object: 'Profile', idField: 'ProfileId' } },
  },
  Profile: { name: 'Profile', minVersion: 1, fields: ['Id', 'Name', 'UserType'] },
  ConnectedApplication: {
    name: 'ConnectedApplication',
    minVersion: 33,
    fields: ['Id', 'Name', 'OptionsAllowAdminApprovedUsersOnly', 'OptionsRefreshTokenValidityMetric', 'RefreshTokenValidityPeriod', 'StartUrl', 'CreatedDate'],
  },
  LoginHistory: {
    name: 'LoginHistory',
    minVersion: 1,
    fields: ['Id', 'UserId', 'LoginTime', 'LoginType', 'SourceIp', 'Status', 'Application', 'Browser', 'Platform', 'CountryIso', 'ApiType', 'ApiVersion', 'LoginUrl', 'AuthenticationServiceId'],
  },
  // Real-time Event Monitoring (Platform Events developer guide: LoginEvent); queryable only where the org has it.
  LoginEvent: {
    name: 'LoginEvent',
    minVersion: 46,
    fields: [
      'Id', 'EventIdentifier', 'EventDate', 'CreatedDate', 'UserId', 'Username', 'LoginHistoryId', 'LoginType', 'LoginUrl', 'SourceIp',
      'CountryIso', 'Country', 'City', 'Browser', 'Platform', 'Application', 'Status', 'ApiType', 'ApiVersion', 'SessionKey', 'SessionLevel', 'UserType',
    ],
  },
};

/** A row's time in a Salesforce datetime field, in ms; undefined when missing or unreadable. */
function rowTime(value: unknown): number | undefined {
  const at = typeof value === 'string' ? parseSalesforceDate(value) : Number.NaN;
  return Number.isNaN(at) ? undefined : at;
}

/** Objects an API user without Manage Users / Customize Application cannot query at all. */
const ADMIN_ONLY_OBJECTS = new Set(['UserLogin', 'ConnectedApplication']);
/** Objects a non-admin sees only its own rows of (Salesforce object reference: OauthToken visibility). */
const OWN_ROWS_FIELD: Record<string, string> = { OauthToken: 'UserId', AuthSession: 'UsersId', LoginHistory: 'UserId', LoginEvent: 'UserId' };

export class Org {
  id = '00D000000000000AAA';
  name = '';
  apiLimit = 15000;
  apiUsed = 0;
  readonly users = new Map<string, OrgUser>();
  readonly apps = new Map<string, OrgApp>();
  readonly grants = new Map<string, OrgGrant>();
  readonly sessions = new Map<string, OrgSession>();
  /** By Profile.Name. */
  readonly profiles = new Map<string, OrgProfile>();
  /** Ids of sessions that existed and were ended: deleting one again answers ENTITY_IS_DELETED. */
  readonly endedSessions = new Set<string>();
  readonly logins: LoginRow[] = [];
  /** Seeded wire-shaped rows (scenario `auditRecords`, the control API). */
  readonly wireLogins = new AuditLog<SoqlRow>((r) => rowTime(r.LoginTime));
  readonly loginEvents = new AuditLog<SoqlRow>((r) => rowTime(r.EventDate));
  eventMonitoring = false;
  auditClock = new AuditClock();
  cordon: { userId: string; appId: string } | undefined;
  #counter = 0;

  load(section: SalesforceScenario, cordonPublicKeyPem: string | undefined): void {
    this.id = section.org.id;
    this.name = section.org.name;
    this.apiLimit = section.apiRequestLimit;
    this.apiUsed = section.apiRequestsUsed;
    this.cordon = section.cordon;
    for (const u of section.users) {
      const created = sfDateTime(u.createdDate ?? '2024-01-15T09:00:00Z');
      this.users.set(u.id, {
        id: u.id,
        username: u.username,
        name: u.name,
        email: u.email ?? u.username,
        profile: u.profile ?? (u.type === 'user' ? (u.admin ? 'System Administrator' : 'Standard User') : INTEGRATION_PROFILE),
        admin: u.admin,
        isActive: u.status !== 'offboarded',
        frozen: u.status === 'suspended',
        passwordLocked: false,
        createdDate: created,
        lastLoginDate: u.lastLoginDate ? sfDateTime(u.lastLoginDate) : undefined,
        loginModified: created,
      });
    }
    for (const p of section.profiles) this.#addProfile(p.name, p.fullName, p.loginIpRanges);
    for (const u of this.users.values()) if (!this.profiles.has(u.profile)) this.#addProfile(u.profile, undefined, []);
    for (const a of section.connectedApps) {
      this.apps.set(a.id, {
        id: a.id,
        name: a.name,
        consumerKey: a.consumerKey,
        adminApprovedUsersOnly: a.adminApprovedUsersOnly,
        approvedUserIds: new Set(a.approvedUserIds),
        publicKeyPem: a.id === section.cordon.appId ? (cordonPublicKeyPem ?? a.certificatePem) : a.certificatePem,
        ipRelaxation: a.ipRelaxation,
      });
    }
    for (const t of section.oauthTokens) {
      this.grants.set(t.id, {
        key: t.id,
        appId: t.appId,
        userId: t.userId,
        scopes: t.scopes,
        refreshToken: t.refreshToken ?? `5Aep861${derived('refresh', this.id, t.id, 80)}`,
        deleteToken: derived('delete', this.id, t.id, 40),
        createdDate: sfDateTime(t.createdDate),
        lastUsedDate: t.lastUsedDate ? sfDateTime(t.lastUsedDate) : undefined,
        useCount: t.useCount,
        consumers: t.consumers,
      });
    }
    for (const s of section.sessions) {
      this.sessions.set(s.id, {
        id: s.id,
        userId: s.userId,
        accessToken: s.accessToken ?? `${this.id.slice(0, 15)}!AR${derived('access', this.id, s.id, 96)}`,
        sessionType: s.sessionType,
        loginType: s.loginType,
        appId: s.appId,
        grantKey: s.oauthTokenId,
        scopes: s.oauthTokenId ? (this.grants.get(s.oauthTokenId)?.scopes ?? ['api']) : ['api'],
        createdDate: sfDateTime(s.createdDate),
        sourceIp: s.sourceIp,
        numSecondsValid: s.numSecondsValid,
        consumers: s.consumers,
      });
    }
    this.eventMonitoring = section.eventMonitoring;
    this.addAuditRecords(section.auditRecords);
    for (const e of section.auditEvents) {
      this.addLogin(e.userId, { at: e.at, loginType: e.loginType, application: e.application, sourceIp: e.sourceIp, status: e.status, apiType: e.apiType ?? null });
    }
  }

  addAuditRecords(seeds: readonly SalesforceAuditSeed[]): void {
    for (const s of seeds) {
      const log = s.object === 'LoginEvent' ? this.loginEvents : this.wireLogins;
      log.add(s.record, s.availableAt === undefined ? undefined : Date.parse(s.availableAt));
    }
  }

  #addProfile(name: string, fullName: string | undefined, ranges: SalesforceLoginIpRange[]): void {
    const standard = STANDARD_PROFILE_FULL_NAMES[name];
    this.profiles.set(name, { id: this.profileId(name), name, fullName: fullName ?? standard ?? name, custom: !standard, loginIpRanges: ranges.map((r) => ({ ...r })) });
  }

  profileByFullName(fullName: string): OrgProfile | undefined {
    for (const p of this.profiles.values()) if (p.fullName === fullName) return p;
    return undefined;
  }

  /**
   * Whether a user may authenticate from `address` through `app`: a profile with login IP ranges admits only
   * addresses inside one of them, unless the app relaxes IP restrictions (Salesforce Help: "Restrict Login IP
   * Ranges in a Profile", connected app "IP Relaxation").
   */
  ipAllowed(user: OrgUser, app: OrgApp | undefined, address: string): boolean {
    if (app && app.ipRelaxation !== 'ENFORCE') return true;
    const ranges = this.profiles.get(user.profile)?.loginIpRanges ?? [];
    if (!ranges.length) return true;
    const ip = ipv4ToNumber(address);
    if (ip === undefined) return false;
    return ranges.some((r) => ipv4ToNumber(r.startAddress)! <= ip && ip <= ipv4ToNumber(r.endAddress)!);
  }

  clear(): void {
    this.profiles.clear();
    this.users.clear();
    this.apps.clear();
    this.grants.clear();
    this.sessions.clear();
    this.endedSessions.clear();
    this.logins.length = 0;
    this.wireLogins.clear();
    this.loginEvents.clear();
    this.eventMonitoring = false;
    this.cordon = undefined;
    this.apiUsed = 0;
  }

  newId(prefix: string): string {
    this.#counter += 1;
    return `${prefix}${Date.now().toString(36).toUpperCase().padStart(9, '0').slice(-9)}${String(this.#counter).padStart(3, '0')}AAA`;
  }

  addLogin(userId: string, row: Omit<LoginRow, 'id' | 'userId'>): void {
    this.logins.push({ id: this.newId('0Ya'), userId, ...row, at: sfDateTime(row.at) });
  }

  userByUsername(username: string): OrgUser | undefined {
    for (const u of this.users.values()) if (u.username.toLowerCase() === username.toLowerCase()) return u;
    return undefined;
  }

  appByConsumerKey(key: string): OrgApp | undefined {
    for (const a of this.apps.values()) if (a.consumerKey === key) return a;
    return undefined;
  }

  /** Whether a user may still authenticate at all: frozen and deactivated users may not (Salesforce object reference: UserLogin, User). */
  canAuthenticate(user: OrgUser | undefined): boolean {
    return !!user && user.isActive && !user.frozen;
  }

  /** The live session an access token belongs to, if the token still authenticates. */
  sessionForToken(token: string | undefined): OrgSession | undefined {
    if (!token) return undefined;
    for (const s of this.sessions.values()) {
      if (s.accessToken === token) return this.canAuthenticate(this.users.get(s.userId)) ? s : undefined;
    }
    return undefined;
  }

  grantForRefreshToken(token: string): OrgGrant | undefined {
    for (const g of this.grants.values()) if (g.refreshToken === token) return g;
    return undefined;
  }

  grantForDeleteToken(token: string): OrgGrant | undefined {
    for (const g of this.grants.values()) if (g.deleteToken === token) return g;
    return undefined;
  }

  /** Mints an access token = a new Oauth2 session (optionally from a refresh-token grant). */
  issueSession(input: { userId: string; appId: string; grantKey?: string; scopes: string[]; loginType: string; sourceIp: string }): OrgSession {
    const id = this.newId('0Ak');
    const session: OrgSession = {
      id,
      userId: input.userId,
      accessToken: `${this.id.slice(0, 15)}!AR${randomBytes(72).toString('base64url')}`,
      sessionType: 'Oauth2',
      loginType: input.loginType,
      appId: input.appId,
      grantKey: input.grantKey,
      scopes: input.scopes,
      createdDate: sfDateTime(new Date()),
      sourceIp: input.sourceIp,
      numSecondsValid: 7200,
      consumers: [],
    };
    this.sessions.set(id, session);
    const user = this.users.get(input.userId);
    if (user) user.lastLoginDate = session.createdDate;
    this.addLogin(input.userId, {
      at: new Date().toISOString(),
      loginType: input.loginType,
      application: this.apps.get(input.appId)?.name ?? 'Unknown',
      sourceIp: input.sourceIp,
      status: 'Success',
      apiType: null,
    });
    return session;
  }

  /** Revoking a refresh token revokes every access token minted from it (Salesforce OAuth 2.0 token revocation docs). */
  revokeGrant(grant: OrgGrant): void {
    this.grants.delete(grant.key);
    for (const s of [...this.sessions.values()]) if (s.grantKey === grant.key) this.endSession(s);
  }

  endSession(session: OrgSession): void {
    this.sessions.delete(session.id);
    this.endedSessions.add(session.id);
  }

  counts(): Record<string, number> {
    return {
      users: this.users.size,
      connectedApps: this.apps.size,
      oauthTokens: this.grants.size,
      sessions: this.sessions.size,
      auditEvents: this.logins.length,
      auditRecords: this.wireLogins.size + this.loginEvents.size,
    };
  }

  // ---- SOQL view -------------------------------------------------------------------------------

  profileId(name: string): string {
    return `00e${createHash('sha256').update(name).digest('hex').slice(0, 12).toUpperCase()}AAA`;
  }

  userLoginId(userId: string): string {
    return `0Yw${userId.slice(3)}`;
  }

  /** Rows of `object` the caller may see, or 'invisible' when the object is not queryable for it. */
  rows(object: string, caller: OrgSession): SoqlRow[] | 'invisible' {
    const callerUser = this.users.get(caller.userId)!;
    if (ADMIN_ONLY_OBJECTS.has(object) && !callerUser.admin) return 'invisible';
    if (object === 'LoginEvent' && !this.eventMonitoring) return 'invisible';
    const all = this.#allRows(object, caller);
    const own = OWN_ROWS_FIELD[object];
    return own && !callerUser.admin ? all.filter((r) => r[own] === caller.userId) : all;
  }

  #allRows(object: string, caller: OrgSession): SoqlRow[] {
    switch (object) {
      case 'OauthToken':
        return [...this.grants.values()].map((g) => ({
          Id: null, // "Reserved for future use. Currently, the value is always null." (object reference)
          AccessToken: null, // the partial value a real org shows is not modelled
          AppMenuItemId: `0Pp${g.appId.slice(3)}`,
          AppName: this.apps.get(g.appId)?.name ?? null,
          CreatedDate: g.createdDate,
          DeleteToken: g.deleteToken,
          LastUsedDate: g.lastUsedDate ?? null,
          RequestToken: null,
          UseCount: g.useCount,
          UserId: g.userId,
        }));
      case 'AuthSession':
        return [...this.sessions.values()].map((s) => ({
          Id: s.id,
          UsersId: s.userId,
          CreatedDate: s.createdDate,
          LastModifiedDate: s.createdDate,
          NumSecondsValid: s.numSecondsValid,
          IsCurrent: s.id === caller.id,
          LoginType: s.loginType,
          LoginHistoryId: null,
          LogoutUrl: null,
          ParentId: null,
          SessionSecurityLevel: 'STANDARD',
          SessionType: s.sessionType,
          SourceIp: s.sourceIp,
          UserType: 'Standard',
        }));
      case 'UserLogin':
        return [...this.users.values()].map((u) => this.userLoginRow(u));
      case 'User':
        return [...this.users.values()].map((u) => this.userRow(u));
      case 'Profile':
        return [...this.profiles.values()].map((p) => ({ Id: p.id, Name: p.name, UserType: 'Standard' }));
      case 'ConnectedApplication':
        return [...this.apps.values()].map((a) => ({
          Id: a.id,
          Name: a.name,
          OptionsAllowAdminApprovedUsersOnly: a.adminApprovedUsersOnly,
          OptionsRefreshTokenValidityMetric: false,
          RefreshTokenValidityPeriod: null,
          StartUrl: null,
          CreatedDate: sfDateTime('2024-01-15T09:00:00Z'),
        }));
      case 'LoginHistory':
        return this.logins.map((l): SoqlRow => ({
          Id: l.id,
          UserId: l.userId,
          LoginTime: l.at,
          LoginType: l.loginType,
          SourceIp: l.sourceIp,
          Status: l.status,
          Application: l.application,
          Browser: 'Unknown',
          Platform: 'Unknown',
          CountryIso: null,
          ApiType: l.apiType,
          ApiVersion: null,
          LoginUrl: 'login.salesforce.com',
          AuthenticationServiceId: null,
        })).concat(this.wireLogins.visible(this.auditClock.now()).map((e) => e.record));
      case 'LoginEvent':
        return this.loginEvents.visible(this.auditClock.now()).map((e) => e.record);
      default:
        return [];
    }
  }

  userRow(u: OrgUser): SoqlRow {
    return {
      Id: u.id,
      Username: u.username,
      Name: u.name,
      Email: u.email,
      IsActive: u.isActive,
      UserType: 'Standard',
      ProfileId: this.profileId(u.profile),
      LastLoginDate: u.lastLoginDate ?? null,
      CreatedDate: u.createdDate,
    };
  }

  userLoginRow(u: OrgUser): SoqlRow {
    return {
      Id: this.userLoginId(u.id),
      UserId: u.id,
      IsFrozen: u.frozen,
      IsPasswordLocked: u.passwordLocked,
      LastModifiedById: this.cordon?.userId ?? u.id,
      LastModifiedDate: u.loginModified,
    };
  }

  catalog(): SoqlCatalog {
    return {
      object: (name) => Object.values(SOQL_OBJECTS).find((o) => o.name.toLowerCase() === name.toLowerCase()),
      related: (object, id) => {
        if (typeof id !== 'string') return undefined;
        if (object === 'User') {
          const u = this.users.get(id);
          return u ? this.userRow(u) : undefined;
        }
        if (object === 'Profile') {
          const profile = [...this.profiles.values()].find((p) => p.id === id);
          return profile ? { Id: id, Name: profile.name, UserType: 'Standard' } : undefined;
        }
        return undefined;
      },
    };
  }
}
