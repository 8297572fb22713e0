// The Slack emulator driven by the real @slack/web-api client (and fetch for the Audit Logs API),
// against the shipped scenario sections.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, WebClient, type WebAPIHTTPError, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api';
import { CallLog, FaultBook, startEmulatorServer, type EmulatorServer } from '../core/server.ts';
import { AuditClock } from '../core/audit-log.ts';
import { createSlackEmulator, type SlackEmulator } from './emulator.ts';
import { generateSlackLoadSection, SlackScenario } from './scenario.ts';
import { slackSignatureHeaders } from './signing.ts';

const scenarioFile = (name: string) => fileURLToPath(new URL(`../scenarios/${name}/slack.json`, import.meta.url));
const rawSection = (name: string): unknown => JSON.parse(readFileSync(scenarioFile(name), 'utf8'));
const drift = SlackScenario.parse(rawSection('salesloft-drift'));
const okta = SlackScenario.parse(rawSection('cloudflare-okta'));
const tokenValue = (section: SlackScenario, id: string) => section.tokens.find((t) => t.id === id)!.value;

const DRIFT_BOT_MAIN = tokenValue(drift, 'slack-drift-bot-main');
const DRIFT_BOT_SALES = tokenValue(drift, 'slack-drift-bot-sales');
const DRIFT_USER = tokenValue(drift, 'slack-drift-user-marco');
const DRIFT_LEGACY = tokenValue(drift, 'slack-drift-bot-legacy');
const ADMIN = tokenValue(drift, 'slack-cordon-admin');
const CORDON_BOT = tokenValue(drift, 'slack-cordon-bot');
const MARCO_SESSION = drift.sessions.find((s) => s.id === 7301)!.value!;

let emulator: SlackEmulator;
let server: EmulatorServer;
const log = new CallLog();
const faults = new FaultBook();

const client = (token?: string, options: { rejectRateLimitedCalls?: boolean } = {}) =>
  new WebClient(token, { slackApiUrl: `${server.url}/api/`, retryConfig: { retries: 0 }, ...options });

/** The Slack error string of a rejected call (WebAPIPlatformError.data.error). */
async function slackError(promise: Promise<unknown>): Promise<{ error: string; data: Record<string, unknown> }> {
  const err = (await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  )) as WebAPIPlatformError;
  expect(err.code).toBe(ErrorCode.PlatformError);
  return { error: err.data.error, data: err.data as unknown as Record<string, unknown> };
}

beforeAll(async () => {
  emulator = createSlackEmulator();
  server = await startEmulatorServer({ provider: 'slack', router: emulator.router, errors: emulator.errors, log, faults });
  emulator.setBaseUrl(server.url);
});
afterAll(async () => server.close());
beforeEach(() => {
  emulator.load(drift);
  log.clear();
  faults.clear();
});

describe('scenario sections', () => {
  it('loads the shipped sections and counts what they seed, by array', () => {
    for (const section of [drift, okta]) {
      emulator.load(section);
      const counts = emulator.counts();
      for (const key of ['teams', 'users', 'apps', 'tokens', 'sessions', 'channels', 'auditEvents'] as const) {
        expect(counts[key], key).toBe(section[key].length);
      }
      expect(counts.activeTokens).toBe(section.tokens.filter((t) => !t.revoked).length);
    }
  });

  it('rejects a bot token whose value is not xoxb- and a token of an unknown user', () => {
    const raw = rawSection('salesloft-drift') as { tokens: { value: string; userId: string }[] };
    const badPrefix = structuredClone(raw);
    badPrefix.tokens[0]!.value = 'xoxp-not-a-bot-token-at-all';
    expect(SlackScenario.safeParse(badPrefix).success).toBe(false);
    const badUser = structuredClone(raw);
    badUser.tokens[0]!.userId = 'W0NOBODY00';
    const parsed = SlackScenario.safeParse(badUser);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.some((i) => i.path.join('.') === 'tokens.0.userId')).toBe(true);
  });

  it('generates a deterministic load section with exactly count credentials plus Cordon’s own token', () => {
    const a = SlackScenario.parse(generateSlackLoadSection(1000));
    const b = SlackScenario.parse(generateSlackLoadSection(1000));
    expect(a).toEqual(b);
    expect(a.tokens.length + a.sessions.length).toBe(1001);
    expect(a.tokens.filter((t) => t.cordonOwn)).toHaveLength(1);
    emulator.load(a);
    expect(emulator.counts().tokens).toBe(a.tokens.length);
  });

  it('gives the emulator URLs and the scenario’s own live tokens', () => {
    expect(emulator.connection()).toEqual({
      apiUrl: `${server.url}/api/`,
      auditUrl: `${server.url}/audit/v1/`,
      adminToken: ADMIN,
      botToken: CORDON_BOT,
      signingSecret: drift.signingSecret,
    });
  });
});

