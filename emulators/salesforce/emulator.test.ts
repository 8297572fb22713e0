// The Salesforce emulator driven by the real jsforce 3.10.16: every operation Cordon uses, the real error
// shapes, idempotency, the limit header, faults and the scenario counts.
import { AuditClock } from '../core/audit-log.ts';
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Connection, OAuth2 } from 'jsforce';
import { CallLog, FaultBook, startEmulatorServer, type EmulatorServer } from '../core/server.ts';
import { createSalesforceEmulator, type SalesforceEmulator } from './emulator.ts';
import { generateSalesforceLoadSection, SalesforceScenario } from './scenario.ts';

const VERSION = '62.0';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const scenarioJson = JSON.parse(readFileSync(new URL('../scenarios/salesloft-drift/salesforce.json', import.meta.url), 'utf8'));
const scenario = SalesforceScenario.parse(scenarioJson);

const DRIFT_USER = '005Hs000003DrftAAA';
const JORDAN = '005Hs000001JleeAAA';
const DRIFT_GRANT = 'drift-sf-grant-integration';
const DRIFT_SESSION = '0AkHs000DrftS01AAA';

let emu: SalesforceEmulator;
let server: EmulatorServer;
const log = new CallLog();
const faults = new FaultBook();

function assertion(privateKeyPem: string, claims: Record<string, unknown>): string {
  const enc = (x: unknown) => Buffer.from(JSON.stringify(x)).toString('base64url');
  const body = `${enc({ alg: 'RS256' })}.${enc(claims)}`;
  return `${body}.${sign('RSA-SHA256', Buffer.from(body), privateKeyPem).toString('base64url')}`;
}

function own() {
  const connection = emu.connection();
  if (!connection) throw new Error('the scenario names no own identity');
  return connection;
}

/** Logs in the way Cordon's connector does: JWT bearer with the Cordon app's key (Salesforce OAuth 2.0 JWT bearer flow docs). */
async function jwtLogin(username = own().username, claims: Record<string, unknown> = {}): Promise<Connection> {
  const conn = new Connection({ loginUrl: server.url, version: VERSION });
  await conn.authorize({
    grant_type: JWT_BEARER,
    assertion: assertion(own().privateKeyPem, {
      iss: own().clientId,
      sub: username,
      aud: server.url,
      exp: Math.floor(Date.now() / 1000) + 180,
      ...claims,
    }),
  });
  return conn;
}

function withToken(accessToken: string): Connection {
  return new Connection({ instanceUrl: server.url, loginUrl: server.url, accessToken, version: VERSION });
}

async function failure(p: PromiseLike<unknown>): Promise<{ name: string; message: string; errorCode?: string }> {
  try {
    await p;
  } catch (err) {
    return err as { name: string; message: string; errorCode?: string };
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  emu = createSalesforceEmulator();
  server = await startEmulatorServer({ provider: 'salesforce', router: emu.router, errors: emu.errors, log, faults, decorate: emu.decorate! });
  emu.setBaseUrl(server.url);
});
afterAll(async () => server.close());
beforeEach(() => {
  emu.load(scenario);
  log.clear();
  faults.clear();
});

describe('scenario', () => {
  it('counts what the scenario file seeds, under the names of its arrays', () => {
    expect(emu.counts()).toEqual({
      users: scenarioJson.users.length,
      connectedApps: scenarioJson.connectedApps.length,
      oauthTokens: scenarioJson.oauthTokens.length,
      sessions: scenarioJson.sessions.length,
      auditEvents: scenarioJson.auditEvents.length,
      auditRecords: 0,
    });
  });

  it('rejects a section whose grant names a user that does not exist', () => {
    const bad = structuredClone(scenarioJson);
    bad.oauthTokens[0].userId = '005Hs000009NoneAAA';
    const r = SalesforceScenario.safeParse(bad);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['oauthTokens', 0, 'userId']);
  });

  it('generates a deterministic load section', () => {
    const a = generateSalesforceLoadSection(30);
    expect(a).toEqual(generateSalesforceLoadSection(30));
    expect(a.oauthTokens).toHaveLength(30);
    expect(a.oauthTokens.every((t) => t.consumers.length === 1)).toBe(true);
  });

  it('gives the scenario\'s own identity and every grant with consumers', () => {
    const c = own();
    expect(c.loginUrl).toBe(server.url);
    expect(c.username).toBe('cordon-ir@acme.com');
    expect(c.privateKeyPem).toMatch(/BEGIN PRIVATE KEY/);
    const drift = c.grants.filter((g) => g.app === 'Drift' && g.user === 'drift-integration@acme.com');
    expect(drift.length).toBeGreaterThan(0);
    expect(drift[0]!.consumers.map((x) => x.id)).toEqual(['drift-chat-sync', 'drift-lead-router', 'salesloft-cadence']);
    expect(c.grants.every((g) => g.consumers.length > 0)).toBe(true);
  });
});

