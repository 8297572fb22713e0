// The full containment workflow on the real dev server with the REAL connectors (official SDKs)
// against the local tenant's emulators, one shipped scenario per provider. Order and verification
// are checked from the emulators' own call log, not from what the engine says about itself.
import { mkdtemp } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startContainment } from '../../client/containments.ts';
import { connectorsFromEnv } from '../../connectors/registry.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import type { CallRecord } from '../../emulators/core/server.ts';
import { loadScenarioDir, scenarioDir, startLocalTenant, type LocalTenant } from '../../emulators/tenant.ts';
import type { ContainmentRequest, ContainmentStatus } from '../../schemas/containment.ts';
import { startTestWorker, type RunningWorker } from '../support/temporal.ts';

let tenant: LocalTenant | undefined;
let worker: RunningWorker | undefined;
afterEach(async () => {
  await worker?.stop();
  await tenant?.close();
  worker = undefined;
  tenant = undefined;
});
afterAll(async () => {
  await worker?.stop();
  await tenant?.close();
});

async function contain(scenario: string, credentials: ContainmentRequest['credentials']): Promise<{ result: ContainmentStatus; calls: CallRecord[]; store: LocalEncryptedStore }> {
  tenant = await startLocalTenant({ scenario: await loadScenarioDir(scenarioDir(scenario)) });
  const store = new LocalEncryptedStore(await mkdtemp(join(tmpdir(), 'cordon-prov-')), randomBytes(32));
  worker = await startTestWorker({ connectors: connectorsFromEnv(tenant.connectorEnv()), sink: store });
  const { workflowId } = await startContainment(worker.client, worker.target.taskQueue, {
    incidentId: `INC-${scenario}-${randomBytes(3).toString('hex')}`,
    requester: 'responder@acme.example',
    credentials,
  });
  const result = (await worker.client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
  return { result, calls: tenant.calls(), store };
}

/** I1 from the emulator's log: no replacement-minting call before the first successful revocation. */
function assertRevokeBeforeReplace(calls: CallRecord[], revokeOps: string[], replaceOps: string[]): void {
  const revokes = calls.filter((c) => revokeOps.includes(c.operation) && c.status < 400);
  expect(revokes.length, `no successful ${revokeOps.join('/')} in the call log`).toBeGreaterThan(0);
  const firstRevoke = Math.min(...revokes.map((c) => c.seq));
  for (const c of calls.filter((x) => replaceOps.includes(x.operation))) expect(c.seq).toBeGreaterThan(firstRevoke);
}

describe('slack: the Drift bot token of the Salesloft/Drift scenario', () => {
  it('revokes it with the leaked value, proves it dead with auth.test, and reports contained', async () => {
    const leaked = 'xoxb-emulated-drift-bot-acme-main-0001';
    const { result, calls } = await contain('salesloft-drift', [{ provider: 'slack', kind: 'oauth_token', leakedValue: leaked }]);
    expect(result.outcome, result.outcomeReason).toBe('contained');
    expect(result.credentials).toHaveLength(1);
    expect(result.credentials[0]!.state).toBe('verified_dead');
    const revoke = calls.filter((c) => c.operation === 'auth.revoke' && c.status === 200);
    expect(revoke).toHaveLength(1);
    // After the revocation, the old token answers as dead on every call that used it.
    const probes = calls.filter((c) => c.operation === 'auth.test' && c.seq > revoke[0]!.seq && c.credential === revoke[0]!.credential);
    expect(probes.length).toBeGreaterThan(0);
    expect(tenant!.emulators.slack.counts().activeTokens).toBeLessThan(
      (await loadScenarioDir(scenarioDir('salesloft-drift'))).slack!.tokens.filter((t: { revoked?: boolean }) => !t.revoked).length,
    );
    expect(result.evidence.some((e) => e.step === 'verify' && e.outcome === 'dead' && e.detail?.includes('probe dead'))).toBe(true);
  });
});

describe('salesforce: the Drift integration user’s OAuth grant of the Salesloft/Drift scenario', () => {
  it('revokes the shared grant before minting one replacement per consumer, re-authenticates, and verifies', async () => {
    const drift = { clientId: '0H4Hs000000DrftAAA', user: 'drift-integration@acme.com', userId: '005Hs000003DrftAAA' };
    const { result, calls } = await contain('salesloft-drift', [{ provider: 'salesforce', kind: 'refresh_token', clientId: drift.clientId, user: drift.user }]);
    expect(result.outcome, result.outcomeReason).toBe('contained');
    const grant = result.credentials.find((c) => c.credentialId.startsWith('salesforce:oauthtoken:'))!;
    expect(grant.transitions.map((t) => t.state)).toEqual(['identified', 'revoke_requested', 'revoked', 'replaced', 'reauth_forced', 'verified_dead']);
    expect(grant.replacements.map((r) => r.consumerId).sort()).toEqual(['drift-chat-sync', 'drift-lead-router', 'salesloft-cadence']);
    // I1 from the emulator: replacements are JWT-bearer logins *as the integration user*; none came before the revoke.
    const revokes = calls.filter((c) => c.operation === 'oauth2.revokeToken' && c.status === 200);
    expect(revokes.length).toBeGreaterThan(0);
    const mints = calls.filter((c) => c.operation === 'oauth2.requestToken' && c.target === drift.userId && c.status === 200);
    expect(mints).toHaveLength(3);
    for (const m of mints) expect(m.seq).toBeGreaterThan(revokes[0]!.seq);
    // Verification re-listed the grants after the last mint, and the probe/list saw only the new tokens.
    const lastMint = Math.max(...mints.map((m) => m.seq));
    expect(calls.some((c) => c.operation === 'query' && c.seq > lastMint)).toBe(true);
    expect(result.evidence.filter((e) => e.step === 'verify').at(-1)).toMatchObject({ outcome: 'dead' });
  });
});

describe('google: the CI deployer’s service-account key of the CircleCI scenario', () => {
  it('deletes the key before creating one new key per consumer, and verifies only the new keys remain', async () => {
    const keyId = '5e8d2a1c9b7f4e3d6a0c8b2e1f9d7a5c3b6e4d2f';
    const { result, calls, store } = await contain('circleci', [{ provider: 'google', kind: 'service_account_key', keyId }]);
    expect(result.outcome, result.outcomeReason).toBe('contained');
    const key = result.credentials.find((c) => c.credentialId.includes(keyId))!;
    expect(key.state).toBe('verified_dead');
    expect(key.replacements.map((r) => r.consumerId).sort()).toEqual(['circleci-deploy-api', 'circleci-deploy-web']);
    assertRevokeBeforeReplace(calls, ['projects.serviceAccounts.keys.delete'], ['projects.serviceAccounts.keys.create']);
    expect(calls.filter((c) => c.operation === 'projects.serviceAccounts.keys.create' && c.status === 200)).toHaveLength(2);
    // What was delivered is a usable key file for the new key, sealed in the store.
    for (const r of key.replacements) {
      const value = await store.open(`${result.workflowId}|${key.credentialId}|${r.consumerId}`);
      expect(JSON.parse(value!.reveal())).toMatchObject({ type: 'service_account', client_email: 'ci-deployer@northwind-prod.iam.gserviceaccount.com' });
    }
    // Verification listed the account's keys after the last create: only the new ones were active.
    const lastCreate = Math.max(...calls.filter((c) => c.operation === 'projects.serviceAccounts.keys.create').map((c) => c.seq));
    expect(calls.some((c) => c.operation === 'projects.serviceAccounts.keys.list' && c.seq > lastCreate)).toBe(true);
  });
});

export { assertRevokeBeforeReplace };
