// The Slack tenant's mutable state, loaded from a scenario section: who can call, what they did.
// Kept apart from the HTTP handlers so tests and the future Slack app can read posted messages and
// opened views without going through the wire.
import { AuditClock, AuditLog, type AuditSeed } from '../core/audit-log.ts';
import type {
  SlackApp,
  SlackAuditEvent,
  SlackChannel,
  SlackScenario,
  SlackSession,
  SlackTeam,
  SlackToken,
  SlackUser,
} from './scenario.ts';
import type { z } from 'zod';

type User = z.infer<typeof SlackUser>;
type App = z.infer<typeof SlackApp>;
type Token = z.infer<typeof SlackToken>;
type Session = z.infer<typeof SlackSession>;
type Channel = z.infer<typeof SlackChannel>;
type Team = z.infer<typeof SlackTeam>;
export type AuditEventSeed = z.infer<typeof SlackAuditEvent>;

export interface TokenState extends Token {
  revokedAt?: string;
}

export interface SessionState extends Session {
  endedAt?: string;
}

export interface AppState extends App {
  uninstalledTeamIds: string[];
  /** Set by admin.apps.restrict: no longer approved, cannot be (re)installed. */
  restricted: boolean;
}

/** A message as chat.postMessage / chat.update / chat.postEphemeral left it. */
export interface PostedMessage {
  channel: string;
  ts: string;
  text: string;
  blocks?: unknown[];
  threadTs?: string;
  /** The user the posting token acts as (the bot user for bot tokens). */
  user: string;
  botId?: string;
  appId: string;
  team: string;
  /** chat.postEphemeral: only this user sees it; it has no permanent ts in history. */
  ephemeralTo?: string;
  /** chat.postMessage `metadata` (Slack docs: message metadata); conversations.* return it with `include_all_metadata`. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  edited?: { user: string; ts: string };
  /** Every earlier version, oldest first (chat.update keeps the thread of approvals auditable). */
  previous: { text: string; blocks?: unknown[] }[];
  /** Emulator-side id of the credential that posted it. */
  postedWith: string;
}

export interface OpenedView {
  id: string;
  triggerId: string;
  view: Record<string, unknown>;
  appId: string;
  botId?: string;
  team: string;
  openedWith: string;
  openedAt: string;
}

/** Who authenticated a call: a token or a replayable session (`xoxc-`). */
export type Caller =
  | { kind: 'token'; credentialId: string; token: TokenState; user: User; team: Team; scopes: readonly string[] }
  | { kind: 'session'; credentialId: string; session: SessionState; user: User; team: Team; scopes: 'all' };

/** Why authentication failed, with the id of the presented credential when it is known (for the call log). */
export interface AuthFailure {
  error: 'not_authed' | 'invalid_auth' | 'token_revoked' | 'account_inactive';
  credentialId?: string;
}

export class SlackTenantState {
  enterprise: SlackScenario['enterprise'];
  teams = new Map<string, Team>();
  users = new Map<string, User>();
  apps = new Map<string, AppState>();
  tokens: TokenState[] = [];
  sessions: SessionState[] = [];
  channels = new Map<string, Channel>();
  audit: AuditEventSeed[] = [];
  /** Seeded wire-shaped entries (scenario `auditRecords`, the control API), by `date_create`. */
  readonly wireAudit = new AuditLog<Record<string, unknown>>((r) => (typeof r.date_create === 'number' && Number.isFinite(r.date_create) ? r.date_create * 1000 : undefined));
  auditClock = new AuditClock();
  messages: PostedMessage[] = [];
  views: OpenedView[] = [];
  signingSecret: string | undefined;
  rateLimitTimeScale: number | undefined;
  readonly #windows = new Map<string, number[]>();
  #tokensByValue = new Map<string, TokenState>();
  #sessionsByValue = new Map<string, SessionState>();
  #lastTsMicros = 0;
  #seq = 0;