describe('OAuth token endpoint (JWT bearer, refresh token)', () => {
  it('logs in with the JWT bearer flow and points jsforce back at the emulator', async () => {
    const conn = await jwtLogin();
    expect(conn.instanceUrl).toBe(server.url);
    expect(conn.userInfo?.id).toBe('005Hs000002CrdnAAA');
    expect(conn.userInfo?.organizationId).toBe('00DHs000000AcmeEAE');
    const identity = await conn.identity();
    expect(identity.username).toBe('cordon-ir@acme.com');
    const calls = log.list({ operation: 'oauth2.requestToken' });
    expect(calls[0]).toMatchObject({ status: 200, credential: '0H4Hs000000CrdnAAA', target: '005Hs000002CrdnAAA' });
  });

  it('rejects an assertion signed by another key, an unknown issuer, a wrong audience and an expired one', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const conn = new Connection({ loginUrl: server.url, version: VERSION });
    const base = { iss: own().clientId, sub: 'cordon-ir@acme.com', aud: server.url, exp: Math.floor(Date.now() / 1000) + 60 };
    const forged = await failure(conn.authorize({ grant_type: JWT_BEARER, assertion: assertion(other, base) }));
    expect(forged).toMatchObject({ name: 'invalid_grant', message: 'invalid assertion' });
    const key = own().privateKeyPem;
    expect(await failure(conn.authorize({ grant_type: JWT_BEARER, assertion: assertion(key, { ...base, iss: 'nope-nope-nope' }) }))).toMatchObject({ name: 'invalid_client_id' });
    expect(await failure(conn.authorize({ grant_type: JWT_BEARER, assertion: assertion(key, { ...base, aud: 'https://evil.example' }) }))).toMatchObject({ name: 'invalid_grant', message: 'audience is invalid' });
    expect(await failure(conn.authorize({ grant_type: JWT_BEARER, assertion: assertion(key, { ...base, exp: 1000 }) }))).toMatchObject({ name: 'invalid_grant' });
  });

  it('refuses the JWT bearer flow for a user not pre-authorised on the app', async () => {
    const err = await failure(jwtLogin('jordan.lee@acme.com'));
    expect(err).toMatchObject({ name: 'invalid_grant', message: "user hasn't approved this consumer" });
  });

  it('mints an access token from a refresh token and counts the use on OauthToken', async () => {
    const oauth2 = new OAuth2({ loginUrl: server.url, clientId: '3MVG9DriftVendorAppConsumerKeyPublished0002' });
    const res = await oauth2.refreshToken(emu.fixtureValue(DRIFT_GRANT)!);
    expect(res.instance_url).toBe(server.url);
    const conn = withToken(res.access_token);
    const rows = await conn.query<{ UseCount: number }>(`SELECT UseCount FROM OauthToken WHERE AppName = 'Drift'`);
    expect(rows.records[0]!.UseCount).toBe(48212);
    const wrongApp = new OAuth2({ loginUrl: server.url, clientId: '3MVG9SalesloftVendorAppConsumerKey000003' });
    expect(await failure(wrongApp.refreshToken(emu.fixtureValue(DRIFT_GRANT)!))).toMatchObject({ name: 'invalid_grant' });
  });

  it('answers an unknown grant type with unsupported_grant_type', async () => {
    const conn = new Connection({ loginUrl: server.url, version: VERSION });
    expect(await failure(conn.authorize({ grant_type: 'password' }))).toMatchObject({ name: 'unsupported_grant_type' });
  });
});

