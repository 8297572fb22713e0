// I8 and I9 end to end: the real dev server, a real worker, the real connectors (official SDKs) against
// the local tenant. Concurrent runs on one principal leave each other's replacements alone; forced
// re-authentication ends only what the plan lists, and those credentials' consumers get replacements;
// a transient 401, 5xx or 429 never ends a run; a failing branch leaves no write after the verdict.
// Judged from the emulators' own state (through the SDKs) and call log, not from what the engine says.
import { mkdtemp } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Notification } from '../../activities/index.ts';
import { decide, getStatus, retryContainment, RetryRefusedError, startContainment } from '../../client/containments.ts';
import { connectorsFromEnv } from '../../connectors/registry.ts';
import { shardedRegistryId } from '../../activities/replacement-registry.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import type { ConnectorRegistry } from '../../connectors/types.ts';
import { Scenario, loadScenarioDir, scenarioDir, type EmulatedProvider } from '@cordon/emulators';
import { startLocalTenant, type LocalTenant } from '../../local-tenant/tenant.ts';
import { coordinationTaskQueue, type ContainmentRequest, type ContainmentStatus } from '../../schemas/containment.ts';
import type { Principal, Provider } from '../../schemas/credential.ts';
import { localStackPerTest } from '../support/local-stack.ts';

const lab = localStackPerTest();

const local = (name: string) => ({ type: 'local' as const, name });
const consumer = (id: string) => ({ id, name: `${id} pipeline`, kind: 'pipeline' as const, sink: local(id) });

