// Live state of the emulated Google tenant: what the scenario seeded, minus what was revoked,
// plus what was minted. Every handler reads and writes this one object, so a revoked credential
// stops working on every endpoint at once (design.md §5).
import { AuditClock, AuditLog, type AuditSeed } from '../core/audit-log.ts';
import { TenantClock } from '../core/tenant-clock.ts';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Consumer } from '../core/types.ts';
import type { GoogleScenario } from './scenario.ts';

type Seed = GoogleScenario;
export type UserState = Seed['users'][number];
export type GrantState = Seed['tokens'][number];
export type AspState = Seed['asps'][number];
export type SessionState = Seed['sessions'][number];
export type ProjectState = Seed['projects'][number];
export type ServiceAccountState = Seed['serviceAccounts'][number];

export interface KeyState {
  keyId: string;
  serviceAccount: string;
  keyType: 'USER_MANAGED' | 'SYSTEM_MANAGED';
  validAfterTime: string;
  validBeforeTime: string;
  disabled: boolean;
  lastUsedAt?: string;
  consumers: Consumer[];
  cordonOwn: boolean;
  /** Generated on first need: RSA generation is slow and a load scenario seeds thousands of keys. */
  material?: { privateKeyPem: string; publicKeyPem: string };
  /**
   * Set for a key added with keys.upload (keyOrigin USER_PROVIDED): the certificate the caller uploaded. IAM
   * never saw its private key, so `material` holds only the public half (privateKeyPem is empty).
   */
  uploadedCertificatePem?: string;
}

export interface TokenEventState {
  id: number;
  at: string;
  userKey: string;
  clientId: string;
  eventName: 'authorize' | 'revoke' | 'activity';
  appName: string;
  scopes: string[];
  ip?: string;
  apiName?: string;
  methodName?: string;
}

/** An access token this emulator issued at /token. */
export interface AccessToken {
  /** The email the token acts as: the impersonated user (`sub`) or the service account itself. */
  principal: string;
  principalType: 'user' | 'service_account';
  scopes: Set<string>;
  expiresAt: number;
  /** Minted from this SA key (JWT bearer): dies when the key is deleted or disabled. */
  keyName?: string;
  /** Minted from this user grant's refresh token: dies when the grant is deleted. */
  grantId?: string;
  /** Emulator-side label for the call log: the key name or grant id, never the value. */
  label: string;
}

/**
 * How asps.delete answers for an app password that is already gone. Google documents no answer for this
 * repeat (Admin SDK Directory API docs: asps.delete), so tests can pick each plausible shape; the default is
 * the 404 notFound the other Directory children give. Reset by load().
 */
export type GoneAnswer = 'notFound404' | 'gone410' | 'notFound400' | 'invalid400';

export class GoogleState {
  customer = { id: 'C00000000', domain: 'example.com' };
  aspGoneAnswer: GoneAnswer = 'notFound404';
  /**
   * The organization policy constraint `iam.disableServiceAccountKeyUpload` is enforced: keys.upload is
   * refused with 400 FAILED_PRECONDITION (Cloud IAM docs: restricting service account key upload). Reset by load().
   */
  keyUploadDisabled = false;
  /** Users an admin flagged with changePasswordAtNextLogin (users.patch/update), by primary email. */
  passwordChangeRequired = new Set<string>();
  users = new Map<string, UserState>();
  clients = new Map<string, Seed['oauthClients'][number]>();
  grants: GrantState[] = [];
  asps: AspState[] = [];
  codes: { userKey: string; verificationCode: string }[] = [];
  sessions: SessionState[] = [];
  projects = new Map<string, ProjectState>();
  accounts = new Map<string, ServiceAccountState>();
  keys = new Map<string, KeyState>();
  delegation = new Map<string, Set<string>>();
  events: TokenEventState[] = [];
  /** Seeded Reports activities (scenario `auditRecords`, the control API), by `id.time`. */
  readonly activities = new AuditLog<Record<string, unknown>>((r) => activityTime(r));
  auditClock = new AuditClock();
  /** The tenant's time (core/tenant-clock.ts): key creation and last use are stored in it. */
  tenantClock = new TenantClock();
  accessTokens = new Map<string, AccessToken>();
  cordonSubject: string | undefined;
  #eventSeq = 0;
  /**
   * Key pairs by service account and key id, kept across load(): a reset or reload of this tenant gives a
   * seeded key (Cordon's own above all, whose key file a running worker holds) the same key pair again.
   */
  #materials = new Map<string, { privateKeyPem: string; publicKeyPem: string }>();