describe('Metadata API (SOAP): profile login IP ranges, and their enforcement', () => {
  const OPEN = [{ startAddress: '0.0.0.0', endAddress: '255.255.255.255', description: 'any address (vendor-hosted integration)' }];
  const NARROW = [
    { startAddress: '192.0.2.0', endAddress: '192.0.2.15', description: 'drift-chat-sync' },
    { startAddress: '203.0.113.64', endAddress: '203.0.113.95' },
  ];

  /** A raw SOAP call, to see the XML itself: jsforce hides it. */
  async function soap(body: string, sessionId: string): Promise<{ status: number; type: string; text: string }> {
    const envelope = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Header xmlns="http://soap.sforce.com/2006/04/metadata"><SessionHeader><sessionId>${sessionId}</sessionId></SessionHeader></soapenv:Header><soapenv:Body xmlns="http://soap.sforce.com/2006/04/metadata">${body}</soapenv:Body></soapenv:Envelope>`;
    const res = await fetch(`${server.url}/services/Soap/m/${VERSION}`, { method: 'POST', headers: { 'content-type': 'text/xml', SOAPAction: '""' }, body: envelope });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  }

  it('reads a profile with readMetadata and lists profiles with listMetadata, by the ids SOQL shows', async () => {
    const conn = await jwtLogin();
    const drift = (await conn.metadata.read('Profile', 'Drift Integration')) as unknown as { fullName: string; custom: boolean; loginIpRanges: unknown[] };
    expect(drift).toMatchObject({ fullName: 'Drift Integration', custom: true, loginIpRanges: OPEN });
    const raw = await soap('<readMetadata><type>Profile</type><fullNames>Drift Integration</fullNames></readMetadata>', conn.accessToken!);
    expect(raw.type).toMatch(/^text\/xml/);
    expect(raw.text).toContain('<readMetadataResponse><result><records xsi:type="Profile"><fullName>Drift Integration</fullName>');
    const listed = await conn.metadata.list({ type: 'Profile' });
    const users = await conn.query<{ Username: string; ProfileId: string; Profile: { Name: string } }>('SELECT Username, ProfileId, Profile.Name FROM User');
    const maria = users.records.find((u) => u.Username === 'maria.chen@acme.com')!;
    expect(listed.find((f) => f.id === maria.ProfileId)).toMatchObject({ fullName: 'Admin', type: 'Profile', fileName: 'profiles/Admin.profile' });
    const driftUser = users.records.find((u) => u.Username === 'drift-integration@acme.com')!;
    expect(driftUser.Profile.Name).toBe('Drift Integration');
    expect(listed.find((f) => f.id === driftUser.ProfileId)?.fullName).toBe('Drift Integration');
    expect(log.list({ operation: 'metadata' }).map((c) => c.status)).toEqual([200, 200, 200]);
  });

  it('replaces the ranges with updateMetadata; a name the org lacks is a nil record on read and INVALID_CROSS_REFERENCE_KEY on update', async () => {
    const conn = await jwtLogin();
    const saved = await conn.metadata.update('Profile', { fullName: 'Drift Integration', loginIpRanges: NARROW } as never);
    expect(saved).toMatchObject({ fullName: 'Drift Integration', success: true });
    expect(emu.profileLoginIpRanges(DRIFT_USER)).toEqual(NARROW);
    expect(((await conn.metadata.read('Profile', 'Drift Integration')) as unknown as { loginIpRanges: unknown[] }).loginIpRanges).toEqual(NARROW);
    // Leaving loginIpRanges out changes nothing (updateMetadata changes what it names).
    expect(await conn.metadata.update('Profile', { fullName: 'Drift Integration' } as never)).toMatchObject({ success: true });
    expect(emu.profileLoginIpRanges(DRIFT_USER)).toEqual(NARROW);
    expect(log.list({ operation: 'metadata' }).at(-1)).toMatchObject({ target: 'Drift Integration', status: 200 });

    const missing = (await conn.metadata.read('Profile', ['No Such Profile'])) as unknown as Array<{ fullName?: string }>;
    expect(missing).toHaveLength(1);
    expect(missing[0]!.fullName).toBeFalsy();
    const refused = await conn.metadata.update('Profile', { fullName: 'No Such Profile', loginIpRanges: NARROW } as never);
    expect(refused).toMatchObject({
      fullName: 'No Such Profile',
      success: false,
      errors: [{ statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'In field: fullName - no Profile named No Such Profile found', fields: ['fullName'] }],
    });
    const bad = await conn.metadata.update('Profile', { fullName: 'Drift Integration', loginIpRanges: [{ startAddress: '10.0.0.9', endAddress: '10.0.0.1' }] } as never);
    expect(bad).toMatchObject({ success: false, errors: [{ statusCode: 'FIELD_INTEGRITY_EXCEPTION' }] });
    expect(emu.profileLoginIpRanges(DRIFT_USER)).toEqual(NARROW);
  });

  it('answers SOAP faults the way jsforce reads them: bad session, no Modify Metadata, a type it does not model', async () => {
    const dead = await soap('<readMetadata><type>Profile</type><fullNames>Admin</fullNames></readMetadata>', 'not-a-session');
    expect(dead.status).toBe(500);
    expect(dead.text).toContain('<faultcode>sf:INVALID_SESSION_ID</faultcode>');
    const drift = await jwtLogin('drift-integration@acme.com');
    expect(await failure(drift.metadata.read('Profile', 'Admin'))).toMatchObject({ errorCode: 'sf:INSUFFICIENT_ACCESS', message: expect.stringMatching(/^INSUFFICIENT_ACCESS: use of the Metadata API requires/) });
    const admin = await jwtLogin();
    expect(await failure(admin.metadata.read('ConnectedApp', 'Drift'))).toMatchObject({ errorCode: 'sf:INVALID_TYPE' });
    expect(await admin.metadata.list({ type: 'ConnectedApp' })).toEqual([]);
  });

  it('refuses logins and token requests from outside the profile\'s ranges through an app that enforces them, and records them in LoginHistory', async () => {
    const admin = await jwtLogin();
    await admin.metadata.update('Profile', { fullName: 'Drift Integration', loginIpRanges: NARROW } as never);
    const drift = new OAuth2({ loginUrl: server.url, clientId: '3MVG9DriftVendorAppConsumerKeyPublished0002' });
    const refresh = (address?: string) =>
      fetch(`${server.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(address ? { 'x-emulator-client-ip': address } : {}) },
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: '3MVG9DriftVendorAppConsumerKeyPublished0002', refresh_token: emu.fixtureValue(DRIFT_GRANT)! }),
      });
    const outside = await refresh('44.215.108.109');
    expect(outside.status).toBe(400);
    expect(await outside.json()).toEqual({ error: 'invalid_grant', error_description: 'ip restricted' });
    expect((await refresh('192.0.2.7')).status).toBe(200);
    // Without the header, the address set for the user (or for everyone) decides; 127.0.0.1 is outside.
    expect(await failure(drift.refreshToken(emu.fixtureValue(DRIFT_GRANT)!))).toMatchObject({ name: 'invalid_grant', message: 'ip restricted' });
    emu.setClientAddress('203.0.113.70', DRIFT_USER);
    await expect(drift.refreshToken(emu.fixtureValue(DRIFT_GRANT)!)).resolves.toMatchObject({ access_token: expect.any(String) });
    emu.setClientAddress(undefined, DRIFT_USER);
    emu.setClientAddress('44.215.108.109');
    // Cordon's own app relaxes IP restrictions (scenario ipRelaxation BYPASS): its JWT bearer login as the Drift user works.
    await expect(jwtLogin('drift-integration@acme.com')).resolves.toBeInstanceOf(Connection);
    // Other users' profiles have no ranges: any address.
    await expect(new OAuth2({ loginUrl: server.url, clientId: '3MVG9SalesloftVendorAppConsumerKey000003' }).refreshToken(emu.fixtureValue('salesloft-sf-grant-integration')!)).resolves.toMatchObject({ access_token: expect.any(String) });
    const history = await admin.query<{ SourceIp: string; Status: string }>(`SELECT SourceIp, Status FROM LoginHistory WHERE UserId = '${DRIFT_USER}' AND Status = 'Restricted IP'`);
    expect(history.records.map((r) => r.SourceIp)).toEqual(['44.215.108.109', '127.0.0.1']);
    // Back to the open range: the leaked grant works from anywhere again.
    await admin.metadata.update('Profile', { fullName: 'Drift Integration', loginIpRanges: OPEN } as never);
    await expect(drift.refreshToken(emu.fixtureValue(DRIFT_GRANT)!)).resolves.toMatchObject({ access_token: expect.any(String) });
  });
});

