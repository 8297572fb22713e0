// Provider calls are paced by the Temporal server on the provider's task queue, for every worker
// together; a provider's 429 slows that queue (a server-side limit stamped with its end), lifted when
// its Retry-After has passed.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, expect, it } from 'vitest';
import { startContainment } from '../../client/containments.ts';
import { startMassContainment } from '../../client/mass.ts';
import type { MassContainmentResult } from '../../schemas/mass.ts';
import { MemoryConnector } from '../../connectors/memory/connector.ts';
import { MemoryTenant } from '../../connectors/memory/tenant.ts';
import { vendorTokensSeed } from '../../connectors/memory/seeds.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import { ConnectorError } from '../../connectors/types.ts';
import { providerTaskQueue } from '../../schemas/containment.ts';
import { queueThrottle, throttleEndsAt } from '../../worker/provider-pacing.ts';
import { startTestWorker, testCodecKeys, testTarget, type RunningWorker } from '../support/temporal.ts';

const workers: RunningWorker[] = [];
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
});
const sink = async () => new LocalEncryptedStore(await mkdtemp(join(tmpdir(), 'cordon-pacing-')), randomBytes(32));

it('two workers on one queue share the provider’s rate: the server spaces the calls of every run', async () => {
  const N = 8;
  const tenant = new MemoryTenant(vendorTokensSeed(N, 99));
  const target = testTarget();
  const rate = 4;
  const keys = testCodecKeys();
  for (let i = 0; i < 2; i++) workers.push(await startTestWorker({ connectors: { memory: new MemoryConnector(tenant) }, sink: await sink() }, { target, keys, providerRates: { memory: rate } }));
  const client = workers[0]!.client;
  const t0 = Date.now();
  // As a mass containment's children: a single direct run makes its handful of calls unpaced (README,
  // "Pacing and tuning"); children of a mass containment make every provider call on the provider's queue.
  const { workflowId } = await startMassContainment(client, target.taskQueue, {
    incidentId: 'INC-pace',
    requester: 'alice',
    credentials: Array.from({ length: N }, (_, i) => ({ provider: 'memory' as const, kind: 'oauth_token' as const, id: `tok-${i}` })),
    concurrency: N,
  });
  const result = (await client.workflow.getHandle(workflowId).result()) as MassContainmentResult;
  expect(result.tally.contained).toBe(N);
  const elapsed = (Date.now() - t0) / 1000;
  // Every provider call of the N runs went through the memory queue; the server admitted `rate` a second.
  const calls = tenant.calls().filter((c) => c.at >= new Date(t0).toISOString()).length;
  expect(calls).toBeGreaterThan(N * 3);
  // The server's limiter allows a burst of about one second's worth; the rest is spaced.
  expect(elapsed).toBeGreaterThanOrEqual((calls - 2 * rate) / rate);
});

it('a rate-limited call slows its whole queue until the Retry-After has passed, then the limit is lifted', async () => {
  const tenant = new MemoryTenant(vendorTokensSeed(2, 99));
  const connector = new MemoryConnector(tenant);
  // The provider answers one revoke with 429 and Retry-After: 3 s.
  let limited = 0;
  const revoke = connector.revoke.bind(connector);
  connector.revoke = async (...args: Parameters<typeof connector.revoke>) => {
    if (limited++ === 0) throw new ConnectorError('rate_limited', 'memory', 'memory: rate limited', { retryAfterMs: 3_000 });
    return revoke(...args);
  };
  const target = testTarget();
  const w = await startTestWorker({ connectors: { memory: connector }, sink: await sink() }, { target, providerRates: { memory: 50 } });
  workers.push(w);
  const queue = providerTaskQueue(target.taskQueue, 'memory');
  const config = async () =>
    (await w.client.workflowService.describeTaskQueue({ namespace: target.namespace, taskQueue: { name: queue }, taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY, reportConfig: true })).config
      ?.queueRateLimit;
  const { workflowId } = await startContainment(w.client, target.taskQueue, { incidentId: 'INC-429', requester: 'alice', credentials: [{ provider: 'memory', kind: 'oauth_token', id: 'tok-0' }] });
  // While the Retry-After runs, the queue's server-side limit is the throttle, with its end.
  let throttled: number | undefined;
  for (let i = 0; i < 100 && throttled === undefined; i++) {
    const c = await config();
    if (c?.rateLimit?.requestsPerSecond !== undefined && throttleEndsAt(c.metadata?.reason) !== undefined) {
      throttled = throttleEndsAt(c.metadata?.reason);
      expect(c.rateLimit.requestsPerSecond).toBeLessThanOrEqual(1 / 3 + 1e-6);
    } else await new Promise((r) => setTimeout(r, 100));
  }
  expect(throttled, `limited ${limited}`).toBeGreaterThan(Date.now() - 5_000);
  const result = (await w.client.workflow.getHandle(workflowId).result()) as { outcome: string };
  expect(result.outcome).toBe('contained');
  // Lifted after the Retry-After: no throttle left on the queue.
  for (let i = 0; i < 100; i++) {
    const c = await config();
    if (throttleEndsAt(c?.metadata?.reason) === undefined) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(throttleEndsAt((await config())?.metadata?.reason)).toBeUndefined();
  expect(limited).toBeGreaterThan(1);
});

it('a worker that finds a throttle past its end lifts it, whoever set it', async () => {
  const w = workers[0]!;
  const queue = `${w.target.taskQueue}-orphan-${randomBytes(3).toString('hex')}`;
  const throttle = queueThrottle(async () => w.client.connection as Connection, w.target.namespace);
  await throttle.slow(queue, 200);
  expect(await throttle.sweep([queue])).toEqual([]); // not yet past
  await new Promise((r) => setTimeout(r, 400));
  // The setter's own timer may have lifted it already; either way none is left.
  await throttle.sweep([queue]);
  const d = await w.client.workflowService.describeTaskQueue({ namespace: w.target.namespace, taskQueue: { name: queue }, taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY, reportConfig: true });
  expect(throttleEndsAt(d.config?.queueRateLimit?.metadata?.reason)).toBeUndefined();
});

it('a call for a provider the worker has no connector for fails at once, saying what to set, instead of waiting on its queue', async () => {
  const w = await startTestWorker({ connectors: { memory: new MemoryConnector(new MemoryTenant(vendorTokensSeed(1, 7))) }, sink: await sink() }, { target: testTarget() });
  workers.push(w);
  const { workflowId } = await startContainment(w.client, w.target.taskQueue, { incidentId: `INC-noconn-${randomBytes(3).toString('hex')}`, requester: 'alice', credentials: [{ provider: 'google', kind: 'service_account_key', id: 'projects/p/serviceAccounts/sa@p.iam.gserviceaccount.com/keys/abc' }] });
  const settled = await w.client.workflow
    .getHandle(workflowId)
    .result()
    .then((s) => JSON.stringify(s), (err: unknown) => String(err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause)}` : err));
  expect(settled).toMatch(/no google connector is configured/);
}, 45_000);
