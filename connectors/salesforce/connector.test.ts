// The Salesforce connector on jsforce against the local tenant's Salesforce emulator, seeded with the
// salesloft-drift scenario: identify, revoke, replace, re-auth, suspend, audit, probe, and every error kind.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Connection } from 'jsforce';
import { Scenario, type SalesforceEmulator, generateSalesforceLoadSection, salesforceId, readScenarioFile } from '@cordon/emulators';
import { startLocalTenant, type LocalTenant } from '../../local-tenant/tenant.ts';
import type { Consumer, Credential, Principal } from '../../schemas/credential.ts';
import type { Secret } from '../../logging/secret.ts';
import { fingerprintOf } from '../fingerprint.ts';
import type { CredentialSink, DeliveredReplacement } from '../sinks/types.ts';
import { ConnectorError } from '../types.ts';
import { assertCan, capabilitiesOf } from '../capabilities.ts';
import { cidrToRange, createSalesforceConnector, SalesforceConnectorConfig, type SalesforceConnector } from './connector.ts';
import { classifySalesforceError } from './errors.ts';
import { signJwtBearerAssertion } from './jwt-assertion.ts';
import { racingSinks } from '../../test/support/racing-sinks.ts';

const section = readScenarioFile('salesloft-drift', 'salesforce');
const scenario = Scenario.parse({ name: 'salesloft-drift', salesforce: section });

const DRIFT_USER = '005Hs000003DrftAAA';
const CORDON_USER = '005Hs000002CrdnAAA';
const ATTACKER_SESSION = '0AkHs000DrftS01AAA';
const BACKOFF_MS = 45_000;

/** A sink that keeps values in memory and the first delivery per key, like the real ones. */
class MemorySink implements CredentialSink {
  readonly values = new Map<string, { delivered: DeliveredReplacement; value: Secret }>();
  async deliver(input: { idempotencyKey: string; replacementId: string; consumer: Consumer; value: Secret }): Promise<DeliveredReplacement> {
    const existing = this.values.get(input.idempotencyKey);
    if (existing) return existing.delivered;
    const delivered = { replacementId: input.replacementId, fingerprint: fingerprintOf(input.value.reveal()), location: `local:${input.consumer.sink?.type === 'local' ? input.consumer.sink.name : input.consumer.id}` };
    this.values.set(input.idempotencyKey, { delivered, value: input.value });
    return delivered;
  }
  async lookup(idempotencyKey: string): Promise<DeliveredReplacement | undefined> {
    return this.values.get(idempotencyKey)?.delivered;
  }
}

let tenant: LocalTenant;
let connector: SalesforceConnector;
const emulator = () => tenant.emulators.salesforce as unknown as SalesforceEmulator;

function connectorFor(extra: Record<string, string> = {}): SalesforceConnector {
  return createSalesforceConnector(SalesforceConnectorConfig.fromEnv({ ...tenant.connectorEnv(), CORDON_SALESFORCE_RATE_LIMIT_BACKOFF_MS: String(BACKOFF_MS), ...extra }));
}

async function rejection(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectorError);
    return err as ConnectorError;
  }
  throw new Error('expected a ConnectorError');
}

async function driftGrant(c = connector): Promise<Credential> {
  const report = await c.identify({ provider: 'salesforce', kind: 'refresh_token', user: 'drift-integration@acme.com', clientId: 'Drift' });
  expect(report.credentials).toHaveLength(1);
  return report.credentials[0]!;
}

beforeAll(async () => {
  tenant = await startLocalTenant({ scenario });
});
afterAll(async () => tenant.close());
beforeEach(() => {
  tenant.load(scenario);
  connector = connectorFor();
});

describe('config', () => {
  it('names the missing variable', () => {
    const env = { ...tenant.connectorEnv() };
    delete env.CORDON_SALESFORCE_PRIVATE_KEY;
    expect(() => SalesforceConnectorConfig.fromEnv(env)).toThrow(/CORDON_SALESFORCE_PRIVATE_KEY is not set/);
    expect(() => SalesforceConnectorConfig.fromEnv({ ...tenant.connectorEnv(), CORDON_SALESFORCE_LOGIN_URL: 'not a url' })).toThrow(/CORDON_SALESFORCE_LOGIN_URL/);
    const config = SalesforceConnectorConfig.fromEnv(tenant.connectorEnv());
    expect(config).toMatchObject({ loginUrl: tenant.urls.salesforce, username: 'cordon-ir@acme.com', apiVersion: '62.0' });
    expect(config.consumers.length).toBeGreaterThan(0);
  });
});

