// The Google emulator under the REAL googleapis and google-auth-library clients: rootUrl points
// at the emulator, and the JWT client's hard-coded token URL is redirected by a request
// interceptor on its own gaxios transporter (google-auth-library docs), with no global patching.
import { createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { google } from 'googleapis';
import { JWT } from 'google-auth-library';
import { startTenant, type Tenant } from '../tenant.ts';
import { selfSignedCertificate } from './certificate.ts';
import { Scenario } from '../scenario.ts';
import type { GoogleEmulator } from './emulator.ts';
import { CORDON_GOOGLE_SCOPES, generateGoogleLoadSection, GoogleScenario } from './scenario.ts';

const REAL_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const scenarioDir = new URL('../scenarios/salesloft-drift/', import.meta.url);
const drift = Scenario.parse({
  ...JSON.parse(readFileSync(new URL('scenario.json', scenarioDir), 'utf8')),
  google: JSON.parse(readFileSync(new URL('google.json', scenarioDir), 'utf8')),
});
const section = drift.google!;

const DRIFT_CLIENT = '482715630127-drift9c1kq2.apps.googleusercontent.com';
const INTEGRATION = 'drift-integration@acme.example';
const CORDON_KEY = 'projects/acme-security-ops/serviceAccounts/cordon@acme-security-ops.iam.gserviceaccount.com/keys/3f1c9a07d2e84b6a90c1f5e2d7a8b3c4e5f60718';
const DRIFT_SA = 'projects/acme-integrations/serviceAccounts/drift-sync@acme-integrations.iam.gserviceaccount.com';
const DRIFT_KEY = `${DRIFT_SA}/keys/9a2b7c4d1e0f5a6b3c8d9e2f1a0b7c6d5e4f3a21`;

let tenant: Tenant;
let emulator: GoogleEmulator;
let base: string;

/** A real JWT client whose token requests land on the emulator's /token. */
function jwtFor(keyFile: Record<string, string>, options: { subject?: string; scopes?: readonly string[] } = {}): JWT {
  const jwt = new JWT({
    email: keyFile.client_email,
    key: keyFile.private_key,
    scopes: [...(options.scopes ?? CORDON_GOOGLE_SCOPES)],
    ...(options.subject ? { subject: options.subject } : {}),
  });
  jwt.transporter.interceptors.request.add({
    resolved: async (request) => {
      if (request.url.href === REAL_TOKEN_URL) {
        request.url = new URL(`${base}/token`);
        request.retry = false;
        request.retryConfig = { retry: 0 };
      }
      return request;
    },
  });
  return jwt;
}

function cordonJwt(subject = section.cordonSubject!): JWT {
  return jwtFor(emulator.keyFile(CORDON_KEY), { subject });
}

function clients(auth: JWT) {
  const common = { rootUrl: `${base}/`, auth: auth as never, retry: false } as const;
  return {
    directory: google.admin({ version: 'directory_v1', ...common }),
    reports: google.admin({ version: 'reports_v1', ...common }),
    iam: google.iam({ version: 'v1', ...common }),
  };
}

/** The status and Google error body of a rejected SDK call. */
async function failure(promise: Promise<unknown>): Promise<{ status: number; data: any; message: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { status?: number; response?: { status: number; data: unknown }; message: string };
    return { status: e.response?.status ?? e.status ?? 0, data: e.response?.data, message: e.message };
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  tenant = await startTenant({ scenario: drift });
  emulator = tenant.emulators.google;
  base = tenant.urls.google;
});
afterAll(async () => tenant?.close());
beforeEach(() => tenant.reset());