describe('SOQL query', () => {
  it('lists OauthToken rows with relationship fields, attributes, totalSize and a null Id', async () => {
    const conn = await jwtLogin();
    const res = await conn.query<Record<string, unknown>>(
      `SELECT Id, AppName, UserId, User.Username, UseCount, CreatedDate, DeleteToken FROM OauthToken WHERE UserId = '${DRIFT_USER}' AND AppName IN ('Drift', 'Other') ORDER BY CreatedDate DESC LIMIT 10`,
    );
    expect(res.totalSize).toBe(1);
    expect(res.done).toBe(true);
    const row = res.records[0]!;
    expect(row).toMatchObject({ attributes: { type: 'OauthToken' }, Id: null, AppName: 'Drift', UserId: DRIFT_USER, UseCount: 48211, CreatedDate: '2024-03-11T17:02:33.000+0000' });
    expect(row.User).toEqual({ attributes: { type: 'User', url: `/services/data/v62.0/sobjects/User/${DRIFT_USER}` }, Username: 'drift-integration@acme.com' });
    expect(row.DeleteToken).toBe(emu.deleteTokenOf(DRIFT_GRANT));
    expect(log.list({ operation: 'query' })[0]).toMatchObject({ target: 'OauthToken', status: 200 });
  });

  it('queries AuthSession, User, UserLogin, ConnectedApplication and LoginHistory with datetime filters and COUNT()', async () => {
    const conn = await jwtLogin();
    const sessions = await conn.query<{ Id: string; IsCurrent: boolean; Users: { Username: string } }>(
      `SELECT Id, IsCurrent, Users.Username FROM AuthSession WHERE UsersId = '${DRIFT_USER}' AND SessionType = 'Oauth2'`,
    );
    expect(sessions.records.map((r) => r.Id).sort()).toEqual(['0AkHs000DrftS01AAA', '0AkHs000DrftS02AAA']);
    expect(sessions.records[0]!.IsCurrent).toBe(false);
    const own = await conn.query<{ Id: string }>(`SELECT Id FROM AuthSession WHERE IsCurrent = true`);
    expect(own.totalSize).toBe(1);
    const users = await conn.query<{ Username: string; Profile: { Name: string } }>(`SELECT Username, Profile.Name FROM User WHERE IsActive = false`);
    expect(users.records.map((u) => u.Username)).toEqual(['sam.ortiz.contractor@acme.com']);
    expect(users.records[0]!.Profile.Name).toBe('Standard User');
    const frozen = await conn.query(`SELECT Id, UserId FROM UserLogin WHERE IsFrozen = true`);
    expect(frozen.totalSize).toBe(0);
    // UserLogin.UserId's relationship is User (Object Reference): filtered and selected through it.
    const login = await conn.query<{ UserId: string; User: { Username: string } }>(`SELECT UserId, User.Username FROM UserLogin WHERE User.Username = 'DRIFT-integration@acme.com'`);
    expect(login.records.map((r) => [r.UserId, r.User.Username])).toEqual([[DRIFT_USER, 'drift-integration@acme.com']]);
    const apps = await conn.query<{ Name: string }>(`SELECT Id, Name FROM ConnectedApplication WHERE Name LIKE 'Sales%'`);
    expect(apps.records.map((a) => a.Name)).toEqual(['Salesloft']);
    const logins = await conn.query(`SELECT SourceIp FROM LoginHistory WHERE UserId = '${DRIFT_USER}' AND LoginTime >= 2025-08-12T00:00:00Z AND (SourceIp = '44.215.108.109' OR SourceIp = '208.68.36.90')`);
    expect(logins.totalSize).toBe(2);
    const count = await conn.query(`SELECT COUNT() FROM OauthToken WHERE AppName = 'Drift'`);
    expect(count.totalSize).toBe(2);
    expect(count.records).toEqual([]);
  });

  it('answers bad SOQL with array-shaped errors: MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE', async () => {
    const conn = await jwtLogin();
    expect(await failure(conn.query('SELECT FROM User'))).toMatchObject({ errorCode: 'MALFORMED_QUERY' });
    expect(await failure(conn.query('SELECT Nope FROM User'))).toMatchObject({ errorCode: 'INVALID_FIELD', name: 'INVALID_FIELD' });
    expect(await failure(conn.query('SELECT Id FROM Account__x'))).toMatchObject({ errorCode: 'INVALID_TYPE' });
    expect(log.list({ operation: 'query' }).map((c) => c.status)).toEqual([400, 400, 400]);
  });

  it('shows a non-admin only its own OauthToken rows and hides UserLogin', async () => {
    const res = await new OAuth2({ loginUrl: server.url, clientId: '3MVG9DriftVendorAppConsumerKeyPublished0002' }).refreshToken(emu.fixtureValue('drift-sf-grant-jordan')!);
    const conn = withToken(res.access_token);
    const rows = await conn.query<{ UserId: string }>('SELECT UserId FROM OauthToken');
    expect(rows.records.map((r) => r.UserId)).toEqual([JORDAN]);
    expect(await failure(conn.query('SELECT Id FROM UserLogin'))).toMatchObject({ errorCode: 'INVALID_TYPE' });
  });

  it('caps OauthToken at 2,500 rows and pages the rest with nextRecordsUrl', async () => {
    emu.load(generateSalesforceLoadSection(3000));
    const conn = await jwtLogin();
    const first = await conn.query('SELECT AppName, UserId FROM OauthToken');
    expect(first.totalSize).toBe(2500);
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(2000);
    const more = await conn.queryMore(first.nextRecordsUrl!);
    expect(more.done).toBe(true);
    expect(more.records).toHaveLength(500);
    const filtered = await conn.query(`SELECT COUNT() FROM OauthToken WHERE UserId = '005000000000001AAA'`);
    expect(filtered.totalSize).toBe(10);
  });
});

