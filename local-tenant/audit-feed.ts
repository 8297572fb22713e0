// Token-use events → the providers' own audit records, loaded into a running local tenant: the inverse of the audit
// readers (connectors/<provider>/audit-reader.ts), so labelled traffic made as TokenUseEvents comes back out of the
// emulators through the real SDKs. Each record may show late (`lagMs` per provider: Google's Reports API lags).
// What a provider's audit log cannot carry is not invented: the event is returned in `skipped` with the reason
// (docs/drift-watch.md, "Audit readers", lists what each provider lacks).
import { createHash } from 'node:crypto';
import type { EmulatedProvider, Tenant } from '@cordon/emulators';
import type { CredentialKind } from '../schemas/credential.ts';
import { AuditProvider, TokenUseEvent, type TokenUseAction, type TokenUseEventInput } from '../schemas/token-use.ts';
import { GOOGLE_ADMIN_USER_EVENTS, GOOGLE_TOKEN_EVENTS, googleEventId } from '../connectors/google/audit-reader.ts';
import { GITHUB_APP_RETIRED_ACTIONS, GITHUB_GRANT_ACTIONS, GITHUB_MEMBER_ACTIONS, PROGRAMMATIC_ACCESS_TYPES } from '../connectors/github/audit-reader.ts';
import { salesforceLoginAction } from '../connectors/salesforce/audit-reader.ts';
import { SLACK_APP_RETIRED_ACTIONS, SLACK_SCOPE_ACTIONS, SLACK_USER_STATUS_ACTIONS } from '../connectors/slack/audit-reader.ts';

export interface AuditFeedOptions {
  /** How long after it happened each provider's record shows (ms); default 0 (at once). */
  lagMs?: Partial<Record<AuditProvider, number>>;
  /** Also write a LoginEvent row beside each Salesforce LoginHistory row (the org has Event Monitoring). */
  salesforceLoginEvents?: boolean;
  /** The Google customer id in activity ids (default C00000000; the readers do not read it). */
  googleCustomerId?: string;
  /** Who performed GitHub and Slack events about an owner (removed, deactivated): the org admin. */
  adminActor?: { github?: string; slack?: string };
}

/** One wire record with when it shows, as the emulators' control API takes it. */
export interface WireSeed {
  availableAt?: string;
  record: Record<string, unknown>;
  /** Salesforce only: the sObject the row belongs to. */
  object?: 'LoginHistory' | 'LoginEvent';
}

export interface WirePlan {
  records: Record<AuditProvider, WireSeed[]>;
  /** Events a provider's audit log cannot carry, with why. */
  skipped: { id: string; reason: string }[];
  /**
   * The id each input event reads back as (the reader's id). Equal to the input id when it already has the reader's
   * form (`google:token:<digits>`, `github:<document id>`, `salesforce:<18-char id>`, `slack:<entry id>`); an event
   * with `count` n > 1 becomes n records (the audit logs record each call) and maps to their n ids.
   */
  ids: Map<string, string[]>;
}

export interface FeedResult {
  added: Record<AuditProvider, number>;
  skipped: WirePlan['skipped'];
  ids: WirePlan['ids'];
}

/** Where records go: a tenant in this process, or one in another (`npm run emulators`) through its control API. */
export type AuditFeedTarget = Pick<Tenant, 'addAuditRecords'> | { controlUrl: string };

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Salesforce writes datetimes as `2025-08-08T12:00:00.000+0000`. */
const salesforceTime = (iso: string) => new Date(iso).toISOString().replace('Z', '+0000');