describe('scenario', () => {
  it('seeds exactly what the section file holds', () => {
    const counts = tenant.counts().google;
    for (const key of ['users', 'tokens', 'asps', 'verificationCodes', 'sessions', 'projects', 'serviceAccounts', 'serviceAccountKeys', 'tokenEvents'] as const)
      expect(counts[key], key).toBe(section[key].length);
  });

  it.each(['salesloft-drift', 'circleci', 'cloudflare-okta'])('%s: the shipped section loads with its counts and Cordon identity', (name) => {
    const dir = new URL(`../scenarios/${name}/`, import.meta.url);
    const google = GoogleScenario.parse(JSON.parse(readFileSync(new URL('google.json', dir), 'utf8')));
    emulator.load(google);
    const counts = emulator.counts();
    expect(counts.tokens).toBe(google.tokens.length);
    expect(counts.serviceAccountKeys).toBe(google.serviceAccountKeys.length);
    expect(counts.users).toBe(google.users.length);
    expect(emulator.connection()?.subject).toBe(google.cordonSubject);
  });

  it('connection() hands out the scenario\'s own key and the admin it impersonates', () => {
    const connection = emulator.connection()!;
    expect(connection).toMatchObject({ rootUrl: `${base}/`, tokenUrl: `${base}/token`, subject: 'cordon-admin@acme.example', customerId: section.customer.id });
    expect(connection.projects).toEqual(section.projects.map((p) => p.projectId));
    expect(connection.keyFile.private_key_id).toBe('3f1c9a07d2e84b6a90c1f5e2d7a8b3c4e5f60718');
  });

  it('generates a deterministic load section of the requested size', () => {
    const a = GoogleScenario.parse(generateGoogleLoadSection(1000));
    const b = GoogleScenario.parse(generateGoogleLoadSection(1000));
    expect(a).toEqual(b);
    expect(a.tokens.length + a.asps.length + a.serviceAccountKeys.filter((k) => !k.cordonOwn).length).toBe(1000);
    emulator.load(a);
    expect(emulator.counts().tokens).toBe(a.tokens.length);
  });
});