describe('auth.test and token errors', () => {
  it('identifies a bot token and reports its scopes through X-OAuth-Scopes', async () => {
    const res = await client(DRIFT_BOT_MAIN).auth.test();
    expect(res).toMatchObject({ ok: true, team_id: 'T0ACMEMAIN', user_id: 'U0DRIFTBOT', bot_id: 'B0DRIFTBOT', app_id: 'A0DRIFT001', enterprise_id: 'E0ACMEORG1' });
    expect(res.response_metadata?.scopes).toEqual(['chat:write', 'channels:read', 'users:read', 'users:read.email']);
    expect(log.list({ operation: 'auth.test' })[0]).toMatchObject({ status: 200, credential: 'slack-drift-bot-main' });
  });

  it('answers not_authed without a token and invalid_auth for an unknown one, as HTTP 200', async () => {
    expect((await slackError(client().auth.test())).error).toBe('not_authed');
    expect((await slackError(client('xoxb-emulated-never-issued-9999').auth.test())).error).toBe('invalid_auth');
    expect(log.list().map((r) => r.status)).toEqual([200, 200]);
    expect(log.list().every((r) => r.credential === undefined)).toBe(true);
  });

  it('accepts the token as a form field, as Slack does', async () => {
    const res = await fetch(`${server.url}/api/auth.test`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: DRIFT_USER }).toString(),
    });
    expect(await res.json()).toMatchObject({ ok: true, user_id: 'W0SALESREP', team_id: 'T0ACMESALE' });
  });

  it('answers account_inactive for a token whose owner was deactivated', async () => {
    const section = structuredClone(drift);
    section.users.find((u) => u.id === 'W0SALESREP')!.status = 'offboarded';
    emulator.load(section);
    expect((await slackError(client(DRIFT_USER).auth.test())).error).toBe('account_inactive');
  });

  it('answers unknown_method for a method that does not exist', async () => {
    expect((await slackError(client(ADMIN).apiCall('auth.nonsense'))).error).toBe('unknown_method');
  });
});

describe('auth.revoke', () => {
  it('test=true does not revoke; a real revoke kills the token on every method; a repeat answers token_revoked', async () => {
    const drifty = client(DRIFT_BOT_MAIN);
    expect(await drifty.auth.revoke({ test: true })).toMatchObject({ ok: true, revoked: false });
    expect((await drifty.auth.test()).ok).toBe(true);

    expect(await drifty.auth.revoke()).toMatchObject({ ok: true, revoked: true });
    expect(emulator.tokenActive('slack-drift-bot-main')).toBe(false);
    expect((await slackError(drifty.auth.test())).error).toBe('token_revoked');
    expect((await slackError(drifty.chat.postMessage({ channel: 'C0INCIDENT', text: 'hi' }))).error).toBe('token_revoked');
    expect((await slackError(drifty.users.info({ user: 'W0SALESREP' }))).error).toBe('token_revoked');
    expect((await slackError(drifty.auth.revoke())).error).toBe('token_revoked');
    // The same app's token in the other workspace is untouched: auth.revoke revokes the calling token only.
    expect((await client(DRIFT_BOT_SALES).auth.test()).ok).toBe(true);
    expect(log.list({ operation: 'auth.revoke' }).map((r) => [r.credential, r.target])).toEqual([
      ['slack-drift-bot-main', 'slack-drift-bot-main'],
      ['slack-drift-bot-main', 'slack-drift-bot-main'],
      // The repeat is logged with the (dead) credential that was presented, and no target.
      ['slack-drift-bot-main', undefined],
    ]);
    expect(emulator.counts().activeTokens).toBe(drift.tokens.filter((t) => !t.revoked).length - 1);
  });

  it('a token seeded as revoked answers token_revoked', async () => {
    expect((await slackError(client(DRIFT_LEGACY).auth.revoke())).error).toBe('token_revoked');
  });
});

describe('users.info', () => {
  it('describes users and bots, with deactivated users as deleted', async () => {
    const admin = client(ADMIN);
    const marco = await admin.users.info({ user: 'W0SALESREP' });
    expect(marco.user).toMatchObject({ id: 'W0SALESREP', team_id: 'T0ACMESALE', deleted: false, is_bot: false, profile: { email: 'marco.ruiz@acme.example' } });
    const bot = await admin.users.info({ user: 'U0DRIFTBOT' });
    expect(bot.user).toMatchObject({ is_bot: true, profile: { bot_id: 'B0DRIFTBOT', api_app_id: 'A0DRIFT001' } });
    expect((await admin.users.info({ user: 'W0FORMEREM' })).user?.deleted).toBe(true);
    expect(log.list({ operation: 'users.info' })[0]).toMatchObject({ credential: 'slack-cordon-admin', target: 'W0SALESREP' });
  });

  it('answers user_not_found and missing_scope with needed/provided', async () => {
    expect((await slackError(client(ADMIN).users.info({ user: 'W0NOBODY00' }))).error).toBe('user_not_found');
    const missing = await slackError(client(CORDON_BOT).users.info({ user: 'W0SALESREP' }));
    expect(missing.error).toBe('missing_scope');
    expect(missing.data).toMatchObject({ needed: 'users:read', provided: 'chat:write,commands' });
  });
});