  load(section: SlackScenario | undefined): void {
    this.enterprise = section?.enterprise;
    this.teams = new Map((section?.teams ?? []).map((t) => [t.id, { ...t }]));
    this.users = new Map((section?.users ?? []).map((u) => [u.id, { ...u }]));
    this.apps = new Map((section?.apps ?? []).map((a) => [a.id, { ...a, installedTeamIds: [...a.installedTeamIds], uninstalledTeamIds: [], restricted: false }]));
    this.tokens = (section?.tokens ?? []).map((t) => ({ ...t, scopes: [...t.scopes], ...(t.revoked ? { revokedAt: t.createdAt } : {}) }));
    this.sessions = (section?.sessions ?? []).map((s) => ({ ...s }));
    this.channels = new Map((section?.channels ?? []).map((c) => [c.id, { ...c }]));
    this.audit = (section?.auditEvents ?? []).map((e) => ({ ...e }));
    this.wireAudit.clear();
    this.addAuditRecords(section?.auditRecords ?? []);
    this.messages = [];
    this.views = [];
    this.signingSecret = section?.signingSecret;
    this.rateLimitTimeScale = section?.rateLimits?.timeScale;
    this.#windows.clear();
    this.#tokensByValue = new Map(this.tokens.map((t) => [t.value, t]));
    this.#sessionsByValue = new Map(this.sessions.filter((x) => x.value).map((x) => [x.value!, x]));
    this.#lastTsMicros = 0;
    this.#seq = 0;
  }

  /** Slack's auth check, in the order the real API reports it (Slack Web API docs). */
  authenticate(value: string | undefined): Caller | AuthFailure {
    if (!value) return { error: 'not_authed' };
    const token = this.#tokensByValue.get(value);
    if (token) {
      const credentialId = token.id;
      if (token.revoked) return { error: 'token_revoked', credentialId };
      const user = this.users.get(token.userId);
      const team = this.teams.get(token.teamId);
      if (!user || !team) return { error: 'invalid_auth', credentialId };
      if (user.status !== 'active') return { error: 'account_inactive', credentialId };
      token.lastUsedAt = new Date().toISOString();
      return { kind: 'token', credentialId: token.id, token, user, team, scopes: token.scopes };
    }
    const session = this.#sessionsByValue.get(value);
    if (session) {
      // A signed-out client token is simply unknown to Slack afterwards.
      const credentialId = `session:${session.id}`;
      if (session.endedAt) return { error: 'invalid_auth', credentialId };
      const user = this.users.get(session.userId);
      const team = this.teams.get(session.teamId);
      if (!user || !team) return { error: 'invalid_auth', credentialId };
      if (user.status !== 'active') return { error: 'account_inactive', credentialId };
      return { kind: 'session', credentialId, session, user, team, scopes: 'all' };
    }
    return { error: 'invalid_auth' };
  }

  /**
   * Slack's tiered limits (https://docs.slack.dev/apis/web-api/rate-limits): at most `perMinute`
   * calls of one method per key in a sliding minute (scaled). Returns the Retry-After in seconds
   * when the call must be refused, else undefined. Off unless the scenario enables it.
   */
  throttle(method: string, key: string, perMinute: number): number | undefined {
    if (!this.rateLimitTimeScale) return undefined;
    const windowMs = 60_000 / this.rateLimitTimeScale;
    const now = Date.now();
    const id = `${method}|${key}`;
    const recent = (this.#windows.get(id) ?? []).filter((t) => t > now - windowMs);
    if (recent.length >= perMinute) {
      this.#windows.set(id, recent);
      return Math.max(1, Math.ceil((recent[0]! + windowMs - now) / 1000));
    }
    recent.push(now);
    this.#windows.set(id, recent);
    return undefined;
  }

  /** Message timestamps are unique per channel and increase: `<unix seconds>.<6 digits>`. */
  nextTs(): string {
    const micros = Math.max(Date.now() * 1000, this.#lastTsMicros + 1);
    this.#lastTsMicros = micros;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  nextId(prefix: string): string {
    this.#seq += 1;
    return `${prefix}${this.#seq.toString(36).toUpperCase().padStart(8, '0')}`;
  }

  addAuditRecords(seeds: readonly AuditSeed[]): void {
    for (const s of seeds) this.wireAudit.add(s.record, s.availableAt === undefined ? undefined : Date.parse(s.availableAt));
  }

  recordAudit(action: string, actorUserId: string, entity: AuditEventSeed['entity'], details?: Record<string, unknown>): void {
    this.audit.push({ id: this.nextId('AUD'), at: new Date().toISOString(), action, actorUserId, entity, ...(details ? { details } : {}) });
  }

  activeSessionsOf(userId: string): SessionState[] {
    return this.sessions.filter((s) => s.userId === userId && !s.endedAt);
  }

  counts(): Record<string, number> {
    return {
      teams: this.teams.size,
      users: this.users.size,
      apps: this.apps.size,
      tokens: this.tokens.length,
      sessions: this.sessions.length,
      channels: this.channels.size,
      auditEvents: this.audit.length,
      auditRecords: this.wireAudit.size,
      activeTokens: this.tokens.filter((t) => !t.revoked).length,
      activeSessions: this.sessions.filter((s) => !s.endedAt).length,
      messages: this.messages.length,
      views: this.views.length,
    };
  }
}