/** The provider's own id for a record, kept from the event id when it has the reader's form, else derived from it. */
const NATIVE: Record<AuditProvider, { pattern: RegExp; derive: (seed: string) => string }> = {
  google: { pattern: /^google:[a-z]+:(\d{1,19})$/, derive: (seed) => (digest(seed).readBigUInt64BE(0) >> 1n).toString() },
  github: { pattern: /^github:([A-Za-z0-9_-]{1,64})$/, derive: (seed) => digest(seed).toString('base64url').slice(0, 22) },
  salesforce: { pattern: /^salesforce:([A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?)$/, derive: (seed) => `0Ya${digest(seed).toString('hex').toUpperCase().slice(0, 12)}AAA` },
  slack: {
    pattern: /^slack:([A-Za-z0-9-]{1,64})$/,
    derive: (seed) => {
      const h = digest(seed).toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    },
  },
};

function nativeIds(event: TokenUseEvent, googleApplication?: string): string[] {
  const { pattern, derive } = NATIVE[event.provider];
  if (event.count > 1) return Array.from({ length: event.count }, (_, i) => derive(`${event.id}#${i}`));
  const kept = pattern.exec(event.id)?.[1];
  // A Google id names its application: kept only when it is the one this event's record goes to.
  if (kept && (googleApplication === undefined || event.id.startsWith(`google:${googleApplication}:`))) return [kept];
  return [derive(event.id)];
}

class Unsupported extends Error {}
const refuse = (reason: string): never => {
  throw new Unsupported(reason);
};

/** `<principal>:<rest>` → rest, checking the principal part. */
function afterPrincipal(event: TokenUseEvent, what: string): string {
  const key = event.tokenKey ?? refuse(`${event.provider} ${event.action} events need a tokenKey (${what})`);
  const i = key.indexOf(':');
  if (i <= 0 || i === key.length - 1) refuse(`tokenKey "${key}" is not ${what}`);
  return key.slice(i + 1);
}

const googleApplicationOf = (action: TokenUseAction): string | undefined =>
  action === 'login' ? 'login' : action === 'principal_status' ? 'admin' : Object.values(GOOGLE_TOKEN_EVENTS).includes(action as never) ? 'token' : undefined;

function googleRecord(event: TokenUseEvent, qualifier: string, options: AuditFeedOptions): Record<string, unknown> {
  const application = googleApplicationOf(event.action) ?? refuse(`Google's Reports API has no ${event.action} events (token: use, authorize, revoke; login; admin: user status)`);
  const id = { time: event.at, uniqueQualifier: qualifier, applicationName: application, customerId: options.googleCustomerId ?? 'C00000000' };
  const ip = event.ip ? { ipAddress: event.ip } : {};
  if (application === 'admin') {
    const names = Object.entries(GOOGLE_ADMIN_USER_EVENTS).filter(([, status]) => status === event.principalStatus).map(([name]) => name);
    const name = names.find((n) => n === event.operation) ?? names[0] ?? refuse(`Google's admin log has no event for principal status ${event.principalStatus}`);
    return { kind: 'admin#reports#activity', id, actor: { callerType: 'USER' }, ...ip, events: [{ type: 'USER_SETTINGS', name, parameters: [{ name: 'USER_EMAIL', value: event.principal }] }] };
  }
  const actor = { email: event.principal, profileId: '', callerType: 'USER' };
  if (application === 'login') return { kind: 'admin#reports#activity', id, actor, ...ip, events: [{ type: 'login', name: 'login_success', parameters: [{ name: 'login_type', value: 'google_password' }] }] };
  if (!event.tokenKey?.startsWith(`${event.principal}:`)) refuse(`a Google token event's tokenKey is "<user email>:<oauth client id>" with the user as principal, not "${event.tokenKey ?? ''}"`);
  const name = Object.entries(GOOGLE_TOKEN_EVENTS).find(([, action]) => action === event.action)![0];
  const apiName = event.target ?? event.operation?.split('.')[0];
  const parameters: Record<string, unknown>[] = [
    { name: 'client_id', value: afterPrincipal(event, '<user email>:<oauth client id>') },
    ...(event.app ? [{ name: 'app_name', value: event.app }] : []),
    { name: 'client_type', value: 'WEB' },
    ...(apiName ? [{ name: 'api_name', value: apiName }] : []),
    ...(event.operation ? [{ name: 'method_name', value: event.operation }] : []),
    ...(event.bytes !== undefined ? [{ name: 'num_response_bytes', intValue: String(event.bytes) }] : []),
    ...(event.scopes?.length ? [{ name: 'scope', multiValue: event.scopes }] : []),
  ];
  return { kind: 'admin#reports#activity', id, actor, ...ip, events: [{ type: 'auth', name, parameters }] };
}

/** The reader's table read backwards; the first type listed for a kind wins (a `pat` is written as a classic one). */
const ACCESS_TYPE_OF: Partial<Record<CredentialKind, string>> = Object.fromEntries(
  Object.entries(PROGRAMMATIC_ACCESS_TYPES)
    .reverse()
    .map(([type, kind]) => [kind, type]),
);

function githubRecord(event: TokenUseEvent, documentId: string, options: AuditFeedOptions): Record<string, unknown> {
  const stamp = Date.parse(event.at);
  const common = { '@timestamp': stamp, created_at: stamp, _document_id: documentId };
  if (event.action === 'principal_status') {
    const action =
      Object.entries(GITHUB_MEMBER_ACTIONS).find(([a, status]) => status === event.principalStatus && (event.operation === undefined || a === event.operation))?.[0] ??
      refuse(`GitHub's audit log has no member event for ${event.principalStatus}`);
    return { ...common, action, actor: options.adminActor?.github ?? 'org-admin', user: event.principal };
  }
  if (event.action === 'app_retired') return { ...common, action: 'integration_installation.destroy', actor: event.principal, integration: event.app ?? refuse('an app_retired event needs app') };
  const grant = Object.entries(GITHUB_GRANT_ACTIONS).filter(([, a]) => a === event.action).map(([name]) => name);
  if (event.action !== 'use' && !grant.length) refuse(`GitHub's audit log has no ${event.action} events for a token`);
  // A use keeps its operation as the action unless the reader would read that action as something else.
  const readsAsUse = (op: string) => !(op in GITHUB_GRANT_ACTIONS) && !(op in GITHUB_MEMBER_ACTIONS) && !GITHUB_APP_RETIRED_ACTIONS.includes(op);
  const action = event.action === 'use' ? (event.operation && readsAsUse(event.operation) ? event.operation : 'git.clone') : (grant.find((g) => g === event.operation) ?? grant[0]!);
  const accessType = event.credentialKind ? ACCESS_TYPE_OF[event.credentialKind] : undefined;
  if (event.credentialKind && !accessType) refuse(`GitHub names no programmatic_access_type for ${event.credentialKind}`);
  return {
    ...common,
    action,
    actor: event.principal,
    hashed_token: event.tokenKey ?? refuse('a GitHub token event needs tokenKey (the hashed_token)'),
    ...(accessType ? { programmatic_access_type: accessType } : {}),
    ...(event.scopes?.length ? { token_scopes: event.scopes.join(',') } : {}),
    ...(event.app ? (event.credentialKind === 'app_installation_token' ? { integration: event.app } : { oauth_application_name: event.app }) : {}),
    ...(event.target ? { repo: event.target } : {}),
    ...(event.ip ? { actor_ip: event.ip } : {}),
    ...(event.userAgent ? { user_agent: event.userAgent } : {}),
  };
}

function salesforceRows(event: TokenUseEvent, id: string, index: number, options: AuditFeedOptions): WireSeed[] {
  if (!['use', 'refresh', 'login'].includes(event.action)) refuse(`Salesforce login rows carry use, refresh and login only, not ${event.action}`);
  const app = event.action === 'login' ? (event.app ?? 'Browser') : (event.app ?? afterPrincipal(event, '<user id>:<connected app>'));
  if (event.action !== 'login' && event.tokenKey !== `${event.principal}:${app}`) refuse(`a Salesforce tokenKey is "<user id>:<connected app>", here "${event.principal}:${app}"`);
  const loginType =
    event.action === 'use'
      ? 'Remote Access 2.0'
      : event.operation && salesforceLoginAction({ LoginType: event.operation }) === event.action
        ? event.operation
        : event.action === 'refresh'
          ? 'Remote Access 2.0'
          : 'Application';
  const apiType = event.action === 'use' ? (event.operation ?? 'REST API') : null;
  const time = salesforceTime(event.at);
  const shared = {
    UserId: event.principal,
    LoginType: loginType,
    SourceIp: event.ip ?? null,
    Status: 'Success',
    Application: app,
    Browser: event.userAgent ?? 'Unknown',
    Platform: 'Unknown',
    ApiType: apiType,
    ApiVersion: apiType ? '62.0' : null,
    LoginUrl: 'login.salesforce.com',
  };
  const rows: WireSeed[] = [{ object: 'LoginHistory', record: { Id: id, LoginTime: time, ...shared } }];
  if (options.salesforceLoginEvents) {
    const h = digest(`${id}#event${index}`).toString('hex');
    rows.push({
      object: 'LoginEvent',
      record: {
        Id: `0Lz${h.slice(0, 12).toUpperCase()}AAA`,
        EventIdentifier: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`,
        LoginHistoryId: id,
        EventDate: time,
        CreatedDate: time,
        ...shared,
        ...(event.sessionId ? { SessionKey: event.sessionId } : {}),
      },
    });
  } else if (event.sessionId) refuse('LoginHistory has no session key: feed with salesforceLoginEvents (Event Monitoring) to carry sessionId');
  return rows;
}

function slackRecord(event: TokenUseEvent, entryId: string, options: AuditFeedOptions): Record<string, unknown> {
  const at = Date.parse(event.at);
  if (at % 1000 !== 0) refuse('Slack audit entries have whole seconds (date_create); this event has milliseconds');
  const user = (id: string) => ({ id, name: id, email: '' });
  const context = { location: { type: 'enterprise', id: 'E00000000' }, ua: event.userAgent ?? '', ip_address: event.ip ?? '', ...(event.sessionId ? { session_id: event.sessionId } : {}) };
  const base = { id: entryId, date_create: at / 1000, context };
  const app = (id: string) => ({ type: 'app', app: { id, name: id, scopes: event.scopes ?? [] } });
  if (event.action === 'principal_status') {
    const action =
      Object.entries(SLACK_USER_STATUS_ACTIONS).find(([a, status]) => status === event.principalStatus && (event.operation === undefined || a === event.operation))?.[0] ??
      refuse(`Slack's audit log has no user action for ${event.principalStatus}`);
    return { ...base, action, actor: { type: 'user', user: user(options.adminActor?.slack ?? 'U0ADMIN00') }, entity: { type: 'user', user: user(event.principal) } };
  }
  if (event.action === 'app_retired') {
    const action = SLACK_APP_RETIRED_ACTIONS.find((a) => a === event.operation) ?? SLACK_APP_RETIRED_ACTIONS[0]!;
    return { ...base, action, actor: { type: 'user', user: user(event.principal) }, entity: app(event.app ?? refuse('an app_retired event needs app')) };
  }
  const actor = { type: 'user', user: user(event.principal) };
  if (event.action === 'login') return { ...base, action: 'user_login', actor, entity: { type: 'user', user: user(event.principal) } };
  if (!['use', 'provider_anomaly', 'scope_change'].includes(event.action)) refuse(`Slack's audit log has no ${event.action} events`);
  const key = event.tokenKey ?? refuse('a Slack token event needs tokenKey "<app or user id>:<token type>"');
  const cut = key.lastIndexOf(':');
  const owner = key.slice(0, cut);
  const tokenType = key.slice(cut + 1);
  if (cut <= 0 || !tokenType) refuse(`tokenKey "${key}" is not "<app or user id>:<token type>"`);
  const isApp = owner !== event.principal;
  if (isApp && event.app !== undefined && event.app !== owner) refuse(`a Slack app token's tokenKey names its app: "${owner}" is not app "${event.app}"`);
  if (!isApp && event.app !== undefined) refuse('a Slack user token event names no app');
  const entity = isApp ? app(owner) : event.target ? targetEntity(event.target) : { type: 'user', user: user(event.principal) };
  if (isApp && event.target) refuse('a Slack entry about an app cannot also name a target');
  const defaultType = isApp ? 'bot' : 'user';
  const details: Record<string, unknown> = { ...(tokenType !== defaultType ? { token_type: tokenType } : {}) };
  let action: string;
  if (event.action === 'provider_anomaly') {
    action = 'anomaly';
    details.reason = event.providerReasons ?? [];
  } else if (event.action === 'scope_change') {
    action = SLACK_SCOPE_ACTIONS.find((a) => a === event.operation) ?? SLACK_SCOPE_ACTIONS[0]!;
    if (event.scopes?.length) details.new_scopes = event.scopes;
  } else {
    action = event.operation ?? 'file_downloaded';
    if (action === 'anomaly' || action === 'user_login' || action in SLACK_USER_STATUS_ACTIONS || SLACK_APP_RETIRED_ACTIONS.includes(action) || SLACK_SCOPE_ACTIONS.includes(action)) {
      refuse(`a Slack use event's operation "${action}" is an action the reader reads as something else`);
    }
  }
  return { ...base, action, actor, entity, ...(Object.keys(details).length ? { details } : {}) };
}

/** A Slack entity from a target id, by Slack's id prefixes (C/G channel, F file, U/W user, T workspace). */
function targetEntity(id: string): Record<string, unknown> {
  const type = /^[CG]/.test(id) ? 'channel' : id.startsWith('F') ? 'file' : /^[UW]/.test(id) ? 'user' : 'workspace';
  return { type, [type]: { id, name: id } };
}

/** The wire records of each provider for `events`, with what could not be carried and the ids they read back as. */
export function toWireRecords(events: readonly TokenUseEventInput[], options: AuditFeedOptions = {}): WirePlan {
  const records: WirePlan['records'] = { google: [], github: [], salesforce: [], slack: [] };
  const skipped: WirePlan['skipped'] = [];
  const ids: WirePlan['ids'] = new Map();
  for (const [index, input] of events.entries()) {
    const parsed = TokenUseEvent.safeParse(input);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      skipped.push({ id: String((input as { id?: unknown }).id ?? `#${index}`), reason: `not a TokenUseEvent: ${first?.path.join('.') || '(root)'}: ${first?.message}` });
      continue;
    }
    const event = parsed.data;
    const lag = options.lagMs?.[event.provider] ?? 0;
    const availableAt = lag > 0 ? new Date(Date.parse(event.at) + lag).toISOString() : undefined;
    const shows = availableAt ? { availableAt } : {};
    try {
      const natives = nativeIds(event, event.provider === 'google' ? googleApplicationOf(event.action) : undefined);
      const seeds = natives.flatMap((native, i): WireSeed[] => {
        switch (event.provider) {
          case 'google':
            return [{ ...shows, record: googleRecord(event, native, options) }];
          case 'github':
            return [{ ...shows, record: githubRecord(event, native, options) }];
          case 'salesforce':
            return salesforceRows(event, native, i, options).map((row) => ({ ...shows, ...row }));
          case 'slack':
            return [{ ...shows, record: slackRecord(event, native, options) }];
        }
      });
      records[event.provider].push(...seeds);
      const application = event.provider === 'google' ? googleApplicationOf(event.action)! : undefined;
      ids.set(
        event.id,
        natives.map((n) => (application ? googleEventId(application, n) : `${event.provider}:${n}`)),
      );
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
      skipped.push({ id: event.id, reason: err.message });
    }
  }
  return { records, skipped, ids };
}

/** Records per control-API request: large feeds go in slices. */
const CONTROL_BATCH = 20_000;

/** Turns events into wire records and loads them into the tenant's emulators, appending to what is there. */
export async function feedAuditLogs(target: AuditFeedTarget, events: readonly TokenUseEventInput[], options: AuditFeedOptions = {}): Promise<FeedResult> {
  const plan = toWireRecords(events, options);
  const added = { google: 0, github: 0, salesforce: 0, slack: 0 } satisfies Record<AuditProvider, number>;
  for (const provider of AuditProvider.options) {
    const seeds = plan.records[provider];
    for (let i = 0; i < seeds.length; i += CONTROL_BATCH) {
      const slice = seeds.slice(i, i + CONTROL_BATCH);
      added[provider] += 'addAuditRecords' in target ? target.addAuditRecords(provider satisfies EmulatedProvider, slice) : await postRecords(target.controlUrl, provider, slice);
    }
  }
  return { added, skipped: plan.skipped, ids: plan.ids };
}

async function postRecords(controlUrl: string, provider: AuditProvider, records: WireSeed[]): Promise<number> {
  const res = await fetch(`${controlUrl.replace(/\/$/, '')}/audit-records`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider, records }),
  });
  const body = (await res.json().catch(() => undefined)) as { added?: number; error?: { message?: string } } | undefined;
  if (res.status !== 201 || typeof body?.added !== 'number') {
    throw new Error(`loading ${records.length} ${provider} audit records into ${controlUrl}: HTTP ${res.status} ${body?.error?.message ?? ''}`.trim());
  }
  return body.added;
}