describe('admin.users.session.*', () => {
  it('lists sessions per user or org-wide and rejects user_id without team_id', async () => {
    const admin = client(ADMIN);
    const mine = await admin.admin.users.session.list({ user_id: 'W0SALESREP', team_id: 'T0ACMESALE' });
    expect(mine.active_sessions?.map((s) => s.session_id).sort()).toEqual([7301, 7302]);
    expect(mine.active_sessions?.[0]).toMatchObject({ user_id: 'W0SALESREP', team_id: 'T0ACMESALE', created: { ip: '198.51.100.23' } });
    const all = await admin.admin.users.session.list();
    expect(all.active_sessions).toHaveLength(drift.sessions.length);
    const paged = await admin.admin.users.session.list({ limit: 3 });
    expect(paged.active_sessions).toHaveLength(3);
    const rest = await admin.admin.users.session.list({ limit: 3, cursor: paged.response_metadata!.next_cursor! });
    expect(rest.active_sessions).toHaveLength(drift.sessions.length - 3);
    expect((await slackError(admin.apiCall('admin.users.session.list', { user_id: 'W0SALESREP' }))).error).toBe('missing_team');
  });

  it('answers no_active_sessions for a user without a live session', async () => {
    const admin = client(ADMIN);
    await admin.admin.users.session.reset({ user_id: 'W0SALESREP' });
    expect((await slackError(admin.admin.users.session.list({ user_id: 'W0SALESREP', team_id: 'T0ACMESALE' }))).error).toBe('no_active_sessions');
    // Org-wide, the other users' sessions are still listed.
    expect((await admin.admin.users.session.list()).active_sessions?.map((s) => s.user_id)).not.toContain('W0SALESREP');
  });

  it('reset wipes every session of the user (a replayed xoxc session dies) and is ok on repeat', async () => {
    const admin = client(ADMIN);
    expect((await client(MARCO_SESSION).auth.test()).user_id).toBe('W0SALESREP');
    expect(await admin.admin.users.session.reset({ user_id: 'W0SALESREP' })).toMatchObject({ ok: true });
    expect(emulator.activeSessions('W0SALESREP')).toEqual([]);
    expect(emulator.activeSessions('W0SALESMGR')).toEqual([7303]);
    expect((await slackError(client(MARCO_SESSION).auth.test())).error).toBe('invalid_auth');
    // OAuth tokens survive a session reset: only sessions end.
    expect((await client(DRIFT_USER).auth.test()).ok).toBe(true);
    expect((await admin.admin.users.session.reset({ user_id: 'W0SALESREP' })).ok).toBe(true);
    expect(log.list({ operation: 'admin.users.session.reset' })[0]).toMatchObject({ credential: 'slack-cordon-admin', target: 'W0SALESREP' });
  });

  it('reset honours mobile_only and refuses bots and the primary owner', async () => {
    const admin = client(ADMIN);
    await admin.admin.users.session.reset({ user_id: 'W0SALESREP', mobile_only: true });
    expect(emulator.activeSessions('W0SALESREP')).toEqual([7301]);
    expect((await slackError(admin.admin.users.session.reset({ user_id: 'U0DRIFTBOT' }))).error).toBe('cannot_reset_bot');
    expect((await slackError(admin.admin.users.session.reset({ user_id: 'W0SECOWNER' }))).error).toBe('cannot_reset_primary_owner');
    expect((await slackError(admin.admin.users.session.reset({ user_id: 'W0NOBODY00' }))).error).toBe('user_not_found');
  });

  it('resetBulk takes user_ids (1–1,000), honours mobile_only, refuses bots/the primary owner whole, and names unknown ids', async () => {
    const admin = client(ADMIN);
    expect(await admin.admin.users.session.resetBulk({ user_ids: ['W0SALESREP', 'W0SALESMGR'], mobile_only: true })).toMatchObject({ ok: true });
    expect(emulator.activeSessions('W0SALESREP')).toEqual([7301]);
    expect(await admin.admin.users.session.resetBulk({ user_ids: ['W0SALESREP', 'W0SALESMGR'] })).toMatchObject({ ok: true });
    expect([emulator.activeSessions('W0SALESREP'), emulator.activeSessions('W0SALESMGR'), emulator.activeSessions('W0CORDONAD')]).toEqual([[], [], [7304]]);
    expect(log.list({ operation: 'admin.users.session.resetBulk' }).at(-1)).toMatchObject({ credential: 'slack-cordon-admin', target: 'W0SALESREP,W0SALESMGR' });
    expect((await slackError(admin.apiCall('admin.users.session.resetBulk', { user_ids: [] }))).error).toBe('invalid_arguments');
    expect((await slackError(admin.apiCall('admin.users.session.resetBulk', { user_ids: Array.from({ length: 1001 }, (_, i) => `W${i}`) }))).error).toBe('invalid_arguments');
    expect((await slackError(admin.apiCall('admin.users.session.resetBulk', {}))).error).toBe('invalid_arguments');
    expect((await slackError(admin.admin.users.session.resetBulk({ user_ids: ['W0CORDONAD', 'U0DRIFTBOT'] }))).error).toBe('cannot_reset_bot');
    expect((await slackError(admin.admin.users.session.resetBulk({ user_ids: ['W0CORDONAD', 'W0SECOWNER'] }))).error).toBe('cannot_reset_primary_owner');
    expect(emulator.activeSessions('W0CORDONAD')).toEqual([7304]);
    const partial = await slackError(admin.admin.users.session.resetBulk({ user_ids: ['W0CORDONAD', 'W0NOBODY00'] }));
    expect(partial).toMatchObject({ error: 'failed_for_some_users', data: { response_metadata: { messages: ['[ERROR] W0NOBODY00: user_not_found'] } } });
    expect(emulator.activeSessions('W0CORDONAD')).toEqual([]);
    expect((await slackError(client(DRIFT_BOT_MAIN).admin.users.session.resetBulk({ user_ids: ['W0SALESREP'] }))).error).toBe('not_allowed_token_type');
  });

  it('invalidate takes session_id + user_id, ends one session; a repeat answers session_not_found', async () => {
    const admin = client(ADMIN);
    const invalidate = (args: Record<string, unknown>) => admin.apiCall('admin.users.session.invalidate', args);
    expect((await invalidate({ session_id: '7302', user_id: 'W0SALESREP' })).ok).toBe(true);
    expect(emulator.activeSessions('W0SALESREP')).toEqual([7301]);
    expect((await slackError(invalidate({ session_id: '7302', user_id: 'W0SALESREP' }))).error).toBe('session_not_found');
    // Another user's session id, or a team_id that does not match, finds nothing.
    expect((await slackError(invalidate({ session_id: '7303', user_id: 'W0SALESREP' }))).error).toBe('session_not_found');
    expect((await slackError(invalidate({ session_id: '7301', user_id: 'W0SALESREP', team_id: 'T0ACMEMAIN' }))).error).toBe('session_not_found');
    expect((await slackError(invalidate({ session_id: '7301', user_id: 'W0NOBODY00' }))).error).toBe('user_not_found');
    expect(emulator.activeSessions('W0SALESREP')).toEqual([7301]);
  });

  it('invalidate refuses the retired team_id-only shape (the SDK type’s) with invalid_arguments', async () => {
    const admin = client(ADMIN);
    const old = await slackError(admin.admin.users.session.invalidate({ session_id: '7301', team_id: 'T0ACMESALE' }));
    expect(old.error).toBe('invalid_arguments');
    expect(JSON.stringify(old.data)).toMatch(/missing required field: user_id/);
    expect(emulator.activeSessions('W0SALESREP')).toEqual([7301, 7302]);
  });

  it('refuses bot tokens, tokens without the admin scope, non-admins and non-Grid workspaces', async () => {
    expect((await slackError(client(DRIFT_BOT_MAIN).admin.users.session.reset({ user_id: 'W0SALESREP' }))).error).toBe('not_allowed_token_type');
    const scope = await slackError(client(DRIFT_USER).admin.users.session.reset({ user_id: 'W0SALESREP' }));
    expect(scope).toMatchObject({ error: 'missing_scope', data: { needed: 'admin.users:write' } });

    const demoted = structuredClone(drift);
    demoted.users.find((u) => u.id === 'W0CORDONAD')!.role = 'member';
    emulator.load(demoted);
    expect((await slackError(client(ADMIN).admin.users.session.list())).error).toBe('not_an_admin');

    const noGrid = structuredClone(drift);
    delete noGrid.enterprise;
    emulator.load(noGrid);
    expect((await slackError(client(ADMIN).admin.users.session.list())).error).toBe('feature_not_enabled');
    expect((await slackError(client(ADMIN).admin.apps.approved.list({}))).error).toBe('feature_not_enabled');
  });
});