describe('identify and list', () => {
  it('finds the shared Drift grant of the integration user with its consumers, principal and blind spots', async () => {
    const report = await connector.identify({ provider: 'salesforce', kind: 'refresh_token', user: 'drift-integration@acme.com', clientId: 'Drift' });
    const grant = report.credentials[0]!;
    expect(grant).toMatchObject({
      kind: 'refresh_token',
      clientId: 'Drift',
      principal: { id: DRIFT_USER, type: 'integration_user', status: 'active' },
      createdAt: '2024-03-11T17:02:33.000Z',
      lastUsedAt: '2025-08-17T23:41:09.000Z',
      selfOrLastAdmin: false,
    });
    expect(grant.id).toMatch(/^oauthtoken:005Hs000003DrftAAA:[0-9a-f]{16}$/);
    expect(grant.consumers.map((c) => c.id)).toEqual(['drift-chat-sync', 'drift-lead-router', 'salesloft-cadence']);
    expect(report.riskFlags.some((f) => f.includes('shared by 3 consumers'))).toBe(true);
    expect(report.relatedServiceAccounts.map((p) => p.id)).toEqual([DRIFT_USER]);
    expect(report.blindSpots.some((b) => b.includes('2500 rows'))).toBe(true);
    expect(tenant.calls({ provider: 'salesforce', operation: 'oauth2.requestToken' })[0]).toMatchObject({ credential: '0H4Hs000000CrdnAAA', target: CORDON_USER });
  });

  it('finds every Drift grant and the Oauth2 sessions of their users for an oauth_token ref by app', async () => {
    const report = await connector.identify({ provider: 'salesforce', kind: 'oauth_token', clientId: '0H4Hs000000DrftAAA' });
    const grants = report.credentials.filter((c) => c.kind === 'refresh_token');
    expect(grants.map((c) => c.principal.id).sort()).toEqual(['005Hs000001JleeAAA', DRIFT_USER]);
    const sessions = report.credentials.filter((c) => c.kind === 'oauth_token');
    expect(sessions.map((c) => c.id).sort()).toEqual(['0AkHs000DrftS01AAA', '0AkHs000DrftS02AAA']);
  });

  it('matches a leaked access token to its own session without ever sending it anywhere but the org', async () => {
    const leaked = emulator().fixtureValue(ATTACKER_SESSION)!;
    const report = await connector.identify({ provider: 'salesforce', kind: 'oauth_token', leakedValue: leaked });
    expect(report.credentials.map((c) => c.id)).toEqual([ATTACKER_SESSION]);
    expect(JSON.stringify(report)).not.toContain(leaked);
    expect(JSON.stringify(tenant.calls())).not.toContain(leaked);
    await connector.revoke(report.credentials[0]!);
    const after = await connector.identify({ provider: 'salesforce', kind: 'oauth_token', leakedValue: leaked });
    expect(after.credentials).toEqual([]);
    expect(after.riskFlags).toContain('the leaked access token no longer authenticates');
  });

  it('flags Cordon\'s own credentials (I6) and keeps its current session out of listActive', async () => {
    const report = await connector.identify({ provider: 'salesforce', kind: 'session', user: 'cordon-ir@acme.com' });
    expect(report.credentials.length).toBeGreaterThan(0);
    expect(report.credentials.every((c) => c.selfOrLastAdmin)).toBe(true);
    const principal = report.credentials[0]!.principal;
    expect(await connector.listActive(principal)).toEqual([]);
  });

  it('says in the report when an app-wide listing hits the 2,500-row OauthToken cap', async () => {
    tenant.load(Scenario.parse({ name: 'load', salesforce: generateSalesforceLoadSection(3000) }));
    const report = await connectorFor().identify({ provider: 'salesforce', kind: 'refresh_token', clientId: 'Load Vendor Sync' });
    expect(report.credentials).toHaveLength(2500);
    expect(report.blindSpots).toContain('this query hit the 2500-row OauthToken cap: more grants may exist');
    expect(report.credentials[0]!.consumers).toHaveLength(1);
  });

  it('tells apart the consumers of two grants one user holds for the same app (by CreatedDate)', async () => {
    const two = structuredClone(section);
    two.oauthTokens.push({
      id: 'drift-sf-grant-integration-2',
      appId: '0H4Hs000000DrftAAA',
      userId: DRIFT_USER,
      createdDate: '2025-05-02T08:00:00Z',
      consumers: [{ id: 'drift-meetings', name: 'Drift meetings', kind: 'integration' }],
    });
    tenant.load(Scenario.parse({ name: 'two', salesforce: two }));
    const report = await connectorFor().identify({ provider: 'salesforce', kind: 'refresh_token', user: DRIFT_USER, clientId: 'Drift' });
    const byCreated = Object.fromEntries(report.credentials.map((c) => [c.createdAt, c.consumers.map((x) => x.id)]));
    expect(byCreated).toEqual({
      '2024-03-11T17:02:33.000Z': ['drift-chat-sync', 'drift-lead-router', 'salesloft-cadence'],
      '2025-05-02T08:00:00.000Z': ['drift-meetings'],
    });
  });

  it('says not_found for a user the org does not have', async () => {
    const err = await rejection(connector.identify({ provider: 'salesforce', kind: 'refresh_token', user: 'nobody@acme.com' }));
    expect(err.kind).toBe('not_found');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('nobody@acme.com');
  });
});

describe('one round before the revoke (issue 14)', () => {
  const ops = (after: number) => tenant.calls({ provider: 'salesforce' }).filter((c) => c.seq > after).map((c) => (c.operation === 'query' ? `query ${c.target}` : c.operation));

  it('identifies a user\'s grant of an app named by id in one round of side-by-side reads, then revokes it with no look-up', async () => {
    const report = await connector.identify({ provider: 'salesforce', kind: 'refresh_token', user: 'drift-integration@acme.com', clientId: '0H4Hs000000DrftAAA' }, { deferEnrichment: true });
    const [grant] = report.credentials;
    expect(report.credentials.map((c) => c.clientId)).toEqual(['Drift']);
    // Login, then one round: the Manage Users check, the user and its frozen status, its grants across every app,
    // its sessions, and the app's name. Nothing waits for an id first.
    const calls = ops(0);
    expect(calls[0]).toBe('oauth2.requestToken');
    expect(calls.slice(1).sort()).toEqual(['query AuthSession', 'query ConnectedApplication', 'query OauthToken', 'query User', 'query UserLogin', 'query UserLogin'].sort());
    const mark = tenant.calls().at(-1)!.seq;
    expect(await connector.revoke(grant!)).toMatchObject({ outcome: 'done' });
    expect(ops(mark)).toEqual(['oauth2.revokeToken']);
    expect(emulator().deleteTokenOf('drift-sf-grant-integration')).toBeUndefined();
  });

  it('carries what re-authenticating the user ends, read in the same round: its grants across apps and its sessions (I8)', async () => {
    const report = await connector.identify({ provider: 'salesforce', kind: 'refresh_token', user: 'drift-integration@acme.com', clientId: 'Drift' }, { deferEnrichment: true });
    const grant = report.credentials[0]!;
    const [carried] = report.reauthScopes ?? [];
    expect(carried).toMatchObject({ principalId: DRIFT_USER, effects: [] });
    expect(carried!.notPossible).toBeUndefined();
    // The same answer reauthScope gives when asked on its own: the revoke's sessions named before the revoke.
    const asked = await connector.reauthScope(grant.principal);
    expect(carried!.credentials.map((c) => c.id).sort()).toEqual(asked.credentials.map((c) => c.id).sort());
    expect(carried!.credentials.map((c) => c.id)).toEqual(expect.arrayContaining([grant.id, ATTACKER_SESSION, '0AkHs000DrftS02AAA']));
    // Cordon's own user is carried as refused, as reauthScope refuses it (I6).
    const own = await connector.identify({ provider: 'salesforce', kind: 'session', user: 'cordon-ir@acme.com' });
    expect(own.reauthScopes).toEqual([{ principalId: CORDON_USER, credentials: [], effects: [], notPossible: expect.stringContaining("Cordon's own user") }]);
  });

  it('leaves the app\'s other holders for enrich with deferEnrichment; without it they are a risk flag at once', async () => {
    const ref = { provider: 'salesforce' as const, kind: 'refresh_token' as const, user: 'drift-integration@acme.com', clientId: 'Drift' };
    const eager = await connector.identify(ref);
    const flag = eager.riskFlags.find((f) => /other user\(s\) also hold grants of Drift/.test(f));
    expect(flag).toBeDefined();
    const deferred = await connectorFor().identify(ref, { deferEnrichment: true });
    expect(deferred.riskFlags).not.toContain(flag);
    expect(deferred.pendingEnrichment).toEqual([{ credentialId: deferred.credentials[0]!.id, context: { app: 'Drift' } }]);
    const enrichment = await connector.enrich(deferred);
    expect(enrichment.riskFlags).toEqual([flag]);
    expect(enrichment.credentials).toEqual([{ credentialId: deferred.credentials[0]!.id, label: deferred.credentials[0]!.label, principal: deferred.credentials[0]!.principal, ...(deferred.credentials[0]!.lastUsedAt ? { lastUsedAt: deferred.credentials[0]!.lastUsedAt } : {}) }]);
  });

  it('a grant this worker revoked is not posted again: a second revoke and the re-authentication count it as gone', async () => {
    const report = await connector.identify({ provider: 'salesforce', kind: 'refresh_token', user: 'drift-integration@acme.com', clientId: 'Drift' });
    const grant = report.credentials[0]!;
    expect(await connector.revoke(grant)).toMatchObject({ outcome: 'done' });
    expect(tenant.calls({ provider: 'salesforce', operation: 'oauth2.revokeToken' }).map((c) => c.credential)).toEqual(['drift-sf-grant-integration']);
    const mark = tenant.calls().at(-1)!.seq;
    expect(await connector.revoke(grant)).toMatchObject({ outcome: 'already_done', detail: `${grant.id} was already revoked` });
    const scope = report.reauthScopes![0]!.credentials;
    const r = await connector.forceReauth(grant.principal, scope);
    expect(r.detail).toMatch(/already gone/);
    // No revoke of the grant again, and no read: only the other grants and the sessions were ended.
    expect(ops(mark).filter((o) => o.startsWith('query'))).toEqual([]);
    expect(tenant.calls({ provider: 'salesforce', operation: 'oauth2.revokeToken' }).filter((c) => c.seq > mark && c.credential === 'drift-sf-grant-integration')).toEqual([]);
  });

  it('forceReauth of grants this worker listed reads nothing first; a worker that did not list them lists the user once', async () => {
    const grant = await driftGrant();
    const scope = await connector.reauthScope(grant.principal);
    const mark = tenant.calls().at(-1)!.seq;
    expect(await connector.forceReauth(grant.principal, scope.credentials)).toMatchObject({ outcome: 'done' });
    expect(ops(mark).filter((o) => o.startsWith('query'))).toEqual([]);
    expect(emulator().deleteTokenOf('drift-sf-grant-integration')).toBeUndefined();

    tenant.load(scenario);
    const listed = await connectorFor().reauthScope(grant.principal);
    const other = connectorFor();
    const before = tenant.calls().at(-1)!.seq;
    expect(await other.forceReauth(grant.principal, listed.credentials)).toMatchObject({ outcome: 'done' });
    expect(ops(before).filter((o) => o.startsWith('query')).sort()).toEqual(['query AuthSession', 'query OauthToken', 'query User', 'query UserLogin', 'query UserLogin'].sort());
  });
});

