// The full containment workflow on the real dev server with the REAL connectors (official SDKs)
// against the local tenant's emulators, one shipped scenario per provider. Order and verification
// are checked from the emulators' own call log, not from what the engine says about itself.
import { mkdtemp } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { getStatus, startContainment } from '../../client/containments.ts';
import { connectorsFromEnv } from '../../connectors/registry.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import { composeSink } from '../../worker/sink.ts';
import { type GitHubEmulator, type GoogleEmulator, type SlackEmulator, type CallRecord, loadScenarioDir, scenarioDir } from '@cordon/emulators';
import { startLocalTenant, type LocalTenant } from '../../local-tenant/tenant.ts';
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

async function contain(
  scenario: string,
  credentials: ContainmentRequest['credentials'],
  before?: (t: LocalTenant) => void,
): Promise<{ result: ContainmentStatus; calls: CallRecord[]; store: LocalEncryptedStore }> {
  tenant = await startLocalTenant({ scenario: await loadScenarioDir(scenarioDir(scenario)) });
  before?.(tenant);
  const dir = await mkdtemp(join(tmpdir(), 'cordon-prov-'));
  const store = new LocalEncryptedStore(dir, randomBytes(32));
  const connectors = connectorsFromEnv(tenant.connectorEnv());
  // As the worker does: GitHub Actions secrets for consumers whose sink says so, the local store otherwise.
  worker = await startTestWorker({ connectors, sink: composeSink(store, connectors, join(dir, 'github-index')) });
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
    // The emulator's own state: exactly that token is dead, the same app's other token is not.
    const slack = tenant!.emulators.slack as unknown as SlackEmulator;
    expect(slack.tokenActive('slack-drift-bot-main')).toBe(false);
    expect(slack.tokenActive('slack-drift-bot-sales')).toBe(true);
    expect(result.evidence.some((e) => e.kind === 'verified' && e.verdict === 'dead' && e.probe === 'dead')).toBe(true);
  });

  it('revokes after auth.test alone and reads the owner, the app approval and the audit logs after the revoke; the status and evidence still carry them', async () => {
    const leaked = 'xoxb-emulated-drift-bot-acme-main-0001';
    const { result, calls } = await contain('salesloft-drift', [{ provider: 'slack', kind: 'oauth_token', leakedValue: leaked }]);
    expect(result.outcome, result.outcomeReason).toBe('contained');
    // From the emulator's log: before the revoke only the auth.test calls (the leaked token's, which names the app
    // for I6 and I8, and Cordon's own); users.info, the app approval and the audit pages come after it.
    const revoke = calls.find((c) => c.operation === 'auth.revoke' && c.status === 200)!;
    expect(calls.filter((c) => c.seq < revoke.seq).map((c) => c.operation)).toEqual(['auth.test', 'auth.test']);
    for (const op of ['users.info', 'admin.apps.approved.list', 'auditlogs.logs']) {
      const made = calls.filter((c) => c.operation === op);
      expect(made.length, `${op} was read`).toBeGreaterThan(0);
      for (const c of made) expect(c.seq, `${op} after the revoke`).toBeGreaterThan(revoke.seq);
    }
    // What a full identification showed is in the status once read: owner, last use, app name, sensitive scopes.
    const [report] = result.scope;
    expect(report!.pendingEnrichment).toBeUndefined();
    const cred = report!.credentials[0]!;
    expect(cred).toMatchObject({ principal: { id: 'U0DRIFTBOT', displayName: 'Drift', type: 'bot', status: 'active' }, lastUsedAt: '2025-08-18T02:45:10.000Z' });
    expect(cred.label).toMatch(/^bot token of Drift for Drift in /);
    expect(report!.riskFlags).toContain('token holds sensitive scopes: users:read.email');
    expect(result.credentials[0]!.label).toBe(cred.label);
    expect(result.plan!.credentials[0]).toMatchObject({ label: cred.label, lastUsedAt: cred.lastUsedAt });
    // And in the evidence, after the revoke.
    const enriched = result.evidence.find((e) => e.kind === 'enriched');
    const revoked = result.evidence.find((e) => e.kind === 'revoked');
    expect(enriched).toMatchObject({
      provider: 'slack',
      credentials: [{ credentialId: result.credentials[0]!.credentialId, label: cred.label, principal: 'Drift', principalStatus: 'active', lastUsedAt: '2025-08-18T02:45:10.000Z' }],
      riskFlags: expect.arrayContaining(['token holds sensitive scopes: users:read.email']),
    });
    expect(enriched!.seq).toBeGreaterThan(revoked!.seq);
    // The enrichment is a local activity beside the verification: a new worker rebuilding the run from its history
    // (no command out of order) reads the same evidence, to the time and hash.
    const reading = (st: ContainmentStatus) => ({ evidence: st.evidence.map((e) => [e.seq, e.kind, e.at, 'hash' in e ? e.hash : undefined]), digest: st.evidenceDigest });
    const { target, keys } = worker!;
    await worker!.stop();
    worker = await startTestWorker({ connectors: connectorsFromEnv(tenant!.connectorEnv()), sink: new LocalEncryptedStore(await mkdtemp(join(tmpdir(), 'cordon-prov-')), randomBytes(32)) }, { target, keys });
    expect(reading(await getStatus(worker.client, result.workflowId))).toEqual(reading(result));
  }, 120_000);
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
    expect(result.evidence.filter((e) => e.kind === 'verified').at(-1)).toMatchObject({ verdict: 'dead' });
  });

  it('makes one round of side-by-side reads between its login and the revoke, and the plan still names the sessions the revoke ends (I8)', async () => {
    const drift = { clientId: '0H4Hs000000DrftAAA', user: 'drift-integration@acme.com' };
    const { result, calls } = await contain('salesloft-drift', [{ provider: 'salesforce', kind: 'refresh_token', clientId: drift.clientId, user: drift.user }]);
    expect(result.outcome, result.outcomeReason).toBe('contained');
    // From the emulator's log (issue 14): Cordon's login, then the reads that depend on nothing but the ref,
    // each object once (UserLogin twice: the Manage Users check and the user's frozen status), then the revoke.
    // A read that waits for another's answer would add a query here.
    const revoke = calls.find((c) => c.operation === 'oauth2.revokeToken' && c.status === 200)!;
    const before = calls.filter((c) => c.provider === 'salesforce' && c.seq < revoke.seq);
    expect(before[0]!.operation).toBe('oauth2.requestToken');
    expect(before.slice(1).map((c) => `${c.operation} ${c.target}`).sort()).toEqual(
      ['query AuthSession', 'query ConnectedApplication', 'query OauthToken', 'query User', 'query UserLogin', 'query UserLogin'].sort(),
    );
    // The re-authentication scope came from those reads: the plan lists the grant's sessions, ended with it.
    const ends = result.plan!.reauth.flatMap((t) => t.ends.map((c) => c.id));
    expect(ends).toEqual(expect.arrayContaining(['0AkHs000DrftS01AAA', '0AkHs000DrftS02AAA']));
    expect(result.scope[0]!.reauthScopes).toBeUndefined();
    // The app's other holders (a risk flag only) were read after the revoke, and reached the status.
    expect(result.scope[0]!.riskFlags.some((f) => /other user\(s\) also hold grants of Drift/.test(f))).toBe(true);
    expect(calls.filter((c) => c.operation === 'query' && c.target === 'OauthToken' && c.seq > revoke.seq).length).toBeGreaterThan(0);
  }, 120_000);

  it('reads the grant’s verification beside the replacements’ look-ups of their sessions, and still records its verdict last', async () => {
    // Every Salesforce call answers after 400 ms. A replacement is a login, then a query made with the new token
    // for the session it opened (its id). The grant's verification counts only grants of the app, never a
    // session, so its read starts once the re-authentication has ended what it ends, and is answered about when
    // those look-ups are; it came a whole call after them before (issue 14, P1).
    const latencyMs = 400;
    const drift = { clientId: '0H4Hs000000DrftAAA', user: 'drift-integration@acme.com' };
    const { result, calls } = await contain('salesloft-drift', [{ provider: 'salesforce', kind: 'refresh_token', clientId: drift.clientId, user: drift.user }], (t) =>
      t.injectFault({ provider: 'salesforce', type: 'latency', latencyMs }),
    );
    expect(result.outcome, result.outcomeReason).toBe('contained');
    const grant = result.credentials.find((c) => c.credentialId.startsWith('salesforce:oauthtoken:'))!;
    const replacements = grant.replacements.map((r) => r.replacementId);
    const lookups = calls.filter((c) => c.operation === 'query' && c.credential && replacements.includes(c.credential));
    expect(lookups).toHaveLength(3);
    // The verification's grant listing is the run's last OauthToken query (the app's other holders are read at the revoke).
    const verification = calls.filter((c) => c.operation === 'query' && c.target === 'OauthToken').at(-1)!;
    const at = (c: CallRecord) => Date.parse(c.at);
    const lastLookup = Math.max(...lookups.map(at));
    expect(at(verification) - lastLookup, 'the verification was answered a whole call after the replacements’ session look-ups').toBeLessThan(latencyMs / 2);
    // Only the read moved: the states and the evidence keep the runbook's order.
    expect(grant.transitions.map((t) => t.state)).toEqual(['identified', 'revoke_requested', 'revoked', 'replaced', 'reauth_forced', 'verified_dead']);
    const kinds = result.evidence.map((e) => e.kind);
    expect(kinds.lastIndexOf('replaced')).toBeLessThan(kinds.indexOf('verified'));
    expect(result.evidence.find((e) => e.kind === 'verified')).toMatchObject({ verdict: 'dead' });
  }, 120_000);
});