describe('login audit rows (LoginHistory, LoginEvent)', () => {
  const time = (i: number) => new Date(Date.parse('2026-03-02T10:00:00Z') + Math.floor(i / 2) * 1000).toISOString().replace('Z', '+0000');
  const row = (i: number) => ({ Id: `0YaHs0000000${String(i).padStart(3, '0')}AAA`, UserId: '005Hs000001MchnAAA', LoginTime: time(i), LoginType: 'Remote Access 2.0', Status: 'Success', Application: 'Drift', SourceIp: '44.215.108.21', Browser: 'python-requests/2.31' });

  it('LoginEvent exists only where the org has Event Monitoring', async () => {
    const conn = await jwtLogin();
    expect(await failure(conn.query('SELECT Id FROM LoginEvent'))).toMatchObject({ errorCode: 'INVALID_TYPE' });
    emu.load(SalesforceScenario.parse({ ...scenarioJson, eventMonitoring: true }));
    emu.addAuditRecords([{ object: 'LoginEvent', record: { Id: '0LzHs0000000001AAA', LoginHistoryId: '0YaHs0000000001AAA', EventDate: time(0), UserId: '005Hs000001MchnAAA', SessionKey: 'sk1', Status: 'Success' } }]);
    const events = await (await jwtLogin()).query<{ SessionKey: string; CountryIso: null }>('SELECT SessionKey, CountryIso FROM LoginEvent');
    expect(events.records.map((r) => [r.SessionKey, r.CountryIso])).toEqual([['sk1', null]]);
  });

  it('seeded rows answer SOQL with a time range, ORDER BY two fields and a keyset, once available', async () => {
    const clock = new AuditClock();
    emu.useAuditClock(clock);
    clock.set('2026-03-02T11:00:00Z');
    emu.addAuditRecords([...[3, 0, 2, 1, 4].map((i) => ({ object: 'LoginHistory', record: row(i) })), { object: 'LoginHistory', record: row(5), availableAt: '2026-03-02T12:00:00Z' }]);
    const conn = await jwtLogin();
    const ids = async (where: string) =>
      (await conn.query<{ Id: string }>(`SELECT Id, LoginTime FROM LoginHistory WHERE LoginTime >= 2026-03-02T10:00:00Z AND LoginTime < 2026-03-03T00:00:00Z${where} ORDER BY LoginTime ASC, Id DESC LIMIT 3`)).records.map((r) => r.Id.slice(12, 15));
    expect(await ids('')).toEqual(['001', '000', '003']);
    expect(await ids(` AND (LoginTime > ${'2026-03-02T10:00:01Z'} OR (LoginTime = 2026-03-02T10:00:01Z AND Id < '0YaHs0000000003AAA'))`)).toEqual(['002', '004']);
    clock.set('2026-03-02T12:00:00Z');
    expect(await ids(' AND LoginTime > 2026-03-02T10:00:01Z')).toEqual(['005', '004']);
    expect(() => emu.addAuditRecords([{ object: 'EventLogFile', record: {} }])).toThrow(/salesforce audit records: 0\.object/);
  });
});

