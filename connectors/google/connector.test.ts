// The Google connector on the real googleapis / google-auth-library clients against the local
// tenant's Google emulator, loaded with the salesloft-drift scenario.
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalTenant, type LocalTenant } from '../../emulators/tenant.ts';
import { Scenario } from '../../emulators/scenario.ts';
import type { GoogleEmulator } from '../../emulators/google/emulator.ts';
import type { Credential, Principal } from '../../schemas/credential.ts';
import type { Secret } from '../../logging/secret.ts';
import type { CredentialSink, DeliveredReplacement } from '../sinks/types.ts';
import { ConnectorError, type Connector } from '../types.ts';
import { createGoogleConnector, GoogleConnectorConfig } from './connector.ts';
import { credentialIds } from './ids.ts';

const scenarioDir = new URL('../../emulators/scenarios/salesloft-drift/', import.meta.url);
const drift = Scenario.parse({
  ...JSON.parse(readFileSync(new URL('scenario.json', scenarioDir), 'utf8')),
  google: JSON.parse(readFileSync(new URL('google.json', scenarioDir), 'utf8')),
});

const DRIFT_CLIENT = '482715630127-drift9c1kq2.apps.googleusercontent.com';
const INTEGRATION = 'drift-integration@acme.example';
const DRIFT_SA_EMAIL = 'drift-sync@acme-integrations.iam.gserviceaccount.com';
const DRIFT_KEY_ID = '9a2b7c4d1e0f5a6b3c8d9e2f1a0b7c6d5e4f3a21';
const DRIFT_KEY = `projects/acme-integrations/serviceAccounts/${DRIFT_SA_EMAIL}/keys/${DRIFT_KEY_ID}`;
const CORDON_KEY = 'projects/acme-security-ops/serviceAccounts/cordon@acme-security-ops.iam.gserviceaccount.com/keys/3f1c9a07d2e84b6a90c1f5e2d7a8b3c4e5f60718';
const DRIFT_REFRESH = '1//0drift-integration-refresh-9f2c7a1e';

let tenant: LocalTenant;
let emulator: GoogleEmulator;
let connector: Connector;

/** A tiny in-memory sink: keeps the first delivery per key, like the contract says. */
class MemorySink implements CredentialSink {
  readonly values = new Map<string, string>();
  readonly deliveries = new Map<string, DeliveredReplacement>();
  async deliver(input: { idempotencyKey: string; replacementId: string; consumer: { id: string }; value: Secret }): Promise<DeliveredReplacement> {
    const existing = this.deliveries.get(input.idempotencyKey);
    if (existing) return existing;
    const { fingerprintOf } = await import('../fingerprint.ts');
    const value = input.value.reveal();
    const out = { replacementId: input.replacementId, fingerprint: fingerprintOf(value), location: `local:${input.consumer.id}` };
    this.values.set(input.idempotencyKey, value);
    this.deliveries.set(input.idempotencyKey, out);
    return out;
  }
  async lookup(idempotencyKey: string): Promise<DeliveredReplacement | undefined> {
    return this.deliveries.get(idempotencyKey);
  }
}

async function rejection(promise: Promise<unknown>): Promise<ConnectorError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectorError);
    return err as ConnectorError;
  }
  throw new Error('expected a ConnectorError');
}

async function grantCredential(): Promise<Credential> {
  const report = await connector.identify({ provider: 'google', kind: 'oauth_grant', clientId: DRIFT_CLIENT, user: INTEGRATION });
  return report.credentials[0]!;
}

async function keyCredential(id = DRIFT_KEY): Promise<Credential> {
  const report = await connector.identify({ provider: 'google', kind: 'service_account_key', id });
  return report.credentials[0]!;
}

beforeAll(async () => {
  tenant = await startLocalTenant({ scenario: drift });
  emulator = tenant.emulators.google as unknown as GoogleEmulator;
});
afterAll(async () => tenant?.close());
beforeEach(() => {
  tenant.reset();
  // A fresh connector per test: reset() forgets the access tokens the last one cached.
  connector = createGoogleConnector(GoogleConnectorConfig.fromEnv(tenant.connectorEnv()));
});