/** The CircleCI tenant with more keys on the deployer service account and more deploy keys on one repository. */
async function crowdedTenant(): Promise<Scenario> {
  const s = await loadScenarioDir(scenarioDir('circleci'));
  const google = s.google!;
  const github = s.github!;
  const sfBase = (await loadScenarioDir(scenarioDir('salesloft-drift'))).salesforce!;
  const keys = ['b1', 'b2', 'b3'].map((tag, i) => ({
    keyId: `${tag}${'0'.repeat(37)}${i}`,
    serviceAccount: 'ci-deployer@northwind-prod.iam.gserviceaccount.com',
    validAfterTime: '2022-06-01T00:00:00Z',
    consumers: [consumer(`gcp-extra-${tag}`)],
  }));
  const deployKeys = [7103, 7104].map((id) => ({
    id,
    kind: 'deploy_key' as const,
    repo: 'infra-terraform',
    title: `extra key ${id}`,
    readOnly: true,
    publicKey: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${randomBytes(24).toString('base64').replace(/[^A-Za-z0-9]/g, 'x')}`,
    createdAt: '2022-05-01T00:00:00Z',
    consumers: [consumer(`deploy-${id}`)],
  }));
  // A second integration user's grant of the same Drift app: its own consumers.
  const salesloftGrant = {
    ...sfBase.oauthTokens.find((t) => t.id === 'drift-sf-grant-integration')!,
    id: 'drift-sf-grant-salesloft-user',
    userId: '005Hs000003SlftAAA',
    consumers: [consumer('drift-on-salesloft-user')],
  };
  return Scenario.parse({
    ...s,
    google: { ...google, serviceAccountKeys: [...google.serviceAccountKeys, ...keys] },
    github: { ...github, credentials: [...github.credentials, ...deployKeys] },
    salesforce: { ...sfBase, oauthTokens: [...sfBase.oauthTokens, salesloftGrant] },
  });
}

const notifications: Notification[] = [];
async function stack(scenario: Scenario): Promise<{ connectors: ConnectorRegistry }> {
  return lab.start(scenario, { notifier: { notify: async (n) => void notifications.push(n) } });
}

function request(credentials: ContainmentRequest['credentials'], extra: Partial<ContainmentRequest> = {}): ContainmentRequest {
  return { incidentId: `INC-i8-${randomBytes(3).toString('hex')}`, requester: 'responder@acme.example', credentials, ...extra };
}

async function runAll(requests: ContainmentRequest[]): Promise<ContainmentStatus[]> {
  const started = await Promise.all(requests.map((r) => startContainment(lab.worker.client, lab.worker.target.taskQueue, r)));
  return Promise.all(started.map((s) => lab.worker.client.workflow.getHandle(s.workflowId).result() as Promise<ContainmentStatus>));
}

/** What the runs' plans named: their targets and everything their re-authentication listed. */
const plannedIds = (results: ContainmentStatus[]) =>
  new Set(results.flatMap((r) => [...(r.plan?.credentials ?? []), ...(r.plan?.reauth ?? []).flatMap((t) => t.ends)].map((c) => c.id)));
/** Every replacement the runs issued, for their targets and for what re-authentication ended. */
const issuedIds = (results: ContainmentStatus[]) =>
  results.flatMap((r) => [...r.credentials.flatMap((c) => c.replacements), ...r.collateral.flatMap((c) => c.replacements)]);

/**
 * The I8 verdict for one principal, from the provider itself: every replacement any run issued is alive,
 * every credential that was alive before and no plan named is still alive, and no consumer got two.
 */
async function assertNoCollateral(connectors: ConnectorRegistry, provider: Provider, principal: Principal, before: string[], results: ContainmentStatus[]) {
  const after = new Set((await connectors[provider]!.listActive(principal)).map((c) => c.id));
  const planned = plannedIds(results);
  for (const id of before.filter((id) => !planned.has(id))) expect(after.has(id), `${id} was in no plan but is gone`).toBe(true);
  // The replacements of this principal's credentials (targets and what re-authentication ended).
  const ownerOf = new Map(results.flatMap((r) => [...(r.plan?.credentials ?? []), ...(r.plan?.reauth ?? []).flatMap((t) => t.ends)].map((c) => [`${c.provider}:${c.id}`, c.principal.id])));
  const issued = issuedIds(results).filter((r) => ownerOf.get(r.credentialId) === principal.id);
  expect(issued.length).toBeGreaterThan(0);
  for (const r of issued) expect(after.has(r.replacementId), `replacement ${r.replacementId} for ${r.consumerId} was deleted`).toBe(true);
  const perConsumer = new Map<string, number>();
  for (const r of issued) perConsumer.set(`${r.credentialId}|${r.consumerId}`, (perConsumer.get(`${r.credentialId}|${r.consumerId}`) ?? 0) + 1);
  for (const [k, n] of perConsumer) expect(n, `${k} was served ${n} times`).toBe(1);
  return { after, issued };
}

describe('concurrent runs on one principal leave each other’s replacements alone (I8)', () => {
  it('google: two runs on two keys of one service account, both contained, every replacement alive, consumers of the other keys served once', async () => {
    const { connectors } = await stack(await crowdedTenant());
    const deployer = (await connectors.google!.identify({ provider: 'google', kind: 'service_account_key', keyId: 'b1' + '0'.repeat(37) + '0' })).credentials[0]!.principal;
    const before = (await connectors.google!.listActive(deployer)).map((c) => c.id);
    const results = await runAll([
      request([{ provider: 'google', kind: 'service_account_key', keyId: '5e8d2a1c9b7f4e3d6a0c8b2e1f9d7a5c3b6e4d2f' }]),
      request([{ provider: 'google', kind: 'service_account_key', keyId: 'b1' + '0'.repeat(37) + '0' }]),
    ]);
    for (const r of results) expect(r.outcome, r.outcomeReason).toBe('contained');
    const { after, issued } = await assertNoCollateral(connectors, 'google', deployer, before, results);
    // Both compromised keys are gone, and so is every other key of the account (each run's plan named them).
    for (const id of before) expect(after.has(id)).toBe(false);
    // Every consumer of every key of the account holds exactly one live replacement.
    expect(new Set(issued.map((r) => r.consumerId))).toEqual(new Set(['circleci-deploy-api', 'circleci-deploy-web', 'gcp-extra-b1', 'gcp-extra-b2', 'gcp-extra-b3']));
    expect([...after].sort()).toEqual(issued.map((r) => r.replacementId).sort());
    // The gcr-pusher key and Cordon's own key were in no plan: the call log shows no delete of them.
    const deletes = lab.tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.delete' });
    expect(deletes.some((c) => /d1e2f3a4b5c6|0c4b1e9a7f3d/.test(`${c.path} ${c.target ?? ''}`))).toBe(false);
    // The registry both runs consulted is the service account's own (one per principal), on the coordination
    // queue apart from the containments' backlog, and no run started a registry for the whole queue.
    const { client, target } = lab.worker;
    const registry = await client.workflow.getHandle(shardedRegistryId(target.taskQueue, { provider: 'google', principalId: deployer.id })).describe();
    expect(registry.taskQueue).toBe(coordinationTaskQueue(target.taskQueue));
    await expect(client.workflow.getHandle(`cordon-replacement-registry-${target.taskQueue}`).describe()).rejects.toThrow(/not found/i);
  });

  it('github: three runs on three deploy keys of one repository, all contained, all replacements alive', async () => {
    const { connectors } = await stack(await crowdedTenant());
    const first = (await connectors.github!.identify({ provider: 'github', kind: 'deploy_key', id: 'deploy_key:acme-robotics/infra-terraform:7102' })).credentials[0]!;
    const before = (await connectors.github!.listActive(first.principal)).map((c) => c.id);
    expect(before).toHaveLength(3);
    const results = await runAll(before.map((id) => request([{ provider: 'github', kind: 'deploy_key', id }])));
    for (const r of results) expect(r.outcome, r.outcomeReason).toBe('contained');
    const { after, issued } = await assertNoCollateral(connectors, 'github', first.principal, before, results);
    expect(new Set(issued.map((r) => r.consumerId))).toEqual(new Set(['circleci-infra', 'deploy-7103', 'deploy-7104']));
    expect([...after].sort()).toEqual(issued.map((r) => r.replacementId).sort());
    // Deploy keys of other repositories were in no plan and are untouched.
    expect(lab.tenant.calls({ provider: 'github', operation: 'repos.deleteDeployKey' }).every((c) => c.path.includes('/infra-terraform/'))).toBe(true);
  });

  it('salesforce: runs on one app’s grants for two users end only those users’ grants and sessions, and re-supply every consumer', async () => {
    const scenario = await crowdedTenant();
    const { connectors } = await stack(scenario);
    const drift = '0H4Hs000000DrftAAA';
    const refs = ['drift-integration@acme.com', 'salesloft-integration@acme.com'].map((user) => ({ provider: 'salesforce' as const, kind: 'refresh_token' as const, clientId: drift, user }));
    const users = await Promise.all(refs.map(async (ref) => (await connectors.salesforce!.identify(ref)).credentials[0]!.principal));
    const before = await Promise.all(users.map(async (u) => (await connectors.salesforce!.listActive(u)).map((c) => c.id)));
    const results = await runAll(refs.map((ref) => request([ref])));
    for (const r of results) expect(r.outcome, r.outcomeReason).toBe('contained');
    // Re-authentication reaches only the run's own user, never every holder of the app.
    results.forEach((r, i) => expect(r.plan!.reauth.map((t) => t.principal.id)).toEqual([users[i]!.id]));
    for (const [i, u] of users.entries()) await assertNoCollateral(connectors, 'salesforce', u, before[i]!, results);
    // The second user's Salesloft grant was ended by that run's plan and its consumer re-supplied.
    const salesloft = results[1]!.collateral.find((c) => c.label.startsWith('Salesloft refresh token'))!;
    expect(salesloft.state).toBe('ended');
    expect(salesloft.replacements.length).toBeGreaterThan(0);
    // Users outside both plans (Cordon's own, the admins) lost nothing: no revoke or delete names their grants or sessions.
    const inScope = ['005Hs000003DrftAAA', '005Hs000003SlftAAA'];
    const sf = scenario.salesforce!;
    const outsiders = new Set([...sf.oauthTokens.filter((t) => !inScope.includes(t.userId)).map((t) => t.id), ...sf.sessions.filter((x) => !inScope.includes(x.userId)).map((x) => x.id)]);
    const writes = lab.tenant.calls({ provider: 'salesforce' }).filter((c) => c.status < 300 && /revoke|delete/i.test(c.operation));
    expect(writes.length).toBeGreaterThan(0);
    for (const c of writes) expect(outsiders.has(c.target ?? ''), `${c.operation} ${c.target}`).toBe(false);
    for (const c of writes) for (const id of outsiders) expect(c.path).not.toContain(id);
  });
});

describe('forced re-authentication is planned (I8)', () => {
  it('lists the principal’s other keys and their consumers in the plan and the approval, then re-supplies those consumers', async () => {
    const { connectors } = await stack(await crowdedTenant());
    const keyId = '5e8d2a1c9b7f4e3d6a0c8b2e1f9d7a5c3b6e4d2f';
    const req = request([{ provider: 'google', kind: 'service_account_key', keyId }], {
      policy: { approval: { approvers: ['lead@acme.example'], requireForDirect: true } } as never,
    });
    const { workflowId } = await startContainment(lab.worker.client, lab.worker.target.taskQueue, req);
    let status: ContainmentStatus | undefined;
    for (let i = 0; i < 200 && !status?.pendingApprovals.length; i++) {
      status = await getStatus(lab.worker.client, workflowId);
      if (!status.pendingApprovals.length) await new Promise((r) => setTimeout(r, 100));
    }
    const pending = status!.pendingApprovals[0]!;
    const reauth = status!.plan!.reauth.find((t) => t.principal.id.startsWith('ci-deployer'))!;
    // The other user-managed keys of the account, the disabled one too (it can be re-enabled), each with its consumers.
    expect(reauth.ends.flatMap((c) => c.consumers.map((x) => x.id)).sort()).toEqual(['gcp-extra-b1', 'gcp-extra-b2', 'gcp-extra-b3']);
    expect(reauth.ends.map((c) => c.id)).toEqual(expect.arrayContaining([expect.stringContaining('a7c3e1f9d5b2084c6e0a9f7d3b1c5e8a2f4d6b0c')]));
    // The approver sees the blast radius: the other keys, their consumers, and who gets replacements.
    for (const id of ['gcp-extra-b1', 'gcp-extra-b2', 'gcp-extra-b3']) {
      expect(pending.consumerIds).toContain(id);
      expect(pending.description).toContain(`${id} pipeline`);
    }
    expect(pending.description).toMatch(/Re-authentication of google .* ends 4 other credential/);
    // Nothing was written while the approval waited.
    expect(lab.tenant.calls({ provider: 'google' }).filter((c) => c.method !== 'GET' && c.operation !== 'oauth2.token')).toEqual([]);
    await decide(lab.worker.client, workflowId, { stage: pending.stage, digest: pending.digest, decision: 'approve', approver: 'lead@acme.example', channel: 'cli' });
    const result = (await lab.worker.client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
    expect(result.outcome, result.outcomeReason).toBe('contained');
    expect(result.collateral.map((c) => c.state)).toEqual(['ended', 'ended', 'ended', 'ended']);
    expect(result.collateral.flatMap((c) => c.replacements.map((r) => r.consumerId)).sort()).toEqual(['gcp-extra-b1', 'gcp-extra-b2', 'gcp-extra-b3']);
    const alive = new Set((await connectors.google!.listActive(reauth.principal)).map((c) => c.id));
    for (const c of result.collateral) {
      expect(alive.has(c.credentialId.replace(/^google:/, ''))).toBe(false);
      for (const r of c.replacements) expect(alive.has(r.replacementId)).toBe(true);
    }
    // I1 for the collateral too: each new key came after its old key was deleted.
    const calls = lab.tenant.calls({ provider: 'google' });
    const firstDelete = Math.min(...calls.filter((c) => c.operation === 'projects.serviceAccounts.keys.delete' && c.status < 300).map((c) => c.seq));
    for (const c of calls.filter((x) => x.operation === 'projects.serviceAccounts.keys.upload')) expect(c.seq).toBeGreaterThan(firstDelete);
  });
});

describe('transient failures never end a run (I9)', () => {
  const revokes: { provider: EmulatedProvider; operation: string; ref: ContainmentRequest['credentials'][number] }[] = [
    { provider: 'google', operation: 'projects.serviceAccounts.keys.delete', ref: { provider: 'google', kind: 'service_account_key', keyId: '5e8d2a1c9b7f4e3d6a0c8b2e1f9d7a5c3b6e4d2f' } },
    { provider: 'github', operation: 'repos.deleteDeployKey', ref: { provider: 'github', kind: 'deploy_key', id: 'deploy_key:acme-robotics/infra-terraform:7102' } },
    { provider: 'salesforce', operation: 'oauth2.revokeToken', ref: { provider: 'salesforce', kind: 'refresh_token', clientId: '0H4Hs000000DrftAAA', user: 'drift-integration@acme.com' } },
    { provider: 'slack', operation: 'auth.revoke', ref: { provider: 'slack', kind: 'oauth_token', leakedValue: 'xoxb-emulated-drift-bot-acme-main-0001' } },
  ];
  for (const r of revokes) {
    it(`${r.provider}: one 401 on the revoke, and the run still ends contained`, async () => {
      const scenario = r.provider === 'salesforce' || r.provider === 'slack' ? await loadScenarioDir(scenarioDir('salesloft-drift')) : await loadScenarioDir(scenarioDir('circleci'));
      await stack(scenario);
      lab.tenant.injectFault({ provider: r.provider, operation: r.operation, type: 'unauthorized', times: 1 });
      const [result] = await runAll([request([r.ref])]);
      expect(result!.outcome, result!.outcomeReason).toBe('contained');
      const calls = lab.tenant.calls({ provider: r.provider, operation: r.operation });
      // Slack answers an auth refusal with HTTP 200 `invalid_auth`; the others with 401.
      expect(calls[0]!.fault).toBe('unauthorized');
      expect(calls.at(-1)!.fault).toBeUndefined();
      // Evidence says what happened: revoked, not "already gone".
      expect(result!.evidence.find((e) => e.kind === 'revoked')).toMatchObject({ method: 'tenant', result: 'done' });
    });
  }

  it('a 401 that never ends is a permanent refusal: not_contained, with the reason naming it', async () => {
    await stack(await loadScenarioDir(scenarioDir('circleci')));
    lab.tenant.injectFault({ provider: 'google', operation: 'projects.serviceAccounts.keys.delete', type: 'unauthorized' });
    const [result] = await runAll([request([revokes[0]!.ref])]);
    expect(result!.outcome).toBe('not_contained');
    expect(result!.outcomeReason).toMatch(/refused: .*connector\.auth/);
    expect(result!.credentials[0]!.state).toBe('not_contained');
  });

  it('rides out a burst of 503s and 429s: waits, says what it waits on, escalates, and contains after the burst', async () => {
    await stack(await loadScenarioDir(scenarioDir('circleci')));
    const op = 'projects.serviceAccounts.keys.delete';
    lab.tenant.injectFault({ provider: 'google', operation: op, type: 'unavailable', status: 503 });
    lab.tenant.injectFault({ provider: 'google', operation: 'projects.serviceAccounts.keys.list', type: 'rate_limited', retryAfterSec: 1, times: 3 });
    const req = request([revokes[0]!.ref], { policy: { escalateRetriesAfter: '3s' } as never });
    const { workflowId } = await startContainment(lab.worker.client, lab.worker.target.taskQueue, req);
    let waiting: ContainmentStatus['waitingOn'];
    for (let i = 0; i < 300 && !waiting?.escalations; i++) {
      waiting = (await getStatus(lab.worker.client, workflowId)).waitingOn;
      if (!waiting?.escalations) await new Promise((r) => setTimeout(r, 100));
    }
    expect(waiting?.what).toMatch(/revoking/);
    expect(waiting?.lastError).toMatch(/connector\.unavailable/);
    expect((await getStatus(lab.worker.client, workflowId)).outcome).toBe('running');
    lab.tenant.clearFaults('google');
    const result = (await lab.worker.client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
    expect(result.outcome, result.outcomeReason).toBe('contained');
    expect(result.waitingOn).toBeUndefined();
    expect(result.evidence.some((e) => e.kind === 'waiting_escalated')).toBe(true);
    expect(notifications.some((n) => n.kind === 'escalation' && n.workflowId === workflowId && n.stage?.startsWith('provider:'))).toBe(true);
    const deletes = lab.tenant.calls({ provider: 'google', operation: op });
    expect(deletes.filter((c) => c.status === 503).length).toBeGreaterThan(3);
    expect(deletes.at(-1)!.status).toBeLessThan(300);
  });

  it('a failing branch: the others finish, and no provider write comes after the outcome; a retry contains the rest', async () => {
    await stack(await loadScenarioDir(scenarioDir('circleci')));
    // GitHub refuses for good; Google's key upload is slow, so its branch is still busy when GitHub fails.
    lab.tenant.injectFault({ provider: 'github', operation: 'repos.deleteDeployKey', type: 'unauthorized' });
    lab.tenant.injectFault({ provider: 'google', operation: 'projects.serviceAccounts.keys.upload', type: 'latency', latencyMs: 1500 });
    const [result] = await runAll([request([revokes[1]!.ref, revokes[0]!.ref])]);
    expect(result!.outcome).toBe('not_contained');
    const google = result!.credentials.find((c) => c.provider === 'google')!;
    expect(google.state).toBe('verified_dead');
    expect(google.replacements).toHaveLength(2);
    const finishedAt = Date.parse(result!.finishedAt!);
    // Writes: everything but reads and Cordon's own sign-in (Google's token endpoint, GitHub's installation token).
    const writes = lab.tenant.calls().filter((c) => c.method !== 'GET' && !['oauth2.token', 'apps.createInstallationAccessToken'].includes(c.operation));
    expect(writes.length).toBeGreaterThan(0);
    for (const w of writes) expect(Date.parse(w.at), `${w.operation} after the outcome`).toBeLessThanOrEqual(finishedAt);

    // The operator retries once GitHub accepts Cordon again: only what was left is done.
    lab.tenant.clearFaults('github');
    const before = lab.tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.upload' }).length;
    const retry = await retryContainment(lab.worker.client, lab.worker.target.taskQueue, result!.workflowId);
    expect(retry.workflowId).toBe(`${result!.workflowId}-retry-1`);
    const retried = (await lab.worker.client.workflow.getHandle(retry.workflowId).result()) as ContainmentStatus;
    expect(retried.outcome, retried.outcomeReason).toBe('contained');
    expect(lab.tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.upload' }).length).toBe(before);
    await expect(retryContainment(lab.worker.client, lab.worker.target.taskQueue, retry.workflowId)).rejects.toThrow(RetryRefusedError);
  });
});
