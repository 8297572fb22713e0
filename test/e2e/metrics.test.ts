// Worker metrics: a worker process started with CORDON_METRICS_ADDRESS serves Prometheus metrics —
// Temporal's own and Cordon's — and after a containment they show its outcome, its time to revoke, and
// the activity calls that did it, with no secret in any label.
import { randomBytes } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { connectClient, startContainment } from '../../client/containments.ts';
import { DRIFT_LEAKED_VALUE, driftSeed } from '../../connectors/memory/seeds.ts';
import { MemoryTenant } from '../../connectors/memory/tenant.ts';
import { serveMemoryTenant } from '../../connectors/memory/http.ts';
import type { ContainmentStatus } from '../../schemas/containment.ts';
import { freePort } from '../../temporal-config/dev-server.ts';
import { killAllWorkerProcesses, startWorkerProcess, WORKER_NODE_FLAGS, workerHeapLimitMiB, workerOutput, workerProcessEnv } from '../support/worker-process.ts';
import { testCodecKeys, testTarget } from '../support/temporal.ts';

afterAll(killAllWorkerProcesses);

/** The samples of one metric family, as `{labels} value` lines. */
function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .map((l) => {
      const m = /^[^{\s]+(?:\{(.*)\})?\s+(\S+)$/.exec(l)!;
      const labels = Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
      return { labels, value: Number(m[2]) };
    });
}

it('serves Temporal’s and Cordon’s metrics: containments by outcome, time to revoke, activity calls', async () => {
  const tenant = new MemoryTenant(driftSeed());
  const served = await serveMemoryTenant(tenant);
  const target = testTarget();
  const keys = testCodecKeys();
  const metricsAddress = `127.0.0.1:${await freePort()}`;
  const client = await connectClient(target, keys);
  try {
    const worker = await startWorkerProcess(await workerProcessEnv(target, keys, { CORDON_MEMORY_TENANT_URL: served.url, CORDON_METRICS_ADDRESS: metricsAddress }));
    // Started as `npm run worker` starts it, its heaps are capped (1,024 MiB old and 3 × 16 MiB young, every
    // thread): V8's default (4,288 MiB here) lets each heap grow to several times what it holds.
    expect(workerHeapLimitMiB(worker)).toBe(1024 + 3 * 16);
    const { workflowId } = await startContainment(client, target.taskQueue, {
      incidentId: `INC-metrics-${randomBytes(3).toString('hex')}`,
      requester: 'alice',
      credentials: [{ provider: 'memory', kind: 'oauth_token', leakedValue: DRIFT_LEAKED_VALUE }],
    });
    const result = (await client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
    expect(result.outcome).toBe('contained');

    // Core exports on its own schedule, Cordon's counters and Temporal's own not always in the same scrape:
    // read until both are there.
    let text = '';
    for (let i = 0; i < 50; i++) {
      text = await (await fetch(`http://${metricsAddress}/metrics`)).text();
      if (samples(text, 'cordon_containments').length && /^temporal_workflow_completed\{/m.test(text)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const contained = samples(text, 'cordon_containments').find((s) => s.labels.outcome === 'contained');
    expect(contained?.value).toBe(1);
    expect(contained?.labels.mode).toBe('direct');
    const revoked = samples(text, 'cordon_time_to_revoke_count').find((s) => s.labels.provider === 'memory');
    expect(revoked?.value).toBe(1);
    const calls = samples(text, 'cordon_activity_calls');
    expect(calls.find((s) => s.labels.activity === 'revokeCredential' && s.labels.outcome === 'ok')?.value).toBeGreaterThanOrEqual(1);
    // Three consumers of the leaked grant, and the one of the token the planned re-authentication ended.
    expect(calls.find((s) => s.labels.activity === 'issueReplacement' && s.labels.outcome === 'ok')?.value).toBe(4);
    expect(samples(text, 'cordon_activity_duration_count').length).toBeGreaterThan(0);
    // Temporal's own worker metrics come from the same endpoint.
    expect(text).toMatch(/^temporal_workflow_completed\{/m);
    expect(text).toMatch(/^temporal_activity_execution_latency/m);
    // No secret is a label value.
    expect(text).not.toContain(DRIFT_LEAKED_VALUE);
  } finally {
    await client.connection.close();
    await served.close();
  }
});

it('warns when the worker is started with a heap limit over 2 GiB, naming the flags `npm run worker` gives', async () => {
  const tenant = new MemoryTenant(driftSeed());
  const served = await serveMemoryTenant(tenant);
  const target = testTarget();
  try {
    // As a worker started with plain `node` on a large machine is (V8's default here: 4,288 MiB a heap).
    const worker = await startWorkerProcess(await workerProcessEnv(target, testCodecKeys(), { CORDON_MEMORY_TENANT_URL: served.url }), { nodeFlags: ['--max-old-space-size=3072'] });
    expect(workerHeapLimitMiB(worker)).toBeGreaterThan(2048);
    // The warning is written before the ready message is sent; its line may reach this process just after.
    const warned = () => /^\{.*heap limit.*\}$/m.exec(workerOutput(worker))?.[0];
    for (let i = 0; i < 50 && !warned(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(warned()).toBeDefined();
    const entry = JSON.parse(warned()!) as { level: string; msg: string; heapLimitMiB: number };
    expect(entry.level).toBe('warn');
    expect(entry.heapLimitMiB).toBe(workerHeapLimitMiB(worker));
    // The flags it names are the ones `npm run worker` gives (package.json), not a copy that could fall behind.
    expect(WORKER_NODE_FLAGS.length).toBeGreaterThan(0);
    expect(entry.msg).toContain(WORKER_NODE_FLAGS.join(' '));
  } finally {
    await served.close();
  }
});