describe('config', () => {
  it('names the missing or bad variable, never its value', () => {
    const env = tenant.connectorEnv();
    expect(() => GoogleConnectorConfig.fromEnv({ ...env, CORDON_GOOGLE_SUBJECT: '' })).toThrow(/^CORDON_GOOGLE_SUBJECT is not set/);
    expect(() => GoogleConnectorConfig.fromEnv({ ...env, CORDON_GOOGLE_CREDENTIALS_JSON: undefined })).toThrow(/^CORDON_GOOGLE_CREDENTIALS_JSON is not set/);
    const bad = (() => {
      try {
        GoogleConnectorConfig.fromEnv({ ...env, CORDON_GOOGLE_CREDENTIALS_JSON: '{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY----- secret"}' });
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expect(bad).toMatch(/^CORDON_GOOGLE_CREDENTIALS_JSON: not a service-account key file/);
    expect(bad).not.toContain('secret');
    expect(JSON.stringify(GoogleConnectorConfig.fromEnv(env).credentials)).not.toContain('PRIVATE KEY');
  });
});

describe('identify', () => {
  it('finds a grant with Reports times, inventory consumers and the integration user', async () => {
    const report = await connector.identify({ provider: 'google', kind: 'oauth_grant', clientId: DRIFT_CLIENT, user: INTEGRATION });
    expect(report.credentials).toHaveLength(1);
    const grant = report.credentials[0]!;
    expect(grant).toMatchObject({
      id: credentialIds.grant(INTEGRATION, DRIFT_CLIENT),
      kind: 'oauth_grant',
      clientId: DRIFT_CLIENT,
      createdAt: '2023-03-14T09:20:00.000Z',
      lastUsedAt: '2025-08-12T03:51:40.000Z',
      principal: { id: INTEGRATION, type: 'integration_user', status: 'active' },
      selfOrLastAdmin: false,
    });
    expect(grant.scopes).toContain('https://www.googleapis.com/auth/gmail.readonly');
    expect(grant.consumers.map((c) => c.id)).toEqual(['drift-chat-sync', 'drift-lead-router']);
    expect(report.riskFlags).toContain(`${grant.id} is shared by 2 consumers`);
    expect(report.relatedServiceAccounts.map((p) => p.id)).toEqual([INTEGRATION]);
    expect(report.blindSpots.join(' ')).toMatch(/no id, issue time or last-use time/);
  });

  it('walks every user when only the client id is known', async () => {
    const report = await connector.identify({ provider: 'google', kind: 'oauth_grant', clientId: DRIFT_CLIENT });
    expect(report.credentials.map((c) => c.principal.id).sort()).toEqual([INTEGRATION, 'marco.ruiz@acme.example']);
  });

  it('finds a service-account key from the leaked key file, by bare key id, and flags Cordon’s own key', async () => {
    const leaked = JSON.stringify(emulator.keyFile(DRIFT_KEY));
    const byFile = await connector.identify({ provider: 'google', kind: 'service_account_key', leakedValue: leaked });
    expect(byFile.credentials.map((c) => c.id)).toEqual([DRIFT_KEY]);
    expect(byFile.credentials[0]!.principal).toMatchObject({ id: DRIFT_SA_EMAIL, type: 'service_account' });
    expect(byFile.credentials[0]!.consumers).toHaveLength(2);
    const byKeyId = await connector.identify({ provider: 'google', kind: 'service_account_key', keyId: DRIFT_KEY_ID });
    expect(byKeyId.credentials.map((c) => c.id)).toEqual([DRIFT_KEY]);
    const own = await connector.identify({ provider: 'google', kind: 'service_account_key', id: CORDON_KEY });
    expect(own.credentials[0]!.selfOrLastAdmin).toBe(true);
  });

  it('not found: an unknown user is not_found; a deleted key is reported, not an error', async () => {
    const err = await rejection(connector.identify({ provider: 'google', kind: 'oauth_grant', clientId: DRIFT_CLIENT, user: 'ghost@acme.example' }));
    expect(err.kind).toBe('not_found');
    expect(err.retryable).toBe(false);
    const gone = await connector.identify({ provider: 'google', kind: 'service_account_key', id: DRIFT_KEY.replace(DRIFT_KEY_ID, 'f'.repeat(40)) });
    expect(gone.credentials).toEqual([]);
    expect(gone.riskFlags[0]).toMatch(/does not exist/);
  });

  it('permission denied: IAM answers 403 for a service account Cordon cannot see', async () => {
    const err = await rejection(connector.identify({ provider: 'google', kind: 'service_account_key', keyId: DRIFT_KEY_ID, user: 'ghost@acme-integrations.iam.gserviceaccount.com' }));
    expect(err.kind).toBe('permission');
    expect(err.options.status).toBe(403);
  });
});

describe('revoke, replace, verify', () => {
  it('revokes a grant (done, then already_done) and the stolen refresh token dies', async () => {
    const grant = await grantCredential();
    expect(await connector.probe(grant, DRIFT_REFRESH)).toBe('alive');
    expect(await connector.revoke(grant)).toMatchObject({ outcome: 'done' });
    expect(await connector.revoke(grant)).toMatchObject({ outcome: 'already_done' });
    expect(await connector.probe(grant, DRIFT_REFRESH)).toBe('dead');
    const active = await connector.listActive(grant.principal);
    expect(active.map((c) => c.id)).not.toContain(grant.id);
    expect(tenant.calls({ provider: 'google', operation: 'tokens.delete' }).map((c) => c.status)).toEqual([204, 404]);
  });

  it('probes a stolen access token: alive before, dead once the grant is revoked', async () => {
    const grant = await grantCredential();
    const stolen = await fetch(`${tenant.urls.google}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: DRIFT_CLIENT, refresh_token: DRIFT_REFRESH }),
    });
    const accessToken = ((await stolen.json()) as { access_token: string }).access_token;
    expect(await connector.probe(grant, accessToken)).toBe('alive');
    await connector.revoke(grant);
    expect(await connector.probe(grant, accessToken)).toBe('dead');
    expect(await connector.probe(grant, 'not-a-google-token')).toBe('unknown');
  });

  it('replaces a key for each consumer after revoking it, idempotently, through the sink', async () => {
    const key = await keyCredential();
    const leaked = JSON.stringify(emulator.keyFile(DRIFT_KEY));
    expect(await connector.probe(key, leaked)).toBe('alive');
    expect(await connector.revoke(key)).toMatchObject({ outcome: 'done' });
    expect(await connector.probe(key, leaked)).toBe('dead');
    const sink = new MemorySink();
    const [first, second] = key.consumers;
    const a = await connector.replace(key, first!, `wf-1|${key.id}|${first!.id}`, sink);
    const again = await connector.replace(key, first!, `wf-1|${key.id}|${first!.id}`, sink);
    const b = await connector.replace(key, second!, `wf-1|${key.id}|${second!.id}`, sink);
    expect(again).toEqual(a);
    expect(b.replacementId).not.toBe(a.replacementId);
    expect(a.fingerprint).toMatch(/^[0-9a-f]{12}$/);
    expect(a.sink).toBe('local:drift-chat-sync');
    // Exactly two keys minted, both after the revoke was acknowledged (I1).
    const creates = tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.create' });
    expect(creates).toHaveLength(2);
    const deleted = tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.delete' })[0]!;
    expect(creates.every((c) => c.seq > deleted.seq)).toBe(true);
    // The delivered value is a working key file; the only active keys are the replacements.
    const delivered = sink.values.get(`wf-1|${key.id}|${first!.id}`)!;
    expect(JSON.parse(delivered).private_key_id).toBe(a.replacementId.split('/').pop());
    expect(await connector.probe({ ...key, id: a.replacementId }, delivered)).toBe('alive');
    const active = await connector.listActive(key.principal);
    expect(active.map((c) => c.id).sort()).toEqual([a.replacementId, b.replacementId].sort());
  });

  it('declares what Google cannot do: no grant replacement, no app blocking', async () => {
    const grant = await grantCredential();
    expect((await rejection(connector.replace(grant, grant.consumers[0]!, 'k', new MemorySink()))).kind).toBe('unsupported');
    expect(connector.capabilities.has('blockApp')).toBe(false);
    expect((await rejection(connector.blockApp(grant))).kind).toBe('unsupported');
  });

  it('refuses to delete Cordon’s own key (I6)', async () => {
    const own = await keyCredential(CORDON_KEY);
    expect((await rejection(connector.revoke(own))).kind).toBe('invalid');
    expect(tenant.calls({ operation: 'projects.serviceAccounts.keys.delete' })).toHaveLength(0);
  });
});

describe('force re-auth, restrict, fallbacks, audit', () => {
  it('forceReauth on a user: sessions ended, app passwords deleted, backup codes invalidated', async () => {
    const principal = (await grantCredential()).principal;
    const before = emulator.counts();
    const r = await connector.forceReauth(principal, []);
    expect(r.outcome).toBe('done');
    const after = emulator.counts();
    expect(after.sessions).toBe(before.sessions! - 1);
    expect(after.asps).toBe(0);
    expect(after.verificationCodes).toBe(0);
    // OAuth grants are not sessions: they stay until revoked.
    expect(after.tokens).toBe(before.tokens);
  });

  it('forceReauth on a service account keeps the listed replacement and Cordon’s key', async () => {
    const key = await keyCredential();
    const sink = new MemorySink();
    const replacement = await connector.replace(key, key.consumers[0]!, 'wf-2|k|c', sink);
    const r = await connector.forceReauth(key.principal, [replacement.replacementId]);
    expect(r).toMatchObject({ outcome: 'done', detail: '1 keys deleted' });
    expect((await connector.listActive(key.principal)).map((c) => c.id)).toEqual([replacement.replacementId]);
    expect(emulator.state.keys.has(CORDON_KEY)).toBe(true);
  });

  it('restrict disables a key (reversible), then answers already_done', async () => {
    const key = await keyCredential();
    expect(await connector.restrict(key, { kind: 'ip_allowlist', values: ['10.0.0.0/8'] })).toMatchObject({ outcome: 'done' });
    expect(await connector.restrict(key, { kind: 'ip_allowlist', values: ['10.0.0.0/8'] })).toMatchObject({ outcome: 'already_done' });
    expect(await connector.probe(key, JSON.stringify(emulator.keyFile(DRIFT_KEY)))).toBe('dead');
    expect(await connector.listActive(key.principal)).toEqual([]);
  });

  it('revokeAllForClient deletes the client’s grants for every user', async () => {
    const grant = await grantCredential();
    const r = await connector.revokeAllForClient(grant);
    expect(r).toMatchObject({ outcome: 'done', detail: `2 of ${drift.google!.users.length} users had a grant to ${DRIFT_CLIENT}` });
    expect(await connector.revokeAllForClient(grant)).toMatchObject({ outcome: 'already_done' });
    expect(emulator.counts().tokens).toBe(1);
  });

  it('suspendPrincipal suspends once, refuses Cordon’s admin', async () => {
    const marco: Principal = { id: 'marco.ruiz@acme.example', displayName: 'Marco Ruiz', type: 'user', status: 'active' };
    expect(await connector.suspendPrincipal(marco)).toMatchObject({ outcome: 'done' });
    expect(await connector.suspendPrincipal(marco)).toMatchObject({ outcome: 'already_done' });
    expect(emulator.state.user(marco.id)!.status).toBe('suspended');
    const cordon: Principal = { id: 'cordon-admin@acme.example', displayName: 'Cordon', type: 'user', status: 'active' };
    expect((await rejection(connector.suspendPrincipal(cordon))).kind).toBe('invalid');
  });

  it('audit reads the token log since a time', async () => {
    const principal = (await grantCredential()).principal;
    const events = await connector.audit(principal, '2025-08-01T00:00:00Z');
    expect(events.map((e) => e.at)).toEqual(['2025-08-12T03:51:40.000Z', '2025-08-08T11:05:12.000Z']);
    expect(events[0]).toMatchObject({ action: 'token.activity', credentialId: credentialIds.grant(INTEGRATION, DRIFT_CLIENT) });
    expect(events[0]!.detail).toContain('185.220.101.34');
  });
});

describe('errors', () => {
  it('rate limited: retryable with Google’s delay, and no SDK-internal retry', async () => {
    tenant.injectFault({ provider: 'google', operation: 'tokens.list', type: 'rate_limited', retryAfterSec: 7, times: 1 });
    const err = await rejection(connector.listActive({ id: INTEGRATION, displayName: '', type: 'user', status: 'active' }));
    expect(err.kind).toBe('rate_limited');
    expect(err.retryable).toBe(true);
    expect(err.options.retryAfterMs).toBe(7000);
    // Nothing of Cordon's own credentials may ride along in the error, whatever logs it (I5).
    expect(inspect(err, { depth: 20 })).not.toMatch(/ya29\.|Bearer|PRIVATE KEY/);
    expect(tenant.calls({ operation: 'tokens.list' })).toHaveLength(1);
  });

  it('5xx: unavailable, retryable, one request only', async () => {
    tenant.injectFault({ provider: 'google', operation: 'projects.serviceAccounts.keys.delete', type: 'unavailable', status: 503 });
    const key = await keyCredential();
    const err = await rejection(connector.revoke(key));
    expect(err.kind).toBe('unavailable');
    expect(err.retryable).toBe(true);
    expect(tenant.calls({ operation: 'projects.serviceAccounts.keys.delete' })).toHaveLength(1);
  });

  it('expired auth: a 401 from the API and a dead own key are both auth, not retryable', async () => {
    tenant.injectFault({ provider: 'google', operation: 'users.get', type: 'unauthorized', times: 1 });
    const err = await rejection(connector.identify({ provider: 'google', kind: 'session', user: INTEGRATION }));
    expect(err.kind).toBe('auth');
    expect(err.retryable).toBe(false);
    emulator.state.keys.get(CORDON_KEY)!.disabled = true;
    const fresh = createGoogleConnector(GoogleConnectorConfig.fromEnv(tenant.connectorEnv()));
    const dead = await rejection(fresh.identify({ provider: 'google', kind: 'session', user: INTEGRATION }));
    expect(dead.kind).toBe('auth');
    expect(dead.message).toMatch(/invalid_grant: Invalid JWT Signature\./);
  });

  it('timeout: a call that does not answer in time is a retryable timeout', async () => {
    const env = { ...tenant.connectorEnv(), CORDON_GOOGLE_TIMEOUT_MS: '300' };
    const slow = createGoogleConnector(GoogleConnectorConfig.fromEnv(env));
    tenant.injectFault({ provider: 'google', operation: 'users.get', type: 'timeout', times: 1 });
    const err = await rejection(slow.identify({ provider: 'google', kind: 'session', user: INTEGRATION }));
    expect(err.kind).toBe('timeout');
    expect(err.retryable).toBe(true);
  });
});