describe('google: the CI deployer’s service-account key of the CircleCI scenario', () => {
  it('deletes the key before uploading one new key per consumer, and verifies only the new keys remain', async () => {
    const keyId = '5e8d2a1c9b7f4e3d6a0c8b2e1f9d7a5c3b6e4d2f';
    const { result, calls } = await contain('circleci', [{ provider: 'google', kind: 'service_account_key', keyId }]);
    expect(result.outcome, result.outcomeReason).toBe('contained');
    const key = result.credentials.find((c) => c.credentialId.includes(keyId))!;
    expect(key.state).toBe('verified_dead');
    expect(key.replacements.map((r) => r.consumerId).sort()).toEqual(['circleci-deploy-api', 'circleci-deploy-web']);
    assertRevokeBeforeReplace(calls, ['projects.serviceAccounts.keys.delete'], ['projects.serviceAccounts.keys.upload']);
    expect(calls.filter((c) => c.operation === 'projects.serviceAccounts.keys.upload' && c.status === 200)).toHaveLength(2);
    // What was delivered is a usable key file for a new key, in each consumer's GitHub Actions secret.
    const github = tenant!.emulators.github as unknown as GitHubEmulator;
    const delivered = ['firmware', 'web-portal'].map((repo) => JSON.parse(github.revealSecret('acme-robotics', repo, 'GCP_DEPLOY_KEY')!) as { client_email: string; private_key_id: string });
    for (const d of delivered) expect(d.client_email).toBe('ci-deployer@northwind-prod.iam.gserviceaccount.com');
    expect(delivered[0]!.private_key_id).not.toBe(delivered[1]!.private_key_id);
    expect(delivered.map((d) => d.private_key_id)).not.toContain(keyId);
    expect(key.replacements.map((r) => r.sink).sort()).toEqual(['github:acme-robotics/firmware:GCP_DEPLOY_KEY', 'github:acme-robotics/web-portal:GCP_DEPLOY_KEY']);
    // Verification listed the account's keys after the last upload: only the new ones were active.
    const lastUpload = Math.max(...calls.filter((c) => c.operation === 'projects.serviceAccounts.keys.upload').map((c) => c.seq));
    expect(calls.some((c) => c.operation === 'projects.serviceAccounts.keys.list' && c.seq > lastUpload)).toBe(true);
  });
});

