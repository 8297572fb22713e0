// Crash safety: the worker process is SIGKILLed after the revocation and before verification; a new
// worker process finishes the run with no second revocation and no second replacement (I4).
import { randomBytes } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { connectClient, getStatus, startContainment } from '../../client/containments.ts';
import { DRIFT_LEAKED_VALUE, driftSeed } from '../../connectors/memory/seeds.ts';
import { MemoryTenant } from '../../connectors/memory/tenant.ts';
import { serveMemoryTenant } from '../../connectors/memory/http.ts';
import type { Client } from '@temporalio/client';
import type { ContainmentStatus, CredentialState } from '../../schemas/containment.ts';
import { killAllWorkerProcesses, startWorkerProcess, workerProcessEnv } from '../support/worker-process.ts';
import { testCodecKeys, testTarget } from '../support/temporal.ts';

afterAll(killAllWorkerProcesses);

/** The tenant served over loopback, and the environment a worker process needs to reach it and Temporal. */
async function workerEnvironment(tenant: MemoryTenant) {
  const served = await serveMemoryTenant(tenant);
  const target = testTarget();
  const keys = testCodecKeys();
  const env = await workerProcessEnv(target, keys, { CORDON_MEMORY_TENANT_URL: served.url });
  return { served, target, env, client: await connectClient(target, keys) };
}

const driftContainment = () => ({
  incidentId: `INC-crash-${randomBytes(3).toString('hex')}`,
  requester: 'alice',
  credentials: [{ provider: 'memory' as const, kind: 'oauth_token' as const, leakedValue: DRIFT_LEAKED_VALUE }],
});

/** Polls the status query until the credential reaches `state` (or 15 s pass); returns the last state seen. */
async function waitForState(client: Client, workflowId: string, state: CredentialState): Promise<CredentialState | undefined> {
  let seen: CredentialState | undefined;
  for (let i = 0; i < 300 && seen !== state; i++) {
    seen = (await getStatus(client, workflowId)).credentials[0]?.state;
    if (seen !== state) await new Promise((r) => setTimeout(r, 50));
  }
  return seen;
}

it('finishes after the worker is killed between revoke and verify, without redoing what history recorded', async () => {
  const tenant = new MemoryTenant(driftSeed({ faults: { ignoreRevoke: {}, writeLatencyMs: 700 } }));
  const { served, target, env, client } = await workerEnvironment(tenant);
  try {
    const first = await startWorkerProcess(env);
    const { workflowId } = await startContainment(client, target.taskQueue, driftContainment());
    // Kill as soon as the run has recorded its replacements: re-authentication (slow writes) is in flight, verify not begun.
    expect(await waitForState(client, workflowId, 'replaced')).toBe('replaced');
    const stageAtKill = (await getStatus(client, workflowId)).stage;
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(['revoke', 'reauth']).toContain(stageAtKill); // verification had not started

    await startWorkerProcess(env);
    const result = (await client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
    expect(result.outcome).toBe('contained');
    const calls = tenant.calls();
    expect(calls.filter((c) => c.op === 'revoke' && c.credentialId === 'tok-drift-1' && c.outcome === 'revoked')).toHaveLength(1);
    expect(calls.filter((c) => c.op === 'issue' && c.outcome === 'issued' && c.credentialId?.startsWith('tok-drift-1-r-'))).toHaveLength(3);
    expect(result.credentials[0]!.replacements).toHaveLength(3);
  } finally {
    await client.connection.close();
    await served.close();
  }
});

it('survives a kill in the middle of minting a replacement: one live replacement per consumer, the orphan revoked', async () => {
  const tenant = new MemoryTenant(driftSeed({ faults: { ignoreRevoke: {}, writeLatencyMs: 1500 } }));
  const { served, target, env, client } = await workerEnvironment(tenant);
  try {
    const first = await startWorkerProcess(env);
    const { workflowId } = await startContainment(client, target.taskQueue, driftContainment());
    // The revocation is recorded; the first replacement is being minted (each write takes 1.5 s).
    expect(await waitForState(client, workflowId, 'revoked')).toBe('revoked');
    // Kill once a mint has reached the provider (its claim recorded, the provider's 1.5 s write under way), not before.
    for (let i = 0; i < 400 && tenant.issuesInFlight() === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(tenant.issuesInFlight()).toBeGreaterThan(0);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(tenant.calls().filter((c) => c.op === 'issue')).toHaveLength(0); // the mint was in flight, not done

    await startWorkerProcess(env);
    const result = (await client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
    expect(result.outcome).toBe('contained');
    expect(tenant.calls().filter((c) => c.op === 'revoke' && c.credentialId === 'tok-drift-1' && c.outcome === 'revoked')).toHaveLength(1);
    // The dead worker's mint completed at the provider, but its value was never delivered: it was revoked, not kept.
    const minted = tenant.allCredentials().filter((c) => c.replacesId === 'tok-drift-1');
    const live = minted.filter((c) => c.status === 'active');
    // Replacements are minted in parallel: every mint in flight at the kill left an orphan, and each orphan was revoked.
    expect(minted.length).toBeGreaterThanOrEqual(4);
    expect(minted.filter((c) => c.status !== 'active')).toHaveLength(minted.length - 3);
    expect(live.map((c) => c.consumers[0]!.id).sort()).toEqual(['drift-chat-sync', 'drift-lead-router', 'salesloft-cadence']);
    expect(result.credentials[0]!.replacements.map((r) => r.replacementId).sort()).toEqual(live.map((c) => c.id).sort());
  } finally {
    await client.connection.close();
    await served.close();
  }
});

it('a revoke the provider applied just before the worker died counts as the run’s own: contained, not "nothing live to contain"', async () => {
  const tenant = new MemoryTenant(driftSeed({ faults: { ignoreRevoke: {} } }));
  // The provider applies the revocation, then its answer is held: the worker dies before it hears it, so
  // nothing about the revoke can be in the run's history yet.
  const revoke = tenant.revoke.bind(tenant);
  let applied!: () => void;
  const revokeApplied = new Promise<void>((r) => (applied = r));
  tenant.revoke = async (id) => {
    const out = await revoke(id);
    if (id === 'tok-drift-1' && out.outcome === 'done') {
      applied();
      await new Promise((r) => setTimeout(r, 3000));
    }
    return out;
  };
  const { served, target, env, client } = await workerEnvironment(tenant);
  try {
    const first = await startWorkerProcess(env);
    const { workflowId } = await startContainment(client, target.taskQueue, driftContainment());
    await revokeApplied;
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(tenant.credential('tok-drift-1')?.status).toBe('revoked');

    await startWorkerProcess(env);
    const result = (await client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
    expect(result.outcome, result.outcomeReason ?? '').toBe('contained');
    const revokes = tenant.calls().filter((c) => c.op === 'revoke' && c.credentialId === 'tok-drift-1');
    // The dead worker's revoke, then at most the new worker's retry of it, which finds it already gone.
    expect(revokes[0]!.outcome).toBe('revoked');
    expect(revokes.slice(1).every((c) => c.outcome === 'already_revoked')).toBe(true);
    expect(result.credentials[0]!.replacements).toHaveLength(3);
    expect(result.credentials[0]!.state).toBe('verified_dead');
  } finally {
    await client.connection.close();
    await served.close();
  }
}, 120_000);
