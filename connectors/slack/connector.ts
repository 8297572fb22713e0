// Slack connector on @slack/web-api (design.md §4; Slack Web API method docs). What Slack allows by API, and
// therefore what this connector does:
// - oauth_token: `auth.revoke` revokes only the token that calls it, so it needs the leaked value;
//   without it the fallback is `admin.apps.uninstall` of the app from the workspace, which kills
//   every token that app holds there (said in the result's detail).
// - session: `admin.users.session.invalidate` (one, by session_id + user_id) / `admin.users.session.reset`
//   (all of a user). Forced re-authentication ends exactly the sessions the plan lists.
// - no API re-issues a bot/user token (re-install = human OAuth consent), so `replace` is absent.
// SDK retries are off and 429s are rejected: the Temporal activity retry waits out Retry-After.
import { WebClient, LogLevel, type WebClientOptions } from '@slack/web-api';
import type { Credential, CredentialEnrichment, CredentialRef, Principal, ScopeEnrichment, ScopeReport } from '../../schemas/credential.ts';
import { applyEnrichment, describeRef } from '../../schemas/credential.ts';
import { Secret } from '../../logging/secret.ts';
import { fingerprintOf } from '../fingerprint.ts';
import {
  ConnectorError,
  unsupported,
  type AuditEvent,
  type Capability,
  type Connector,
  type IdentifyOptions,
  type ProbeResult,
  type ReauthScope,
  type RevokeContext,
  type WriteResult,
} from '../types.ts';
import { fetchAuditEntries, type AuditQuery, type SlackAuditEntry } from './audit-logs.ts';
import { SlackConnectorConfig } from './config.ts';
import { formatCredentialId, parseCredentialId, type SlackCredentialId } from './credential-ids.ts';
import { classifySlackError, SLACK_AUTH_ERRORS, slackErrorWord } from './errors.ts';

import type { InventoryPrincipal, InventoryResult } from '../inventory.ts';
import type { AuditCursor } from '../../schemas/audit-cursor.ts';
import { readStreams, type ReadTokenUseOptions, type TokenUseBatch } from '../audit-stream.ts';
import { SLACK_AUDIT_OVERLAP_MS, slackAuditStream } from './audit-reader.ts';
export { SlackConnectorConfig } from './config.ts';

/** Errors of auth.test/auth.revoke that mean the token no longer works because it was revoked. */
const DEAD_TOKEN_ERRORS = new Set(['invalid_auth', 'token_revoked', 'token_expired']);

/** What a session reset does besides ending the listed sessions (announced in reauthScope). */
const SESSION_RESET_EFFECT = 'ends every web/desktop/mobile session (OAuth tokens are not affected)';

/** Why a bot's re-authentication is refused, in reauthScope and in the scope identify carries. */
function botReauthRefusal(principal: Principal): string {
  return `${principal.id} is a bot: bots have no sessions (cannot_reset_bot); revoke its tokens or uninstall its app instead`;
}

/** Why the operations the Slack connector leaves out are missing. */
export const SLACK_CANNOT: Partial<Record<Capability, string>> = {
  replace: 'Slack bot and user tokens are issued only by (re)installing the app through OAuth consent; no API mints a replacement',
  restrict: 'Slack has no per-token IP allowlist or scope downgrade by API',
  suspendPrincipal: 'deactivating Slack users needs SCIM or admin.users.remove, which this connector does not use',
  revokeByValue: 'not implemented: revoke ends the credentials this connector identifies, with the leaked value when one is given (auth.revoke)',
  lastUse: 'Slack lists no tokens and an admin cannot mint one (see replace): a rotation never waits for a Slack consumer to switch',
};

export const SLACK_BLIND_SPOTS = [
  'auth.revoke revokes only the token that calls it: a token is revoked by value only if the leaked value reached this connector (identify with leakedValue); otherwise the fallback uninstalls the whole app from the workspace',
  'Slack has no API that lists individual bot/user tokens, their creation time or last use: credentials are found by value (auth.test) or by app (admin.apps.approved.list); last use is approximated from Audit Logs entries',
  'admin.* methods and the Audit Logs API exist only on Enterprise Grid (feature_not_enabled elsewhere)',
  'consumers of a Slack token are not visible through the API: supply them from the inventory',
  'admin.apps.approved.list shows approval, not installation: an uninstalled app still appears there',
];

interface OwnIdentity {
  userId: string;
  teamId: string;
  appId: string | undefined;
  enterpriseId: string | undefined;
  fingerprint: string;
}

interface AuthTestAnswer {
  user_id?: string;
  team_id?: string;
  team?: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  enterprise_id?: string;
  response_metadata?: { scopes?: string[] };
}

interface SlackUserObject {
  id?: string;
  name?: string;
  real_name?: string;
  team_id?: string;
  deleted?: boolean;
  is_bot?: boolean;
  is_admin?: boolean;
  is_owner?: boolean;
  profile?: { bot_id?: string; api_app_id?: string; real_name?: string };
}

interface ApprovedApp {
  app?: { id?: string; name?: string };
  scopes?: { name?: string; is_sensitive?: boolean; token_type?: string }[];
}

export class SlackConnector implements Connector {
  readonly provider = 'slack' as const;
  readonly cannot = SLACK_CANNOT;
  readonly blindSpots: readonly string[] = SLACK_BLIND_SPOTS;

