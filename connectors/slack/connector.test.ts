// The Slack connector on the real @slack/web-api against the local tenant's Slack emulator,
// seeded with the salesloft-drift section.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackScenario, generateSlackLoadSection, isSlackEmulator, type Scenario, readScenarioFile } from '@cordon/emulators';
import { startLocalTenant, type LocalTenant } from '../../local-tenant/tenant.ts';
import { applyEnrichment, type Principal } from '../../schemas/credential.ts';
import { ConnectorError } from '../types.ts';
import { assertCan, capabilitiesOf } from '../capabilities.ts';
import { createSlackConnector, SLACK_CANNOT, SlackConnectorConfig, type SlackConnector } from './connector.ts';
import { mostInFlight } from '../../test/support/in-flight.ts';

const section = SlackScenario.parse(readScenarioFile('salesloft-drift', 'slack'));
const scenario: Scenario = { name: 'salesloft-drift', description: 'slack section only', slack: section };
const value = (id: string) => section.tokens.find((t) => t.id === id)!.value;
const DRIFT_BOT_MAIN = value('slack-drift-bot-main');
const DRIFT_USER = value('slack-drift-user-marco');
const DRIFT_LEGACY = value('slack-drift-bot-legacy');
const ADMIN = value('slack-cordon-admin');
const MARCO_SESSION = section.sessions.find((s) => s.id === 7301)!.value!;
const MARCO: Principal = { id: 'W0SALESREP', displayName: 'Marco Ruiz', type: 'user', status: 'active' };

let tenant: LocalTenant;
const connector = (overrides: Partial<Record<string, string>> = {}): SlackConnector =>
  createSlackConnector(SlackConnectorConfig.fromEnv({ ...tenant.connectorEnv(), ...overrides }));
const slackCalls = (operation?: string) => tenant.calls({ provider: 'slack', ...(operation ? { operation } : {}) });
const emulator = () => {
  const e = tenant.emulators.slack;
  if (!isSlackEmulator(e)) throw new Error('no Slack emulator');
  return e;
};