describe('OAuth token endpoint (JWT bearer, domain-wide delegation)', () => {
  it('issues a token the Directory accepts', async () => {
    const { directory } = clients(cordonJwt());
    const user = await directory.users.get({ userKey: INTEGRATION });
    expect(user.data).toMatchObject({ kind: 'admin#directory#user', primaryEmail: INTEGRATION, suspended: false });
    expect(tenant.calls({ provider: 'google', operation: 'oauth2.token' })[0]).toMatchObject({ status: 200, credential: CORDON_KEY });
  });

  it('rejects an unknown subject and scopes outside the delegation', async () => {
    const ghost = await failure(cordonJwt('ghost@acme.example').getAccessToken());
    expect(ghost.status).toBe(400);
    expect(ghost.data).toEqual({ error: 'invalid_grant', error_description: 'Invalid email or User ID' });
    const wider = jwtFor(emulator.keyFile(CORDON_KEY), { subject: 'cordon-admin@acme.example', scopes: ['https://www.googleapis.com/auth/gmail.readonly'] });
    const unauthorized = await failure(wider.getAccessToken());
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.message).toMatch(/^unauthorized_client: Client is unauthorized/);
  });

  it('refuses a deleted or disabled key with "Invalid JWT Signature."', async () => {
    const leaked = emulator.keyFile(DRIFT_KEY);
    const attacker = () => jwtFor(leaked, { scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
    expect((await attacker().getAccessToken()).token).toMatch(/^ya29\./);
    const { iam } = clients(cordonJwt());
    await iam.projects.serviceAccounts.keys.disable({ name: DRIFT_KEY, requestBody: {} });
    expect((await failure(attacker().getAccessToken())).message).toBe('invalid_grant: Invalid JWT Signature.');
    await iam.projects.serviceAccounts.keys.enable({ name: DRIFT_KEY, requestBody: {} });
    expect((await attacker().getAccessToken()).token).toMatch(/^ya29\./);
    await iam.projects.serviceAccounts.keys.delete({ name: DRIFT_KEY });
    const dead = await failure(attacker().getAccessToken());
    expect(dead.status).toBe(400);
    expect(dead.data).toEqual({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
  });

  it('kills access tokens minted from a key once the key is deleted', async () => {
    const attacker = jwtFor(emulator.keyFile(DRIFT_KEY), { scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
    const { token } = await attacker.getAccessToken();
    await clients(cordonJwt()).iam.projects.serviceAccounts.keys.delete({ name: DRIFT_KEY });
    const res = await fetch(`${base}/v1/${DRIFT_SA}/keys`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
  });
});

describe('Directory', () => {
  it('users.list pages through the customer and omits nothing', async () => {
    const { directory } = clients(cordonJwt());
    const first = await directory.users.list({ customer: 'my_customer', maxResults: 4 });
    expect(first.data.users).toHaveLength(4);
    const second = await directory.users.list({ customer: 'my_customer', maxResults: 4, pageToken: first.data.nextPageToken! });
    expect(second.data.users).toHaveLength(section.users.length - 4);
    expect(second.data.nextPageToken).toBeUndefined();
    const offboarded = second.data.users!.find((u) => u.primaryEmail === 'jon.bell@acme.example');
    expect(offboarded).toMatchObject({ suspended: true, archived: true });
  });

  it('users.get answers 404 notFound in the legacy envelope for an unknown user', async () => {
    const { directory } = clients(cordonJwt());
    const res = await failure(directory.users.get({ userKey: 'nobody@acme.example' }));
    expect(res.status).toBe(404);
    expect(res.data.error).toMatchObject({ code: 404, message: 'Resource Not Found: userKey', errors: [{ reason: 'notFound', domain: 'global' }] });
  });

  it('accepts the immutable numeric id as userKey', async () => {
    const { directory } = clients(cordonJwt());
    const user = await directory.users.get({ userKey: '104857300000000000003' });
    expect(user.data.primaryEmail).toBe(INTEGRATION);
  });

  it('tokens list/get/delete: one delete kills the grant, a repeat is 404, the refresh token dies', async () => {
    const { directory, reports } = clients(cordonJwt());
    const listed = await directory.tokens.list({ userKey: INTEGRATION });
    expect(listed.data.items).toEqual([expect.objectContaining({ kind: 'admin#directory#token', clientId: DRIFT_CLIENT, displayText: 'Drift' })]);
    // The vendor still refreshes fine before containment.
    const refresh = () =>
      fetch(`${base}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: DRIFT_CLIENT, refresh_token: '1//0drift-integration-refresh-9f2c7a1e' }),
      });
    const before = await refresh();
    expect(before.status).toBe(200);
    const vendorAccess = ((await before.json()) as { access_token: string }).access_token;
    expect((await directory.tokens.get({ userKey: INTEGRATION, clientId: DRIFT_CLIENT })).data.scopes).toContain('https://www.googleapis.com/auth/gmail.readonly');

    const deleted = await directory.tokens.delete({ userKey: INTEGRATION, clientId: DRIFT_CLIENT });
    expect(deleted.status).toBe(204);
    expect(deleted.data).toBe('');
    expect((await failure(directory.tokens.delete({ userKey: INTEGRATION, clientId: DRIFT_CLIENT }))).status).toBe(404);
    expect((await failure(directory.tokens.get({ userKey: INTEGRATION, clientId: DRIFT_CLIENT }))).data.error.errors[0].reason).toBe('notFound');
    const after = await directory.tokens.list({ userKey: INTEGRATION });
    expect(after.data).not.toHaveProperty('items');
    expect(after.data.kind).toBe('admin#directory#tokenList');
    const again = await refresh();
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    const revokeAccess = await fetch(`${base}/revoke?token=${vendorAccess}`, { method: 'POST' });
    expect(revokeAccess.status).toBe(400);
    // The revoke shows up in the token audit log.
    const events = await reports.activities.list({ userKey: INTEGRATION, applicationName: 'token', eventName: 'revoke' });
    expect(events.data.items?.[0]?.events?.[0]).toMatchObject({ name: 'revoke', parameters: expect.arrayContaining([{ name: 'client_id', value: DRIFT_CLIENT }]) });
    expect(tenant.calls({ operation: 'tokens.delete' })[0]).toMatchObject({ status: 204, credential: CORDON_KEY, target: 'grant-drift-integration' });
  });

  it('asps list/get/delete with int64 times as strings', async () => {
    const { directory } = clients(cordonJwt());
    const asps = await directory.asps.list({ userKey: INTEGRATION });
    const asp = asps.data.items![0]!;
    expect(asp).toMatchObject({ kind: 'admin#directory#asp', codeId: 7301, creationTime: String(Date.parse('2023-03-14T09:30:00.000Z')) });
    expect(typeof asp.lastTimeUsed).toBe('string');
    expect((await directory.asps.get({ userKey: INTEGRATION, codeId: 7301 })).data.name).toBe('Drift IMAP mailbox sync');
    expect((await directory.asps.delete({ userKey: INTEGRATION, codeId: 7301 })).status).toBe(204);
    expect((await failure(directory.asps.get({ userKey: INTEGRATION, codeId: 7301 }))).status).toBe(404);
    expect((await directory.asps.list({ userKey: INTEGRATION })).data.items).toBeUndefined();
  });

  it('a repeated asps.delete answers the shape the test picks (undocumented: 404 notFound by default)', async () => {
    const { directory } = clients(cordonJwt());
    expect((await directory.asps.delete({ userKey: INTEGRATION, codeId: 7301 })).status).toBe(204);
    const repeat = async () => {
      const f = await failure(directory.asps.delete({ userKey: INTEGRATION, codeId: 7301 }));
      return [f.status, f.data.error.errors[0].reason];
    };
    expect(await repeat()).toEqual([404, 'notFound']);
    const expected = { gone410: [410, 'deleted'], notFound400: [400, 'notFound'], invalid400: [400, 'invalid'], notFound404: [404, 'notFound'] } as const;
    for (const [shape, answer] of Object.entries(expected)) {
      emulator.state.aspGoneAnswer = shape as keyof typeof expected;
      expect(await repeat()).toEqual(answer);
    }
    tenant.reset();
    expect(emulator.state.aspGoneAnswer).toBe('notFound404');
  });

  it('users.patch changePasswordAtNextLogin is kept and shown, and a non-boolean is 400 invalid', async () => {
    const { directory } = clients(cordonJwt());
    expect((await directory.users.get({ userKey: INTEGRATION })).data.changePasswordAtNextLogin).toBe(false);
    const patched = await directory.users.patch({ userKey: INTEGRATION, requestBody: { changePasswordAtNextLogin: true } });
    expect(patched.data).toMatchObject({ changePasswordAtNextLogin: true, suspended: false });
    expect((await directory.users.get({ userKey: INTEGRATION })).data.changePasswordAtNextLogin).toBe(true);
    const bad = await failure(directory.users.patch({ userKey: INTEGRATION, requestBody: { changePasswordAtNextLogin: 'yes' as never } }));
    expect([bad.status, bad.data.error.errors[0].reason]).toEqual([400, 'invalid']);
    // The flag does not end sessions: that is users.signOut's business.
    expect(emulator.counts().sessions).toBe(2);
  });

  it('verificationCodes list/generate/invalidate; invalidate fails for a suspended user', async () => {
    const { directory } = clients(cordonJwt());
    expect((await directory.verificationCodes.list({ userKey: INTEGRATION })).data.items).toHaveLength(2);
    expect((await directory.verificationCodes.generate({ userKey: INTEGRATION })).status).toBe(204);
    const codes = (await directory.verificationCodes.list({ userKey: INTEGRATION })).data.items!;
    expect(codes).toHaveLength(10);
    expect(codes[0]!.verificationCode).toMatch(/^\d{8}$/);
    expect((await directory.verificationCodes.invalidate({ userKey: INTEGRATION })).status).toBe(204);
    expect((await directory.verificationCodes.list({ userKey: INTEGRATION })).data.items).toBeUndefined();
    await directory.users.patch({ userKey: INTEGRATION, requestBody: { suspended: true } });
    expect((await failure(directory.verificationCodes.invalidate({ userKey: INTEGRATION }))).status).toBe(400);
  });

  it('users.signOut ends sessions (204, idempotent) and keeps OAuth grants', async () => {
    const { directory } = clients(cordonJwt());
    const sessions = () => emulator.counts().sessions;
    expect(sessions()).toBe(2);
    expect((await directory.users.signOut({ userKey: INTEGRATION })).status).toBe(204);
    expect((await directory.users.signOut({ userKey: INTEGRATION })).status).toBe(204);
    expect(sessions()).toBe(1);
    expect((await directory.tokens.list({ userKey: INTEGRATION })).data.items).toHaveLength(1);
  });

  it('suspension (PUT or PATCH) is idempotent and stops the user’s tokens working', async () => {
    const { directory } = clients(cordonJwt());
    const exchange = () =>
      fetch(`${base}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: '1//0drift-marco-refresh-5be01d77' }),
      });
    expect((await exchange()).status).toBe(200);
    const patched = await directory.users.patch({ userKey: 'marco.ruiz@acme.example', requestBody: { suspended: true } });
    expect(patched.data).toMatchObject({ suspended: true, suspensionReason: 'ADMIN' });
    const updated = await directory.users.update({ userKey: 'marco.ruiz@acme.example', requestBody: { suspended: true } });
    expect(updated.data.suspended).toBe(true);
    expect((await exchange()).status).toBe(400);
  });

  it('answers 401 authError for an unknown bearer and 403 forbidden for a non-admin subject', async () => {
    const res = await fetch(`${base}/admin/directory/v1/users/${INTEGRATION}`, { headers: { authorization: 'Bearer ya29.forged' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 401, errors: [{ reason: 'authError', message: 'Invalid Credentials' }] } });
    const asMarco = clients(cordonJwt('marco.ruiz@acme.example'));
    const forbidden = await failure(asMarco.directory.users.get({ userKey: INTEGRATION }));
    expect(forbidden.status).toBe(403);
    expect(forbidden.data.error.errors[0].reason).toBe('forbidden');
  });
});

describe('Reports', () => {
  it('lists token events newest first, filtered by event and client', async () => {
    const { reports } = clients(cordonJwt());
    const all = await reports.activities.list({ userKey: 'all', applicationName: 'token' });
    expect(all.data.items).toHaveLength(section.tokenEvents.length);
    const times = all.data.items!.map((a) => a.id!.time!);
    expect([...times].sort().reverse()).toEqual(times);
    const driftActivity = await reports.activities.list({ userKey: INTEGRATION, applicationName: 'token', eventName: 'activity', filters: `client_id==${DRIFT_CLIENT}` });
    expect(driftActivity.data.items!.map((a) => a.ipAddress)).toEqual(['185.220.101.34', '185.220.101.34']);
    expect(driftActivity.data.items![0]!.actor).toMatchObject({ email: INTEGRATION, profileId: '104857300000000000003' });
    const none = await reports.activities.list({ userKey: 'all', applicationName: 'token', startTime: '2030-01-01T00:00:00Z' });
    expect(none.data.items).toBeUndefined();
    // The kinds real answers carry, not the discovery document's reports#activities / audit#activity.
    expect(all.data.kind).toBe('admin#reports#activities');
    expect(none.data.kind).toBe('admin#reports#activities');
    expect(new Set(all.data.items!.map((a) => a.kind))).toEqual(new Set(['admin#reports#activity']));
  });
});

describe('Reports: seeded activities', () => {
  const activity = (application: string, i: number, name: string, extra: Record<string, unknown> = {}, parameters: Record<string, unknown>[] = []) => ({
    kind: 'admin#reports#activity',
    id: { time: new Date(Date.parse('2026-03-02T10:00:00Z') + i * 60_000).toISOString(), uniqueQualifier: String(9000 + i), applicationName: application, customerId: 'C00000000' },
    actor: { email: i % 2 ? 'someone@elsewhere.example' : INTEGRATION, callerType: 'USER' },
    ipAddress: `203.0.113.${i}`,
    events: [{ type: 'auth', name, parameters }],
    ...extra,
  });

  it('serves them per application, newest first, filtered and paged, each once its availableAt passes', async () => {
    tenant.setAuditTime('2026-03-02T11:00:00Z');
    emulator.addAuditRecords([
      ...[0, 1, 2, 3].map((i) => ({ record: activity('token', i, 'activity', {}, [{ name: 'client_id', value: DRIFT_CLIENT }, { name: 'api_name', value: i < 2 ? 'gmail' : 'drive' }, { name: 'num_response_bytes', intValue: '10' }]) })),
      { record: activity('login', 4, 'login_success') },
      { record: activity('token', 5, 'authorize', {}, [{ name: 'client_id', value: DRIFT_CLIENT }]), availableAt: '2026-03-02T12:00:00Z' },
    ]);
    const { reports } = clients(cordonJwt());
    const list = async (params: Record<string, unknown>) =>
      ((await reports.activities.list({ userKey: 'all', applicationName: 'token', startTime: '2026-03-02T00:00:00Z', ...params })).data.items ?? []).map((a) => a.id!.uniqueQualifier);
    expect(await list({})).toEqual(['9003', '9002', '9001', '9000']);
    expect(await list({ applicationName: 'login' })).toEqual(['9004']);
    expect(await list({ filters: 'api_name==gmail' })).toEqual(['9001', '9000']);
    expect(await list({ actorIpAddress: '203.0.113.2' })).toEqual(['9002']);
    expect(await list({ endTime: '2026-03-02T10:01:00Z' })).toEqual(['9001', '9000']);
    expect(await list({ userKey: INTEGRATION })).toEqual(['9002', '9000']);
    expect(await list({ eventName: 'authorize' })).toEqual([]);
    const page = await reports.activities.list({ userKey: 'all', applicationName: 'token', startTime: '2026-03-02T00:00:00Z', maxResults: 3 });
    expect(page.data.items!.map((a) => a.id!.uniqueQualifier)).toEqual(['9003', '9002', '9001']);
    const rest = await reports.activities.list({ userKey: 'all', applicationName: 'token', startTime: '2026-03-02T00:00:00Z', maxResults: 3, pageToken: page.data.nextPageToken! });
    expect(rest.data.items!.map((a) => a.id!.uniqueQualifier)).toEqual(['9000']);
    expect(rest.data.nextPageToken).toBeUndefined();
    expect((await failure(reports.activities.list({ userKey: 'all', applicationName: 'token', maxResults: 0 }))).status).toBe(400);
    tenant.setAuditTime('2026-03-02T12:00:00Z');
    expect(await list({ eventName: 'authorize' })).toEqual(['9005']);
  });
});

describe('IAM', () => {
  it('keys list/get/create/disable/enable/delete with real state', async () => {
    const { iam } = clients(cordonJwt());
    const listed = await iam.projects.serviceAccounts.keys.list({ name: DRIFT_SA, keyTypes: ['USER_MANAGED'] });
    expect(listed.data.keys).toEqual([expect.objectContaining({ name: DRIFT_KEY, keyType: 'USER_MANAGED' })]);
    const created = await iam.projects.serviceAccounts.keys.create({ name: DRIFT_SA, requestBody: {} });
    const keyFile = JSON.parse(Buffer.from(created.data.privateKeyData!, 'base64').toString('utf8'));
    expect(keyFile).toMatchObject({ type: 'service_account', client_email: 'drift-sync@acme-integrations.iam.gserviceaccount.com', private_key_id: created.data.name!.split('/').pop() });
    // The new key really signs.
    expect((await jwtFor(keyFile, { scopes: ['https://www.googleapis.com/auth/cloud-platform'] }).getAccessToken()).token).toMatch(/^ya29\./);
    const got = await iam.projects.serviceAccounts.keys.get({ name: created.data.name! });
    expect(got.data).not.toHaveProperty('privateKeyData');
    expect(got.data).not.toHaveProperty('publicKeyData'); // publicKeyType defaults to TYPE_NONE
    const pem = await iam.projects.serviceAccounts.keys.get({ name: created.data.name!, publicKeyType: 'TYPE_X509_PEM_FILE' });
    const cert = new X509Certificate(Buffer.from(pem.data.publicKeyData!, 'base64').toString('utf8'));
    expect(cert.verify(createPublicKey(createPrivateKey(keyFile.private_key)))).toBe(true);
    expect(pem.data.keyOrigin).toBe('GOOGLE_PROVIDED');
    expect((await iam.projects.serviceAccounts.keys.disable({ name: DRIFT_KEY, requestBody: {} })).data).toEqual({});
    expect((await iam.projects.serviceAccounts.keys.disable({ name: DRIFT_KEY, requestBody: {} })).status).toBe(200);
    expect((await iam.projects.serviceAccounts.keys.get({ name: DRIFT_KEY })).data.disabled).toBe(true);
    expect((await iam.projects.serviceAccounts.keys.delete({ name: DRIFT_KEY })).data).toEqual({});
    const twice = await failure(iam.projects.serviceAccounts.keys.delete({ name: DRIFT_KEY }));
    expect(twice.status).toBe(404);
    expect(twice.data.error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
    expect(twice.data.error).not.toHaveProperty('errors');
    const after = await iam.projects.serviceAccounts.keys.list({ name: DRIFT_SA });
    expect(after.data.keys!.map((k) => k.name)).toEqual([created.data.name]);
  });

  it('keys.upload: the uploaded certificate is the key (USER_PROVIDED), signs, and comes back from keys.get', async () => {
    const { iam } = clients(cordonJwt());
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const certificatePem = selfSignedCertificate('cordon-replacement:test', pair.privateKey, pair.publicKey);
    const up = await iam.projects.serviceAccounts.keys.upload({ name: DRIFT_SA, requestBody: { publicKeyData: Buffer.from(certificatePem).toString('base64') } });
    expect(up.data).toMatchObject({ keyOrigin: 'USER_PROVIDED', keyType: 'USER_MANAGED', validBeforeTime: '9999-12-31T23:59:59Z' });
    expect(up.data).not.toHaveProperty('privateKeyData');
    const back = await iam.projects.serviceAccounts.keys.get({ name: up.data.name!, publicKeyType: 'TYPE_X509_PEM_FILE' });
    expect(new X509Certificate(Buffer.from(back.data.publicKeyData!, 'base64').toString('utf8')).subject).toBe('CN=cordon-replacement:test');
    const keyFile = { client_email: 'drift-sync@acme-integrations.iam.gserviceaccount.com', private_key: privateKeyPem };
    expect((await jwtFor(keyFile, { scopes: ['https://www.googleapis.com/auth/cloud-platform'] }).getAccessToken()).token).toMatch(/^ya29\./);
    const bad = await failure(iam.projects.serviceAccounts.keys.upload({ name: DRIFT_SA, requestBody: { publicKeyData: Buffer.from('not a certificate').toString('base64') } }));
    expect(bad.status).toBe(400);
    expect(bad.data.error.status).toBe('INVALID_ARGUMENT');
    emulator.state.keyUploadDisabled = true;
    const refused = await failure(iam.projects.serviceAccounts.keys.upload({ name: DRIFT_SA, requestBody: { publicKeyData: Buffer.from(certificatePem).toString('base64') } }));
    expect(refused.status).toBe(400);
    expect(refused.data.error.details[0].violations[0].type).toBe('constraints/iam.disableServiceAccountKeyUpload');
  });

  it('403 PERMISSION_DENIED for an unknown service account or a caller without the role', async () => {
    const { iam } = clients(cordonJwt());
    const unknown = await failure(iam.projects.serviceAccounts.keys.list({ name: 'projects/acme-integrations/serviceAccounts/nope@acme-integrations.iam.gserviceaccount.com' }));
    expect(unknown.status).toBe(403);
    expect(unknown.data.error.status).toBe('PERMISSION_DENIED');
    const outsider = jwtFor(emulator.keyFile(DRIFT_KEY), { scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
    const denied = await failure(clients(outsider).iam.projects.serviceAccounts.keys.list({ name: DRIFT_SA }));
    expect(denied.status).toBe(403);
    expect(denied.message).toMatch(/iam\.serviceAccountKeys\.list/);
  });

  it('refuses an eleventh user-managed key with FAILED_PRECONDITION', async () => {
    const { iam } = clients(cordonJwt());
    for (let i = 0; i < 9; i++) await iam.projects.serviceAccounts.keys.create({ name: DRIFT_SA, requestBody: {} });
    const res = await failure(iam.projects.serviceAccounts.keys.create({ name: DRIFT_SA, requestBody: {} }));
    expect(res.status).toBe(400);
    expect(res.data.error.status).toBe('FAILED_PRECONDITION');
  });

  it('serviceAccounts list/get/disable: a disabled account cannot mint tokens', async () => {
    const { iam } = clients(cordonJwt());
    const accounts = await iam.projects.serviceAccounts.list({ name: 'projects/acme-integrations' });
    expect(accounts.data.accounts!.map((a) => a.email)).toEqual(['drift-sync@acme-integrations.iam.gserviceaccount.com']);
    const viaWildcard = await iam.projects.serviceAccounts.get({ name: 'projects/-/serviceAccounts/113920044718200000002' });
    expect(viaWildcard.data.oauth2ClientId).toBe('113920044718200000002');
    await iam.projects.serviceAccounts.disable({ name: DRIFT_SA, requestBody: {} });
    const attacker = jwtFor(emulator.keyFile(DRIFT_KEY), { scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
    expect((await failure(attacker.getAccessToken())).data.error).toBe('invalid_grant');
  });
});

describe('faults', () => {
  it('a rate-limit fault reaches the SDK as 403 userRateLimitExceeded with a RetryInfo delay, not retried', async () => {
    const { directory } = clients(cordonJwt());
    await directory.users.get({ userKey: INTEGRATION }); // token fetched before the fault
    tenant.injectFault({ provider: 'google', operation: 'tokens.list', type: 'rate_limited', retryAfterSec: 7, times: 1 });
    const res = await failure(directory.tokens.list({ userKey: INTEGRATION }));
    expect(res.status).toBe(403);
    expect(res.data.error.errors[0].reason).toBe('userRateLimitExceeded');
    expect(res.data.error.details[0]).toEqual({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' });
    expect(tenant.calls({ operation: 'tokens.list' })).toHaveLength(1);
    expect((await directory.tokens.list({ userKey: INTEGRATION })).status).toBe(200);
  });

  it('a 5xx fault is a backendError; gaxios retries GETs unless told not to', async () => {
    tenant.injectFault({ provider: 'google', operation: 'users.get', type: 'unavailable', status: 503, times: 2 });
    const auth = cordonJwt();
    const noRetry = await failure(clients(auth).directory.users.get({ userKey: INTEGRATION }));
    expect(noRetry.status).toBe(503);
    expect(noRetry.data.error.errors[0].reason).toBe('backendError');
    // The SDK default (retry on) survives the remaining fault.
    const withRetry = google.admin({ version: 'directory_v1', rootUrl: `${base}/`, auth: auth as never });
    const res = await withRetry.users.get({ userKey: INTEGRATION }, { retryConfig: { retryDelay: 1, retry: 3 } });
    expect(res.status).toBe(200);
    expect(tenant.calls({ operation: 'users.get' }).map((c) => c.status)).toEqual([503, 503, 200]);
  });
});