describe('admin.apps.*', () => {
  it('lists approved apps with their scopes, per team', async () => {
    const res = await client(ADMIN).admin.apps.approved.list({ team_id: 'T0ACMESALE' });
    const ids = res.approved_apps?.map((a) => a.app?.id);
    expect(ids).toEqual(['A0DRIFT001', 'A0SLOFT001', 'A0CORDON01']);
    const driftApp = res.approved_apps![0]!;
    expect(driftApp.app?.name).toBe('Drift');
    expect(driftApp.scopes).toContainEqual({ name: 'channels:history', description: '', is_sensitive: true, token_type: 'user' });
    expect(driftApp.last_resolved_by).toEqual({ actor_id: 'W0SECOWNER', actor_type: 'user' });
    const main = await client(ADMIN).admin.apps.approved.list({ team_id: 'T0ACMEMAIN' });
    expect(main.approved_apps?.map((a) => a.app?.id)).toEqual(['A0DRIFT001', 'A0CORDON01']);
  });

  it('uninstall from one workspace kills the app’s tokens there only, and is ok when repeated', async () => {
    const admin = client(ADMIN);
    expect((await admin.admin.apps.uninstall({ app_id: 'A0DRIFT001', team_id: 'T0ACMESALE' })).ok).toBe(true);
    expect((await slackError(client(DRIFT_BOT_SALES).auth.test())).error).toBe('token_revoked');
    expect((await slackError(client(DRIFT_USER).auth.test())).error).toBe('token_revoked');
    expect((await client(DRIFT_BOT_MAIN).auth.test()).ok).toBe(true);
    // team_ids (array, JSON-encoded by the SDK) is the documented argument; team_id is the SDK type's.
    expect((await admin.apiCall('admin.apps.uninstall', { app_id: 'A0DRIFT001', team_ids: ['T0ACMESALE'] })).ok).toBe(true);
    expect(log.list({ operation: 'admin.apps.uninstall' }).map((r) => r.target)).toEqual(['A0DRIFT001', 'A0DRIFT001']);

    expect((await admin.admin.apps.uninstall({ app_id: 'A0DRIFT001', enterprise_id: 'E0ACMEORG1' })).ok).toBe(true);
    expect((await slackError(client(DRIFT_BOT_MAIN).auth.test())).error).toBe('token_revoked');
    expect((await client(tokenValue(drift, 'slack-salesloft-bot')).auth.test()).ok).toBe(true);
  });

  it('restrict takes the app off the approved list (idempotently) without killing its tokens', async () => {
    const admin = client(ADMIN);
    expect((await admin.admin.apps.restrict({ app_id: 'A0SLOFT001', enterprise_id: 'E0ACMEORG1' })).ok).toBe(true);
    expect((await admin.admin.apps.restrict({ app_id: 'A0SLOFT001', enterprise_id: 'E0ACMEORG1' })).ok).toBe(true);
    expect((await admin.admin.apps.approved.list({})).approved_apps?.map((a) => a.app?.id)).not.toContain('A0SLOFT001');
    expect((await admin.admin.apps.restricted.list({ enterprise_id: 'E0ACMEORG1' })).restricted_apps?.map((a) => a.app?.id)).toEqual(['A0SLOFT001']);
    expect((await client(tokenValue(drift, 'slack-salesloft-bot')).auth.test()).ok).toBe(true);
    expect((await slackError(admin.admin.apps.restrict({ app_id: 'A0NOPE0000', team_id: 'T0ACMEMAIN' }))).error).toBe('app_not_found');
  });

  it('restrict takes exactly one of team_id / enterprise_id: both together is invalid_arguments', async () => {
    const admin = client(ADMIN);
    const both = await slackError(admin.apiCall('admin.apps.restrict', { app_id: 'A0SLOFT001', team_id: 'T0ACMESALE', enterprise_id: 'E0ACMEORG1' }));
    expect(both.error).toBe('invalid_arguments');
    expect((await admin.admin.apps.approved.list({})).approved_apps?.map((a) => a.app?.id)).toContain('A0SLOFT001');
    expect((await slackError(admin.apiCall('admin.apps.restrict', { app_id: 'A0SLOFT001' }))).error).toBe('specify_enterprise_or_teams');
  });

  it('answers app_not_found, specify_enterprise_or_teams and teams_not_found', async () => {
    const admin = client(ADMIN);
    expect((await slackError(admin.admin.apps.uninstall({ app_id: 'A0NOPE0000', team_id: 'T0ACMEMAIN' }))).error).toBe('app_not_found');
    expect((await slackError(admin.apiCall('admin.apps.uninstall', { app_id: 'A0DRIFT001' }))).error).toBe('specify_enterprise_or_teams');
    expect((await slackError(admin.apiCall('admin.apps.uninstall', { app_id: 'A0DRIFT001', team_ids: ['T0UNKNOWN1'] }))).error).toBe('teams_not_found');
  });
});