describe('revoke endpoint', () => {
  it('revokes a grant by its DeleteToken, ends its access tokens, and answers a repeat with form-encoded invalid_token', async () => {
    const conn = await jwtLogin();
    const attackerToken = emu.fixtureValue(DRIFT_SESSION)!;
    const refreshToken = emu.fixtureValue(DRIFT_GRANT)!;
    await conn.oauth2.revokeToken(emu.deleteTokenOf(DRIFT_GRANT)!);
    const rows = await conn.query(`SELECT AppName FROM OauthToken WHERE UserId = '${DRIFT_USER}'`);
    expect(rows.totalSize).toBe(0);
    // The access tokens minted from the grant died with it, on every endpoint.
    const dead = await failure(withToken(attackerToken).query('SELECT Id FROM User'));
    expect(dead).toMatchObject({ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' });
    expect(await failure(new OAuth2({ loginUrl: server.url, clientId: '3MVG9DriftVendorAppConsumerKeyPublished0002' }).refreshToken(refreshToken))).toMatchObject({
      name: 'invalid_grant',
    });
    const again = await failure(conn.oauth2.revokeToken(refreshToken));
    expect(again).toMatchObject({ name: 'invalid_token' });
    const revokes = log.list({ operation: 'oauth2.revokeToken' });
    expect(revokes.map((c) => [c.status, c.target])).toEqual([
      [200, DRIFT_GRANT],
      [400, undefined],
    ]);
    expect(emu.counts().oauthTokens).toBe(scenarioJson.oauthTokens.length - 1);
    expect(emu.counts().sessions).toBe(scenarioJson.sessions.length - 2 + 1); // two Drift sessions gone, Cordon's own added
  });

  it('revokes a single access token, which then fails with 401 INVALID_SESSION_ID', async () => {
    const token = emu.fixtureValue('0AkHs000SlftS01AAA')!;
    const conn = withToken(token);
    await conn.query('SELECT Id FROM User LIMIT 1');
    await conn.oauth2.revokeToken(token);
    expect(await failure(conn.query('SELECT Id FROM User LIMIT 1'))).toMatchObject({ errorCode: 'INVALID_SESSION_ID' });
  });

  it('lets jsforce refresh once on 401 when it holds a refresh token', async () => {
    const revoked = emu.fixtureValue('0AkHs000DrftS02AAA')!;
    await new Connection({ loginUrl: server.url }).oauth2.revokeToken(revoked);
    const conn = new Connection({
      instanceUrl: server.url,
      accessToken: revoked,
      refreshToken: emu.fixtureValue(DRIFT_GRANT)!,
      oauth2: { loginUrl: server.url, clientId: '3MVG9DriftVendorAppConsumerKeyPublished0002' },
      version: VERSION,
    });
    const res = await conn.query('SELECT Id FROM User LIMIT 1');
    expect(res.totalSize).toBe(1);
    expect(conn.accessToken).not.toBe(revoked);
    expect(log.list({ provider: 'salesforce' }).map((c) => `${c.operation}:${c.status}`)).toEqual([
      'oauth2.revokeToken:200',
      'query:401',
      'oauth2.requestToken:200',
      'query:200',
    ]);
  });
});

describe('sessions, freezing, deactivation', () => {
  it('deletes an AuthSession (204), which ends its token; a second delete is 404 NOT_FOUND', async () => {
    const conn = await jwtLogin();
    const token = emu.fixtureValue(DRIFT_SESSION)!;
    const res = await conn.sobject('AuthSession').destroy(DRIFT_SESSION);
    expect(res).toMatchObject({ id: DRIFT_SESSION, success: true });
    expect(await failure(withToken(token).query('SELECT Id FROM User'))).toMatchObject({ errorCode: 'INVALID_SESSION_ID' });
    expect(await failure(conn.sobject('AuthSession').destroy(DRIFT_SESSION))).toMatchObject({ errorCode: 'NOT_FOUND' });
    expect(log.list({ operation: 'sobjects.AuthSession.delete' }).map((c) => [c.status, c.target])).toEqual([
      [204, DRIFT_SESSION],
      [404, DRIFT_SESSION],
    ]);
  });

  it('deletes AuthSessions through sObject Collections: one DeleteResult per id in order, already deleted and unknown ids answered per record', async () => {
    const conn = await jwtLogin();
    const token = emu.fixtureValue(DRIFT_SESSION)!;
    await conn.sobject('AuthSession').destroy('0AkHs000DrftS02AAA'); // deleted before
    await new OAuth2({ loginUrl: server.url }).revokeToken(emu.deleteTokenOf('salesloft-sf-grant-integration')!); // ends 0AkHs000SlftS01AAA with it
    const ids = [DRIFT_SESSION, '0AkHs000DrftS02AAA', '0AkHs000SlftS01AAA', '0AkHs000NoneS01AAA', 'not-an-id', '0AkHs000MchnU01AAA'];
    const deleted = { success: false, errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }] };
    const results = await conn.sobject('AuthSession').destroy(ids, { allOrNone: false });
    expect(results).toEqual([
      { id: DRIFT_SESSION, success: true, errors: [] },
      { id: '0AkHs000DrftS02AAA', ...deleted },
      { id: '0AkHs000SlftS01AAA', ...deleted },
      { id: '0AkHs000NoneS01AAA', success: false, errors: [{ statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: [] }] },
      { id: 'not-an-id', success: false, errors: [{ statusCode: 'MALFORMED_ID', message: 'malformed id not-an-id', fields: [] }] },
      { id: '0AkHs000MchnU01AAA', success: true, errors: [] },
    ]);
    expect(await failure(withToken(token).query('SELECT Id FROM User'))).toMatchObject({ errorCode: 'INVALID_SESSION_ID' });
    expect(log.list({ operation: 'composite.sobjects.delete' }).map((c) => [c.method, c.status, c.target])).toEqual([['DELETE', 200, ids.join(',')]]);
    // Every seeded session has ended; only Cordon's own login is left.
    expect(emu.counts().sessions).toBe(1);
  });

  it('rolls the whole collection back with allOrNone=true and refuses more than 200 ids', async () => {
    const conn = await jwtLogin();
    const results = await conn.sobject('AuthSession').destroy([DRIFT_SESSION, '0AkHs000NoneS01AAA'], { allOrNone: true }).catch((err: unknown) => err);
    // jsforce asks with allOrNone=true; the org answers 200 with every record failed and nothing deleted.
    expect(results).toEqual([
      { id: DRIFT_SESSION, success: false, errors: [expect.objectContaining({ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' })] },
      { id: '0AkHs000NoneS01AAA', success: false, errors: [expect.objectContaining({ statusCode: 'INVALID_CROSS_REFERENCE_KEY' })] },
    ]);
    expect(emu.fixtureValue(DRIFT_SESSION)).toBeDefined();
    const tooMany = Array.from({ length: 201 }, (_, i) => `0AkHs000Bulk${String(i).padStart(3, '0')}AAA`);
    expect(await failure(conn.request({ method: 'DELETE', url: `/services/data/v${VERSION}/composite/sobjects?ids=${tooMany.join(',')}` }))).toMatchObject({
      errorCode: 'EXCEEDED_ID_LIMIT',
    });
  });

  it('freezes a user through UserLogin (idempotent 204): its tokens and the JWT flow stop working until unfrozen', async () => {
    const conn = await jwtLogin();
    const login = await conn.query<{ Id: string }>(`SELECT Id FROM UserLogin WHERE UserId = '${DRIFT_USER}'`);
    const loginId = login.records[0]!.Id;
    const token = emu.fixtureValue(DRIFT_SESSION)!;
    expect(await conn.sobject('UserLogin').update({ Id: loginId, IsFrozen: true })).toMatchObject({ success: true });
    expect(await conn.sobject('UserLogin').update({ Id: loginId, IsFrozen: true })).toMatchObject({ success: true });
    expect(await failure(withToken(token).query('SELECT Id FROM User'))).toMatchObject({ errorCode: 'INVALID_SESSION_ID' });
    expect(await failure(jwtLogin('drift-integration@acme.com'))).toMatchObject({ name: 'invalid_grant' });
    const frozen = await conn.query(`SELECT UserId FROM UserLogin WHERE IsFrozen = true`);
    expect(frozen.records).toEqual([expect.objectContaining({ UserId: DRIFT_USER })]);
    await conn.sobject('UserLogin').update({ Id: loginId, IsFrozen: false });
    expect((await withToken(token).query('SELECT Id FROM User LIMIT 1')).totalSize).toBe(1);
    expect(log.list({ operation: 'sobjects.UserLogin.update' }).every((c) => c.status === 204 && c.target === DRIFT_USER)).toBe(true);
  });

  it('refuses bad UserLogin updates with the real error codes', async () => {
    const conn = await jwtLogin();
    expect(await failure(conn.sobject('UserLogin').update({ Id: `0Yw${DRIFT_USER.slice(3)}`, Bogus: true }))).toMatchObject({ errorCode: 'INVALID_FIELD' });
    expect(await failure(conn.sobject('UserLogin').update({ Id: '0YwHs000009NoneAAA', IsFrozen: true }))).toMatchObject({ errorCode: 'NOT_FOUND' });
    expect(await failure(conn.sobject('UserLogin').update({ Id: '0YwHs000002CrdnAAA', IsFrozen: true }))).toMatchObject({ errorCode: 'FIELD_INTEGRITY_EXCEPTION' });
  });

  it('deactivates a user with PATCH User IsActive=false', async () => {
    const conn = await jwtLogin();
    expect(await conn.sobject('User').update({ Id: DRIFT_USER, IsActive: false })).toMatchObject({ success: true });
    const user = await conn.sobject('User').retrieve(DRIFT_USER);
    expect(user).toMatchObject({ IsActive: false, Username: 'drift-integration@acme.com' });
    expect(await failure(jwtLogin('drift-integration@acme.com'))).toMatchObject({ name: 'invalid_grant', message: 'inactive user' });
  });

  it('denies a non-admin freezing a user or ending another user\'s session', async () => {
    const res = await new OAuth2({ loginUrl: server.url, clientId: '3MVG9DriftVendorAppConsumerKeyPublished0002' }).refreshToken(emu.fixtureValue('drift-sf-grant-jordan')!);
    const conn = withToken(res.access_token);
    expect(await failure(conn.sobject('UserLogin').update({ Id: `0Yw${DRIFT_USER.slice(3)}`, IsFrozen: true }))).toMatchObject({
      errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
    });
    expect(await failure(conn.sobject('AuthSession').destroy(DRIFT_SESSION))).toMatchObject({ errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY' });
  });
});

describe('limits, versions, faults', () => {
  it('sends Sforce-Limit-Info on every REST answer, which jsforce parses into conn.limitInfo', async () => {
    const conn = await jwtLogin();
    await conn.query('SELECT Id FROM User LIMIT 1');
    expect(conn.limitInfo.apiUsage).toEqual({ used: 61235, limit: 100000 });
    const limits = await conn.limits();
    expect(limits.DailyApiRequests).toEqual({ Max: 100000, Remaining: 100000 - 61236 });
    const versions = await conn.request<Array<{ version: string }>>('/services/data/');
    expect(versions.map((v) => v.version)).toContain('62.0');
  });

  it('answers past the daily limit with 403 REQUEST_LIMIT_EXCEEDED', async () => {
    emu.load({ ...scenario, apiRequestLimit: 2, apiRequestsUsed: 0 });
    const conn = await jwtLogin();
    await conn.query('SELECT Id FROM User LIMIT 1');
    await conn.query('SELECT Id FROM User LIMIT 1');
    const err = await failure(conn.query('SELECT Id FROM User LIMIT 1'));
    expect(err).toMatchObject({ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' });
  });

  it('answers unknown versions and paths with array-shaped 404s', async () => {
    const conn = await jwtLogin();
    expect(await failure(conn.request('/services/data/v12.0/limits'))).toMatchObject({ errorCode: 'NOT_FOUND' });
    expect(await failure(conn.request('/services/data/v62.0/nothing/here'))).toMatchObject({ errorCode: 'NOT_FOUND' });
  });

  it('makes injected faults look real to jsforce', async () => {
    const conn = await jwtLogin();
    faults.add({ provider: 'salesforce', operation: 'query', type: 'rate_limited', retryAfterSec: 30, times: 1 });
    expect(await failure(conn.query('SELECT Id FROM User'))).toMatchObject({ errorCode: 'REQUEST_LIMIT_EXCEEDED' });
    faults.add({ provider: 'salesforce', operation: 'sobjects.UserLogin.update', type: 'unavailable', status: 503 });
    expect(await failure(conn.sobject('UserLogin').update({ Id: `0Yw${DRIFT_USER.slice(3)}`, IsFrozen: true }))).toMatchObject({ errorCode: 'SERVER_UNAVAILABLE' });
    faults.clear();
    faults.add({ provider: 'salesforce', operation: 'query', type: 'unauthorized', times: 1 });
    expect(await failure(conn.query('SELECT Id FROM User'))).toMatchObject({ errorCode: 'INVALID_SESSION_ID' });
    // jsforce retries a GET on 503 by itself; one injected 503 is absorbed and the log shows both calls.
    faults.add({ provider: 'salesforce', operation: 'query', type: 'unavailable', status: 503, times: 1 });
    expect((await conn.query('SELECT Id FROM User LIMIT 1')).totalSize).toBe(1);
    const queries = log.list({ operation: 'query' });
    expect(queries.map((c) => [c.status, c.fault])).toEqual([
      [403, 'rate_limited'],
      [401, 'unauthorized'],
      [503, 'unavailable'],
      [200, undefined],
    ]);
    // The frozen-user write never happened: the fault answered instead.
    expect((await conn.query(`SELECT Id FROM UserLogin WHERE IsFrozen = true`)).totalSize).toBe(0);
  });
});