describe('revoke', () => {
  it('revokes the grant by its DeleteToken, which kills the attacker\'s access token; a repeat is already_done', async () => {
    const grant = await driftGrant();
    const leaked = emulator().fixtureValue(ATTACKER_SESSION)!;
    expect(await connector.probe({ ...grant, kind: 'oauth_token', id: ATTACKER_SESSION }, leaked)).toBe('alive');
    expect(await connector.revoke(grant)).toMatchObject({ outcome: 'done' });
    expect(tenant.calls({ provider: 'salesforce', operation: 'oauth2.revokeToken' }).map((c) => [c.status, c.target])).toEqual([[200, 'drift-sf-grant-integration']]);
    expect(await connector.probe({ ...grant, kind: 'oauth_token', id: ATTACKER_SESSION }, leaked)).toBe('dead');
    expect(await connector.revoke(grant)).toMatchObject({ outcome: 'already_done' });
    expect(await connector.listActive(grant.principal)).toEqual([]);
  });

  it('answers already_done when someone else revoked the grant after identify', async () => {
    const grant = await driftGrant();
    await new Connection({ loginUrl: tenant.urls.salesforce }).oauth2.revokeToken(emulator().deleteTokenOf('drift-sf-grant-integration')!);
    const mark = tenant.calls().at(-1)!.seq;
    // This connector listed the grant (identify): it posts the DeleteToken at once, and the endpoint says invalid_token.
    expect(await connector.revoke(grant)).toMatchObject({ outcome: 'already_done', detail: `${grant.id} was already revoked` });
    expect(tenant.calls({ provider: 'salesforce' }).filter((c) => c.seq > mark).map((c) => `${c.operation}:${c.status}`)).toEqual(['oauth2.revokeToken:400']);
    // A worker that never listed it looks it up first, and finds it gone without a revoke.
    const fresh = connectorFor();
    expect(await fresh.revoke(grant)).toMatchObject({ outcome: 'already_done', detail: `${grant.id} is no longer listed in OauthToken` });
    expect(tenant.calls({ provider: 'salesforce', operation: 'oauth2.revokeToken' })).toHaveLength(2);
  });

  it('treats the revoke endpoint\'s 400 invalid_token as already revoked when two revokes race', async () => {
    const grant = await driftGrant();
    const other = connectorFor();
    await driftGrant(other); // both logged in, so both list before either revokes
    tenant.injectFault({ provider: 'salesforce', operation: 'oauth2.revokeToken', type: 'latency', latencyMs: 150 });
    const outcomes = await Promise.all([connector.revoke(grant), other.revoke(grant)]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['already_done', 'done']);
    // Both listed the grant before either revoked it: the loser got 400 invalid_token (Salesforce OAuth 2.0 token revocation docs).
    expect(tenant.calls({ provider: 'salesforce', operation: 'oauth2.revokeToken' }).map((c) => c.status)).toEqual([200, 400]);
  });

  it('ends a session by deleting its AuthSession; a repeat is already_done', async () => {
    const report = await connector.identify({ provider: 'salesforce', kind: 'oauth_token', id: ATTACKER_SESSION });
    const session = report.credentials[0]!;
    expect(await connector.revoke(session)).toMatchObject({ outcome: 'done' });
    expect(await connector.revoke(session)).toMatchObject({ outcome: 'already_done' });
    expect(tenant.calls({ provider: 'salesforce', operation: 'sobjects.AuthSession.delete' }).map((c) => [c.status, c.target])).toEqual([
      [204, ATTACKER_SESSION],
      [404, ATTACKER_SESSION],
    ]);
  });
});