describe('chat.* and views.open', () => {
  it('stores posted messages with blocks and threads; update keeps history; ephemeral is per user', async () => {
    const bot = client(CORDON_BOT);
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Approve containment?*' } }];
    const root = await bot.chat.postMessage({ channel: 'C0INCIDENT', text: 'Approve containment?', blocks });
    expect(root).toMatchObject({ ok: true, channel: 'C0INCIDENT', message: { text: 'Approve containment?', bot_id: 'B0CORDONBT', app_id: 'A0CORDON01', blocks } });
    expect(root.ts).toMatch(/^\d{10}\.\d{6}$/);
    const reply = await bot.chat.postMessage({ channel: '#incident-response', text: 'revoking…', thread_ts: root.ts! });
    expect(reply.channel).toBe('C0INCIDENT');
    expect(reply.ts! > root.ts!).toBe(true);
    const updated = await bot.chat.update({ channel: 'C0INCIDENT', ts: root.ts!, text: 'Approved by dana', blocks: [] });
    expect(updated).toMatchObject({ ok: true, ts: root.ts, text: 'Approved by dana' });
    await bot.chat.postEphemeral({ channel: 'C0INCIDENT', user: 'W0SECOWNER', text: 'only you can see this' });

    const thread = emulator.messages({ channel: 'C0INCIDENT', threadTs: root.ts! });
    expect(thread.map((m) => m.text)).toEqual(['Approved by dana', 'revoking…']);
    expect(thread[0]!.previous).toEqual([{ text: 'Approve containment?', blocks }]);
    expect(thread[0]!.edited?.user).toBe('U0CORDONBT');
    expect(thread[1]!.threadTs).toBe(root.ts);
    expect(emulator.messages({ includeEphemeral: true }).find((m) => m.ephemeralTo)).toMatchObject({ ephemeralTo: 'W0SECOWNER', postedWith: 'slack-cordon-bot' });
    expect(log.list({ operation: 'chat.postMessage' })[0]).toMatchObject({ credential: 'slack-cordon-bot', target: `C0INCIDENT/${root.ts}` });
    // The same, over HTTP, for processes that do not host the tenant.
    const overHttp = (await (await fetch(`${server.url}/_emulator/messages?channel=C0INCIDENT&thread_ts=${root.ts}`)).json()) as { messages: { text: string }[] };
    expect(overHttp.messages.map((m) => m.text)).toEqual(['Approved by dana', 'revoking…']);
  });

  it('answers channel_not_found, no_text, message_not_found, cant_update_message and invalid_blocks', async () => {
    const bot = client(CORDON_BOT);
    expect((await slackError(bot.chat.postMessage({ channel: 'C0NOWHERE0', text: 'x' }))).error).toBe('channel_not_found');
    expect((await slackError(bot.apiCall('chat.postMessage', { channel: 'C0INCIDENT' }))).error).toBe('no_text');
    expect((await slackError(bot.chat.update({ channel: 'C0INCIDENT', ts: '1.000001', text: 'x' }))).error).toBe('message_not_found');
    const mine = await bot.chat.postMessage({ channel: 'C0INCIDENT', text: 'mine' });
    expect((await slackError(client(DRIFT_BOT_MAIN).chat.update({ channel: 'C0INCIDENT', ts: mine.ts!, text: 'hijack' }))).error).toBe('cant_update_message');
    expect((await slackError(bot.apiCall('chat.postMessage', { channel: 'C0INCIDENT', blocks: '[{"no":"type"}]' }))).error).toBe('invalid_blocks');
    expect(emulator.messages().map((m) => m.text)).toEqual(['mine']);
  });

  it('chat.postMessage keeps metadata; conversations.replies returns the thread, with metadata only when asked', async () => {
    const withHistory = structuredClone(rawSection('salesloft-drift')) as { tokens: { id: string; scopes: string[] }[] };
    withHistory.tokens.find((t) => t.id === 'slack-cordon-bot')!.scopes.push('channels:history');
    emulator.load(SlackScenario.parse(withHistory));
    const bot = client(CORDON_BOT);
    const root = await bot.chat.postMessage({ channel: 'C0INCIDENT', text: 'root' });
    const metadata = { event_type: 'cordon_notification', event_payload: { workflow_id: 'wf-1', key: 'final' } };
    const marked = await bot.chat.postMessage({ channel: 'C0INCIDENT', thread_ts: root.ts!, text: 'marked', metadata });
    expect(marked.message).toMatchObject({ metadata });
    await bot.chat.postMessage({ channel: 'C0INCIDENT', thread_ts: root.ts!, text: 'plain' });
    await bot.chat.postMessage({ channel: 'C0INCIDENT', text: 'elsewhere' });

    const all = await bot.conversations.replies({ channel: 'C0INCIDENT', ts: root.ts!, include_all_metadata: true });
    expect(all.messages!.map((m) => m.text)).toEqual(['root', 'marked', 'plain']);
    expect(all.messages![0]).toMatchObject({ ts: root.ts, thread_ts: root.ts, reply_count: 2, reply_users: ['U0CORDONBT'], latest_reply: all.messages![2]!.ts });
    expect(all.messages![1]).toMatchObject({ ts: marked.ts, thread_ts: root.ts, user: 'U0CORDONBT', bot_id: 'B0CORDONBT', metadata });
    expect(all.has_more).toBe(false);
    // Without include_all_metadata the metadata is not returned; a reply's ts names the same thread.
    const bare = await bot.conversations.replies({ channel: 'C0INCIDENT', ts: marked.ts! });
    expect(bare.messages!.map((m) => m.text)).toEqual(['root', 'marked', 'plain']);
    expect(bare.messages!.some((m) => 'metadata' in m)).toBe(false);
    // Cursor pagination.
    const first = await bot.conversations.replies({ channel: 'C0INCIDENT', ts: root.ts!, limit: 2 });
    expect(first.messages).toHaveLength(2);
    expect(first.has_more).toBe(true);
    const rest = await bot.conversations.replies({ channel: 'C0INCIDENT', ts: root.ts!, limit: 2, cursor: first.response_metadata!.next_cursor! });
    expect(rest.messages!.map((m) => m.text)).toEqual(['plain']);
    // A message without replies comes back alone; errors as Slack names them.
    const lone = await bot.conversations.replies({ channel: 'C0INCIDENT', ts: (await bot.chat.postMessage({ channel: 'C0INCIDENT', text: 'lone' })).ts! });
    expect(lone.messages!.map((m) => m.text)).toEqual(['lone']);
    expect(lone.messages![0]).not.toHaveProperty('reply_count');
    expect((await slackError(bot.conversations.replies({ channel: 'C0INCIDENT', ts: '1.000001' }))).error).toBe('thread_not_found');
    expect((await slackError(bot.conversations.replies({ channel: 'C0NOWHERE0', ts: root.ts! }))).error).toBe('channel_not_found');
    expect(await slackError(client(DRIFT_BOT_MAIN).conversations.replies({ channel: 'C0INCIDENT', ts: root.ts! }))).toMatchObject({ error: 'missing_scope', data: { needed: 'channels:history', provided: 'chat:write,channels:read,users:read,users:read.email' } });
    // Another workspace's channel is not found from here.
    expect((await slackError(client(DRIFT_BOT_SALES).conversations.replies({ channel: 'C0INCIDENT', ts: root.ts! }))).error).toBe('channel_not_found');
  });

  it('refuses metadata that is not JSON or not {event_type, event_payload}', async () => {
    const bot = client(CORDON_BOT);
    expect((await slackError(bot.apiCall('chat.postMessage', { channel: 'C0INCIDENT', text: 'x', metadata: '{not json' }))).error).toBe('invalid_metadata_format');
    expect((await slackError(bot.apiCall('chat.postMessage', { channel: 'C0INCIDENT', text: 'x', metadata: { event_type: 'x' } }))).error).toBe('invalid_metadata_schema');
    expect((await slackError(bot.apiCall('chat.postMessage', { channel: 'C0INCIDENT', text: 'x', metadata: { event_payload: {} } }))).error).toBe('invalid_metadata_schema');
    expect(emulator.messages()).toHaveLength(0);
  });

  it('views.open records the modal and answers with a view id', async () => {
    const view = { type: 'modal' as const, callback_id: 'approve', title: { type: 'plain_text' as const, text: 'Approve' }, blocks: [] };
    const res = await client(CORDON_BOT).views.open({ trigger_id: '12345.98765.abcd2358fdea', view });
    expect(res.view).toMatchObject({ type: 'modal', callback_id: 'approve', app_id: 'A0CORDON01', bot_id: 'B0CORDONBT' });
    expect(emulator.views()).toEqual([expect.objectContaining({ id: res.view!.id, triggerId: '12345.98765.abcd2358fdea', view })]);
    expect((await slackError(client(CORDON_BOT).apiCall('views.open', { view }))).error).toBe('invalid_arguments');
  });
});