async function connectorError(promise: Promise<unknown>): Promise<ConnectorError> {
  const err = await promise.then(
    () => {
      throw new Error('expected a ConnectorError');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectorError);
  return err as ConnectorError;
}

beforeAll(async () => {
  tenant = await startLocalTenant({ scenario });
});
afterAll(async () => tenant?.close());
beforeEach(() => tenant.reset());

describe('configuration', () => {
  it('parses CORDON_SLACK_* and keeps the admin token out of JSON', () => {
    const config = SlackConnectorConfig.fromEnv(tenant.connectorEnv());
    expect(config.apiUrl).toBe(`${tenant.urls.slack}/api/`);
    expect(config.adminToken.reveal()).toBe(ADMIN);
    expect(JSON.stringify(config)).not.toContain(ADMIN);
    expect(isSlackEmulator(tenant.emulators.slack)).toBe(true);
    expect(isSlackEmulator(tenant.emulators.github)).toBe(false);
  });

  it('names the missing or bad variable', () => {
    expect(() => SlackConnectorConfig.fromEnv({ CORDON_SLACK_API_URL: 'http://127.0.0.1:1/api/' })).toThrow(/CORDON_SLACK_ADMIN_TOKEN/);
    expect(() => SlackConnectorConfig.fromEnv({ CORDON_SLACK_ADMIN_TOKEN: ADMIN, CORDON_SLACK_API_URL: 'not a url' })).toThrow(/^CORDON_SLACK_API_URL/);
    expect(() => SlackConnectorConfig.fromEnv({ CORDON_SLACK_ADMIN_TOKEN: DRIFT_BOT_MAIN })).toThrow(/^CORDON_SLACK_ADMIN_TOKEN: .*user token/);
  });

  it('declares what Slack cannot do and refuses it with unsupported', async () => {
    const slack = connector();
    expect([...capabilitiesOf(slack)].sort()).toEqual(['audit', 'blockApp', 'describe', 'forceReauth', 'list', 'probe', 'revoke', 'revokeAllForClient', 'tokenUse']);
    expect(slack.blindSpots.join(' ')).toMatch(/auth\.revoke revokes only the token that calls it/);
    expect(slack.blindSpots.join(' ')).toMatch(/Enterprise Grid/);
    const [cred] = (await slack.identify({ provider: 'slack', kind: 'oauth_token', leakedValue: DRIFT_BOT_MAIN })).credentials;
    for (const capability of ['replace', 'restrict', 'suspendPrincipal'] as const) {
      expect(() => assertCan(slack, capability)).toThrow(`slack: cannot ${capability}: ${SLACK_CANNOT[capability]}`);
    }
    expect(SLACK_CANNOT.replace).toMatch(/OAuth consent/);
    expect((await connectorError(slack.forceReauth(cred!.principal, []))).kind).toBe('unsupported');
    expect((await connectorError(slack.reauthScope(cred!.principal))).kind).toBe('unsupported');
  });

  it('identify carries a bot’s re-authentication scope as not possible, in reauthScope’s own words', async () => {
    const slack = connector();
    const report = await slack.identify({ provider: 'slack', kind: 'oauth_token', leakedValue: DRIFT_BOT_MAIN });
    const bot = report.credentials[0]!.principal;
    expect(bot.type).toBe('bot');
    const refusal = await connectorError(slack.reauthScope(bot));
    expect(report.reauthScopes).toEqual([{ principalId: bot.id, credentials: [], effects: [], notPossible: refusal.message }]);
  });
});

describe('oauth tokens', () => {
  it('with deferEnrichment, identifies by auth.test alone and enrich reads the rest after the revoke, as a full identify would', async () => {
    const ref = { provider: 'slack', kind: 'oauth_token', leakedValue: DRIFT_BOT_MAIN } as const;
    const full = await connector().identify(ref);
    tenant.reset();
    const slack = connector();
    const report = await slack.identify(ref, { deferEnrichment: true });
    // Only what decides I6 and I8 before the revoke: the leaked token's auth.test (it names the app) and Cordon's own.
    expect(slackCalls().map((c) => c.operation)).toEqual(['auth.test', 'auth.test']);
    const cred = report.credentials[0]!;
    const { label: _label, lastUsedAt: _lastUsedAt, principal: _principal, ...decisive } = full.credentials[0]!;
    expect(cred).toMatchObject(decisive);
    expect(cred.lastUsedAt).toBeUndefined();
    expect(cred.principal).toMatchObject({ id: 'U0DRIFTBOT', type: 'bot', status: 'active' });
    expect(report.pendingEnrichment).toEqual([{ credentialId: cred.id, context: { team: expect.any(String) } }]);
    expect(report.riskFlags).not.toContain('token holds sensitive scopes: users:read.email');

    expect(await slack.revoke(cred)).toMatchObject({ outcome: 'done' });
    const enrichment = await slack.enrich(report);
    const revokedAt = slackCalls('auth.revoke')[0]!.seq;
    expect(slackCalls('users.info').map((c) => c.seq > revokedAt)).toEqual([true]);
    expect(slackCalls('auditlogs.logs').length).toBeGreaterThan(0);
    expect(enrichment.credentials).toEqual([{ credentialId: cred.id, label: full.credentials[0]!.label, principal: full.credentials[0]!.principal, lastUsedAt: '2025-08-18T02:45:10.000Z' }]);
    applyEnrichment(report, enrichment);
    expect(report.pendingEnrichment).toBeUndefined();
    expect(report.credentials).toEqual(full.credentials);
    expect(report.relatedServiceAccounts).toEqual(full.relatedServiceAccounts);
    expect([...report.riskFlags].sort()).toEqual([...full.riskFlags].sort());
    expect([...report.blindSpots].sort()).toEqual([...full.blindSpots].sort());
  });

  it('happy path: identify by leaked value, revoke with auth.revoke, probe dead, repeat is already_done', async () => {
    const slack = connector();
    const report = await slack.identify({ provider: 'slack', kind: 'oauth_token', leakedValue: DRIFT_BOT_MAIN });
    expect(report.credentials).toHaveLength(1);
    const cred = report.credentials[0]!;
    expect(cred).toMatchObject({
      kind: 'oauth_token',
      principal: { id: 'U0DRIFTBOT', type: 'bot', status: 'active' },
      clientId: 'A0DRIFT001',
      scopes: ['chat:write', 'channels:read', 'users:read', 'users:read.email'],
      // Latest audit entry about the Drift app (AEV0005).
      lastUsedAt: '2025-08-18T02:45:10.000Z',
      selfOrLastAdmin: false,
    });
    expect(cred.id).toMatch(/^token:T0ACMEMAIN:A0DRIFT001:bot:[0-9a-f]{12}$/);
    expect(cred.fingerprint).toBe(cred.id.split(':')[4]);
    expect(JSON.stringify(report)).not.toContain(DRIFT_BOT_MAIN);
    expect(report.riskFlags).toContain('token holds sensitive scopes: users:read.email');
    expect(report.blindSpots.length).toBeGreaterThan(0);

    expect(await slack.probe(cred, DRIFT_BOT_MAIN)).toBe('alive');
    expect(await slack.revoke(cred)).toMatchObject({ outcome: 'done' });
    expect(slackCalls('auth.revoke').map((c) => [c.credential, c.status])).toEqual([['slack-drift-bot-main', 200]]);
    expect(slackCalls('admin.apps.uninstall')).toEqual([]);
    expect(await slack.probe(cred, DRIFT_BOT_MAIN)).toBe('dead');
    expect(await slack.revoke(cred)).toMatchObject({ outcome: 'already_done' });
    // The Drift token of the other workspace still works: only the leaked one was revoked.
    expect(await slack.probe(cred, value('slack-drift-bot-sales'))).toBe('alive');
    const again = await slack.identify({ provider: 'slack', kind: 'oauth_token', leakedValue: DRIFT_BOT_MAIN });
    expect(again.credentials).toEqual([]);
    expect(again.riskFlags.join(' ')).toMatch(/token_revoked/);
  });

  it('a one-time invalid_auth from auth.revoke is not recorded as revoked: retryable, and the token is still live', async () => {
    const slack = connector();
    const [cred] = (await slack.identify({ provider: 'slack', kind: 'oauth_token', leakedValue: DRIFT_BOT_MAIN })).credentials;
    tenant.injectFault({ provider: 'slack', operation: 'auth.revoke', type: 'unauthorized', times: 1 });
    const err = await connectorError(slack.revoke(cred!));
    expect(err).toMatchObject({ kind: 'unavailable', retryable: true });
    expect(err.message).toMatch(/Slack refused the revoke \(invalid_auth\) but the token still answers auth\.test; will retry/);
    expect(emulator().tokenActive('slack-drift-bot-main')).toBe(true);
    // The activity's retry then revokes it; a really revoked token is already_done, confirmed by auth.test.
    expect(await slack.revoke(cred!)).toMatchObject({ outcome: 'done' });
    expect(emulator().tokenActive('slack-drift-bot-main')).toBe(false);
    expect(await slack.revoke(cred!)).toEqual({ outcome: 'already_done', detail: 'Slack says the token is no longer valid (auth.revoke: token_revoked, auth.test: token_revoked)' });
    expect(await connector().revoke(cred!, { leakedValue: DRIFT_LEGACY })).toMatchObject({ outcome: 'already_done', detail: expect.stringMatching(/^Slack says the token is no longer valid/) });
  });

  it('a one-time invalid_auth on auth.test does not make a live token dead (probe, listActive)', async () => {
    const slack = connector();
    const [cred] = (await slack.identify({ provider: 'slack', kind: 'oauth_token', leakedValue: DRIFT_USER })).credentials;
    tenant.injectFault({ provider: 'slack', operation: 'auth.test', type: 'unauthorized', times: 1 });
    expect(await slack.probe(cred!, DRIFT_USER)).toBe('alive');
    tenant.injectFault({ provider: 'slack', operation: 'auth.test', type: 'unauthorized', times: 1 });
    expect((await slack.listActive(MARCO)).map((c) => c.id)).toContain(cred!.id);
  });

  it('verification after the revoke asks auth.test about the value in one round: the probe asks twice at once, the re-listing shares its answer', async () => {
    const slack = connector();
    const [cred] = (await slack.identify({ provider: 'slack', kind: 'oauth_token', leakedValue: DRIFT_BOT_MAIN })).credentials;
    await slack.revoke(cred!);
    const before = slackCalls('auth.test').length;
    tenant.injectFault({ provider: 'slack', operation: 'auth.test', type: 'latency', latencyMs: 400 });
    // As verifyCredential does: the probe, then the principal's re-listing, side by side.
    const probing = slack.probe(cred!, DRIFT_BOT_MAIN);
    const { result: [active, probe], most } = await mostInFlight(tenant, { provider: 'slack', operation: 'auth.test' }, Promise.all([slack.listActive(cred!.principal), probing]));
    expect(probe).toBe('dead');
    expect(active.map((c) => c.id)).not.toContain(cred!.id);
    const asks = slackCalls('auth.test').slice(before);
    expect(asks.map((c) => c.status)).toEqual([200, 200]); // Slack answers auth.test errors with 200 and ok: false
    expect(most).toBe(2); // at once; confirmed one after the other, one at a time
  });

  it('drops a leaked value once Slack says it is dead: a later revoke without it answers already_done, with no call and no uninstall', async () => {
    const slack = connector();
    const [cred] = (await slack.identify({ provider: 'slack', kind: 'oauth_token', leakedValue: DRIFT_BOT_MAIN })).credentials;
    await slack.revoke(cred!);
    expect(await slack.probe(cred!, DRIFT_BOT_MAIN)).toBe('dead');
    const before = tenant.calls().length;
    // Before, the worker kept the value and asked Slack again (auth.revoke, then a confirming auth.test).
    expect(await slack.revoke(cred!)).toMatchObject({ outcome: 'already_done', detail: expect.stringMatching(/no longer held/) });
    expect(await slack.listActive(cred!.principal)).toEqual([]);
    expect(tenant.calls().slice(before).map((c) => c.operation)).toEqual([]);
  });

  it('already revoked: a dead leaked value identifies nothing and probes dead', async () => {
    const slack = connector();
    const report = await slack.identify({ provider: 'slack', kind: 'oauth_token', leakedValue: DRIFT_LEGACY });
    expect(report.credentials).toEqual([]);
    expect(report.riskFlags.join(' ')).toMatch(/token_revoked/);
    expect(await slack.probe({ ...(await liveCredential(slack)), id: 'token:T0ACMEMAIN:A0DRIFT001:bot:000000000000' }, DRIFT_LEGACY)).toBe('dead');
  });

  it('without the value on this worker, revoke falls back to admin.apps.uninstall and says so', async () => {
    const [cred] = (await connector().identify({ provider: 'slack', kind: 'oauth_token', leakedValue: DRIFT_USER })).credentials;
    expect(cred!.principal).toMatchObject({ id: 'W0SALESREP', type: 'user' });
    const other = connector();
    const result = await other.revoke(cred!);
    expect(result.outcome).toBe('done');
    expect(result.detail).toMatch(/fallback: .*uninstalled from T0ACMESALE/);
    expect(slackCalls('admin.apps.uninstall').map((c) => c.target)).toEqual(['A0DRIFT001']);
    expect(await other.probe(cred!, DRIFT_USER)).toBe('dead');
    expect(await other.probe(cred!, value('slack-drift-bot-sales'))).toBe('dead');
    expect(await other.probe(cred!, DRIFT_BOT_MAIN)).toBe('alive');
  });

  it('identifies an app by client id and revokes all its tokens in the user’s workspace', async () => {
    const slack = connector();
    const report = await slack.identify({ provider: 'slack', kind: 'oauth_token', clientId: 'A0SLOFT001', user: 'W0SALESREP' });
    expect(report.credentials.map((c) => c.id)).toEqual(['app:T0ACMESALE:A0SLOFT001']);
    expect(report.credentials[0]!.scopes).toEqual(['chat:write', 'users:read']);
    expect(await slack.revokeAllForClient(report.credentials[0]!)).toMatchObject({ outcome: 'done' });
    expect(await slack.probe(report.credentials[0]!, value('slack-salesloft-bot'))).toBe('dead');
  });

  it('blockApp uninstalls the app org-wide and restricts it', async () => {
    // The emulator refuses admin.apps.restrict with both team_id and enterprise_id (invalid_arguments), so
    // this passing also shows the connector sends exactly one of them.
    const slack = connector();
    const [cred] = (await slack.identify({ provider: 'slack', kind: 'oauth_token', leakedValue: DRIFT_USER })).credentials;
    expect(await slack.blockApp(cred!)).toMatchObject({ outcome: 'done', detail: 'A0DRIFT001 uninstalled from and restricted in E0ACMEORG1' });
    expect(slackCalls().filter((c) => c.operation.startsWith('admin.apps.') && c.operation !== 'admin.apps.approved.list').map((c) => [c.operation, c.target])).toEqual([
      ['admin.apps.uninstall', 'A0DRIFT001'],
      ['admin.apps.restrict', 'A0DRIFT001'],
    ]);
    for (const v of [DRIFT_USER, DRIFT_BOT_MAIN, value('slack-drift-bot-sales')]) expect(await slack.probe(cred!, v)).toBe('dead');
    // No longer approved: identify by client id finds nothing to act on.
    expect((await connectorError(slack.identify({ provider: 'slack', kind: 'oauth_token', clientId: 'A0DRIFT001' }))).kind).toBe('not_found');
  });

  it('marks Cordon’s own credentials and refuses to revoke them (I6)', async () => {
    const slack = connector();
    const [own] = (await slack.identify({ provider: 'slack', kind: 'oauth_token', leakedValue: ADMIN })).credentials;
    expect(own!.selfOrLastAdmin).toBe(true);
    expect((await connectorError(slack.revoke(own!))).kind).toBe('conflict');
    expect((await connectorError(slack.revokeAllForClient(own!))).kind).toBe('conflict');
    expect((await connectorError(slack.blockApp(own!))).kind).toBe('conflict');
    const [bot] = (await slack.identify({ provider: 'slack', kind: 'oauth_token', leakedValue: value('slack-cordon-bot') })).credentials;
    expect(bot!.selfOrLastAdmin).toBe(true);
    expect(slackCalls('auth.revoke')).toEqual([]);
    expect(slackCalls('admin.apps.uninstall')).toEqual([]);
  });

  it('last use ignores Cordon’s own admin actions in the audit log', async () => {
    const slack = connector();
    await slack.revokeAllForClient({ ...(await liveCredential(slack)), id: 'app:T0ACMESALE:A0DRIFT001', clientId: 'A0DRIFT001' });
    const [cred] = (await slack.identify({ provider: 'slack', kind: 'oauth_token', leakedValue: DRIFT_BOT_MAIN })).credentials;
    expect(cred!.lastUsedAt).toBe('2025-08-18T02:45:10.000Z');
  });

  it('not found: an unknown app or user', async () => {
    const slack = connector();
    expect((await connectorError(slack.identify({ provider: 'slack', kind: 'oauth_token', clientId: 'A0NOPE0000' }))).kind).toBe('not_found');
    const err = await connectorError(slack.identify({ provider: 'slack', kind: 'session', user: 'W0NOBODY00' }));
    expect(err.kind).toBe('not_found');
    expect(err.message).toMatch(/user_not_found/);
  });
});

async function liveCredential(slack: SlackConnector) {
  return (await slack.identify({ provider: 'slack', kind: 'oauth_token', leakedValue: value('slack-salesloft-bot') })).credentials[0]!;
}

describe('sessions and re-authentication', () => {
  it('identifies a user’s sessions, invalidates one, and a repeat is already_done', async () => {
    const slack = connector();
    const report = await slack.identify({ provider: 'slack', kind: 'session', user: 'W0SALESREP' });
    expect(report.credentials.map((c) => c.id).sort()).toEqual(['session:T0ACMESALE:7301', 'session:T0ACMESALE:7302']);
    const mobile = report.credentials.find((c) => c.id.endsWith(':7302'))!;
    expect(mobile.label).toMatch(/198\.51\.100\.23/);
    expect(await slack.revoke(mobile)).toMatchObject({ outcome: 'done' });
    expect(await slack.revoke(mobile)).toMatchObject({ outcome: 'already_done' });
    expect((await slack.listActive(MARCO)).map((c) => c.id)).toEqual(['session:T0ACMESALE:7301']);
  });

  it('identifies sessions from a leaked session token (all sessions of its user)', async () => {
    const report = await connector().identify({ provider: 'slack', kind: 'session', leakedValue: MARCO_SESSION });
    expect(report.credentials.map((c) => c.id).sort()).toEqual(['session:T0ACMESALE:7301', 'session:T0ACMESALE:7302']);
    expect(report.blindSpots.join(' ')).toMatch(/does not say which session/);
    expect(JSON.stringify(report)).not.toContain(MARCO_SESSION);
  });

  it('reauthScope lists the user’s sessions (not its tokens) and the reset’s effect, read-only', async () => {
    const slack = connector();
    await slack.identify({ provider: 'slack', kind: 'oauth_token', leakedValue: DRIFT_USER });
    const scope = await slack.reauthScope(MARCO);
    expect(scope.credentials.map((c) => c.id).sort()).toEqual(['session:T0ACMESALE:7301', 'session:T0ACMESALE:7302']);
    expect(scope.credentials.every((c) => c.kind === 'session' && !c.selfOrLastAdmin && c.principal.id === 'W0SALESREP')).toBe(true);
    expect(scope.effects).toEqual(['ends every web/desktop/mobile session (OAuth tokens are not affected)']);
    expect(slackCalls().filter((c) => /reset|invalidate|revoke|uninstall/.test(c.operation))).toEqual([]);
    // Cordon's own admin user: nothing offered (I6).
    expect(await slack.reauthScope({ id: 'W0CORDONAD', displayName: 'Cordon', type: 'user', status: 'active' })).toEqual({ credentials: [], effects: [] });
  });

  it('forceReauth ends exactly the listed sessions: a subset is invalidated one by one, all of them is a reset', async () => {
    const slack = connector();
    const scope = await slack.reauthScope(MARCO);
    const mobile = scope.credentials.filter((c) => c.id.endsWith(':7302'));
    const web = scope.credentials.filter((c) => c.id.endsWith(':7301'));
    expect(await slack.forceReauth(MARCO, mobile)).toMatchObject({ outcome: 'done', detail: expect.stringMatching(/1 of 1 listed sessions .* invalidated; 1 sessions the plan did not list left alone/) });
    expect(slackCalls('admin.users.session.invalidate').map((c) => [c.target, c.status])).toEqual([['session:7302', 200]]);
    expect(slackCalls('admin.users.session.reset')).toEqual([]);
    expect(emulator().activeSessions('W0SALESREP')).toEqual([7301]);
    expect(await slack.probe(MARCO_SESSION_CRED, MARCO_SESSION)).toBe('alive');
    // What is left is exactly the list: one reset ends it (a replayed session dies).
    expect(await slack.forceReauth(MARCO, web)).toMatchObject({ outcome: 'done' });
    expect(slackCalls('admin.users.session.reset').map((c) => c.target)).toEqual(['W0SALESREP']);
    expect(await slack.probe(MARCO_SESSION_CRED, MARCO_SESSION)).toBe('dead');
    // The other user's session was never touched.
    expect(emulator().activeSessions('W0SALESMGR')).toEqual([7303]);
    // Now session.list answers no_active_sessions: nothing to end, nothing listed.
    expect(await slack.forceReauth(MARCO, web)).toMatchObject({ outcome: 'already_done' });
    expect(await slack.reauthScope(MARCO)).toEqual({ credentials: [], effects: [] });
    expect(await slack.listActive(MARCO)).toEqual([]);
    expect((await slack.identify({ provider: 'slack', kind: 'session', user: 'W0SALESREP' })).credentials).toEqual([]);
    expect(await slack.forceReauth(MARCO, [])).toMatchObject({ outcome: 'already_done' });
    expect(slackCalls('admin.users.session.reset')).toHaveLength(1);
  });

  it('forceReauth refuses tokens, other users’ sessions and Cordon’s own (I6)', async () => {
    const slack = connector();
    const [token] = (await slack.identify({ provider: 'slack', kind: 'oauth_token', leakedValue: DRIFT_USER })).credentials;
    expect((await connectorError(slack.forceReauth(MARCO, [token!]))).kind).toBe('invalid');
    const other = { ...MARCO_SESSION_CRED, id: 'session:T0ACMESALE:7303', principal: { ...MARCO, id: 'W0SALESMGR' } };
    expect((await connectorError(slack.forceReauth(MARCO, [other]))).kind).toBe('invalid');
    expect((await connectorError(slack.forceReauth(MARCO, [{ ...MARCO_SESSION_CRED, selfOrLastAdmin: true }]))).kind).toBe('conflict');
    expect(emulator().activeSessions('W0SALESREP')).toEqual([7301, 7302]);
  });

  it('resetSessionsBulk ends every session of several users in one call; Cordon’s own admin is refused first (I6)', async () => {
    const slack = connector();
    const live = (userId: string) => emulator().activeSessions(userId).length;
    expect([live('W0SALESREP'), live('W0SALESMGR')]).toEqual([2, 1]);
    const r = await slack.resetSessionsBulk(['W0SALESREP', 'W0SALESMGR', 'W0SALESREP']);
    expect(r).toMatchObject({ outcome: 'done' });
    expect(r.detail).toMatch(/^session reset enqueued for 2 users/);
    expect([live('W0SALESREP'), live('W0SALESMGR'), live('W0CORDONAD')]).toEqual([0, 0, 1]);
    expect(slackCalls('admin.users.session.resetBulk').map((c) => c.target)).toEqual(['W0SALESREP,W0SALESMGR']);
    const own = await connectorError(slack.resetSessionsBulk(['W0SALESREP', 'W0CORDONAD']));
    expect(own.kind).toBe('conflict');
    expect(slackCalls('admin.users.session.resetBulk')).toHaveLength(1);
    expect(await slack.resetSessionsBulk([])).toMatchObject({ outcome: 'already_done' });
  });

  it('resetSessionsBulk: a bot refuses the whole call; unknown ids are named while the others are reset', async () => {
    const slack = connector();
    expect((await connectorError(slack.resetSessionsBulk(['W0SALESREP', 'U0DRIFTBOT']))).kind).toBe('unsupported');
    expect(emulator().activeSessions('W0SALESREP')).toHaveLength(2);
    const partial = await connectorError(slack.resetSessionsBulk(['W0SALESREP', 'W0NOSUCHUS']));
    expect(partial.kind).toBe('invalid');
    expect(partial.message).toMatch(/some user ids failed \(\[ERROR\] W0NOSUCHUS: user_not_found\); the others' sessions are being reset/);
    expect(emulator().activeSessions('W0SALESREP')).toHaveLength(0);
  });

  it('listActive re-checks leaked tokens it saw by value', async () => {
    const slack = connector();
    const [cred] = (await slack.identify({ provider: 'slack', kind: 'oauth_token', leakedValue: DRIFT_USER })).credentials;
    expect((await slack.listActive(MARCO)).map((c) => c.id)).toContain(cred!.id);
    await slack.revoke(cred!);
    expect((await slack.listActive(MARCO)).map((c) => c.id)).not.toContain(cred!.id);
  });

  it('listActive re-checks only the principal’s own leaked tokens, however many it saw (a mass run sees thousands)', async () => {
    const slack = connector();
    const [marcos] = (await slack.identify({ provider: 'slack', kind: 'oauth_token', leakedValue: DRIFT_USER })).credentials;
    const [bots] = (await slack.identify({ provider: 'slack', kind: 'oauth_token', leakedValue: DRIFT_BOT_MAIN })).credentials;
    expect(bots!.principal.id).not.toBe(MARCO.id);
    tenant.reset();
    expect((await slack.listActive(MARCO)).filter((c) => c.kind === 'oauth_token').map((c) => c.id)).toEqual([marcos!.id]);
    // One auth.test: Marco's token; the bot's was not asked again.
    expect(slackCalls('auth.test').map((c) => c.credential)).toEqual(['slack-drift-user-marco']);
  });

  it('audit returns the principal’s audit entries since a time, oldest first', async () => {
    const events = await connector().audit(MARCO, '2025-08-01T00:00:00Z');
    expect(events.map((e) => [e.at, e.action])).toEqual([
      ['2025-08-11T08:02:00.000Z', 'user_login'],
      ['2025-08-18T02:44:00.000Z', 'user_login'],
      ['2025-08-18T02:45:10.000Z', 'app_token_preserved'],
    ]);
    expect(events[1]!.detail).toMatch(/185\.220\.101\.47/);
  });
});

const MARCO_SESSION_CRED = {
  provider: 'slack' as const,
  kind: 'session' as const,
  id: 'session:T0ACMESALE:7301',
  label: 'web session',
  principal: MARCO,
  scopes: [],
  consumers: [],
  selfOrLastAdmin: false,
};

describe('error classification', () => {
  it('permission denied: an admin token without admin scopes', async () => {
    const err = await connectorError(connector({ CORDON_SLACK_ADMIN_TOKEN: DRIFT_USER }).identify({ provider: 'slack', kind: 'session', user: 'W0SALESREP' }));
    expect(err.kind).toBe('permission');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/missing_scope \(needs admin\.users:read\)/);
    expect(err.message).not.toContain(DRIFT_USER);
  });

  it('rate limited: kind rate_limited with the Retry-After in retryAfterMs, no SDK retry', async () => {
    tenant.injectFault({ provider: 'slack', operation: 'admin.users.session.list', type: 'rate_limited', retryAfterSec: 12, times: 1 });
    const err = await connectorError(connector().identify({ provider: 'slack', kind: 'session', user: 'W0SALESREP' }));
    expect(err).toMatchObject({ kind: 'rate_limited', options: { retryAfterMs: 12_000 } });
    expect(err.retryable).toBe(true);
    expect(slackCalls('admin.users.session.list')).toHaveLength(1);
  });

  it('rate limited on the Audit Logs API as well', async () => {
    tenant.injectFault({ provider: 'slack', operation: 'auditlogs.logs', type: 'rate_limited', retryAfterSec: 45, times: 1 });
    const err = await connectorError(connector().audit(MARCO, '2025-08-01T00:00:00Z'));
    expect(err).toMatchObject({ kind: 'rate_limited', options: { retryAfterMs: 45_000 } });
  });

  it('5xx: kind unavailable (retryable)', async () => {
    tenant.injectFault({ provider: 'slack', operation: 'admin.apps.uninstall', type: 'unavailable', status: 502, times: 1 });
    const err = await connectorError(connector().revokeAllForClient(await liveCredential(connector())));
    expect(err).toMatchObject({ kind: 'unavailable', options: { status: 502 } });
    expect(err.retryable).toBe(true);
  });

  it('a one-time invalid_auth on an admin call is retried once and succeeds', async () => {
    const slack = connector();
    const cred = await liveCredential(slack);
    tenant.injectFault({ provider: 'slack', operation: 'admin.apps.uninstall', type: 'unauthorized', times: 1 });
    expect(await slack.revokeAllForClient(cred)).toMatchObject({ outcome: 'done' });
    expect(slackCalls('admin.apps.uninstall').map((c) => c.fault ?? 'ok')).toEqual(['unauthorized', 'ok']);
    expect(await slack.probe(cred, value('slack-salesloft-bot'))).toBe('dead');
    tenant.injectFault({ provider: 'slack', operation: 'admin.users.session.invalidate', type: 'unauthorized', times: 1 });
    expect(await slack.revoke(MARCO_SESSION_CRED)).toMatchObject({ outcome: 'done' });
    expect(emulator().activeSessions('W0SALESREP')).toEqual([7302]);
  });

  it('expired auth: kind auth (not retryable) once the retry is refused too, and for a revoked admin token', async () => {
    tenant.injectFault({ provider: 'slack', operation: 'admin.apps.uninstall', type: 'unauthorized' });
    const slack = connector();
    const err = await connectorError(slack.revokeAllForClient(await liveCredential(slack)));
    tenant.clearFaults();
    expect(err.kind).toBe('auth');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/invalid_auth/);
    expect(err.message).toMatch(/refused again after one retry.*CORDON_SLACK_ADMIN_TOKEN/);
    expect(slackCalls('admin.apps.uninstall')).toHaveLength(2);
    expect(await slack.probe(await liveCredential(slack), value('slack-salesloft-bot'))).toBe('alive');
    const dead = await connectorError(connector({ CORDON_SLACK_ADMIN_TOKEN: 'xoxp-emulated-never-issued-0000' }).listActive(MARCO));
    expect(dead.kind).toBe('auth');
  });

  it('timeout: an unanswered call is kind timeout', async () => {
    // The probe asks twice at once: with one ask unanswered, the other's answer stands; with both, it times out.
    tenant.injectFault({ provider: 'slack', operation: 'auth.test', type: 'timeout', times: 1 });
    expect(await connector({ CORDON_SLACK_TIMEOUT_MS: '300' }).probe(MARCO_SESSION_CRED, MARCO_SESSION)).toBe('alive');
    tenant.injectFault({ provider: 'slack', operation: 'auth.test', type: 'timeout', times: 2 });
    const err = await connectorError(connector({ CORDON_SLACK_TIMEOUT_MS: '300' }).probe(MARCO_SESSION_CRED, MARCO_SESSION));
    expect(err.kind).toBe('timeout');
  });

  it('a workspace without Enterprise Grid: admin methods are unsupported', async () => {
    const noGrid = structuredClone(section);
    delete noGrid.enterprise;
    tenant.load({ ...scenario, slack: noGrid });
    const err = await connectorError(connector().identify({ provider: 'slack', kind: 'session', user: 'W0SALESREP' }));
    expect(err.kind).toBe('unsupported');
    expect(err.message).toMatch(/feature_not_enabled/);
    tenant.load(scenario);
  });
});