  load(section: GoogleScenario | undefined): void {
    this.customer = section?.customer ?? { id: 'C00000000', domain: 'example.com' };
    this.users = new Map((section?.users ?? []).map((u) => [u.primaryEmail, structuredClone(u)]));
    this.clients = new Map((section?.oauthClients ?? []).map((c) => [c.clientId, c]));
    this.grants = structuredClone(section?.tokens ?? []);
    this.asps = structuredClone(section?.asps ?? []);
    this.codes = structuredClone(section?.verificationCodes ?? []);
    this.sessions = structuredClone(section?.sessions ?? []);
    this.projects = new Map((section?.projects ?? []).map((p) => [p.projectId, structuredClone(p)]));
    this.accounts = new Map((section?.serviceAccounts ?? []).map((a) => [a.email, structuredClone(a)]));
    this.keys = new Map(
      (section?.serviceAccountKeys ?? []).map((k) => {
        const account = this.accounts.get(k.serviceAccount)!;
        const key: KeyState = {
          keyId: k.keyId,
          serviceAccount: k.serviceAccount,
          keyType: k.keyType,
          validAfterTime: k.validAfterTime,
          // User-managed keys do not expire unless an org policy says so: Google reports 9999-12-31.
          validBeforeTime: k.validBeforeTime ?? '9999-12-31T23:59:59Z',
          disabled: k.disabled,
          consumers: structuredClone(k.consumers),
          cordonOwn: k.cordonOwn,
          ...(k.lastUsedAt ? { lastUsedAt: k.lastUsedAt } : {}),
        };
        const material = this.#materials.get(`${k.serviceAccount}/${k.keyId}`);
        if (material) key.material = material;
        return [keyName(account.projectId, k.serviceAccount, k.keyId), key];
      }),
    );
    this.delegation = new Map((section?.domainWideDelegation ?? []).map((d) => [d.clientId, new Set(d.scopes)]));
    this.#eventSeq = 0;
    this.events = (section?.tokenEvents ?? []).map((e) => ({ id: ++this.#eventSeq, ...structuredClone(e) }));
    this.activities.clear();
    this.addAuditRecords(section?.auditRecords ?? []);
    this.accessTokens = new Map();
    this.cordonSubject = section?.cordonSubject;
    this.aspGoneAnswer = 'notFound404';
    this.keyUploadDisabled = false;
    this.passwordChangeRequired = new Set();
  }

  addAuditRecords(seeds: readonly AuditSeed[]): void {
    for (const s of seeds) this.activities.add(s.record, s.availableAt === undefined ? undefined : Date.parse(s.availableAt));
  }

  /** Directory accepts the primary email or the immutable id as userKey. */
  user(userKey: string): UserState | undefined {
    const byEmail = this.users.get(userKey.toLowerCase()) ?? this.users.get(userKey);
    if (byEmail) return byEmail;
    for (const u of this.users.values()) if (u.id === userKey) return u;
    return undefined;
  }

  isSuspended(user: UserState): boolean {
    return user.status !== 'active';
  }

  /** IAM accepts the email or the unique id in a service-account resource name. */
  account(emailOrId: string): ServiceAccountState | undefined {
    const byEmail = this.accounts.get(emailOrId);
    if (byEmail) return byEmail;
    for (const a of this.accounts.values()) if (a.uniqueId === emailOrId) return a;
    return undefined;
  }

  keysOf(account: ServiceAccountState): [string, KeyState][] {
    return [...this.keys.entries()].filter(([, k]) => k.serviceAccount === account.email);
  }

  materialOf(key: KeyState): { privateKeyPem: string; publicKeyPem: string } {
    if (!key.material) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      key.material = {
        privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      };
      this.#materials.set(`${key.serviceAccount}/${key.keyId}`, key.material);
    }
    return key.material;
  }

  /** The JSON key file a key's `privateKeyData` decodes to (the format keys.create returns). */
  keyFileOf(name: string): Record<string, string> {
    const key = this.keys.get(name);
    if (!key) throw new Error(`no key ${name}`);
    const account = this.accounts.get(key.serviceAccount)!;
    return {
      type: 'service_account',
      project_id: account.projectId,
      private_key_id: key.keyId,
      private_key: this.materialOf(key).privateKeyPem,
      client_email: account.email,
      client_id: account.uniqueId,
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: 'https://oauth2.googleapis.com/token',
    };
  }

  mintKey(account: ServiceAccountState): [string, KeyState] {
    const keyId = randomBytes(20).toString('hex');
    const key: KeyState = {
      keyId,
      serviceAccount: account.email,
      keyType: 'USER_MANAGED',
      validAfterTime: this.tenantClock.fromWall(new Date()),
      validBeforeTime: '9999-12-31T23:59:59Z',
      disabled: false,
      consumers: [],
      cordonOwn: false,
    };
    this.materialOf(key);
    const name = keyName(account.projectId, account.email, keyId);
    this.keys.set(name, key);
    return [name, key];
  }

  /** A key whose public half the caller uploaded (keys.upload): valid from the certificate's notBefore. */
  uploadKey(account: ServiceAccountState, certificatePem: string, publicKeyPem: string, validAfter: Date): [string, KeyState] {
    const keyId = randomBytes(20).toString('hex');
    const key: KeyState = {
      keyId,
      serviceAccount: account.email,
      keyType: 'USER_MANAGED',
      validAfterTime: this.tenantClock.fromWall(validAfter),
      validBeforeTime: '9999-12-31T23:59:59Z',
      disabled: false,
      consumers: [],
      cordonOwn: false,
      material: { privateKeyPem: '', publicKeyPem },
      uploadedCertificatePem: certificatePem,
    };
    const name = keyName(account.projectId, account.email, keyId);
    this.keys.set(name, key);
    return [name, key];
  }

  addEvent(event: Omit<TokenEventState, 'id'>): void {
    this.events.push({ id: ++this.#eventSeq, ...event });
  }

  issueAccessToken(token: Omit<AccessToken, 'expiresAt'>, lifetimeSec = 3599): { value: string; expiresIn: number } {
    const value = `ya29.${randomBytes(36).toString('base64url')}`;
    this.accessTokens.set(value, { ...token, expiresAt: Date.now() + lifetimeSec * 1000 });
    return { value, expiresIn: lifetimeSec };
  }

  /** The token behind a bearer value, if it still works: every revocation path is checked here. */
  liveAccessToken(value: string | undefined): AccessToken | undefined {
    if (!value) return undefined;
    const token = this.accessTokens.get(value);
    if (!token || token.expiresAt <= Date.now()) return undefined;
    if (token.keyName) {
      const key = this.keys.get(token.keyName);
      if (!key || key.disabled) return undefined;
      if (this.accounts.get(key.serviceAccount)?.disabled) return undefined;
    }
    if (token.grantId && !this.grants.some((g) => g.id === token.grantId)) return undefined;
    if (token.principalType === 'user') {
      const user = this.user(token.principal);
      if (!user || this.isSuspended(user)) return undefined;
    }
    return token;
  }

  counts(): Record<string, number> {
    return {
      users: this.users.size,
      oauthClients: this.clients.size,
      tokens: this.grants.length,
      asps: this.asps.length,
      verificationCodes: this.codes.length,
      sessions: this.sessions.length,
      projects: this.projects.size,
      serviceAccounts: this.accounts.size,
      serviceAccountKeys: this.keys.size,
      domainWideDelegation: this.delegation.size,
      tokenEvents: this.events.length,
      auditRecords: this.activities.size,
    };
  }
}

export function keyName(projectId: string, accountEmail: string, keyId: string): string {
  return `projects/${projectId}/serviceAccounts/${accountEmail}/keys/${keyId}`;
}

/** Etags are opaque to clients; a stable hash of the resource is enough. */
export function etagOf(value: unknown): string {
  let h = 2166136261;
  for (const ch of JSON.stringify(value)) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return `"${(h >>> 0).toString(36)}"`;
}

/** An activity's `id.time` (RFC 3339), in ms; undefined when it has none. */
export function activityTime(r: Record<string, unknown>): number | undefined {
  const time = (r.id as { time?: unknown } | undefined)?.time;
  const at = typeof time === 'string' ? Date.parse(time) : Number.NaN;
  return Number.isNaN(at) ? undefined : at;
}