describe('faults seen by the SDK', () => {
  it('a 429 with Retry-After becomes WebAPIRateLimitedError with rejectRateLimitedCalls', async () => {
    faults.add({ provider: 'slack', operation: 'auth.revoke', type: 'rate_limited', retryAfterSec: 7, times: 1 });
    const err = (await client(DRIFT_BOT_MAIN, { rejectRateLimitedCalls: true }).auth.revoke().catch((e: unknown) => e)) as WebAPIRateLimitedError;
    expect(err.code).toBe(ErrorCode.RateLimitedError);
    expect(err.retryAfter).toBe(7);
    expect(log.list()[0]).toMatchObject({ status: 429, fault: 'rate_limited', operation: 'auth.revoke' });
    // The fault consumed, the token was not revoked by the throttled call.
    expect(await client(DRIFT_BOT_MAIN).auth.revoke()).toMatchObject({ ok: true, revoked: true });
  });

  it('opt-in tier limits: admin.apps.uninstall (Tier 1) throttles per app per workspace with Retry-After', async () => {
    emulator.load({ ...drift, rateLimits: { timeScale: 60 } });
    const admin = client(ADMIN, { rejectRateLimitedCalls: true });
    expect((await admin.admin.apps.uninstall({ app_id: 'A0DRIFT001', team_id: 'T0ACMESALE' })).ok).toBe(true);
    const err = (await admin.admin.apps.uninstall({ app_id: 'A0SLOFT001', team_id: 'T0ACMESALE' }).catch((e: unknown) => e)) as WebAPIRateLimitedError;
    expect(err.code).toBe(ErrorCode.RateLimitedError);
    expect(err.retryAfter).toBe(1);
    // Other methods have their own budget (Tier 4 auth.test is far from exhausted).
    expect((await admin.auth.test()).ok).toBe(true);
    expect(log.list({ operation: 'admin.apps.uninstall' }).map((r) => r.status)).toEqual([200, 429]);
    emulator.load(drift);
    expect((await admin.admin.apps.uninstall({ app_id: 'A0SLOFT001', team_id: 'T0ACMESALE' })).ok).toBe(true);
  });

  it('a 503 becomes WebAPIHTTPError and an expired-auth fault an invalid_auth platform error', async () => {
    faults.add({ provider: 'slack', type: 'unavailable', status: 503, times: 1 });
    const err = (await client(ADMIN).auth.test().catch((e: unknown) => e)) as WebAPIHTTPError;
    expect(err.code).toBe(ErrorCode.HTTPError);
    expect(err.statusCode).toBe(503);
    faults.add({ provider: 'slack', type: 'unauthorized', times: 1 });
    expect((await slackError(client(ADMIN).auth.test())).error).toBe('invalid_auth');
    expect((await client(ADMIN).auth.test()).ok).toBe(true);
  });
});