describe('one bot with many leaked tokens (a mass containment at a rate limit)', () => {
  // The load scenario's bots: every bot token of an app belongs to the app's one bot user.
  const load = SlackScenario.parse(generateSlackLoadSection(80));
  const botTokens = load.tokens.filter((t) => t.type === 'bot' && t.appId === 'A0LOAD000000').slice(0, 10);
  let loadTenant: LocalTenant;
  beforeAll(async () => {
    loadTenant = await startLocalTenant({ scenario: { name: 'load', description: 'slack load section only', slack: load } });
  });
  afterAll(async () => loadTenant?.close());

  /** listActive again after each Retry-After, as the activity's retries do; the attempts it took. */
  async function listActiveUntilAdmitted(slack: SlackConnector, principal: Principal, maxAttempts: number) {
    for (let attempt = 1; ; attempt++) {
      try {
        return { active: await slack.listActive(principal), attempts: attempt };
      } catch (err) {
        if (!(err instanceof ConnectorError) || err.kind !== 'rate_limited' || attempt >= maxAttempts) throw err;
        await new Promise((r) => setTimeout(r, err.options.retryAfterMs));
      }
    }
  }

  it('the verification of one of them fits a window smaller than asking about every sibling: what Slack said dead is not asked again', async () => {
    expect(botTokens).toHaveLength(10);
    const slack = createSlackConnector(SlackConnectorConfig.fromEnv(loadTenant.connectorEnv()));
    const creds = [];
    for (const t of botTokens) creds.push(...(await slack.identify({ provider: 'slack', kind: 'oauth_token', leakedValue: t.value })).credentials);
    const bot = creds[0]!.principal;
    expect(new Set(creds.map((c) => c.principal.id))).toEqual(new Set([bot.id]));
    for (const c of creds) expect((await slack.revoke(c)).outcome).toBe('done');

    // Ten dead siblings cost twenty auth.test calls (dead, then confirmed); Slack admits six per window. Before,
    // every attempt asked about all ten again and was refused at the seventh call, window after window.
    loadTenant.setRateLimit({ provider: 'slack', limit: 6, windowSec: 2 });
    const from = loadTenant.calls().length;
    const { active, attempts } = await listActiveUntilAdmitted(slack, bot, 12);
    expect(active).toEqual([]);
    expect(attempts).toBeGreaterThan(1);
    const during = loadTenant.calls().slice(from);
    expect(during.filter((c) => c.fault === 'rate_limited').length).toBeGreaterThan(0);
    // Each token asked about exactly twice across all the attempts: no attempt started over.
    const askedPerToken = new Map<string, number>();
    for (const c of during.filter((x) => x.operation === 'auth.test' && !x.fault)) askedPerToken.set(c.credential ?? '?', (askedPerToken.get(c.credential ?? '?') ?? 0) + 1);
    expect([...askedPerToken.keys()].sort()).toEqual(botTokens.map((t) => t.id).sort());
    expect([...askedPerToken.values()]).toEqual(Array(10).fill(2));

    // Known dead: the next verification asks Slack about none of them.
    loadTenant.clearFaults('slack');
    const before = loadTenant.calls().length;
    expect(await slack.listActive(bot)).toEqual([]);
    expect(loadTenant.calls().slice(before).filter((c) => c.operation === 'auth.test')).toEqual([]);

    // A token seen alive again by identify is asked about again (the scenario reloaded: every token alive).
    loadTenant.reset();
    await slack.identify({ provider: 'slack', kind: 'oauth_token', leakedValue: botTokens[0]!.value });
    expect((await slack.listActive(bot)).map((c) => c.id)).toEqual([creds[0]!.id]);
  }, 60_000);
});