describe('replace, force re-auth, suspend', () => {
  it('mints a replacement per consumer through the JWT bearer flow, delivers it, and returns the same one on retry', async () => {
    const grant = await driftGrant();
    const sink = new MemorySink();
    const [chat, router] = grant.consumers;
    const first = await connector.replace(grant, chat!, 'wf-1:grant:drift-chat-sync', sink);
    expect(first.replacementId).toMatch(/^0Ak/);
    expect(first.fingerprint).toMatch(/^[0-9a-f]{12}$/);
    expect(first.sink).toBe('local:drift-chat-sync');
    const again = await connector.replace(grant, chat!, 'wf-1:grant:drift-chat-sync', sink);
    expect(again).toEqual(first);
    const other = await connector.replace(grant, router!, 'wf-1:grant:drift-lead-router', sink);
    expect(other.replacementId).not.toBe(first.replacementId);
    const mints = tenant.calls({ provider: 'salesforce', operation: 'oauth2.requestToken' }).filter((c) => c.target === DRIFT_USER);
    expect(mints).toHaveLength(2);
    // The delivered value works as the integration user, and its fingerprint is the one reported.
    const value = sink.values.get('wf-1:grant:drift-chat-sync')!.value.reveal();
    expect(fingerprintOf(value)).toBe(first.fingerprint);
    const conn = new Connection({ instanceUrl: tenant.urls.salesforce, accessToken: value, version: '62.0' });
    expect((await conn.identity()).user_id).toBe(DRIFT_USER);
    expect(JSON.stringify(first)).not.toContain(value);
  });

  it('two attempts at once: the delivery kept is the consumer\'s session, and the other attempt revokes the token it minted', async () => {
    const grant = await driftGrant();
    const consumer = grant.consumers[0]!;
    const idem = 'wf-race:grant:drift-chat-sync';
    // The first attempt outlived its timeout: it delivers only once the retry beside it has minted too.
    const mints = () => tenant.calls({ provider: 'salesforce', operation: 'oauth2.requestToken' }).filter((c) => c.target === DRIFT_USER).length;
    const before = mints();
    const { first, second, kept, offered } = racingSinks(() => mints() >= before + 2);
    const [a, b] = await Promise.all([connector.replace(grant, consumer, idem, first), connector.replace(grant, consumer, idem, second)]);
    const held = kept.get(idem)!;
    expect([a.replacementId, b.replacementId]).toEqual([held.replacementId, held.replacementId]);
    expect(b.note).toMatch(/another attempt of this replacement delivered first/);
    // The consumer's token works; the one minted by the attempt that lost does not.
    const works = (token: string) => new Connection({ instanceUrl: tenant.urls.salesforce, accessToken: token, version: '62.0' }).identity().then(() => true, () => false);
    expect(await works(held.value)).toBe(true);
    const lost = offered.filter((v) => v !== held.value);
    expect(lost).toHaveLength(1);
    expect(await works(lost[0]!)).toBe(false);
    const revokes = tenant.calls({ provider: 'salesforce', operation: 'oauth2.revokeToken' });
    expect(revokes.filter((c) => c.status === 200)).toHaveLength(1);
  });

  it('says what happened when the token endpoint refuses a mint in the REST error shape (jsforce keeps no code or word of it)', async () => {
    // The emulator answers a spent budget on every Salesforce operation, the token endpoint included, with
    // 403 [{errorCode: REQUEST_LIMIT_EXCEEDED}]; jsforce's OAuth call reads only `error`/`error_description`.
    // At 10,000 refs this surfaced as "replace … failed: Error: " (P2 bench, sixth session).
    const grant = await driftGrant();
    tenant.injectFault({ provider: 'salesforce', operation: 'oauth2.requestToken', type: 'rate_limited', times: 1 });
    const err = await rejection(connector.replace(grant, grant.consumers[0]!, 'wf-9:k', new MemorySink()));
    expect(err.kind).toBe('unavailable');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(`replace ${grant.id}`);
    expect(err.message).toContain("Salesforce's answer carried no error code or description");
  });

  it('says permission when Cordon\'s app is not pre-authorised for the user to replace', async () => {
    const report = await connector.identify({ provider: 'salesforce', kind: 'refresh_token', user: 'jordan.lee@acme.com' });
    const err = await rejection(connector.replace(report.credentials[0]!, report.credentials[0]!.consumers[0]!, 'wf-3:k', new MemorySink()));
    expect(err.kind).toBe('permission');
    expect(err.message).toContain('jordan.lee@acme.com');
  });

  it('forces re-authentication: every grant and session the plan kept in `end` ends, the replacement left out stays', async () => {
    const grant = await driftGrant();
    const kept = await connector.replace(grant, grant.consumers[0]!, 'wf-2:k', new MemorySink());
    const scope = await connector.reauthScope(grant.principal);
    expect(scope.credentials.map((c) => c.id).sort()).toEqual([grant.id, '0AkHs000DrftS01AAA', '0AkHs000DrftS02AAA', kept.replacementId].sort());
    expect(scope.effects).toEqual([]);
    const end = scope.credentials.filter((c) => c.id !== kept.replacementId);
    expect(await connector.forceReauth(grant.principal, end)).toMatchObject({ outcome: 'done' });
    const left = await connector.listActive(grant.principal);
    expect(left.map((c) => c.id)).toEqual([kept.replacementId]);
    expect(await connector.forceReauth(grant.principal, end)).toMatchObject({ outcome: 'already_done', detail: `revoked 0 grant(s) and ended 0 session(s) of ${DRIFT_USER}; 3 already gone` });
  });

  it('reauthScope lists only the user\'s own grants and sessions; forceReauth with a subset ends exactly that subset', async () => {
    const grant = await driftGrant();
    const scope = await connector.reauthScope(grant.principal);
    expect(scope.credentials.every((c) => c.principal.id === DRIFT_USER && !c.selfOrLastAdmin)).toBe(true);
    expect(scope.credentials.find((c) => c.id === grant.id)!.consumers.map((c) => c.id)).toEqual(['drift-chat-sync', 'drift-lead-router', 'salesloft-cadence']);
    const before = emulator().counts();
    const r = await connector.forceReauth(grant.principal, scope.credentials.filter((c) => c.id === ATTACKER_SESSION));
    expect(r).toMatchObject({ outcome: 'done', detail: `revoked 0 grant(s) and ended 1 session(s) of ${DRIFT_USER}` });
    expect((await connector.listActive(grant.principal)).map((c) => c.id).sort()).toEqual([grant.id, '0AkHs000DrftS02AAA'].sort());
    expect(emulator().counts()).toMatchObject({ oauthTokens: before.oauthTokens, sessions: before.sessions! - 1 });
    expect(tenant.calls({ provider: 'salesforce', operation: 'oauth2.revokeToken' })).toEqual([]);
    // A credential of another user is refused before anything is touched.
    const salesloft = await connector.identify({ provider: 'salesforce', kind: 'oauth_token', id: '0AkHs000SlftS01AAA' });
    const err = await rejection(connector.forceReauth(grant.principal, salesloft.credentials));
    expect(err.kind).toBe('invalid');
    expect(emulator().fixtureValue('0AkHs000SlftS01AAA')).toBeDefined();
  });

  it('refuses to scope or force re-authentication of Cordon\'s own user (I6)', async () => {
    const cordon: Principal = { id: CORDON_USER, displayName: 'Cordon', type: 'integration_user', status: 'active' };
    expect((await rejection(connector.reauthScope(cordon))).kind).toBe('conflict');
    expect((await rejection(connector.forceReauth(cordon, []))).kind).toBe('conflict');
  });

  it('identify of one user\'s grant of an app shared by several integration users names only that user; its re-auth ends its 250 sessions in batched collection deletes', async () => {
    const load = generateSalesforceLoadSection(30); // 3 integration users, 10 grants each of Load Vendor Sync
    const one = salesforceId('005', 1);
    const two = salesforceId('005', 2);
    const sessions = [
      ...Array.from({ length: 250 }, (_, i) => ({ id: salesforceId('0Ak', 1000 + i), userId: one, createdDate: '2025-08-01T00:00:00Z' })),
      ...Array.from({ length: 5 }, (_, i) => ({ id: salesforceId('0Ak', 2000 + i), userId: two, createdDate: '2025-08-01T00:00:00Z' })),
    ];
    tenant.load(Scenario.parse({ name: 'shared', salesforce: { ...load, sessions } }));
    const c = connectorFor();
    const report = await c.identify({ provider: 'salesforce', kind: 'refresh_token', user: 'integration-1@load.example.com', clientId: 'Load Vendor Sync' });
    expect(report.credentials).toHaveLength(10);
    expect(report.relatedServiceAccounts.map((p) => p.id)).toEqual([one]);
    expect(report.riskFlags).toContain('2 other user(s) also hold grants of Load Vendor Sync: not in this scope (name them, or revoke every grant of the app)');

    const scope = await c.reauthScope(report.relatedServiceAccounts[0]!);
    expect(scope.credentials).toHaveLength(260);
    expect(scope.credentials.every((x) => x.principal.id === one)).toBe(true);
    tenant.injectFault({ provider: 'salesforce', operation: 'oauth2.revokeToken', type: 'latency', latencyMs: 150 });
    const started = Date.now();
    const r = await c.forceReauth(report.relatedServiceAccounts[0]!, scope.credentials);
    const elapsed = Date.now() - started;
    expect(r).toMatchObject({ outcome: 'done', detail: `revoked 10 grant(s) and ended 250 session(s) of ${one}` });
    // 10 revokes of 150 ms each one after the other would take 1.5 s; 8 at a time take two rounds.
    expect(elapsed).toBeLessThan(1000);
    const batches = tenant.calls({ provider: 'salesforce', operation: 'composite.sobjects.delete' });
    expect(batches.map((b) => [b.status, b.target!.split(',').length])).toEqual([
      [200, 200],
      [200, 50],
    ]);
    expect(tenant.calls({ provider: 'salesforce', operation: 'sobjects.AuthSession.delete' })).toEqual([]);
    expect(tenant.calls({ provider: 'salesforce', operation: 'oauth2.revokeToken' })).toHaveLength(10);
    // Nothing of the other integration users was touched.
    expect(await c.listActive(report.relatedServiceAccounts[0]!)).toEqual([]);
    const others = await c.listActive({ id: two, displayName: '', type: 'integration_user', status: 'active' });
    expect(others).toHaveLength(15);
    expect(emulator().counts().oauthTokens).toBe(20);
  });

  it('revokes every grant of a connected app (fallback ladder)', async () => {
    const grant = await driftGrant();
    expect(await connector.revokeAllForClient(grant)).toMatchObject({ outcome: 'done', detail: 'revoked 2 grant(s) of Drift' });
    expect(await connector.revokeAllForClient(grant)).toMatchObject({ outcome: 'already_done' });
  });

  it('suspends a principal by freezing its UserLogin, idempotently', async () => {
    const grant = await driftGrant();
    expect(await connector.suspendPrincipal(grant.principal)).toMatchObject({ outcome: 'done' });
    expect(await connector.suspendPrincipal(grant.principal)).toMatchObject({ outcome: 'already_done' });
    const report = await connector.identify({ provider: 'salesforce', kind: 'refresh_token', user: DRIFT_USER });
    expect(report.credentials[0]!.principal.status).toBe('suspended');
    expect(await connector.probe({ ...grant, kind: 'oauth_token' }, emulator().fixtureValue(ATTACKER_SESSION)!)).toBe('dead');
    // The username is known from identify, so replace logs in at once; the refusal is explained by reading the user then.
    const mark = tenant.calls().at(-1)!.seq;
    const err = await rejection(connector.replace(grant, grant.consumers[0]!, 'wf-frozen:k', new MemorySink()));
    expect(err).toMatchObject({ kind: 'conflict', message: 'salesforce: cannot issue a replacement for drift-integration@acme.com: the user is suspended' });
    const after = tenant.calls({ provider: 'salesforce' }).filter((c) => c.seq > mark);
    expect(after[0]).toMatchObject({ operation: 'oauth2.requestToken', status: 400 });
    expect(after.slice(1).map((c) => `${c.operation} ${c.target}`).sort()).toEqual(['query User', 'query UserLogin']);
  });

  it('declares what Salesforce cannot do and throws unsupported for it', async () => {
    const grant = await driftGrant();
    expect(capabilitiesOf(connector)).not.toContain('blockApp');
    expect(capabilitiesOf(connector)).toContain('restrict');
    expect(() => assertCan(connector, 'blockApp')).toThrow(/^salesforce: cannot blockApp: blocking a connected app is done in Setup/);
    expect((await rejection(connector.restrict(grant, { kind: 'scope_downgrade', values: [] }))).kind).toBe('unsupported');
    expect(await connector.probe(grant, emulator().fixtureValue('drift-sf-grant-integration')!)).toBe('unknown');
  });

  it('audits the principal\'s logins from LoginHistory', async () => {
    const principal: Principal = { id: DRIFT_USER, displayName: 'Drift', type: 'integration_user', status: 'active' };
    const events = await connector.audit(principal, '2025-08-10T00:00:00Z');
    expect(events.map((e) => e.at)).toEqual(['2025-08-12T03:44:51.000Z', '2025-08-17T23:40:55.000Z', '2025-08-18T02:10:12.000Z']);
    expect(events[0]!.detail).toBe('Drift from 44.215.108.109: Success');
  });
});