describe('Audit Logs API', () => {
  const audit = (query: string, token: string = ADMIN) =>
    fetch(`${server.url}/audit/v1/logs${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('returns entries newest first in the audit shape, filtered by action, entity and time', async () => {
    const res = await audit('?action=user_login,app_token_preserved&entity=W0SALESREP');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { entries: Array<Record<string, any>>; response_metadata: { next_cursor: string } };
    expect(body.entries.map((e) => e.id)).toEqual(['AEV0004', 'AEV0003']);
    expect(body.entries[0]).toMatchObject({
      date_create: Date.parse('2025-08-18T02:44:00Z') / 1000,
      action: 'user_login',
      actor: { type: 'user', user: { id: 'W0SALESREP', name: 'marco.ruiz', email: 'marco.ruiz@acme.example' } },
      entity: { type: 'user', user: { id: 'W0SALESREP' } },
      context: { location: { type: 'enterprise', id: 'E0ACMEORG1' }, ip_address: '185.220.101.47' },
    });
    const since = Date.parse('2025-08-18T00:00:00Z') / 1000;
    const recent = (await (await audit(`?oldest=${since}&limit=1`)).json()) as { entries: Array<{ id: string }>; response_metadata: { next_cursor: string } };
    expect(recent.entries.map((e) => e.id)).toEqual(['AEV0005']);
    const next = (await (await audit(`?oldest=${since}&limit=1&cursor=${encodeURIComponent(recent.response_metadata.next_cursor)}`)).json()) as { entries: Array<{ id: string }> };
    expect(next.entries.map((e) => e.id)).toEqual(['AEV0004']);
  });

  it('serves seeded wire entries as they are, anomaly reasons included, with oldest/latest, actor, entity, limit, cursor and lag', async () => {
    const clock = new AuditClock();
    emulator.useAuditClock(clock);
    const base = Date.parse('2026-03-02T10:00:00Z') / 1000;
    const entry = (i: number, extra: Record<string, unknown> = {}) => ({
      id: `seed-${i}`,
      date_create: base + i,
      action: 'file_downloaded',
      actor: { type: 'user', user: { id: i % 2 ? 'W0SALESREP' : 'W0OTHER', name: 'x', email: '' } },
      entity: { type: 'file', file: { id: `F${i}`, name: 'f' } },
      context: { location: { type: 'enterprise', id: 'E0ACMEORG1' }, ua: 'curl/8', ip_address: '45.61.136.10' },
      ...extra,
    });
    const anomaly = entry(9, { action: 'anomaly', details: { reason: ['asn', 'ip_address'], asn: 'AS14061' } });
    expect(emulator.addAuditRecords([...[0, 1, 2, 3, 4].map((i) => ({ record: entry(i) })), { record: anomaly }, { record: entry(20), availableAt: '2026-03-02T12:00:00Z' }])).toBe(7);
    const read = async (query: string) => {
      const res = await audit(query);
      expect(res.status).toBe(200);
      return (await res.json()) as { entries: Array<Record<string, any>>; response_metadata: { next_cursor: string } };
    };
    clock.set('2026-03-02T11:00:00Z');
    expect((await read(`?oldest=${base + 1}&latest=${base + 3}`)).entries.map((e) => e.id)).toEqual(['seed-3', 'seed-2', 'seed-1']);
    expect((await read(`?oldest=${base}&actor=W0SALESREP`)).entries.map((e) => e.id)).toEqual(['seed-9', 'seed-3', 'seed-1']);
    expect((await read(`?oldest=${base}&entity=F2`)).entries.map((e) => e.id)).toEqual(['seed-2']);
    const [flagged] = (await read(`?oldest=${base}&action=anomaly`)).entries;
    expect(flagged).toEqual(anomaly);
    // Paging: positions, so an entry arriving between two pages neither repeats nor shifts one.
    const first = await read(`?oldest=${base}&limit=2`);
    expect(first.entries.map((e) => e.id)).toEqual(['seed-9', 'seed-4']);
    emulator.addAuditRecords([{ record: entry(5) }]);
    const second = await read(`?oldest=${base}&limit=2&cursor=${encodeURIComponent(first.response_metadata.next_cursor)}`);
    expect(second.entries.map((e) => e.id)).toEqual(['seed-3', 'seed-2']);
    expect((await audit(`?oldest=${base}&cursor=bm90LWEtY3Vyc29y`)).status).toBe(400);
    // The late entry shows once the clock passes its availableAt.
    expect((await read(`?oldest=${base + 20}`)).entries).toEqual([]);
    clock.set('2026-03-02T12:00:00Z');
    expect((await read(`?oldest=${base + 20}`)).entries.map((e) => e.id)).toEqual(['seed-20']);
    expect(() => emulator.addAuditRecords([{ record: 'not an object' }])).toThrow(/slack audit records: 0\.record/);
  });

  it('records admin actions as audit entries', async () => {
    await client(ADMIN).admin.users.session.reset({ user_id: 'W0SALESREP' });
    await client(ADMIN).admin.apps.uninstall({ app_id: 'A0DRIFT001', team_id: 'T0ACMESALE' });
    const body = (await (await audit('?action=user_session_reset_by_admin,app_uninstalled')).json()) as { entries: Array<Record<string, any>> };
    expect(body.entries.map((e) => [e.action, e.actor.user.id])).toEqual([
      ['app_uninstalled', 'W0CORDONAD'],
      ['user_session_reset_by_admin', 'W0CORDONAD'],
    ]);
    expect(body.entries[0]!.entity).toMatchObject({ type: 'app', app: { id: 'A0DRIFT001', name: 'Drift' } });
  });

  it('answers with real HTTP status codes: 401 unauthenticated, 403 not allowed, 400 bad query', async () => {
    expect((await audit('', '')).status).toBe(401);
    const revoked = await audit('', DRIFT_LEGACY);
    expect([revoked.status, ((await revoked.json()) as { error: string }).error]).toEqual([401, 'token_revoked']);
    expect((await audit('', DRIFT_BOT_MAIN)).status).toBe(403);
    const noScope = await audit('', DRIFT_USER);
    expect([noScope.status, ((await noScope.json()) as { error: string }).error]).toEqual([403, 'missing_scope']);
    expect((await audit('?limit=0')).status).toBe(400);
    emulator.load(okta);
    // An org admin's replayed session is not an owner: the Audit Logs API is owners-only.
    const adminSession = okta.sessions.find((s) => s.id === 9101)!.value!;
    const notOwner = await audit('', adminSession);
    expect([notOwner.status, ((await notOwner.json()) as { error: string }).error]).toEqual([403, 'not_an_owner']);
  });

  it('answers 429 with Retry-After under a rate-limit fault', async () => {
    faults.add({ provider: 'slack', operation: 'auditlogs.logs', type: 'rate_limited', retryAfterSec: 30, times: 1 });
    const res = await audit('');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('30');
  });
});

describe('request signing helper', () => {
  it('produces the v0 signature Slack documents', () => {
    // Slack's documented example: secret 8f742231b10e8888abcd99yyyzzz85a5, ts 1531420618.
    const body = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(slackSignatureHeaders('8f742231b10e8888abcd99yyyzzz85a5', body, 1531420618)).toEqual({
      'x-slack-request-timestamp': '1531420618',
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    });
  });
});
