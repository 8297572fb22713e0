// Mass containment: many refs fan out as child containments, a few at a time, continuing as new to
// bound history; the parent's tally and its list of failures match what the children did.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MemoryConnector } from '../../connectors/memory/connector.ts';
import { MemoryTenant } from '../../connectors/memory/tenant.ts';
import { vendorTokensSeed } from '../../connectors/memory/seeds.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import type { MassContainmentRequest, MassContainmentResult } from '../../schemas/mass.ts';
import { startTestWorker, type RunningWorker } from '../support/temporal.ts';

const N = 24;

const tenant = new MemoryTenant(vendorTokensSeed(N, 7));
let w: RunningWorker;
beforeAll(async () => {
  w = await startTestWorker({ connectors: { memory: new MemoryConnector(tenant) }, sink: new LocalEncryptedStore(await mkdtemp(join(tmpdir(), 'cordon-mass-')), randomBytes(32)) });
});
afterAll(async () => {
  await w?.stop();
});

it('contains every ref through bounded child runs and reports exactly the one that stayed alive', async () => {
  const workflowId = `mass-${randomBytes(4).toString('hex')}`;
  const request: MassContainmentRequest = {
    incidentId: `INC-mass-${randomBytes(3).toString('hex')}`,
    requester: 'alice',
    concurrency: 4,
    childrenPerRun: 10, // 24 refs → two continue-as-new hops
    credentials: Array.from({ length: N }, (_, i) => ({ provider: 'memory' as const, kind: 'oauth_token' as const, id: `tok-${i}` })),
  };
  const handle = await w.client.workflow.start('massContainment', { workflowId, taskQueue: w.target.taskQueue, args: [request] });
  const result = (await handle.result()) as MassContainmentResult;
  expect(result.total).toBe(N);
  expect(result.tally, JSON.stringify(result.notContained.slice(0, 3))).toEqual({ contained: N - 1, not_contained: 1 });
  expect(result.notContained).toEqual([expect.objectContaining({ index: 7, workflowId: `${workflowId}-7`, outcome: 'not_contained' })]);
  // Every ref was revoked once, by its own child; one replacement per consumer.
  const revoked = tenant.calls().filter((c) => c.op === 'revoke' && c.outcome === 'revoked' && /^tok-\d+$/.test(c.credentialId ?? ''));
  expect(new Set(revoked.map((c) => c.credentialId)).size).toBe(N);
  expect(tenant.calls().filter((c) => c.op === 'issue' && c.outcome === 'issued')).toHaveLength(N);
  // Continued as new: the final run is not the first one.
  const desc = await handle.describe();
  expect(desc.runId).not.toBe(handle.firstExecutionRunId);
  const children = await w.client.workflow.count(`WorkflowType = "containCredential" AND TaskQueue = "${w.target.taskQueue}"`);
  expect(children.count).toBe(N);
});

it('without childrenPerRun, a run keeps starting children as slots free until its history is full: 52 refs in one run', async () => {
  // Runs recorded before the history budget continued as new every 50 children, after waiting for the slowest
  // of them: 52 refs took two runs, and the second started only once all of the first 50 had finished.
  const n = 52;
  const seeded = new MemoryTenant(vendorTokensSeed(n, 7));
  const worker = await startTestWorker({ connectors: { memory: new MemoryConnector(seeded) }, sink: new LocalEncryptedStore(await mkdtemp(join(tmpdir(), 'cordon-mass-')), randomBytes(32)) });
  try {
    const workflowId = `mass-budget-${randomBytes(4).toString('hex')}`;
    const request: MassContainmentRequest = {
      incidentId: `INC-mass-${randomBytes(3).toString('hex')}`,
      requester: 'alice',
      concurrency: 20,
      credentials: Array.from({ length: n }, (_, i) => ({ provider: 'memory' as const, kind: 'oauth_token' as const, id: `tok-${i}` })),
    };
    const handle = await worker.client.workflow.start('massContainment', { workflowId, taskQueue: worker.target.taskQueue, args: [request] });
    const result = (await handle.result()) as MassContainmentResult;
    expect(result.tally).toEqual({ contained: n - 1, not_contained: 1 });
    expect((await handle.describe()).runId).toBe(handle.firstExecutionRunId);
    const history = await handle.fetchHistory();
    expect(history.events?.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toHaveLength(n);
  } finally {
    await worker.stop();
  }
}, 300_000);