describe('google: the consumers’ GitHub Actions secrets, read ahead', () => {
  it('reads the repositories’ public keys (and Cordon’s GitHub token) beside the revoke, so each delivery after its mint is one PUT', async () => {
    // The delete is slow: a warm-up beside it is done before its answer; reads made by the replacements (the code
    // before) come only after it, since no replacement starts before the revoke is acknowledged (I1).
    const keyId = '5e8d2a1c9b7f4e3d6a0c8b2e1f9d7a5c3b6e4d2f';
    const { result, calls } = await contain('circleci', [{ provider: 'google', kind: 'service_account_key', keyId }], (t) =>
      t.injectFault({ provider: 'google', operation: 'projects.serviceAccounts.keys.delete', type: 'latency', latencyMs: 1500 }),
    );
    expect(result.outcome, result.outcomeReason).toBe('contained');
    const at = (c: CallRecord) => Date.parse(c.at);
    const revoked = calls.find((c) => c.operation === 'projects.serviceAccounts.keys.delete' && c.path.endsWith(keyId) && c.status < 400)!;
    const ahead = calls.filter((c) => c.operation === 'actions.getRepoPublicKey' || c.operation === 'apps.createInstallationAccessToken');
    expect(ahead.map((c) => c.operation).sort()).toEqual(['actions.getRepoPublicKey', 'actions.getRepoPublicKey', 'apps.createInstallationAccessToken']);
    for (const c of ahead) expect(at(c), `${c.operation} ${c.path} answered after the revoke`).toBeLessThan(at(revoked));
    // Nothing written before the revoke's answer (I1, I8); each consumer's secret written once, after its mint.
    assertRevokeBeforeReplace(calls, ['projects.serviceAccounts.keys.delete'], ['projects.serviceAccounts.keys.upload', 'actions.createOrUpdateRepoSecret']);
    expect(calls.filter((c) => c.operation === 'actions.createOrUpdateRepoSecret' && c.status < 300)).toHaveLength(2);
    expect(result.credentials[0]!.state).toBe('verified_dead');
  }, 60_000);
});