describe('restrict: the login IP ranges of the integration user\'s profile (Metadata API)', () => {
  const OPEN = [{ startAddress: '0.0.0.0', endAddress: '255.255.255.255', description: 'any address (vendor-hosted integration)' }];
  const EGRESS = ['192.0.2.0/28', '192.0.2.16/28', '203.0.113.64/27'];

  /** A jsforce connection of its own, logged in through Cordon's JWT bearer app (as Cordon's user by default). */
  async function cordonConnection(username?: string): Promise<Connection> {
    const env = tenant.connectorEnv();
    const conn = new Connection({ loginUrl: tenant.urls.salesforce, version: '62.0' });
    await conn.authorize({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: signJwtBearerAssertion({ clientId: env.CORDON_SALESFORCE_CLIENT_ID!, username: username ?? env.CORDON_SALESFORCE_USERNAME!, audience: tenant.urls.salesforce!, privateKey: env.CORDON_SALESFORCE_PRIVATE_KEY! }),
    });
    return conn;
  }

  /** What jsforce's own metadata.read shows of a profile, as an admin would see it. */
  async function readProfile(fullName: string): Promise<{ fullName?: string; loginIpRanges: Array<{ startAddress: string; endAddress: string; description?: string | null }> }> {
    return (await (await cordonConnection()).metadata.read('Profile', fullName)) as never;
  }

  it('narrows the profile to the consumers\' egress, carries the previous ranges in the undo, and unrestrict restores them once', async () => {
    const grant = await driftGrant();
    expect(grant.consumers.flatMap((c) => c.egress ?? []).sort()).toEqual(EGRESS);
    const r = await connector.restrict(grant, { kind: 'ip_allowlist', values: EGRESS });
    expect(r.outcome).toBe('done');
    expect(r.detail).toMatch(/login IP ranges of profile Drift Integration narrowed to 192\.0\.2\.0–192\.0\.2\.15, 192\.0\.2\.16–192\.0\.2\.31, 203\.0\.113\.64–203\.0\.113\.95/);
    expect(r.undo).toEqual({
      kind: 'salesforce.profile.loginIpRanges',
      description: 'restore the login IP ranges of profile Drift Integration to 0.0.0.0–255.255.255.255',
      data: {
        profile: 'Drift Integration',
        profileId: expect.stringMatching(/^00e/),
        userId: DRIFT_USER,
        previous: OPEN,
        applied: [
          { startAddress: '192.0.2.0', endAddress: '192.0.2.15', description: 'Cordon allowlist: egress of drift-chat-sync' },
          { startAddress: '192.0.2.16', endAddress: '192.0.2.31', description: 'Cordon allowlist: egress of drift-lead-router' },
          { startAddress: '203.0.113.64', endAddress: '203.0.113.95', description: 'Cordon allowlist: egress of salesloft-cadence' },
        ],
      },
    });
    // The undo travels through workflow history as plain JSON.
    expect(JSON.parse(JSON.stringify(r.undo))).toEqual(r.undo);
    const narrowed = await readProfile('Drift Integration');
    expect(narrowed.fullName).toBe('Drift Integration');
    expect(narrowed.loginIpRanges.map((x) => [x.startAddress, x.endAddress])).toEqual([
      ['192.0.2.0', '192.0.2.15'],
      ['192.0.2.16', '192.0.2.31'],
      ['203.0.113.64', '203.0.113.95'],
    ]);
    expect(emulator().profileLoginIpRanges(DRIFT_USER)).toHaveLength(3);
    // A retried restrict (its first answer lost) hands back the same undo, not the narrowed ranges as "previous".
    const again = await connector.restrict(grant, { kind: 'ip_allowlist', values: EGRESS });
    expect(again).toMatchObject({ outcome: 'already_done', undo: r.undo });

    const undone = await connector.unrestrict(grant, r.undo!);
    expect(undone.outcome).toBe('done');
    expect(undone.detail).toBe('login IP ranges of profile Drift Integration restored to 0.0.0.0–255.255.255.255');
    expect((await readProfile('Drift Integration')).loginIpRanges).toEqual(OPEN);
    expect((await connector.unrestrict(grant, r.undo!)).outcome).toBe('already_done');
    // Another worker (no memory of the restriction) also answers already_done from what the org shows.
    expect((await connectorFor().unrestrict(grant, JSON.parse(JSON.stringify(r.undo)))).outcome).toBe('already_done');
  });

  it('holds back the leaked grant outside the allowlist while Cordon still mints replacements, and lets it back in after unrestrict', async () => {
    const grant = await driftGrant();
    const refreshToken = emulator().fixtureValue('drift-sf-grant-integration')!;
    const attacker = () =>
      new Connection({ loginUrl: tenant.urls.salesforce, version: '62.0', oauth2: { loginUrl: tenant.urls.salesforce, clientId: '3MVG9DriftVendorAppConsumerKeyPublished0002', redirectUri: 'http://localhost/cb' } }).oauth2.refreshToken(refreshToken);
    const r = await connector.restrict(grant, { kind: 'ip_allowlist', values: EGRESS });
    emulator().setClientAddress('44.215.108.109'); // the attacker's address, for every caller
    await expect(attacker()).rejects.toMatchObject({ name: 'invalid_grant', message: 'ip restricted' });
    emulator().setClientAddress('192.0.2.20'); // a consumer's egress
    await expect(attacker()).resolves.toMatchObject({ access_token: expect.any(String) });
    // Cordon's app relaxes IP restrictions: its JWT bearer login as the Drift user works from anywhere.
    emulator().setClientAddress('44.215.108.109');
    const sink = new MemorySink();
    const consumer = grant.consumers[0]!;
    await expect(connector.replace(grant, consumer, 'wf:restricted:drift-chat-sync', sink)).resolves.toMatchObject({ sink: 'local:drift-chat-sync' });
    const events = await connector.audit(grant.principal, '2025-01-01T00:00:00Z');
    expect(events.some((e) => /44\.215\.108\.109: Restricted IP/.test(e.detail ?? ''))).toBe(true);
    await connector.unrestrict(grant, r.undo!);
    await expect(attacker()).resolves.toMatchObject({ access_token: expect.any(String) });
  });

  it('a profile with no ranges at all comes back as one range of every address (updateMetadata cannot empty the list), said in the undo', async () => {
    expect([cidrToRange('44.215.108.109/24'), cidrToRange('192.0.2.7'), cidrToRange('0.0.0.0/0'), cidrToRange('10.0.0.1/33'), cidrToRange('300.1.1.1')]).toEqual([
      { startAddress: '44.215.108.0', endAddress: '44.215.108.255' },
      { startAddress: '192.0.2.7', endAddress: '192.0.2.7' },
      { startAddress: '0.0.0.0', endAddress: '255.255.255.255' },
      undefined,
      undefined,
    ]);
    tenant.load(Scenario.parse({ name: 'no-ranges', salesforce: { ...section, profiles: [] } }));
    const grant = await driftGrant();
    const r = await connector.restrict(grant, { kind: 'ip_allowlist', values: ['192.0.2.7'] });
    expect(r.undo).toMatchObject({
      description: 'restore the login IP ranges of profile Drift Integration to no ranges (written back as 0.0.0.0–255.255.255.255, which admits every address; updateMetadata cannot empty the list)',
      data: { previous: [], applied: [{ startAddress: '192.0.2.7', endAddress: '192.0.2.7' }] },
    });
    expect(await connector.unrestrict(grant, r.undo!)).toMatchObject({ outcome: 'done', detail: 'login IP ranges of profile Drift Integration restored to 0.0.0.0–255.255.255.255' });
    expect(emulator().profileLoginIpRanges(DRIFT_USER)).toEqual([{ startAddress: '0.0.0.0', endAddress: '255.255.255.255', description: 'any address (restored by Cordon: the profile had no login IP ranges)' }]);
    expect((await connector.unrestrict(grant, r.undo!)).outcome).toBe('already_done');
  });

  it('refuses an empty allowlist, a value that is not IPv4, Cordon\'s own user and a profile Cordon or others share', async () => {
    const grant = await driftGrant();
    const empty = await rejection(connector.restrict(grant, { kind: 'ip_allowlist', values: [] }));
    expect(empty).toMatchObject({ kind: 'invalid', message: "salesforce: no consumer egress range is known: name the consumers' egress in the inventory" });
    expect((await rejection(connector.restrict(grant, { kind: 'ip_allowlist', values: ['2001:db8::/32'] }))).kind).toBe('invalid');

    const own = (await connector.identify({ provider: 'salesforce', kind: 'oauth_token', user: CORDON_USER })).credentials[0]!;
    const self = await rejection(connector.restrict(own, { kind: 'ip_allowlist', values: EGRESS }));
    expect(self.kind).toBe('conflict');
    expect(self.message).toMatch(/Cordon's own user.*I6/);

    // Salesloft's integration user shares the API-only profile with Cordon's own user.
    const salesloft = (await connector.identify({ provider: 'salesforce', kind: 'refresh_token', user: 'salesloft-integration@acme.com' })).credentials[0]!;
    const shared = await rejection(connector.restrict(salesloft, { kind: 'ip_allowlist', values: EGRESS }));
    expect(shared.kind).toBe('conflict');
    expect(shared.message).toMatch(/Cordon's own user cordon-ir@acme\.com has it too.*I6/);
    // Jordan shares Standard User with nobody active but the offboarded contractor: a second active user is refused (I8).
    const jordan = (await connector.identify({ provider: 'salesforce', kind: 'refresh_token', user: 'jordan.lee@acme.com' })).credentials[0]!;
    const s2 = Scenario.parse({ name: 'two-standard-users', salesforce: { ...section, users: section.users.map((u: { status?: string }) => ({ ...u, status: u.status === 'offboarded' ? 'active' : u.status })) } });
    tenant.load(s2);
    const conflict = await rejection(connectorFor().restrict(jordan, { kind: 'ip_allowlist', values: EGRESS }));
    expect(conflict.kind).toBe('conflict');
    expect(conflict.message).toMatch(/1 other active user\(s\) have it too \(sam\.ortiz\.contractor@acme\.com\).*I8/);
    expect(emulator().profileLoginIpRanges(DRIFT_USER)).toEqual([{ startAddress: '0.0.0.0', endAddress: '255.255.255.255', description: 'any address (vendor-hosted integration)' }]);
  });

  it('says not_found, clearly, for a profile the Metadata API does not know (readMetadata nil record, updateMetadata INVALID_CROSS_REFERENCE_KEY) and classifies SOAP faults', async () => {
    const grant = await driftGrant();
    const undo = { kind: 'salesforce.profile.loginIpRanges', description: 'restore …', data: { profile: 'Deleted Profile', previous: [{ startAddress: '0.0.0.0', endAddress: '255.255.255.255' }] } };
    const err = await rejection(connector.unrestrict(grant, undo));
    expect(err.kind).toBe('not_found');
    expect(err.message).toBe('salesforce: profile Deleted Profile not found through the Metadata API (readMetadata returned no record)');
    expect((await rejection(connector.unrestrict(grant, { ...undo, kind: 'google.key.disabled' }))).kind).toBe('invalid');

    // The profile is gone by the time of the write: updateMetadata's per-component INVALID_CROSS_REFERENCE_KEY, on the wire.
    const metadataApi = Object.getPrototypeOf(new Connection({}).metadata) as { list: () => Promise<unknown>; read: () => Promise<unknown> };
    const profileId = (await (await cordonConnection()).query<{ ProfileId: string }>(`SELECT ProfileId FROM User WHERE Id = '${DRIFT_USER}'`)).records[0]!.ProfileId;
    const list = vi.spyOn(metadataApi, 'list').mockResolvedValue([{ fullName: 'Ghost Profile', id: profileId, type: 'Profile' }]);
    const read = vi.spyOn(metadataApi, 'read').mockResolvedValue([{ fullName: 'Ghost Profile', loginIpRanges: [] }]);
    try {
      const gone = await rejection(connector.restrict(grant, { kind: 'ip_allowlist', values: EGRESS }));
      expect(gone.kind).toBe('not_found');
      expect(gone.message).toBe('salesforce: profile Ghost Profile not found by updateMetadata (INVALID_CROSS_REFERENCE_KEY: In field: fullName - no Profile named Ghost Profile found)');
    } finally {
      list.mockRestore();
      read.mockRestore();
    }

    // A SOAP fault (sf:INSUFFICIENT_ACCESS for a user without Modify Metadata) is classified by its code.
    const drift = await cordonConnection('drift-integration@acme.com');
    const fault = await drift.metadata.read('Profile', ['Drift Integration']).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(fault).toMatchObject({ errorCode: 'sf:INSUFFICIENT_ACCESS' });
    const classified = classifySalesforceError(fault, 'read a profile', BACKOFF_MS);
    expect(classified.kind).toBe('permission');
    expect(classified.message).toMatch(/^salesforce: read a profile failed: INSUFFICIENT_ACCESS: INSUFFICIENT_ACCESS: use of the Metadata API requires/);
  });
});

describe('errors', () => {
  it('permission denied when Cordon\'s user lacks Manage Users', async () => {
    const demoted = structuredClone(section);
    demoted.users[0].admin = false;
    tenant.load(Scenario.parse({ name: 'demoted', salesforce: demoted }));
    const c = connectorFor();
    const err = await rejection(c.identify({ provider: 'salesforce', kind: 'refresh_token', user: 'drift-integration@acme.com' }));
    expect(err.kind).toBe('permission');
    expect(err.retryable).toBe(false);
  });

  it('rate limited: REQUEST_LIMIT_EXCEEDED is retryable with the configured backoff, jsforce does not wait', async () => {
    await driftGrant();
    tenant.injectFault({ provider: 'salesforce', operation: 'query', type: 'rate_limited', retryAfterSec: 30 });
    const err = await rejection(connector.identify({ provider: 'salesforce', kind: 'refresh_token', user: DRIFT_USER }));
    expect(err).toMatchObject({ kind: 'rate_limited', retryable: true });
    expect(err.options.retryAfterMs).toBe(BACKOFF_MS);
    // The user's one round of side-by-side reads, each refused once: none repeated.
    expect(tenant.calls({ provider: 'salesforce', operation: 'query' }).filter((c) => c.fault).map((c) => c.request)).toSatisfy((asked: string[]) => asked.length === 4 && new Set(asked).size === 4);
  });

  it('5xx: unavailable and retryable, with jsforce\'s own retries off (one call in the log)', async () => {
    await driftGrant();
    tenant.injectFault({ provider: 'salesforce', operation: 'query', type: 'unavailable', status: 503 });
    const err = await rejection(connector.identify({ provider: 'salesforce', kind: 'refresh_token', user: DRIFT_USER }));
    expect(err).toMatchObject({ kind: 'unavailable', retryable: true });
    expect(tenant.calls({ provider: 'salesforce', operation: 'query' }).filter((c) => c.fault).map((c) => c.request)).toSatisfy((asked: string[]) => asked.length === 4 && new Set(asked).size === 4);
    tenant.clearFaults();
    tenant.injectFault({ provider: 'salesforce', operation: 'sobjects.AuthSession.delete', type: 'unavailable', status: 502 });
    const html = await rejection(connector.revoke({ ...(await driftGrant()), id: ATTACKER_SESSION, kind: 'oauth_token' }));
    expect(html.kind).toBe('unavailable');
  });

  it('expired auth: a dead Cordon session is renewed with a new assertion; a refused login is kind auth', async () => {
    await driftGrant();
    tenant.reset(); // the org forgets Cordon's session, as an expiry would
    const report = await connector.identify({ provider: 'salesforce', kind: 'refresh_token', user: DRIFT_USER });
    expect(report.credentials).toHaveLength(1);
    // The round of four side-by-side reads is refused, Cordon logs in again, and the round (with the new
    // session's Manage Users check beside it) is made once more; then the app's other holders are read.
    expect(tenant.calls({ provider: 'salesforce' }).map((c) => `${c.operation}:${c.status}`)).toEqual([...Array(4).fill('query:401'), 'oauth2.requestToken:200', ...Array(6).fill('query:200')]);

    tenant.injectFault({ provider: 'salesforce', operation: 'query', type: 'unauthorized' });
    const looping = await rejection(connector.identify({ provider: 'salesforce', kind: 'refresh_token', user: DRIFT_USER }));
    expect(looping.kind).toBe('auth');
    tenant.clearFaults();

    const frozen = structuredClone(section);
    frozen.users[0].status = 'suspended';
    tenant.load(Scenario.parse({ name: 'frozen', salesforce: frozen }));
    const err = await rejection(connectorFor().identify({ provider: 'salesforce', kind: 'refresh_token', user: DRIFT_USER }));
    expect(err).toMatchObject({ kind: 'auth', retryable: false });
    expect(err.message).toContain('invalid_grant');
  });

  it('a one-time 401 on a revoke: Cordon logs in again with a fresh JWT assertion and the revoke succeeds on the one retry', async () => {
    const grant = await driftGrant();
    const mark = tenant.calls().at(-1)!.seq;
    tenant.injectFault({ provider: 'salesforce', operation: 'oauth2.revokeToken', type: 'unauthorized', times: 1 });
    expect(await connector.revoke(grant)).toMatchObject({ outcome: 'done' });
    const calls = tenant.calls({ provider: 'salesforce' }).filter((c) => c.seq > mark).map((c) => `${c.operation}:${c.status}`);
    // No look-up first: identify listed the grant, so its DeleteToken is known.
    expect(calls.slice(0, 2)).toEqual(['oauth2.revokeToken:401', 'oauth2.requestToken:200']);
    // The revoke again, beside the fresh session's Manage Users check.
    expect(calls.slice(2).sort()).toEqual(['oauth2.revokeToken:200', 'query:200']);
    expect(emulator().deleteTokenOf('drift-sf-grant-integration')).toBeUndefined();
  });

  it('a permanent 401 on a revoke is kind auth after exactly one refresh, saying what to check', async () => {
    const grant = await driftGrant();
    tenant.injectFault({ provider: 'salesforce', operation: 'oauth2.revokeToken', type: 'unauthorized' });
    const err = await rejection(connector.forceReauth(grant.principal, [grant]));
    expect(err).toMatchObject({ kind: 'auth', retryable: false });
    expect(err.message).toMatch(/refused again right after a fresh JWT bearer login as cordon-ir@acme\.com \(Cordon's own credential\): check that CORDON_SALESFORCE_PRIVATE_KEY/);
    expect(tenant.calls({ provider: 'salesforce', operation: 'oauth2.revokeToken' }).map((c) => c.status)).toEqual([401, 401]);
    expect(emulator().deleteTokenOf('drift-sf-grant-integration')).toBeDefined();
  });

  it('timeout: a call the org never answers ends as kind timeout', async () => {
    const c = connectorFor({ CORDON_SALESFORCE_TIMEOUT_MS: '300' });
    await driftGrant(c);
    tenant.injectFault({ provider: 'salesforce', operation: 'query', type: 'timeout', times: 1 });
    const err = await rejection(c.identify({ provider: 'salesforce', kind: 'refresh_token', user: DRIFT_USER }));
    expect(err).toMatchObject({ kind: 'timeout', retryable: true });
  });
});
