// The Google connector on the real googleapis / google-auth-library clients against the local
// tenant's Google emulator, loaded with the salesloft-drift scenario.
import { X509Certificate } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Scenario, type GoogleEmulator, readScenarioFile } from '@cordon/emulators';
import { startLocalTenant, type LocalTenant } from '../../local-tenant/tenant.ts';
import type { Credential, Principal } from '../../schemas/credential.ts';
import type { Secret } from '../../logging/secret.ts';
import type { CredentialSink, DeliveredReplacement } from '../sinks/types.ts';
import { ConnectorError } from '../types.ts';
import { assertCan, capabilitiesOf } from '../capabilities.ts';
import { createGoogleConnector, GoogleConnectorConfig, type GoogleConnector } from './connector.ts';
import { credentialIds } from './ids.ts';
import { generateUploadableKey } from './uploaded-key.ts';
import { mostInFlight } from '../../test/support/in-flight.ts';
import { racingSinks } from '../../test/support/racing-sinks.ts';

const drift = Scenario.parse({
  ...(readScenarioFile('salesloft-drift', 'scenario') as object),
  google: readScenarioFile('salesloft-drift', 'google'),
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
let connector: GoogleConnector;

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
    const before = tenant.calls().length;
    const byKeyId = await connector.identify({ provider: 'google', kind: 'service_account_key', keyId: DRIFT_KEY_ID });
    expect(byKeyId.credentials.map((c) => c.id)).toEqual([DRIFT_KEY]);
    // The same key and account as found by the key file, from the listings alone: no keys.get or serviceAccounts.get
    // after them (each would be one more round before the revoke).
    expect(byKeyId.credentials).toEqual(byFile.credentials);
    expect(byKeyId.relatedServiceAccounts).toEqual(byFile.relatedServiceAccounts);
    const reads = tenant.calls().slice(before).map((c) => c.operation);
    expect(reads).toContain('projects.serviceAccounts.keys.list');
    expect(reads.filter((op) => op === 'projects.serviceAccounts.keys.get' || op === 'projects.serviceAccounts.get')).toEqual([]);
    const own = await connector.identify({ provider: 'google', kind: 'service_account_key', id: CORDON_KEY });
    expect(own.credentials[0]!.selfOrLastAdmin).toBe(true);
  });

  it('searches for a bare key id in every project and account side by side, not one account after the other', async () => {
    // The drift key's account is in the second project: searched one after the other, its listing would come
    // two rounds after the first project's (accounts, then keys, then the next project's accounts, then keys).
    tenant.injectFault({ provider: 'google', type: 'latency', latencyMs: 400 });
    const { result: report, most } = await mostInFlight(
      tenant,
      { provider: 'google', operation: 'projects.serviceAccounts.keys.list' },
      connector.identify({ provider: 'google', kind: 'service_account_key', keyId: DRIFT_KEY_ID }),
    );
    expect(report.credentials.map((c) => c.id)).toEqual([DRIFT_KEY]);
    const reads = tenant.calls({ provider: 'google' }).filter((c) => c.operation.startsWith('projects.serviceAccounts.'));
    expect(reads.map((c) => c.operation)).toEqual([
      'projects.serviceAccounts.list',
      'projects.serviceAccounts.list',
      'projects.serviceAccounts.keys.list',
      'projects.serviceAccounts.keys.list',
    ]);
    // Both accounts' keys listed side by side: held by the injected delay together.
    expect(most).toBe(2);
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
    // Exactly two keys minted (uploaded, each labelled by its certificate), both after the revoke was acknowledged (I1).
    const creates = tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.upload' });
    expect(creates).toHaveLength(2);
    expect(tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.create' })).toHaveLength(0);
    const deleted = tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.delete' })[0]!;
    expect(creates.every((c) => c.seq > deleted.seq)).toBe(true);
    // The delivered value is a working key file; the only active keys are the replacements.
    const delivered = sink.values.get(`wf-1|${key.id}|${first!.id}`)!;
    expect(JSON.parse(delivered).private_key_id).toBe(a.replacementId.split('/').pop());
    expect(await connector.probe({ ...key, id: a.replacementId }, delivered)).toBe('alive');
    const active = await connector.listActive(key.principal);
    expect(active.map((c) => c.id).sort()).toEqual([a.replacementId, b.replacementId].sort());
  });

  /** An attempt that dies between its upload and its delivery: the key it uploaded (the orphan) and what a retry is given. */
  async function interruptedAttempt(run: string) {
    const key = await keyCredential();
    const consumer = key.consumers[0]!;
    const idem = `${run}|${key.id}|${consumer.id}`;
    const dying = new MemorySink();
    dying.deliver = async () => {
      throw new Error('worker lost');
    };
    await expect(connector.replace(key, consumer, idem, dying)).rejects.toThrow('worker lost');
    const orphan = [...emulator.state.keys.entries()].find(([, k]) => k.uploadedCertificatePem)![0];
    return { key, consumer, idem, orphan };
  }

  it('a retry finds the key an interrupted attempt uploaded and never delivered, deletes it, and leaves every other key alone', async () => {
    const { key, consumer, idem, orphan } = await interruptedAttempt('wf-crash');
    // Meanwhile someone else adds keys to the account: one by keys.create, one by an upload of their own.
    const account = emulator.state.account(DRIFT_SA_EMAIL)!;
    const [theirs] = emulator.state.mintKey(account);
    const theirCert = new X509Certificate((await generateUploadableKey('ops-team-key')).certificatePem);
    const [theirUpload] = emulator.state.uploadKey(account, theirCert.toString(), theirCert.publicKey.export({ type: 'spki', format: 'pem' }).toString(), new Date());
    // The retry, on a healthy sink: one new key is delivered, then the orphan goes.
    const sink = new MemorySink();
    const issued = await connector.replace(key, consumer, idem, sink);
    expect(issued.note).toContain(orphan);
    expect(emulator.state.keys.has(orphan)).toBe(false);
    for (const k of [DRIFT_KEY, theirs, theirUpload, issued.replacementId]) expect(emulator.state.keys.has(k)).toBe(true);
    const deletes = tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.delete' });
    expect(deletes.map((d) => d.target)).toEqual([orphan]);
    // What was delivered is a working key file for the new key.
    const delivered = JSON.parse(sink.values.get(idem)!) as Record<string, string>;
    expect(delivered).toMatchObject({ type: 'service_account', project_id: 'acme-integrations', client_email: DRIFT_SA_EMAIL, private_key_id: issued.replacementId.split('/').pop() });
    expect(await connector.probe({ ...key, id: issued.replacementId }, JSON.stringify(delivered))).toBe('alive');
  });

  it('two attempts at once: the delivery kept is the consumer\'s key, the other attempt deletes its own, and nothing the consumer holds is deleted', async () => {
    const key = await keyCredential();
    const consumer = key.consumers[0]!;
    const idem = `wf-race|${key.id}|${consumer.id}`;
    // The first attempt outlived its timeout: it delivers only once the retry beside it has uploaded too.
    const uploads = () => tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.upload' }).length;
    const before = uploads();
    const { first, second, kept } = racingSinks(() => uploads() >= before + 2);
    const [a, b] = await Promise.all([connector.replace(key, consumer, idem, first, { firstClaim: true }), connector.replace(key, consumer, idem, second)]);
    const held = kept.get(idem)!;
    // The key the consumer holds is live; the losing attempt's upload is gone; the original key is untouched.
    expect(emulator.state.keys.has(held.replacementId)).toBe(true);
    expect(await connector.probe({ ...key, id: held.replacementId }, held.value)).toBe('alive');
    const uploaded = [...emulator.state.keys.entries()].filter(([, k]) => k.uploadedCertificatePem).map(([name]) => name);
    expect(uploaded).toEqual([held.replacementId]);
    expect(emulator.state.keys.has(DRIFT_KEY)).toBe(true);
    expect([a.replacementId, b.replacementId]).toEqual([held.replacementId, held.replacementId]);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(b.note).toMatch(/another attempt of this replacement delivered first/);
  });

  it('an attempt that finds an earlier one\'s delivery kept deletes the uploads that attempt died before deleting', async () => {
    const { key, consumer, idem, orphan } = await interruptedAttempt('wf-late');
    // The next attempt delivers (kept) and dies before deleting the orphan (played by a first claim, which deletes nothing).
    const sink = new MemorySink();
    const kept = await connector.replace(key, consumer, idem, sink, { firstClaim: true });
    expect(emulator.state.keys.has(orphan)).toBe(true);
    const again = await connector.replace(key, consumer, idem, sink);
    expect(again.replacementId).toBe(kept.replacementId);
    expect(again.note).toContain(orphan);
    expect(emulator.state.keys.has(orphan)).toBe(false);
    expect(emulator.state.keys.has(kept.replacementId)).toBe(true);
  });

  it('at the ten-key limit, a retry deletes the key an interrupted attempt uploaded before uploading its own; a first claim says what to do', async () => {
    const { key, consumer, idem, orphan } = await interruptedAttempt('wf-full');
    const account = emulator.state.account(DRIFT_SA_EMAIL)!;
    const userManaged = () => emulator.state.keysOf(account).filter(([, k]) => k.keyType === 'USER_MANAGED').length;
    while (userManaged() < 10) emulator.state.mintKey(account);
    // A first claim has no earlier attempt's key to free: refused, with what to do.
    const full = await rejection(connector.replace(key, key.consumers[1] ?? consumer, `wf-full-2|${key.id}`, new MemorySink(), { firstClaim: true }));
    expect(full.kind).toBe('conflict');
    expect(full.message).toMatch(/ten user-managed keys Google allows; delete one/);
    // The retry frees the orphan's slot, uploads, and delivers; the account is still at ten.
    const sink = new MemorySink();
    const issued = await connector.replace(key, consumer, idem, sink);
    expect(emulator.state.keys.has(orphan)).toBe(false);
    expect(emulator.state.keys.has(issued.replacementId)).toBe(true);
    expect(issued.note).toContain(orphan);
    expect(userManaged()).toBe(10);
    expect(await connector.probe({ ...key, id: issued.replacementId }, sink.values.get(idem)!)).toBe('alive');
  });

  it('where an organization policy forbids key uploads, falls back to keys.create and says what that costs', async () => {
    const key = await keyCredential();
    emulator.state.keyUploadDisabled = true;
    const issued = await connector.replace(key, key.consumers[0]!, `wf-policy|${key.id}`, new MemorySink());
    expect(issued.note).toMatch(/iam\.disableServiceAccountKeyUpload.*no label/);
    expect(tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.create' }).filter((c) => c.status === 200)).toHaveLength(1);
    expect(emulator.state.keys.has(issued.replacementId)).toBe(true);
  });

  it('declares what Google cannot do: no grant replacement, no app blocking', async () => {
    const grant = await grantCredential();
    expect((await rejection(connector.replace(grant, grant.consumers[0]!, 'k', new MemorySink()))).kind).toBe('unsupported');
    expect(capabilitiesOf(connector)).not.toContain('blockApp');
    expect(() => assertCan(connector, 'blockApp')).toThrow(/^google: cannot blockApp: the Admin console's app access control \(API controls\) has no public API/);
  });

  it('refuses to delete Cordon’s own key (I6)', async () => {
    const own = await keyCredential(CORDON_KEY);
    expect((await rejection(connector.revoke(own))).kind).toBe('invalid');
    expect(tenant.calls({ operation: 'projects.serviceAccounts.keys.delete' })).toHaveLength(0);
  });
});

describe('force re-auth, restrict, fallbacks, audit', () => {
  it('forceReauth on a user: sessions ended, the listed app passwords deleted, backup codes invalidated', async () => {
    const principal = (await grantCredential()).principal;
    const scope = await connector.reauthScope(principal);
    expect(scope.credentials.map((c) => c.id)).toEqual([credentialIds.asp(INTEGRATION, 7301)]);
    expect(scope.credentials[0]!.consumers.map((c) => c.id)).toEqual(['drift-lead-router']);
    expect(scope.effects).toEqual([
      expect.stringMatching(/^signs out every web and mobile session/),
      'requires a new password at next sign-in (users.patch changePasswordAtNextLogin)',
      'invalidates backup verification codes',
    ]);
    expect(tenant.calls({ provider: 'google' }).filter((c) => c.method !== 'GET' && c.operation !== 'oauth2.token')).toEqual([]); // read-only
    const before = emulator.counts();
    const r = await connector.forceReauth(principal, scope.credentials);
    expect(r).toMatchObject({ outcome: 'done', detail: 'signed out; new password required at next sign-in; 1 of 1 app passwords deleted; backup codes invalidated' });
    expect(emulator.state.passwordChangeRequired.has(INTEGRATION)).toBe(true);
    // The password flag is set before the sign-out, so no sign-in in between reuses the old password.
    const [patch] = tenant.calls({ provider: 'google', operation: 'users.patch' });
    const [signOut] = tenant.calls({ provider: 'google', operation: 'users.signOut' });
    expect(patch!.seq).toBeLessThan(signOut!.seq);
    const after = emulator.counts();
    expect(after.sessions).toBe(before.sessions! - 1);
    expect(after.asps).toBe(0);
    expect(after.verificationCodes).toBe(0);
    // OAuth grants are not sessions: they stay until revoked.
    expect(after.tokens).toBe(before.tokens);
  });

  it('reauthScope of a user lists only its app passwords; forceReauth deletes exactly the subset it is given', async () => {
    const asp = (codeId: number, userKey: string) => ({ codeId, userKey, name: `app ${codeId}`, creationTime: '2025-01-02T03:04:05.000Z', consumers: [] });
    emulator.state.asps.push(asp(7302, INTEGRATION), asp(7303, INTEGRATION), asp(7401, 'marco.ruiz@acme.example'));
    const principal = (await grantCredential()).principal;
    const scope = await connector.reauthScope(principal);
    expect(scope.credentials.map((c) => c.id).sort()).toEqual([7301, 7302, 7303].map((n) => credentialIds.asp(INTEGRATION, n)));
    expect(scope.credentials.every((c) => c.principal.id === INTEGRATION && c.kind === 'api_key')).toBe(true);
    const end = scope.credentials.filter((c) => !c.id.endsWith('/7302'));
    expect(await connector.forceReauth(principal, end)).toMatchObject({ outcome: 'done', detail: 'signed out; new password required at next sign-in; 2 of 2 app passwords deleted; backup codes invalidated' });
    expect(emulator.state.asps.map((a) => a.codeId).sort()).toEqual([7302, 7401]);
    expect(tenant.calls({ operation: 'asps.delete' }).map((c) => c.path.split('/').pop()).sort()).toEqual(['7301', '7303']);
    // Already gone is not an error; a credential of someone else is refused before anything is touched.
    expect(await connector.forceReauth(principal, end)).toMatchObject({ outcome: 'done', detail: 'signed out; new password required at next sign-in; 0 of 2 app passwords deleted; backup codes invalidated' });
    const marcos = await connector.reauthScope({ id: 'marco.ruiz@acme.example', displayName: '', type: 'user', status: 'active' });
    expect(marcos.credentials.map((c) => c.id)).toEqual([credentialIds.asp('marco.ruiz@acme.example', 7401)]);
    const signOuts = tenant.calls({ operation: 'users.signOut' }).length;
    const err = await rejection(connector.forceReauth(principal, marcos.credentials));
    expect(err.kind).toBe('invalid');
    expect(tenant.calls({ operation: 'users.signOut' })).toHaveLength(signOuts);
    expect(emulator.state.asps.map((a) => a.codeId).sort()).toEqual([7302, 7401]);
  });

  it('an admin user is signed out but its password and roles are left to a decision of their own', async () => {
    const admin: Principal = { id: 'dana.okafor@acme.example', displayName: 'Dana', type: 'user', status: 'active' };
    const scope = await connector.reauthScope(admin);
    expect(scope.effects.some((e) => /password|admin role/i.test(e))).toBe(false);
    const r = await connector.forceReauth(admin, scope.credentials);
    expect(r.detail).toBe('signed out; 0 of 0 app passwords deleted; backup codes invalidated');
    expect(tenant.calls({ provider: 'google', operation: 'users.patch' })).toHaveLength(0);
    expect(emulator.state.passwordChangeRequired.size).toBe(0);
  });

  describe('a repeated app-password delete, whatever Google answers for a code that is gone', () => {
    const shapes = ['notFound404', 'gone410', 'notFound400', 'invalid400'] as const;
    for (const shape of shapes) {
      it(`${shape}: already_done from revoke, counted as gone by forceReauth`, async () => {
        const principal = (await grantCredential()).principal;
        const [asp] = (await connector.reauthScope(principal)).credentials;
        expect(await connector.revoke(asp!)).toMatchObject({ outcome: 'done' });
        emulator.state.aspGoneAnswer = shape;
        expect(await connector.revoke(asp!)).toMatchObject({ outcome: 'already_done', detail: 'app password already deleted' });
        expect((await connector.forceReauth(principal, [asp!])).detail).toMatch(/; 0 of 1 app passwords deleted;/);
        // The ambiguous 400 invalid counts as gone only once asps.list confirms the code is not there.
        expect(tenant.calls({ provider: 'google', operation: 'asps.list' }).length > 1).toBe(shape === 'invalid400');
        const repeats = tenant.calls({ provider: 'google', operation: 'asps.delete' }).slice(1).map((c) => c.status);
        expect(repeats).toEqual(Array(2).fill({ notFound404: 404, gone410: 410, notFound400: 400, invalid400: 400 }[shape]));
      });
    }
  });

  it('refuses to scope or force re-authentication of the admin Cordon impersonates (I6)', async () => {
    const cordon: Principal = { id: 'cordon-admin@acme.example', displayName: 'Cordon', type: 'user', status: 'active' };
    expect((await rejection(connector.reauthScope(cordon))).kind).toBe('conflict');
    expect((await rejection(connector.forceReauth(cordon, []))).kind).toBe('conflict');
    expect(tenant.calls({ operation: 'users.signOut' })).toHaveLength(0);
  });

  it('forceReauth on a service account deletes exactly the listed keys, never the replacement left out nor Cordon’s key', async () => {
    const key = await keyCredential();
    const sink = new MemorySink();
    const replacement = await connector.replace(key, key.consumers[0]!, 'wf-2|k|c', sink);
    const scope = await connector.reauthScope(key.principal);
    expect(scope.credentials.map((c) => c.id).sort()).toEqual([DRIFT_KEY, replacement.replacementId].sort());
    expect(scope.effects).toEqual([]);
    const end = scope.credentials.filter((c) => c.id !== replacement.replacementId);
    const r = await connector.forceReauth(key.principal, end);
    expect(r).toMatchObject({ outcome: 'done', detail: '1 of 1 keys deleted' });
    expect((await connector.listActive(key.principal)).map((c) => c.id)).toEqual([replacement.replacementId]);
    expect(emulator.state.keys.has(CORDON_KEY)).toBe(true);
    expect(await connector.forceReauth(key.principal, end)).toMatchObject({ outcome: 'already_done', detail: '0 of 1 keys deleted (1 already gone)' });
  });

  it('reauthScope of a service account lists its other keys, not Cordon’s nor another account’s; a subset is ended exactly', async () => {
    const drift = emulator.state.account(DRIFT_SA_EMAIL)!;
    const [second] = emulator.state.mintKey(drift);
    const [third] = emulator.state.mintKey(drift);
    const [otherCordonKey] = emulator.state.mintKey(emulator.state.account('cordon@acme-security-ops.iam.gserviceaccount.com')!);
    const principal = (await keyCredential()).principal;
    const scope = await connector.reauthScope(principal);
    expect(scope.credentials.map((c) => c.id).sort()).toEqual([DRIFT_KEY, second, third].sort());
    const end = scope.credentials.filter((c) => c.id !== third);
    expect(await connector.forceReauth(principal, end)).toMatchObject({ outcome: 'done', detail: '2 of 2 keys deleted' });
    expect(emulator.state.keys.has(third)).toBe(true);
    expect(emulator.state.keys.has(otherCordonKey)).toBe(true);
    expect(emulator.state.keys.has(CORDON_KEY)).toBe(true);
    expect(tenant.calls({ operation: 'projects.serviceAccounts.keys.delete' }).map((c) => c.status)).toEqual([200, 200]);
    // Cordon's own key is refused even when a caller puts it in `end` (I6).
    const own = await keyCredential(CORDON_KEY);
    expect((await rejection(connector.forceReauth(own.principal, [own]))).kind).toBe('invalid');
    expect(emulator.state.keys.has(CORDON_KEY)).toBe(true);
  });

  it('restrict disables a key (reversible), then answers already_done', async () => {
    const key = await keyCredential();
    expect(await connector.restrict(key, { kind: 'ip_allowlist', values: ['10.0.0.0/8'] })).toMatchObject({ outcome: 'done' });
    expect(await connector.restrict(key, { kind: 'ip_allowlist', values: ['10.0.0.0/8'] })).toMatchObject({ outcome: 'already_done' });
    expect(await connector.probe(key, JSON.stringify(emulator.keyFile(DRIFT_KEY)))).toBe('dead');
    expect(await connector.listActive(key.principal)).toEqual([]);
  });

  it('restrict returns how to re-enable the key, and unrestrict (keys.enable) brings it back once', async () => {
    const key = await keyCredential();
    const r = await connector.restrict(key, { kind: 'ip_allowlist', values: ['192.0.2.0/28'] });
    expect(r.outcome).toBe('done');
    expect(r.detail).toMatch(/^key disabled; disabling stops every consumer of the key \(.*\), not only the leaked copy: it is the only reversible restriction Google offers for keys/);
    expect(r.undo).toEqual({ kind: 'google.key.disabled', description: `re-enable key ${DRIFT_KEY_ID} of ${DRIFT_SA_EMAIL}`, data: { name: DRIFT_KEY } });
    // A retried restrict (answer lost) hands back the same undo.
    expect(await connector.restrict(key, { kind: 'ip_allowlist', values: ['192.0.2.0/28'] })).toMatchObject({ outcome: 'already_done', undo: r.undo });
    expect(emulator.state.keys.get(DRIFT_KEY)!.disabled).toBe(true);

    const undone = await connector.unrestrict!(key, JSON.parse(JSON.stringify(r.undo)));
    expect(undone).toMatchObject({ outcome: 'done', detail: `key ${DRIFT_KEY_ID} of ${DRIFT_SA_EMAIL} re-enabled` });
    expect(emulator.state.keys.get(DRIFT_KEY)!.disabled).toBe(false);
    expect(await connector.probe(key, JSON.stringify(emulator.keyFile(DRIFT_KEY)))).toBe('alive');
    expect(await connector.unrestrict!(key, r.undo!)).toMatchObject({ outcome: 'already_done', detail: 'key already enabled' });
    expect(tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.enable' })).toHaveLength(1);

    // Revoked (deleted) before the run ended: nothing to re-enable.
    await connector.restrict(key, { kind: 'ip_allowlist', values: ['192.0.2.0/28'] });
    await connector.revoke(key);
    expect(await connector.unrestrict!(key, r.undo!)).toMatchObject({ outcome: 'already_done', detail: 'key deleted since it was disabled: nothing to re-enable' });
    expect((await rejection(connector.unrestrict!(key, { ...r.undo!, data: { name: CORDON_KEY } }))).kind).toBe('invalid');
  });

  it('does not hand back an undo for a key someone else had already disabled', async () => {
    emulator.state.keys.get(DRIFT_KEY)!.disabled = true;
    const key = await keyCredential();
    const r = await connector.restrict(key, { kind: 'ip_allowlist', values: ['192.0.2.0/28'] });
    expect(r.outcome).toBe('already_done');
    expect(r.undo).toBeUndefined();
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

  it('expired auth: one 401 on Cordon’s token is refreshed and retried once; a dead own key is auth, not retryable', async () => {
    tenant.injectFault({ provider: 'google', operation: 'users.get', type: 'unauthorized', times: 1 });
    const report = await connector.identify({ provider: 'google', kind: 'session', user: INTEGRATION });
    expect(report.credentials).toHaveLength(1);
    expect(tenant.calls({ provider: 'google' }).map((c) => `${c.operation}:${c.status}`)).toEqual(['oauth2.token:200', 'users.get:401', 'oauth2.token:200', 'users.get:200']);
    emulator.state.keys.get(CORDON_KEY)!.disabled = true;
    const fresh = createGoogleConnector(GoogleConnectorConfig.fromEnv(tenant.connectorEnv()));
    const dead = await rejection(fresh.identify({ provider: 'google', kind: 'session', user: INTEGRATION }));
    expect(dead.kind).toBe('auth');
    expect(dead.retryable).toBe(false);
    expect(dead.message).toMatch(/invalid_grant: Invalid JWT Signature\./);
    expect(dead.message).toMatch(/still refused after Cordon fetched a fresh token/);
  });

  it('a one-time 401 on a key delete: Cordon’s token is refreshed and the delete succeeds on the one retry', async () => {
    const key = await keyCredential();
    const mark = tenant.calls().at(-1)!.seq;
    tenant.injectFault({ provider: 'google', operation: 'projects.serviceAccounts.keys.delete', type: 'unauthorized', times: 1 });
    expect(await connector.forceReauth(key.principal, [key])).toMatchObject({ outcome: 'done', detail: '1 of 1 keys deleted' });
    const after = tenant.calls({ provider: 'google' }).filter((c) => c.seq > mark);
    expect(after.map((c) => `${c.operation}:${c.status}`)).toEqual([
      'projects.serviceAccounts.keys.delete:401',
      'oauth2.token:200',
      'projects.serviceAccounts.keys.delete:200',
    ]);
    expect(emulator.state.keys.has(DRIFT_KEY)).toBe(false);
  });

  it('a one-time 401 on tokens.delete is retried after a refresh; a permanent 401 is auth after exactly one retry', async () => {
    const grant = await grantCredential();
    const mark = tenant.calls().at(-1)!.seq;
    tenant.injectFault({ provider: 'google', operation: 'tokens.delete', type: 'unauthorized', times: 1 });
    expect(await connector.revoke(grant)).toMatchObject({ outcome: 'done' });
    expect(tenant.calls({ provider: 'google' }).filter((c) => c.seq > mark).map((c) => `${c.operation}:${c.status}`)).toEqual([
      'tokens.delete:401',
      'oauth2.token:200',
      'tokens.delete:204',
    ]);

    const key = await keyCredential();
    tenant.injectFault({ provider: 'google', operation: 'projects.serviceAccounts.keys.delete', type: 'unauthorized' });
    const err = await rejection(connector.revoke(key));
    expect(err).toMatchObject({ kind: 'auth', retryable: false });
    expect(err.options.status).toBe(401);
    expect(err.message).toMatch(/still refused after Cordon fetched a fresh token for its own service account: check .*CORDON_GOOGLE_CREDENTIALS_JSON/);
    expect(inspect(err, { depth: 20 })).not.toMatch(/ya29\.|Bearer|PRIVATE KEY/);
    expect(tenant.calls({ operation: 'projects.serviceAccounts.keys.delete' }).map((c) => c.status)).toEqual([401, 401]);
    expect(emulator.state.keys.has(DRIFT_KEY)).toBe(true);
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
