// Provider calls are paced by the Temporal server on the provider's task queue, for every worker
// together, at a budget in calls that the workers turn into activities from the calls they count; a
// provider's 429 slows that queue (a server-side limit stamped with its end), lifted when its
// Retry-After has passed.
import { randomBytes } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
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
import { CallGate, PACE_PREFIX, PACE_SHARE, PROVIDER_CALL_CHANNEL, providerPacer, queueThrottle, throttleEndsAt } from '../../worker/provider-pacing.ts';
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

/** `n` memory tokens contained as a mass containment's children (whose provider calls all go through the memory queue), to its result. */
async function containAsChildren(w: RunningWorker, incidentId: string, n: number): Promise<MassContainmentResult> {
  const { workflowId } = await startMassContainment(w.client, w.target.taskQueue, {
    incidentId,
    requester: 'alice',
    credentials: Array.from({ length: n }, (_, i) => ({ provider: 'memory' as const, kind: 'oauth_token' as const, id: `tok-${i}` })),
    concurrency: n,
  });
  return (await w.client.workflow.getHandle(workflowId).result()) as MassContainmentResult;
}

/** The memory connector, with each provider method making `extra` more calls first (a listing that pages). */
function pagingConnector(inner: MemoryConnector, extra: number): MemoryConnector {
  const paging = new Set(['identify', 'listActive', 'revoke', 'replace', 'reauthScope', 'forceReauth', 'probe', 'audit']);
  return new Proxy(inner, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        if (paging.has(String(prop))) for (let i = 0; i < extra; i++) diagnostics.channel(PROVIDER_CALL_CHANNEL).publish({ provider: 'memory' });
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

it('the rate is a budget in calls: activities that make several calls each are paced at the budget over the calls they make', async () => {
  const N = 12;
  const budget = 10;
  const tenant = new MemoryTenant(vendorTokensSeed(N, 41));
  const target = testTarget();
  const w = await startTestWorker({ connectors: { memory: pagingConnector(new MemoryConnector(tenant), 3) }, sink: await sink() }, { target, providerRates: { memory: budget } });
  workers.push(w);
  const queue = providerTaskQueue(target.taskQueue, 'memory');
  const config = async () =>
    (await w.client.workflowService.describeTaskQueue({ namespace: target.namespace, taskQueue: { name: queue }, taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY, reportConfig: true })).config
      ?.queueRateLimit;
  // Every provider call, when it was made (the worker runs in this process).
  const calls: number[] = [];
  const onCall = () => calls.push(Date.now());
  diagnostics.subscribe(PROVIDER_CALL_CHANNEL, onCall);
  let pacedAt: number | undefined;
  let watching = true;
  const watcher = (async () => {
    while (watching && pacedAt === undefined) {
      if ((await config())?.metadata?.reason?.startsWith('cordon: paced at ')) pacedAt = Date.now();
      else await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    expect((await containAsChildren(w, 'INC-calls', N)).tally.contained).toBe(N);
  } finally {
    watching = false;
    await watcher;
    diagnostics.unsubscribe(PROVIDER_CALL_CHANNEL, onCall);
  }
  // The worker counted about four calls per activity and paced the queue at the budget over that.
  const limit = await config();
  const m = /^cordon: paced at 10 calls\/s over ([\d.]+) calls per activity$/.exec(limit?.metadata?.reason ?? '');
  expect(m, limit?.metadata?.reason ?? 'no pace').not.toBeNull();
  const perActivity = Number(m![1]);
  expect(perActivity).toBeGreaterThan(3);
  expect(limit!.rateLimit!.requestsPerSecond).toBeCloseTo(budget / perActivity, 2);
  // From a second after the pace on, the calls went at the budget (the server's limiter allows a burst of about one second's worth).
  expect(pacedAt).toBeDefined();
  const from = pacedAt! + 1_000;
  const after = calls.filter((t) => t >= from);
  expect(after.length, `${calls.length} calls in all`).toBeGreaterThan(2 * budget);
  const seconds = (after.at(-1)! - from) / 1000;
  expect(after.length).toBeLessThanOrEqual(budget * seconds * 1.2 + 2 * budget);
}, 90_000);

it('a worker never lands a burst of heavy activities ahead of the budget: its call gate holds them (refusing, with no call, past its longest wait) and all are contained', async () => {
  // Identifying makes 31 calls (a batch of an owner's grants read in full), the rest one: the queue starts at the
  // budget over an assumed 2 calls per activity (20 activities a second) and re-paces only after 5 seconds, so
  // without the gate the six children's identifications landed together (eight children: 260 calls in a second).
  const N = 6;
  const budget = 40;
  const tenant = new MemoryTenant(vendorTokensSeed(N, 57));
  const inner = new MemoryConnector(tenant);
  const identify = inner.identify.bind(inner);
  inner.identify = async (...args: Parameters<typeof inner.identify>) => {
    for (let i = 0; i < 30; i++) diagnostics.channel(PROVIDER_CALL_CHANNEL).publish({ provider: 'memory' });
    return identify(...args);
  };
  const target = testTarget();
  const w = await startTestWorker({ connectors: { memory: inner }, sink: await sink() }, { target, providerRates: { memory: budget } });
  workers.push(w);
  const calls: number[] = [];
  const onCall = () => calls.push(Date.now());
  diagnostics.subscribe(PROVIDER_CALL_CHANNEL, onCall);
  try {
    expect((await containAsChildren(w, 'INC-gate', N)).tally.contained).toBe(N);
  } finally {
    diagnostics.unsubscribe(PROVIDER_CALL_CHANNEL, onCall);
  }
  expect(calls.length).toBeGreaterThan(N * 31);
  // In any one second: at most a second of the budget, the bucket (another second) and one activity's calls.
  const busiest = Math.max(...calls.map((t) => calls.filter((u) => u >= t && u < t + 1_000).length));
  expect(busiest, `${calls.length} calls`).toBeLessThanOrEqual(2 * budget + 31);
}, 90_000);

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

it('each worker process holds its calls to its part of the budget: the budget over the processes the server sees polling the queue', async () => {
  // Two worker processes, as the server tells them apart (a worker's identity is its process's, pid@host).
  const target = testTarget();
  const queue = providerTaskQueue(target.taskQueue, 'salesforce');
  const natives = await Promise.all([0, 1].map(() => NativeConnection.connect({ address: target.connectionOptions.address })));
  const client = await Connection.connect({ address: target.connectionOptions.address });
  const pollers = await Promise.all(['1001@host-a', '1002@host-b'].map((identity, i) => Worker.create({ connection: natives[i]!, namespace: target.namespace, taskQueue: queue, identity, activities: { idle: async () => undefined } })));
  const running = pollers.map((w) => w.run());
  try {
    const throttle = queueThrottle(async () => client, target.namespace);
    let seen = 0;
    for (let i = 0; i < 100 && seen < 2; i++) {
      seen = (await throttle.read(queue)).processes;
      if (seen < 2) await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen).toBe(2);
    const gates: CallGate[] = [];
    const pacer = providerPacer(throttle, { salesforce: queue }, { salesforce: 8 }, { gate: (rate) => (gates.push(new CallGate(rate, rate)), gates.at(-1)!) });
    pacer.interceptor('salesforce');
    const share = PACE_SHARE.salesforce!;
    expect(gates.map((g) => g.callsPerSecond)).toEqual([8 * share]); // the whole paced budget until the first re-pacing
    await pacer.tick();
    expect(gates.map((g) => [g.callsPerSecond, g.burst])).toEqual([[(8 * share) / 2, (8 * share) / 2]]);
    // One describe carries both what the share needs and what a pace needs (the queue's rate limit as set now).
    expect(await throttle.pace(queue, 3, 'test', await throttle.read(queue))).toBe(true);
    const read = await throttle.read(queue);
    expect([read.processes, read.limit?.rateLimit?.requestsPerSecond, read.limit?.metadata?.reason]).toEqual([2, 3, `${PACE_PREFIX}test`]);
    expect(await throttle.pace(queue, 3.05, 'test again', read)).toBe(false); // within 5 % of the pace the read shows
  } finally {
    for (const w of pollers) w.shutdown();
    await Promise.all(running);
    await client.close();
    await Promise.all(natives.map((n) => n.close()));
  }
}, 60_000);

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