  readonly #config: SlackConnectorConfig;
  readonly #admin: WebClient;
  #own: Promise<OwnIdentity> | undefined;
  /**
   * Leaked values seen by identify, by credential id, so revoke can call auth.revoke with them.
   * In-process only: a revoke on another worker falls back to admin.apps.uninstall (reported). A value is
   * dropped once Slack says its token is dead (#markDead), so a long-lived worker holds only live ones.
   */
  readonly #leaked = new Map<string, { value: Secret; owner: string }>();
  /** auth.test asks about a leaked value in flight, by its fingerprint and dead words (#testLeaked). */
  readonly #asking = new Map<string, { answer: Promise<AuthTestAnswer | { dead: string }>; atOnce: boolean }>();
  /**
   * The same credential ids by the user auth.test named as their owner, so listActive re-checks only the
   * principal's own tokens: one worker of a mass containment sees thousands of leaked tokens, and
   * re-checking every one for every principal made each credential cost as many auth.test calls as the
   * worker had seen tokens (a token's owner never changes, so nothing is missed).
   */
  readonly #leakedByUser = new Map<string, Set<string>>();
  /**
   * The leaked tokens Slack has said are dead (auth.test refused them with a dead-token word, twice: see
   * #testLeaked), by credential id, dropped from #leaked and #leakedByUser (#markDead): listActive does not
   * ask about them again, and a revoke without the value answers already_done. A revoked token stays revoked
   * (auth.revoke: "revokes a token"; only a new install issues another), so the answer cannot change,
   * and without this set every verification re-asked about every sibling already contained: two calls
   * each, so a bot with many leaked tokens made each verification cost more calls than Slack's window
   * admits, and a retry after the Retry-After started over and was refused again, for ever. Now each
   * attempt keeps what it learned before a 429 and the next one goes on from there.
   */
  readonly #dead = new Set<string>();

  constructor(config: SlackConnectorConfig) {
    this.#config = config;
    this.#admin = this.#client(config.adminToken);
  }

