// The state one GitHub scenario section seeds (members, apps, installations, repos, credentials,
// Actions secrets, the audit log), with the rules every route shares: how a credential is labelled
// in the call log, when it has expired, and what goes into the audit log. Route modules read and
// change it; load() replaces all of it.
import { createHash, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import sodium from 'libsodium-wrappers';
import { publicKeyFromPem, type RegisteredApp } from './app-jwt.ts';
import { AuditClock, AuditLog, type AuditSeed } from '../core/audit-log.ts';
import { GitHubScenario, type GitHubCredential } from './scenario.ts';
import type { Account } from './wire.ts';

await sodium.ready;

export type Member = GitHubScenario['principals'][number];
export type Installation = GitHubScenario['installations'][number] & { deleted: boolean; updatedAt: string };
export type App = GitHubScenario['apps'][number] & RegisteredApp & { privateKeyPem?: string };
export type OAuthApp = GitHubScenario['oauthApps'][number];
export type Repo = GitHubScenario['repos'][number];

/** A credential as the emulator keeps it: the scenario's record plus what has happened to it since. */
export type Live = GitHubCredential & {
  revoked: boolean;
  /** Fine-grained PAT whose org access was revoked (the token itself lives on). */
  orgAccessRevoked: boolean;
  /** Classic PAT / OAuth token whose SAML authorization for the org was removed. */
  samlRemoved: boolean;
};

export interface SecretRecord {
  createdAt: string;
  updatedAt: string;
  value: string | undefined;
}

export interface AuditRecord {
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

/** Who is calling, from the Authorization header (access.ts). */
export type Caller =
  | { type: 'anonymous' }
  | { type: 'basic'; user: string; password: string }
  | { type: 'app'; app: App }
  | { type: 'installation'; installation: Installation; token: Live }
  | { type: 'user'; member: Member; token: Live };

/**
 * How the call log names a credential (the call's `credential` and `target`); it also keys the
 * per-credential rate-limit budgets. The host picks it, so the log speaks its client's ids; by default
 * `<kind>:<GitHub id>` (an installation token by its installation id).
 */
export type GitHubCredentialLabel = (credential: GitHubCredential, org: string) => string;

export const defaultCredentialLabel: GitHubCredentialLabel = (c) => `${c.kind}:${c.kind === 'app_installation_token' ? c.installationId : c.id}`;

export type GoneOperation = 'apps.deleteToken' | 'repos.deleteDeployKey';
export type GoneStatus = 404 | 410 | 422;

export const sha256 = (value: string) => createHash('sha256').update(value);

export function randomToken(prefix: string, length = 36): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(length);
  let out = prefix;
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

export const isExpired = (c: Live) => c.expiresAt !== undefined && Date.parse(c.expiresAt) <= Date.now();

export class GitHubState {
  baseUrl = 'http://127.0.0.1';
  section: GitHubScenario | undefined;
  members = new Map<string, Member>();
  apps: App[] = [];
  oauthApps: OAuthApp[] = [];
  installations = new Map<number, Installation>();
  repos = new Map<string, Repo>();
  credentials: Live[] = [];
  byValue = new Map<string, Live>();
  secrets = new Map<string, SecretRecord>();
  repoKeys = new Map<string, { keyId: string; publicKey: Uint8Array; privateKey: Uint8Array }>();
  audit: AuditRecord[] = [];
  /** Seeded wire-shaped entries (scenario `auditRecords`, the control API), by `@timestamp`. */
  readonly wireAudit = new AuditLog<Record<string, unknown>>((r) => auditEntryTime(r));
  auditClock = new AuditClock();
  nextId = 50_000_000;
  /** Installation tokens minted through the API (not part of the scenario's counts). */
  minted = new Set<Live>();
  /** Primary rate-limit budgets by credential label (rate-limit.ts). */
  readonly buckets = new Map<string, { limit: number; used: number; reset: number }>();
  /** Apps' generated key pairs, kept across load() so a running client's app key stays valid. */
  readonly #generatedKeys = new Map<number, string>();
  goneAnswers = new Map<GoneOperation, GoneStatus>();
  readonly #labelOf: GitHubCredentialLabel;

  constructor(labelOf: GitHubCredentialLabel = defaultCredentialLabel) {
    this.#labelOf = labelOf;
  }

  orgLogin = () => this.section?.org.login ?? '';
  orgAccount = (): Account => ({ login: this.orgLogin(), id: this.section?.org.id ?? 0, type: 'Organization', name: this.section?.org.name });
  credentialLabel = (c: Live) => this.#labelOf(c, this.orgLogin());

  index(c: Live): void {
    if ('value' in c) this.byValue.set(c.value, c);
  }

  record(action: string, actor: Caller | string, extra: Partial<AuditRecord> = {}): void {
    const actorName =
      typeof actor === 'string'
        ? actor
        : actor.type === 'user'
          ? actor.member.login
          : actor.type === 'installation'
            ? `${this.apps.find((a) => a.id === actor.installation.appId)?.slug ?? 'app'}[bot]`
            : actor.type === 'app'
              ? actor.app.slug
              : actor.type === 'basic'
                ? (this.oauthApps.find((a) => a.clientId === actor.user)?.name ?? actor.user)
                : 'github';
    const actorId = typeof actor !== 'string' && actor.type === 'user' ? actor.member.id : undefined;
    const token = typeof actor !== 'string' && (actor.type === 'user' || actor.type === 'installation') ? actor.token : undefined;
    this.audit.push({ at: Date.now(), documentId: randomBytes(16).toString('base64url'), action, actor: actorName, actorId, country: 'United States', token, ...extra });
  }

  addAuditRecords(seeds: readonly AuditSeed[]): void {
    for (const s of seeds) this.wireAudit.add(s.record, s.availableAt === undefined ? undefined : Date.parse(s.availableAt));
  }

  /** The repo's Actions secrets key pair (sealed box), made on first use. */
  /** A new key pair and key id for a repository's Actions secrets (secrets sealed to the old key are refused). */
  rotateRepoKey(repoName: string): void {
    const old = this.repoKeys.get(repoName);
    const pair = sodium.crypto_box_keypair();
    const keyId = String(BigInt(old?.keyId ?? '568250167242549000') + 1n);
    this.repoKeys.set(repoName, { keyId, publicKey: pair.publicKey, privateKey: pair.privateKey });
  }

  repoKey(repo: Repo) {
    let k = this.repoKeys.get(repo.name);
    if (!k) {
      const pair = sodium.crypto_box_keypair();
      k = { keyId: String(568_250_167_242_549_000 + repo.id), publicKey: pair.publicKey, privateKey: pair.privateKey };
      this.repoKeys.set(repo.name, k);
    }
    return k;
  }

  load(input: GitHubScenario | undefined): void {
    this.section = input === undefined ? undefined : GitHubScenario.parse(input);
    this.members = new Map((this.section?.principals ?? []).map((m) => [m.login.toLowerCase(), m]));
    this.oauthApps = this.section?.oauthApps ?? [];
    this.apps = (this.section?.apps ?? []).map((a) => {
      if (a.publicKeyPem) return { ...a, publicKey: publicKeyFromPem(a.publicKeyPem) };
      let pem = this.#generatedKeys.get(a.id);
      let publicKey: KeyObject;
      if (pem) {
        publicKey = publicKeyFromPem(pem);
      } else {
        const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
        pem = pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
        this.#generatedKeys.set(a.id, pem);
        publicKey = pair.publicKey;
      }
      return { ...a, publicKey, privateKeyPem: pem };
    });
    this.installations = new Map((this.section?.installations ?? []).map((i) => [i.id, { ...i, deleted: false, updatedAt: i.createdAt }]));
    this.repos = new Map((this.section?.repos ?? []).map((r) => [r.name.toLowerCase(), r]));
    this.credentials = (this.section?.credentials ?? []).map((c) => ({ ...structuredClone(c), revoked: false, orgAccessRevoked: false, samlRemoved: false }));
    this.byValue = new Map();
    for (const c of this.credentials) this.index(c);
    this.secrets = new Map(
      (this.section?.secrets ?? []).map((s) => [`${s.repo}/${s.name.toUpperCase()}`, { createdAt: s.createdAt, updatedAt: s.updatedAt, value: s.value }]),
    );
    this.repoKeys = new Map();
    this.buckets.clear();
    const byId = new Map(this.credentials.map((c) => [c.id, c]));
    this.audit = (this.section?.auditEvents ?? []).map((e) => ({
      at: Date.parse(e.at),
      documentId: sha256(`${e.at}|${e.action}|${e.actor}|${e.credentialId ?? ''}`).digest('base64url').slice(0, 22),
      action: e.action,
      actor: e.actor,
      actorId: this.members.get(e.actor.toLowerCase())?.id,
      user: e.user,
      repo: e.repo,
      country: e.country ?? 'United States',
      token: e.credentialId !== undefined ? byId.get(e.credentialId) : undefined,
    }));
    this.wireAudit.clear();
    this.addAuditRecords(this.section?.auditRecords ?? []);
    this.nextId = 50_000_000;
    this.minted = new Set();
    this.goneAnswers = new Map();
  }

  counts(): Record<string, number> {
    return {
      principals: this.members.size,
      oauthApps: this.oauthApps.length,
      apps: this.apps.length,
      installations: [...this.installations.values()].filter((i) => !i.deleted).length,
      repos: this.repos.size,
      credentials: this.credentials.filter((c) => !c.revoked && !this.minted.has(c)).length,
      secrets: this.secrets.size,
      auditEvents: this.audit.length,
      auditRecords: this.wireAudit.size,
    };
  }
}

/** An entry's time: `@timestamp` (ms, as the audit log sends it), else `created_at` (ms or ISO). */
export function auditEntryTime(r: Record<string, unknown>): number | undefined {
  for (const v of [r['@timestamp'], r.created_at]) {
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return Date.parse(v);
  }
  return undefined;
}

export function memberAccount(m: Member): Account {
  return { login: m.login, id: m.id, type: m.type === 'bot' ? 'Bot' : 'User', name: m.name };
}
