// A mass containment whose worker process is SIGKILLed twice, once while its children's revokes are in flight
// and once while their replacements are: each child revokes, replaces and verifies an owner's credentials in
// one activity per provider (revokeCredentials, issueReplacements, verifyCredentials), so a kill lands inside
// batches, with some of their provider calls answered and others not. A fresh worker process finishes the run.
// Judged from the emulators and the children's own results, as the P3 benchmark judges (bench/sequential-outcomes.ts):
// every credential gone and verified gone by the run, exactly one live replacement per consumer, nothing else
// minted left alive (an upload or deploy key of a killed attempt was ended), nothing outside the set ended, and
// no credential ended twice by a provider call answered 2xx.
import { randomBytes } from 'node:crypto';
import { afterAll, expect, inject, it } from 'vitest';
import { loadScenario } from '@cordon/emulators';
import { childResults, credentialSet, liveKeys, sideRecordOf, workerConnectorEnv } from '../../bench/credential-set.ts';
import { checkOutcomes } from '../../bench/sequential-outcomes.ts';
import { connectClient } from '../../client/containments.ts';
import { startMassContainment } from '../../client/mass.ts';
import { startLocalTenant } from '../../local-tenant/tenant.ts';
import type { MassContainmentResult } from '../../schemas/mass.ts';
import { testCodecKeys, testTarget } from '../support/temporal.ts';
import { killAllWorkerProcesses, killWorkerProcess, startWorkerProcess, workerProcessEnv } from '../support/worker-process.ts';

afterAll(killAllWorkerProcesses);

const GOOGLE_DELETE = 'projects.serviceAccounts.keys.delete';
const GOOGLE_UPLOAD = 'projects.serviceAccounts.keys.upload';
const REVOKES = /^projects\.serviceAccounts\.keys\.delete$|^repos\.deleteDeployKey$/;
const MINTS = /^projects\.serviceAccounts\.keys\.upload$|^repos\.createDeployKey$/;

async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  for (const end = Date.now() + ms; !ok(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('a mass containment finishes after its worker is killed inside its batched revokes and again inside its batched replacements: each credential gone, one live replacement per consumer, no orphan, nothing ended twice', { timeout: 300_000 }, async () => {
  const scenario = loadScenario(120);
  scenario.github!.rateLimitPerHour = 1_000_000_000;
  const tenant = await startLocalTenant({ scenario });
  const target = testTarget();
  const keys = testCodecKeys();
  const client = await connectClient(target, keys);
  try {
    const set = await credentialSet(tenant, 24);
    const before = await liveKeys(tenant);
    const from = tenant.calls().at(-1)?.seq ?? 0;
    const answered = (op: RegExp) => tenant.calls().filter((c) => c.seq > from && op.test(c.operation) && c.status < 300);
    const consumers = set.reduce((n, c) => n + c.consumers.length, 0);
    // Every provider call takes 150 ms, and Google's key deletes and uploads 1.5 s: the kills land while GitHub's
    // calls of a step are answered and Google's are still at the provider, which applies them after the worker died.
    for (const operation of [GOOGLE_DELETE, GOOGLE_UPLOAD]) tenant.injectFault({ provider: 'google', operation, type: 'latency', latencyMs: 1500 });
    tenant.injectFault({ type: 'latency', latencyMs: 150 });
    const env = await workerProcessEnv(target, keys, { ...workerConnectorEnv(tenant, set), CORDON_WORKFLOW_BUNDLE: inject('workflowBundlePath'), CORDON_GITHUB_REVOKES_PER_HOUR: '360000' });

    let worker = await startWorkerProcess(env);
    const { workflowId } = await startMassContainment(client, target.taskQueue, { incidentId: `INC-mass-crash-${randomBytes(3).toString('hex')}`, requester: 'alice', credentials: set.map((c) => c.ref), concurrency: 20 });
    // First kill: GitHub's revocations answered, Google's at the provider.
    await until('revocations answered and others in flight', () => answered(REVOKES).length >= 1 && tenant.inFlight({ provider: 'google', operation: GOOGLE_DELETE }) >= 1);
    await killWorkerProcess(worker);
    expect(answered(REVOKES).length).toBeLessThan(set.length);
    worker = await startWorkerProcess(env);
    // Second kill: deploy keys minted, Google uploads at the provider (keys whose private halves die with the worker).
    await until('replacements minted and others in flight', () => answered(MINTS).length >= 1 && tenant.inFlight({ provider: 'google', operation: GOOGLE_UPLOAD }) >= 1);
    await killWorkerProcess(worker);
    expect(answered(MINTS).length).toBeLessThan(consumers);
    worker = await startWorkerProcess(env);

    const result = (await client.workflow.getHandle(workflowId).result()) as MassContainmentResult;
    expect(result.tally).toEqual({ contained: set.length });
    const children = await childResults(client, workflowId, set.map((c) => c.ref));
    // The kills landed inside the children's batches: revokeCredentials and issueReplacements activities ran again
    // after a worker died in them (their history keeps the attempt that completed).
    const retried: Record<string, number> = { revokeCredentials: 0, issueReplacements: 0 };
    for (const child of children) {
      const events = (await client.workflow.getHandle(child.workflowId).fetchHistory()).events ?? [];
      const typeOf = new Map(events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [[String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? '']] : [])));
      for (const e of events) {
        const started = e.activityTaskStartedEventAttributes;
        const type = started && (started.attempt ?? 1) > 1 ? typeOf.get(String(started.scheduledEventId)) : undefined;
        if (type && type in retried) retried[type]!++;
      }
    }
    expect(retried.revokeCredentials).toBeGreaterThan(0);
    expect(retried.issueReplacements).toBeGreaterThan(0);
    const check = checkOutcomes(set, sideRecordOf(children.map((c) => c.status)), { before, after: await liveKeys(tenant) });
    expect(check.problems).toEqual([]);
    expect([check.revoked, check.verified, check.replaced]).toEqual([set.length, set.length, consumers]);
    // No credential ended twice: per target, revoking calls answered 2xx (an orphan's delete is its own target).
    const ended = new Map<string, number>();
    for (const c of answered(REVOKES)) ended.set(c.target ?? c.path, (ended.get(c.target ?? c.path) ?? 0) + 1);
    expect([...ended].filter(([, n]) => n > 1)).toEqual([]);
    // The second kill left orphans: uploads the provider made after the worker died, with private halves no one
    // holds. More keys were minted than consumers, and the retries found them by their label and ended every one.
    expect(answered(MINTS).length).toBeGreaterThan(consumers);
    const inSet = new Set(set.map((c) => c.credentialId));
    const orphansEnded = answered(REVOKES).filter((c) => !inSet.has(`${c.provider}:${c.target}`));
    expect(orphansEnded.length).toBe(answered(MINTS).length - consumers);
    expect(answered(REVOKES).length - orphansEnded.length).toBe(set.length);
  } finally {
    await client.connection.close();
    await tenant.close();
  }
});
