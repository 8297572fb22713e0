// OpenTelemetry tracing: with CORDON_OTEL_ENDPOINT set in the starting process and in a real worker
// process, one containment is one trace: Cordon's start span and Temporal's client span in this process,
// the workflow's and every activity's spans in the worker, all under one trace id, exported by OTLP/HTTP
// to a loopback collector. No span, attribute or resource carries the leaked value.
import { randomBytes } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { connectClient, startContainment } from '../../client/containments.ts';
import { DRIFT_LEAKED_VALUE, driftSeed } from '../../connectors/memory/seeds.ts';
import { MemoryTenant } from '../../connectors/memory/tenant.ts';
import { serveMemoryTenant } from '../../connectors/memory/http.ts';
import type { ContainmentStatus } from '../../schemas/containment.ts';
import { WORKFLOW_TYPE } from '../../workflows/definitions.ts';
import { flushTracing, processTracing, shutdownTracing } from '../../temporal-config/tracing.ts';
import { killAllWorkerProcesses, startWorkerProcess, workerProcessEnv } from '../support/worker-process.ts';
import { startOtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.ts';
import { testCodecKeys, testTarget } from '../support/temporal.ts';

afterAll(killAllWorkerProcesses);

/** Polls `find` until it returns something, for up to `ms` (the worker exports its spans in batches, every 5 s). */
async function eventually<T>(find: () => T | undefined, ms: number): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = find();
    if (found !== undefined || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 250));
  }
}

it('traces one containment as one trace across the client, the workflow and its activities, with no secret in any span', async () => {
  const receiver = await startOtlpReceiver();
  const tenant = new MemoryTenant(driftSeed());
  const served = await serveMemoryTenant(tenant);
  const target = testTarget();
  const keys = testCodecKeys();
  try {
    expect(await processTracing({ CORDON_OTEL_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'cordon-test-client' })).toBeDefined();
    // No prebuilt bundle: the worker bundles its workflows with the tracing interceptors.
    await startWorkerProcess(await workerProcessEnv(target, keys, { CORDON_MEMORY_TENANT_URL: served.url, CORDON_OTEL_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'cordon-test-worker' }));
    const client = await connectClient(target, keys);
    try {
      const { workflowId } = await startContainment(client, target.taskQueue, {
        incidentId: `INC-trace-${randomBytes(3).toString('hex')}`,
        requester: 'alice',
        credentials: [{ provider: 'memory', kind: 'oauth_token', leakedValue: DRIFT_LEAKED_VALUE }],
      });
      const result = (await client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
      expect(result.outcome).toBe('contained');
      await flushTracing();

      const root = receiver.spans.find((s) => s.name === 'cordon.startContainment' && s.attributes.temporalWorkflowId === workflowId);
      expect(root, 'the start span of this containment').toBeDefined();
      const trace = (s: ReceivedSpan) => s.traceId === root!.traceId;
      const worker = (name: string) => receiver.spans.find((s) => trace(s) && s.service === 'cordon-test-worker' && s.name === name);
      const revoked = await eventually(() => (worker(`RunWorkflow:${WORKFLOW_TYPE}`) && worker('RunActivity:revokeCredential') ? true : undefined), 90_000);
      expect(revoked, `workflow and activity spans in trace ${root!.traceId}; received: ${receiver.spans.map((s) => `${s.service} ${s.name} ${s.traceId}`).join(', ')}`).toBe(true);

      expect(root!.parentSpanId).toBe('');
      expect(root!.service).toBe('cordon-test-client');
      // Temporal's client span is a child of Cordon's, and carries the context in the workflow's headers.
      const start = receiver.spans.find((s) => trace(s) && s.name === `StartWorkflow:${WORKFLOW_TYPE}`);
      expect(start?.parentSpanId).toBe(root!.spanId);
      expect(start?.service).toBe('cordon-test-client');
      const run = worker(`RunWorkflow:${WORKFLOW_TYPE}`)!;
      expect(run.parentSpanId).toBe(start!.spanId);
      // Every activity of the run is in the trace, under the workflow's spans.
      const activities = receiver.spans.filter((s) => s.name.startsWith('RunActivity:') && s.attributes.temporalWorkflowId === workflowId);
      expect(activities.map((s) => s.name)).toEqual(expect.arrayContaining(['RunActivity:revokeCredential', 'RunActivity:issueReplacement']));
      for (const a of activities) expect(trace(a), `${a.name} in the containment's trace`).toBe(true);
      const workflowSpanIds = new Set(receiver.spans.filter((s) => trace(s) && s.service === 'cordon-test-worker' && !s.name.startsWith('RunActivity:')).map((s) => s.spanId));
      for (const a of activities) expect(workflowSpanIds.has(a.parentSpanId), `${a.name}'s parent is a workflow span`).toBe(true);
      // Nothing this run made is traced anywhere else.
      for (const s of receiver.spans.filter((x) => x.attributes.temporalWorkflowId === workflowId)) expect(trace(s), `${s.name} in the containment's trace`).toBe(true);

      // No secret: not in a span name, attribute, event, status or resource of anything exported.
      expect(receiver.bodies.length).toBeGreaterThan(1);
      for (const body of receiver.bodies) expect(body).not.toContain(DRIFT_LEAKED_VALUE);
    } finally {
      await client.connection.close();
    }
  } finally {
    await shutdownTracing();
    await served.close();
    await receiver.close();
  }
}, 240_000);