describe('google: a replacement slower than the provider calls’ 20-second bound', () => {
  it('is not retried beside itself while it works: one upload per consumer, each recorded key live, no orphan', async () => {
    // Each upload answers after 25 s. An attempt bounded by 20 s was retried while it still ran: the retry minted
    // again (and could end the first attempt's key as an orphan while that attempt delivered it). The attempt now
    // heartbeats, so the server keeps it until it is done.
    const keyId = '5e8d2a1c9b7f4e3d6a0c8b2e1f9d7a5c3b6e4d2f';
    const { result, calls } = await contain('circleci', [{ provider: 'google', kind: 'service_account_key', keyId }], (t) =>
      t.injectFault({ provider: 'google', operation: 'projects.serviceAccounts.keys.upload', type: 'latency', latencyMs: 25_000 }),
    );
    expect(result.outcome, result.outcomeReason).toBe('contained');
    const key = result.credentials.find((c) => c.credentialId.includes(keyId))!;
    expect(calls.filter((c) => c.operation === 'projects.serviceAccounts.keys.upload')).toHaveLength(2);
    const google = tenant!.emulators.google as unknown as GoogleEmulator;
    const live = [...google.state.keys.entries()].filter(([, k]) => k.serviceAccount === 'ci-deployer@northwind-prod.iam.gserviceaccount.com' && !k.disabled && k.uploadedCertificatePem).map(([name]) => name);
    expect(live.sort()).toEqual(key.replacements.map((r) => r.replacementId).sort());
  }, 180_000);
});

describe('github: the CircleCI write deploy key of the CircleCI scenario', () => {
  it('deletes the key, adds a new one, seals its private half into the consumer’s Actions secret, and verifies', async () => {
    // The new key is slow to come: the repository's public key for the delivery is read meanwhile (the sink's
    // prepare beside the mint), so the delivery after it is one PUT.
    const { result, calls } = await contain('circleci', [{ provider: 'github', kind: 'deploy_key', id: 'deploy_key:acme-robotics/infra-terraform:7102' }], (t) =>
      t.injectFault({ provider: 'github', operation: 'repos.createDeployKey', type: 'latency', latencyMs: 1500 }),
    );
    expect(result.outcome, result.outcomeReason).toBe('contained');
    const seqOf = (op: string) => calls.filter((c) => c.operation === op).map((c) => c.seq);
    expect(seqOf('actions.getRepoPublicKey')).toHaveLength(1);
    expect(seqOf('actions.getRepoPublicKey')[0]).toBeLessThan(seqOf('repos.createDeployKey')[0]!);
    const cred = result.credentials[0]!;
    expect(cred.state).toBe('verified_dead');
    assertRevokeBeforeReplace(calls, ['repos.deleteDeployKey'], ['repos.createDeployKey']);
    expect(calls.filter((c) => c.operation === 'repos.createDeployKey' && c.status === 201)).toHaveLength(1);
    const github = tenant!.emulators.github as unknown as GitHubEmulator;
    expect(github.revealSecret('acme-robotics', 'infra-terraform', 'DEPLOY_SSH_KEY')).toMatch(/BEGIN OPENSSH PRIVATE KEY/);
    expect(cred.replacements[0]!.sink).toBe('github:acme-robotics/infra-terraform:DEPLOY_SSH_KEY');
  });
});

describe('provider throttling and outages during a containment', () => {
  it('honours Slack’s Retry-After and rides out a Google 503, then contains', async () => {
    const { result, calls } = await contain(
      'salesloft-drift',
      [
        { provider: 'slack', kind: 'oauth_token', leakedValue: 'xoxb-emulated-drift-bot-acme-main-0001' },
        { provider: 'google', kind: 'oauth_grant', clientId: '482715630127-drift9c1kq2.apps.googleusercontent.com', user: 'drift-integration@acme.example' },
      ],
      (t) => {
        t.injectFault({ provider: 'slack', operation: 'auth.revoke', type: 'rate_limited', retryAfterSec: 2, times: 1 });
        t.injectFault({ provider: 'google', operation: 'tokens.delete', type: 'unavailable', status: 503, times: 1 });
      },
    );
    expect(result.outcome, result.outcomeReason).toBe('contained');
    const revokes = calls.filter((c) => c.operation === 'auth.revoke');
    expect(revokes.map((c) => [c.status, c.fault])).toEqual([[429, 'rate_limited'], [200, undefined]]);
    // The retry waited for the provider's Retry-After (2 s), passed to Temporal as the next retry delay.
    expect(Date.parse(revokes[1]!.at) - Date.parse(revokes[0]!.at)).toBeGreaterThanOrEqual(1900);
    const deletes = calls.filter((c) => c.operation === 'tokens.delete');
    expect(deletes.map((c) => c.status)).toEqual([503, 204]);
  });
});

export { assertRevokeBeforeReplace };