  #client(token: Secret): WebClient {
    const options: WebClientOptions = {
      slackApiUrl: this.#config.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: this.#config.timeoutMs,
      logLevel: LogLevel.ERROR,
    };
    return new WebClient(token.reveal(), options);
  }

  /**
   * Every call made with Cordon's own admin token goes through here: classified once, and an auth refusal
   * is tried exactly once more (I9: a single transient invalid_auth must not end the run with the leaked
   * credential alive). The admin token is static, so there is nothing to refresh: the retry is the refresh.
   * Never used for calls made with a leaked value, where an auth error means the value is dead.
   */
  async #call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const first = classifySlackError(err, what);
      if (first.kind !== 'auth') throw first;
    }
    try {
      return await fn();
    } catch (err) {
      const second = classifySlackError(err, what);
      if (second.kind !== 'auth') throw second;
      throw new ConnectorError(
        'auth',
        'slack',
        `slack: ${what}: Cordon's admin token was refused again after one retry (${slackErrorWord(second.options.cause) ?? second.message}); ` +
          'check that CORDON_SLACK_ADMIN_TOKEN is still valid (not revoked or expired) and that its user is still an org owner or admin',
        second.options,
      );
    }
  }

  /**
   * auth.test with a leaked value, where an auth error is Slack's word that the value is dead. Death needs two
   * answers, so one transient refusal is never recorded as death (evidence says only what happened): where the
   * value is expected alive (identification), a dead answer is confirmed by one more auth.test; where it is
   * expected dead (the probe after a revoke), both asks go at once, one round instead of two. An ask about the
   * same value while one is in flight shares its answer (verification's probe and re-listing ask side by side).
   */
  #testLeaked(value: Secret, what: string, deadWords: ReadonlySet<string>, options: { expectDead?: boolean } = {}): Promise<AuthTestAnswer | { dead: string }> {
    const key = `${fingerprintOf(value.reveal())}|${[...deadWords].sort().join(',')}`;
    const inFlight = this.#asking.get(key);
    if (inFlight && (inFlight.atOnce || !options.expectDead)) return inFlight.answer;
    const answer = (options.expectDead ? this.#askTwiceAtOnce(value, what, deadWords) : this.#askThenConfirm(value, what, deadWords)).finally(() => {
      if (this.#asking.get(key)?.answer === answer) this.#asking.delete(key);
    });
    this.#asking.set(key, { answer, atOnce: !!options.expectDead });
    return answer;
  }

  async #askThenConfirm(value: Secret, what: string, deadWords: ReadonlySet<string>): Promise<AuthTestAnswer | { dead: string }> {
    let word: string | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        return await this.#client(value).auth.test();
      } catch (err) {
        word = slackErrorWord(err);
        if (!word || !deadWords.has(word)) throw classifySlackError(err, what);
      }
    }
    return { dead: word! };
  }

  /** Two asks at once: dead only if both answer a dead word; alive if either says so. */
  async #askTwiceAtOnce(value: Secret, what: string, deadWords: ReadonlySet<string>): Promise<AuthTestAnswer | { dead: string }> {
    const answers = await Promise.allSettled([this.#client(value).auth.test(), this.#client(value).auth.test()]);
    for (const a of answers) if (a.status === 'fulfilled') return a.value;
    const words = answers.map((a) => slackErrorWord((a as PromiseRejectedResult).reason));
    const other = answers.find((a, i) => !words[i] || !deadWords.has(words[i]!));
    if (other) throw classifySlackError((other as PromiseRejectedResult).reason, what);
    return { dead: words[0]! };
  }

  /** Cordon's own admin identity (design.md I6): learned once from auth.test on the admin token. */
  #ownIdentity(): Promise<OwnIdentity> {
    this.#own ??= this.#call('auth.test (admin token)', () => this.#admin.auth.test())
      .then((r: AuthTestAnswer) => ({
        userId: r.user_id ?? '',
        teamId: r.team_id ?? '',
        appId: r.app_id,
        enterpriseId: r.enterprise_id,
        fingerprint: fingerprintOf(this.#config.adminToken.reveal()),
      }))
      .catch((err: unknown) => {
        this.#own = undefined;
        throw err;
      });
    return this.#own;
  }

  async #user(userId: string): Promise<SlackUserObject> {
    const res = await this.#call(`users.info ${userId}`, () => this.#admin.users.info({ user: userId }));
    return (res.user ?? {}) as SlackUserObject;
  }

  #principalOf(user: SlackUserObject): Principal {
    return {
      id: user.id ?? '',
      displayName: user.real_name || user.profile?.real_name || user.name || user.id || '',
      type: user.is_bot ? 'bot' : 'user',
      // Slack only deactivates (`deleted: true`); it is reversible, so it maps to suspended.
      status: user.deleted ? 'suspended' : 'active',
    };
  }

  async #approvedApps(): Promise<ApprovedApp[]> {
    const own = await this.#ownIdentity();
    const apps: ApprovedApp[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const res = await this.#call('admin.apps.approved.list', () =>
        this.#admin.admin.apps.approved.list({ ...(own.enterpriseId ? { enterprise_id: own.enterpriseId } : {}), limit: 1000, ...(cursor ? { cursor } : {}) }),
      );
      apps.push(...((res.approved_apps ?? []) as ApprovedApp[]));
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
    return apps;
  }

  async #audit(query: AuditQuery): Promise<{ entries: SlackAuditEntry[]; truncated: boolean }> {
    return this.#call('audit logs', () => fetchAuditEntries(this.#config.auditUrl, this.#config.adminToken, query, this.#config.timeoutMs));
  }

  /** Latest audit entry touching this app or user: Slack's only hint of last use. */
  async #lastSeen(ids: string[], blindSpots: string[]): Promise<string | undefined> {
    // Every query is independent: read side by side (each is a round trip on a containment's critical path),
    // then judged in the order they were asked.
    const queries = ids.flatMap((id) => ([{ entity: id }, { actor: id }] satisfies AuditQuery[]).map((q) => ({ id, q })));
    const [own, ...answers] = await Promise.all([
      this.#ownIdentity(),
      ...queries.map(({ q }) =>
        this.#audit(q).catch((err: unknown) => {
          if (err instanceof ConnectorError && (err.kind === 'permission' || err.kind === 'unsupported')) return { unreadable: err.kind };
          throw err;
        }),
      ),
    ]);
    let latest = 0;
    for (const [i, answer] of answers.entries()) {
      if ('unreadable' in answer) {
        blindSpots.push(`audit logs unreadable (${answer.unreadable}): last use unknown`);
        return undefined;
      }
      if (answer.truncated) blindSpots.push(`audit log for ${queries[i]!.id} has more entries than were read`);
      // Cordon's own admin actions (uninstall, reset) are not use of the credential.
      for (const e of answer.entries) if (e.actor.user?.id !== own.userId) latest = Math.max(latest, e.date_create);
    }
    return latest ? new Date(latest * 1000).toISOString() : undefined;
  }

  // ---- inventory (hygiene sweeps, issue 7) ---------------------------------------------------

  /**
   * Slack lists no tokens: the inventory is one credential per approved app (all of its bot and
   * user tokens in the org), with the app's scopes and the Audit Logs' last sighting as last use.
   */
  async inventory(): Promise<InventoryResult> {
    const own = await this.#ownIdentity();
    const blindSpots = [...SLACK_BLIND_SPOTS, 'individual tokens, their owners and creation times are not listable: one entry per approved app'];
    const scopeId = own.enterpriseId ?? own.teamId;
    const credentials: Credential[] = [];
    for (const app of await this.#approvedApps()) {
      const appId = app.app?.id;
      if (!appId) continue;
      credentials.push(await this.#appCredential(app, appId, scopeId, own.appId, blindSpots));
    }
    const principals: InventoryPrincipal[] = credentials.map((c) => c.principal);
    return { provider: 'slack', takenAt: new Date().toISOString(), credentials, principals, blindSpots: [...new Set(blindSpots)] };
  }

  // ---- identify --------------------------------------------------------------------------

  async identify(ref: CredentialRef, options: IdentifyOptions = {}): Promise<ScopeReport> {
    const report: ScopeReport = { provider: 'slack', ref: describeRef(ref), credentials: [], relatedServiceAccounts: [], riskFlags: [], blindSpots: [...SLACK_BLIND_SPOTS] };
    if (ref.kind === 'oauth_token') await this.#identifyToken(ref, report, options);
    else if (ref.kind === 'session') await this.#identifySessions(ref, report);
    else throw unsupported('slack', 'list', `Slack has no ${ref.kind} credentials; use oauth_token (bot/user tokens) or session`);
    // A bot has no sessions to end (reauthScope refuses it without a call): the report says so, and the plan
    // takes that instead of asking again before the revoke.
    const bots = new Map([...report.credentials.map((c) => c.principal), ...report.relatedServiceAccounts].filter((p) => p.type === 'bot').map((p) => [p.id, p]));
    if (bots.size) report.reauthScopes = [...bots.values()].map((p) => ({ principalId: p.id, credentials: [], effects: [], notPossible: unsupported('slack', 'forceReauth', botReauthRefusal(p)).message }));
    return report;
  }

  async #identifyToken(ref: CredentialRef, report: ScopeReport, options: IdentifyOptions): Promise<void> {
    if (ref.leakedValue) {
      const leaked = new Secret(ref.leakedValue);
      // Cordon's own identity and the leaked token's are asked side by side.
      const [own, answer] = await Promise.all([this.#ownIdentity(), this.#testLeaked(leaked, 'auth.test (leaked value)', SLACK_AUTH_ERRORS)]);
      if ('dead' in answer) {
        report.riskFlags.push(
          answer.dead === 'account_inactive'
            ? 'the leaked token no longer authenticates (account_inactive): its owner is deactivated, so it cannot be used now, but it would work again if the account were reactivated; Slack has no call that ends it without its value authenticating: keep the account deactivated, or uninstall the app'
            : `the leaked token no longer authenticates (${answer.dead}): nothing live to contain`,
        );
        return;
      }
      const tokenType = answer.bot_id ? 'bot' : 'user';
      const fingerprint = fingerprintOf(ref.leakedValue);
      const team = answer.team ?? answer.team_id ?? '';
      // What decides I6 (Cordon's own token or app) and I8 (the app whose installation a revoke can take) is
      // auth.test's answer. When it names the app, the owner's record (users.info), the app's approval and the
      // audit logs (last use) decide neither, and may wait for enrich() after the revoke. Without app_id the
      // app is known only from the owner's profile: users.info stays before the revoke, and so does the rest.
      const user = answer.app_id ? undefined : await this.#user(answer.user_id ?? '');
      const principal: Principal = user
        ? this.#principalOf(user)
        : // auth.test answered for this token, so its owner is active (a deactivated owner's token answers account_inactive).
          { id: answer.user_id ?? '', displayName: answer.user || answer.user_id || '', type: tokenType, status: 'active' };
      const appId = answer.app_id ?? user?.profile?.api_app_id ?? 'unknown';
      const id = formatCredentialId({ type: 'token', teamId: answer.team_id ?? '', appId, tokenType, fingerprint });
      this.#leaked.set(id, { value: leaked, owner: principal.id });
      this.#dead.delete(id); // it answered just now
      const ofUser = this.#leakedByUser.get(principal.id) ?? new Set<string>();
      this.#leakedByUser.set(principal.id, ofUser.add(id));
      const scopes = answer.response_metadata?.scopes ?? [];
      const credential: Credential = {
        provider: 'slack',
        kind: 'oauth_token',
        id,
        label: tokenLabel(tokenType, appId, principal.displayName, team),
        principal,
        scopes,
        clientId: appId,
        consumers: [],
        fingerprint,
        selfOrLastAdmin: fingerprint === own.fingerprint || appId === own.appId,
      };
      report.credentials.push(credential);
      this.#flagAdminScopes(scopes, report.riskFlags);
      if (principal.type === 'bot') report.relatedServiceAccounts.push(principal);
      if (options.deferEnrichment && !user) {
        report.pendingEnrichment = [...(report.pendingEnrichment ?? []), { credentialId: id, context: { team } }];
        return;
      }
      const riskFlags: string[] = [];
      const blindSpots: string[] = [];
      const details = await this.#enrichToken(credential, team, riskFlags, blindSpots, user);
      applyEnrichment(report, { provider: 'slack', credentials: [details], riskFlags, blindSpots });
      return;
    }
    const own = await this.#ownIdentity();
    const parsed = ref.id ? parseCredentialId(ref.id) : undefined;
    const appId = ref.clientId ?? (parsed && parsed.type !== 'session' ? parsed.appId : undefined);
    if (!appId) {
      report.blindSpots.push('without the leaked value or an app id (clientId) a Slack token cannot be found: Slack has no token listing');
      return;
    }
    const apps = await this.#approvedApps();
    const app = apps.find((a) => a.app?.id === appId);
    if (!app) throw new ConnectorError('not_found', 'slack', `slack: app ${appId} is not among the org's approved apps; was it already removed?`);
    let scopeId = own.enterpriseId ?? own.teamId;
    if (parsed?.type === 'app') scopeId = parsed.scopeId;
    else if (parsed?.type === 'token') scopeId = parsed.teamId;
    else if (ref.user) scopeId = (await this.#user(ref.user)).team_id ?? scopeId;
    const name = app.app?.name ?? appId;
    report.credentials.push(await this.#appCredential(app, appId, scopeId, own.appId, report.blindSpots));
    const appScopes = (app.scopes ?? []).map((s) => s.name ?? '');
    this.#flagAdminScopes(appScopes, report.riskFlags);
    this.#flagSensitiveScopes(appScopes, app, report.riskFlags);
    report.riskFlags.push(`${appId}: without the token value, revoking means uninstalling ${name} from ${scopeId} (every token it holds there)`);
  }

  /** One approved app as a credential: all of its bot and user tokens in one team or the org. */
  async #appCredential(app: ApprovedApp, appId: string, scopeId: string, ownAppId: string | undefined, blindSpots: string[]): Promise<Credential> {
    const name = app.app?.name ?? appId;
    const lastUsedAt = await this.#lastSeen([appId], blindSpots);
    return {
      provider: 'slack',
      kind: 'oauth_token',
      id: formatCredentialId({ type: 'app', scopeId, appId }),
      label: `all bot and user tokens of ${name} in ${scopeId}`,
      principal: { id: appId, displayName: name, type: 'bot', status: 'active' },
      scopes: (app.scopes ?? []).map((s) => s.name ?? '').filter(Boolean),
      clientId: appId,
      ...(lastUsedAt ? { lastUsedAt } : {}),
      consumers: [],
      selfOrLastAdmin: appId === ownAppId,
    };
  }

  #flagAdminScopes(scopes: string[], riskFlags: string[]): void {
    const admin = scopes.filter((s) => s.startsWith('admin'));
    if (admin.length) riskFlags.push(`token holds admin scopes: ${admin.join(', ')}`);
  }

  /** Which scopes are sensitive is the app approval's word (admin.apps.approved.list). */
  #flagSensitiveScopes(scopes: string[], app: ApprovedApp | undefined, riskFlags: string[]): void {
    const sensitive = (app?.scopes ?? []).filter((s) => s.is_sensitive && scopes.includes(s.name ?? '')).map((s) => s.name);
    if (sensitive.length) riskFlags.push(`token holds sensitive scopes: ${sensitive.join(', ')}`);
  }

  /**
   * A token's details that decide neither I6 nor I8, side by side: its owner's record (unless given), the app's
   * approval (its name, which scopes are sensitive) and the last use from the audit logs.
   */
  async #enrichToken(credential: Credential, team: string, riskFlags: string[], blindSpots: string[], known?: SlackUserObject): Promise<CredentialEnrichment> {
    const id = this.#parse(credential);
    if (id.type !== 'token') throw new ConnectorError('invalid', 'slack', `slack: ${credential.id} is not a token identified by value; only those have details to read later`);
    const [user, apps, lastUsedAt] = await Promise.all([
      known ?? this.#user(credential.principal.id),
      this.#approvedApps(),
      this.#lastSeen([id.appId, credential.principal.id], blindSpots),
    ]);
    const principal = this.#principalOf(user);
    const app = apps.find((a) => a.app?.id === id.appId);
    this.#flagSensitiveScopes(credential.scopes, app, riskFlags);
    if (principal.status !== 'active') riskFlags.push(`${principal.id} is deactivated but the token was presented; reactivation would revive it`);
    return {
      credentialId: credential.id,
      label: tokenLabel(id.tokenType, app?.app?.name ?? id.appId, principal.displayName, team),
      principal,
      ...(lastUsedAt ? { lastUsedAt } : {}),
    };
  }

  /** The reads identify left for after the revoke (identify with deferEnrichment), for each pending token. */
  async enrich(report: ScopeReport): Promise<ScopeEnrichment> {
    const riskFlags: string[] = [];
    const blindSpots: string[] = [];
    const credentials = await Promise.all(
      (report.pendingEnrichment ?? []).map(({ credentialId, context }) => {
        const credential = report.credentials.find((c) => c.id === credentialId);
        if (!credential) throw new ConnectorError('invalid', 'slack', `slack: enrich: ${credentialId} is pending but not among the report's credentials`);
        return this.#enrichToken(credential, context.team ?? credential.principal.id, riskFlags, blindSpots);
      }),
    );
    return { provider: 'slack', credentials, riskFlags: [...new Set(riskFlags)], blindSpots: [...new Set(blindSpots)] };
  }

  async #identifySessions(ref: CredentialRef, report: ScopeReport): Promise<void> {
    let userId = ref.user;
    if (!userId && ref.leakedValue) {
      const answer = await this.#testLeaked(new Secret(ref.leakedValue), 'auth.test (leaked session)', SLACK_AUTH_ERRORS);
      if ('dead' in answer) {
        report.riskFlags.push(`the leaked session token no longer authenticates (${answer.dead})`);
        return;
      }
      userId = answer.user_id;
      report.blindSpots.push('a session token does not say which session it belongs to: every session of its user is listed');
    }
    if (!userId) throw new ConnectorError('invalid', 'slack', 'slack: a session ref needs user (the Slack user id) or the leaked session token');
    const own = await this.#ownIdentity();
    const user = await this.#user(userId);
    const principal = this.#principalOf(user);
    const sessions = await this.#sessionsOf(userId, user.team_id ?? '');
    const parsed = ref.id ? parseCredentialId(ref.id) : undefined;
    const wantedId = parsed?.type === 'session' ? parsed.sessionId : ref.id;
    const wanted = wantedId ? sessions.filter((s) => String(s.session_id) === wantedId) : sessions;
    for (const s of wanted) report.credentials.push(this.#sessionCredential(s, principal, userId === own.userId));
    if (ref.id && !wanted.length) report.riskFlags.push(`session ${ref.id} is not active any more`);
  }

  async #sessionsOf(userId: string, teamId: string): Promise<{ session_id?: number; team_id?: string; created?: { ip?: string; os?: string } }[]> {
    try {
      const res = await this.#call(`admin.users.session.list ${userId}`, () => this.#admin.admin.users.session.list({ user_id: userId, team_id: teamId }));
      return res.active_sessions ?? [];
    } catch (err) {
      // Slack may say "nothing to list" as ok:false (Slack admin API docs): no session, nothing to end.
      if (err instanceof ConnectorError && slackErrorWord(err.options.cause) === 'no_active_sessions') return [];
      throw err;
    }
  }

  /**
   * Ends one session. Slack's current shape is session_id + user_id (team_id is retired; the SDK's typed
   * method still sends it, so the call is made by name). Gone already (session_not_found) is `gone`.
   */
  async #invalidate(sessionId: string, userId: string): Promise<'done' | 'gone'> {
    try {
      await this.#call(`admin.users.session.invalidate ${sessionId}`, () =>
        this.#admin.apiCall('admin.users.session.invalidate', { session_id: sessionId, user_id: userId }),
      );
      return 'done';
    } catch (err) {
      // The session ended already (Slack Web API method docs: a repeat answers session_not_found).
      if (err instanceof ConnectorError && slackErrorWord(err.options.cause) === 'session_not_found') return 'gone';
      throw err;
    }
  }

  #sessionCredential(s: { session_id?: number; team_id?: string; created?: { ip?: string; os?: string } }, principal: Principal, own: boolean): Credential {
    return {
      provider: 'slack',
      kind: 'session',
      id: formatCredentialId({ type: 'session', teamId: s.team_id ?? '', sessionId: String(s.session_id) }),
      label: `session ${s.session_id} of ${principal.displayName}${s.created?.ip ? ` from ${s.created.ip}` : ''}${s.created?.os ? ` (${s.created.os})` : ''}`,
      principal,
      scopes: [],
      consumers: [],
      selfOrLastAdmin: own,
    };
  }

  async listActive(principal: Principal): Promise<Credential[]> {
    const active: Credential[] = [];
    const own = await this.#ownIdentity();
    if (principal.type !== 'bot') {
      const user = await this.#user(principal.id);
      for (const s of await this.#sessionsOf(principal.id, user.team_id ?? '')) active.push(this.#sessionCredential(s, principal, principal.id === own.userId));
    }
    // Tokens cannot be listed; the leaked ones this connector saw are re-checked by value.
    for (const id of this.#leakedByUser.get(principal.id) ?? []) {
      const answer = await this.#authTest(this.#leaked.get(id)!.value);
      if (answer === 'dead') {
        this.#markDead(id);
        continue;
      }
      if (answer.user_id !== principal.id) continue;
      const parsed = parseCredentialId(id) as Extract<SlackCredentialId, { type: 'token' }>;
      active.push({
        provider: 'slack',
        kind: 'oauth_token',
        id,
        label: `${parsed.tokenType} token of ${parsed.appId} for ${principal.displayName}`,
        principal,
        scopes: answer.response_metadata?.scopes ?? [],
        clientId: parsed.appId,
        consumers: [],
        fingerprint: parsed.fingerprint,
        selfOrLastAdmin: parsed.fingerprint === own.fingerprint || parsed.appId === own.appId,
      });
    }
    return active;
  }

  /**
   * Slack said the token is dead (twice, #testLeaked), and a revoked token stays revoked: the worker stops
   * holding its leaked value and stops re-checking it. Only its id stays, in #dead, which is no secret; a
   * revoke of it without the value then answers already_done from that, never the uninstall fallback.
   */
  #markDead(id: string): void {
    this.#dead.add(id);
    const owner = this.#leaked.get(id)?.owner;
    this.#leaked.delete(id);
    if (owner === undefined) return;
    const ofUser = this.#leakedByUser.get(owner);
    ofUser?.delete(id);
    if (ofUser?.size === 0) this.#leakedByUser.delete(owner);
  }

  async #authTest(value: Secret): Promise<AuthTestAnswer | 'dead'> {
    const answer = await this.#testLeaked(value, 'auth.test', DEAD_TOKEN_ERRORS);
    return 'dead' in answer ? 'dead' : answer;
  }

  // ---- revoke ----------------------------------------------------------------------------

  async revoke(credential: Credential, context: RevokeContext = {}): Promise<WriteResult> {
    const id = this.#parse(credential);
    const own = await this.#ownIdentity();
    if (id.type === 'token' && id.fingerprint === own.fingerprint) {
      throw new ConnectorError('conflict', 'slack', `slack: ${credential.id} is Cordon's own admin token; revoking it would lock Cordon out (design.md I6)`);
    }
    if (id.type === 'session') {
      if (credential.principal.id === own.userId) {
        throw new ConnectorError('conflict', 'slack', `slack: ${credential.id} is a session of Cordon's own admin user; ending it is refused (design.md I6)`);
      }
      const r = await this.#invalidate(id.sessionId, credential.principal.id);
      return r === 'done' ? { outcome: 'done', detail: `session ${id.sessionId} invalidated` } : { outcome: 'already_done', detail: `session ${id.sessionId} was already ended` };
    }
    if (id.type === 'token') {
      // The value arrives with the revoke (any worker), or was seen by this worker's identify.
      const value = context.leakedValue ? new Secret(context.leakedValue) : this.#leaked.get(credential.id)?.value;
      if (!value && this.#dead.has(credential.id)) return { outcome: 'already_done', detail: 'Slack already said this token is no longer valid (auth.test, asked twice): its value is no longer held' };
      if (value) {
        let refused: string;
        try {
          await this.#client(value).auth.revoke();
          return { outcome: 'done', detail: 'auth.revoke with the leaked value' };
        } catch (err) {
          const word = slackErrorWord(err);
          if (!word || !DEAD_TOKEN_ERRORS.has(word)) throw classifySlackError(err, 'auth.revoke');
          refused = word;
        }
        // A revoked token cannot authenticate its own revoke, but a transient invalid_auth reads the same:
        // only a confirming auth.test with the same value makes it `already_done` (I4 without false evidence).
        try {
          await this.#client(value).auth.test();
        } catch (err) {
          const word = slackErrorWord(err);
          if (word && DEAD_TOKEN_ERRORS.has(word)) return { outcome: 'already_done', detail: `Slack says the token is no longer valid (auth.revoke: ${refused}, auth.test: ${word})` };
          throw classifySlackError(err, 'auth.test (confirming a refused auth.revoke)');
        }
        throw new ConnectorError('unavailable', 'slack', `slack: auth.revoke: Slack refused the revoke (${refused}) but the token still answers auth.test; will retry`);
      }
      const result = await this.#uninstall(id.appId, id.teamId);
      return { ...result, detail: `fallback: the leaked value is not held by this worker, so ${id.appId} was uninstalled from ${id.teamId} (all its tokens there)` };
    }
    return this.#uninstall(id.appId, id.scopeId);
  }

  async #uninstall(appId: string, scopeId: string): Promise<WriteResult> {
    const target = scopeId.startsWith('E') ? { enterprise_id: scopeId } : { team_id: scopeId };
    await this.#call(`admin.apps.uninstall ${appId}`, () => this.#admin.admin.apps.uninstall({ app_id: appId, ...target }));
    // Slack answers ok whether or not the app was still installed: no way to tell already_done here.
    return { outcome: 'done', detail: `${appId} uninstalled from ${scopeId}` };
  }

  #parse(credential: Credential): SlackCredentialId {
    const id = parseCredentialId(credential.id);
    if (!id) throw new ConnectorError('invalid', 'slack', `slack: ${credential.id} is not a Slack credential id from identify (token:…, app:… or session:…)`);
    return id;
  }

  // ---- re-auth, restrict, probe, audit ---------------------------------------------------

  /** A Slack user is re-authenticated by ending their sessions; their OAuth tokens are revoked on their own. */
  async reauthScope(principal: Principal): Promise<ReauthScope> {
    this.#refuseBot(principal);
    const own = await this.#ownIdentity();
    // I6: the sessions of Cordon's own admin user are never offered for ending.
    if (principal.id === own.userId) return { credentials: [], effects: [] };
    const user = await this.#user(principal.id);
    const sessions = await this.#sessionsOf(principal.id, user.team_id ?? '');
    const credentials = sessions.map((s) => this.#sessionCredential(s, principal, false));
    return { credentials, effects: credentials.length ? [SESSION_RESET_EFFECT] : [] };
  }

  /**
   * Ends exactly the sessions in `end` (I8). When they are every live session of the user, one
   * admin.users.session.reset does it (the announced effect); otherwise each is invalidated.
   */
  async forceReauth(principal: Principal, end: readonly Credential[]): Promise<WriteResult> {
    this.#refuseBot(principal);
    const own = await this.#ownIdentity();
    const wanted = new Set<string>();
    for (const c of end) {
      const id = this.#parse(c);
      if (id.type !== 'session' || c.principal.id !== principal.id) {
        throw new ConnectorError('invalid', 'slack', `slack: forceReauth of ${principal.id} ends only that user's sessions; ${c.id} is not one (revoke tokens on their own)`);
      }
      if (c.selfOrLastAdmin || principal.id === own.userId) {
        throw new ConnectorError('conflict', 'slack', `slack: ${c.id} is a session of Cordon's own admin user; ending it is refused (design.md I6)`);
      }
      wanted.add(id.sessionId);
    }
    if (!wanted.size) return { outcome: 'already_done', detail: `nothing to end for ${principal.id}: the plan lists no session` };
    const user = await this.#user(principal.id);
    const live = new Set((await this.#sessionsOf(principal.id, user.team_id ?? '')).map((s) => String(s.session_id)));
    const toEnd = [...wanted].filter((sid) => live.has(sid));
    if (!toEnd.length) return { outcome: 'already_done', detail: `the ${wanted.size} listed sessions of ${principal.id} had already ended` };
    if ([...live].every((sid) => wanted.has(sid))) {
      await this.#call(`admin.users.session.reset ${principal.id}`, () => this.#admin.admin.users.session.reset({ user_id: principal.id }));
      return { outcome: 'done', detail: `${toEnd.length} sessions of ${principal.id} reset (every session it had); OAuth tokens are not affected by a session reset` };
    }
    let ended = 0;
    for (const sid of toEnd) if ((await this.#invalidate(sid, principal.id)) === 'done') ended += 1;
    return {
      outcome: ended ? 'done' : 'already_done',
      detail: `${ended} of ${wanted.size} listed sessions of ${principal.id} invalidated; ${live.size - toEnd.length} sessions the plan did not list left alone`,
    };
  }

  /**
   * Ends every session of several users at once (admin.users.session.resetBulk, up to 1,000 ids a call). Not used
   * by forceReauth: that re-authenticates one principal and ends exactly the sessions its plan lists, which
   * admin.users.session.reset / .invalidate already do; this is for a plan that names many users. Cordon's own
   * admin user is refused before anything is sent (I6). Slack only enqueues the job: `done` means enqueued, and
   * verification (admin.users.session.list) says when the sessions are gone. Bots have no sessions.
   */
  async resetSessionsBulk(userIds: readonly string[]): Promise<WriteResult> {
    const ids = [...new Set(userIds.filter(Boolean))];
    if (!ids.length) return { outcome: 'already_done', detail: 'no user given: no session to reset' };
    const own = await this.#ownIdentity();
    if (ids.includes(own.userId)) {
      throw new ConnectorError('conflict', 'slack', `slack: ${own.userId} is Cordon's own admin user; resetting its sessions is refused (design.md I6); nothing was sent`);
    }
    const BATCH = 1000;
    for (let i = 0; i < ids.length; i += BATCH) {
      const [first, ...rest] = ids.slice(i, i + BATCH) as [string, ...string[]];
      const what = `admin.users.session.resetBulk (${rest.length + 1} users${ids.length > BATCH ? `, batch ${i / BATCH + 1} of ${Math.ceil(ids.length / BATCH)}` : ''})`;
      try {
        await this.#call(what, () => this.#admin.admin.users.session.resetBulk({ user_ids: [first, ...rest] }));
      } catch (err) {
        const cause = err instanceof ConnectorError ? err.options.cause : undefined;
        if (slackErrorWord(cause) !== 'failed_for_some_users') throw err;
        const messages = (cause as { data?: { response_metadata?: { messages?: string[] } } }).data?.response_metadata?.messages ?? [];
        throw new ConnectorError(
          'invalid',
          'slack',
          `slack: ${what}: Slack enqueued the reset but some user ids failed (${messages.join('; ') || 'no detail given'}); the others' sessions are being reset${i + BATCH < ids.length ? '; later batches were not sent' : ''}`,
          err instanceof ConnectorError ? err.options : {},
        );
      }
    }
    return {
      outcome: 'done',
      detail: `session reset enqueued for ${ids.length} users (Slack resets them asynchronously; admin.users.session.list shows when they are gone); OAuth tokens are not affected`,
    };
  }

  #refuseBot(principal: Principal): void {
    if (principal.type === 'bot') throw unsupported('slack', 'forceReauth', botReauthRefusal(principal));
  }

  async probe(credential: Credential, leakedValue: string): Promise<ProbeResult> {
    try {
      // Slack's own auth errors for a dead token, two asks at once. account_inactive is not: reactivating the owner revives it.
      const answer = await this.#testLeaked(new Secret(leakedValue), 'auth.test (probe)', DEAD_TOKEN_ERRORS, { expectDead: true });
      if (!('dead' in answer)) return 'alive';
      if (this.#leaked.get(credential.id)?.value.reveal() === leakedValue) this.#markDead(credential.id);
      return 'dead';
    } catch (err) {
      const classified = classifySlackError(err, 'auth.test (probe)');
      if (classified.retryable) throw classified;
      return 'unknown';
    }
  }

  async readTokenUse(cursor: AuditCursor | undefined, options: ReadTokenUseOptions = {}): Promise<TokenUseBatch> {
    const { auditUrl, adminToken, timeoutMs } = this.#config;
    const stream = slackAuditStream({ auditUrl, token: adminToken, timeoutMs, call: (what, fn) => this.#call(what, fn) });
    return readStreams('slack', [stream], cursor, { ...options, defaultOverlapMs: SLACK_AUDIT_OVERLAP_MS });
  }

  async audit(principal: Principal, sinceIso: string): Promise<AuditEvent[]> {
    const oldest = Math.floor(Date.parse(sinceIso) / 1000);
    if (Number.isNaN(oldest)) throw new ConnectorError('invalid', 'slack', `slack: audit since ${sinceIso} is not an ISO time`);
    const byId = new Map<string, SlackAuditEntry>();
    for (const q of [{ actor: principal.id, oldest }, { entity: principal.id, oldest }] satisfies AuditQuery[]) {
      // A bot's id is not an actor id in the audit log; apps appear as entities only.
      if (q.actor && principal.type === 'bot') continue;
      const { entries } = await this.#audit(q);
      for (const e of entries) byId.set(e.id, e);
    }
    return [...byId.values()]
      .sort((a, b) => a.date_create - b.date_create)
      .map((e) => ({
        at: new Date(e.date_create * 1000).toISOString(),
        actor: e.actor.user?.id ?? e.actor.type,
        action: e.action,
        detail: [e.entity.type, e.context?.ip_address ? `ip ${e.context.ip_address}` : '', e.context?.ua ? `ua ${e.context.ua}` : ''].filter(Boolean).join(' '),
      }));
  }

  // ---- fallback ladder (I3) --------------------------------------------------------------

  async revokeAllForClient(credential: Credential): Promise<WriteResult> {
    const id = this.#parse(credential);
    if (id.type === 'session') throw unsupported('slack', 'revokeAllForClient', `${credential.id} is a session, not an app's token`);
    const own = await this.#ownIdentity();
    if (id.appId === own.appId) throw new ConnectorError('conflict', 'slack', `slack: ${id.appId} is Cordon's own app; uninstalling it would lock Cordon out (design.md I6)`);
    return this.#uninstall(id.appId, id.type === 'token' ? id.teamId : id.scopeId);
  }

  /** Uninstall (kills the tokens), then restrict so nobody can re-install it meanwhile. */
  async blockApp(credential: Credential): Promise<WriteResult> {
    const id = this.#parse(credential);
    if (id.type === 'session') throw unsupported('slack', 'blockApp', `${credential.id} is a session, not an app's token`);
    const own = await this.#ownIdentity();
    if (id.appId === own.appId) throw new ConnectorError('conflict', 'slack', `slack: ${id.appId} is Cordon's own app; blocking it would lock Cordon out (design.md I6)`);
    // Block org-wide when the org is known: a restricted app must not come back in another workspace.
    const scopeId = own.enterpriseId ?? (id.type === 'token' ? id.teamId : id.scopeId);
    await this.#uninstall(id.appId, scopeId);
    const target = scopeId.startsWith('E') ? { enterprise_id: scopeId } : { team_id: scopeId };
    await this.#call(`admin.apps.restrict ${id.appId}`, () => this.#admin.admin.apps.restrict({ app_id: id.appId, ...target }));
    return { outcome: 'done', detail: `${id.appId} uninstalled from and restricted in ${scopeId}` };
  }

}

/** How a token identified by value is named: `bot token of Drift for Drift Bot in Acme Main`. */
function tokenLabel(tokenType: string, app: string, owner: string, team: string): string {
  return `${tokenType} token of ${app} for ${owner} in ${team}`;
}

export function createSlackConnector(config: SlackConnectorConfig): SlackConnector {
  return new SlackConnector(config);
}
