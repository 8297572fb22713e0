// The replacement registry's batch update on the real dev server: claims and records of several consumers
// in one update, each answered as its own update would be (I8: one owner per consumer across runs), and a
// batch with one malformed op refused whole by the validator, before anything is written, and the worker's
// side (sendRegistryOps) then sending its ops one by one, so only the malformed one fails.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { expect, it } from 'vitest';
import { REFUSED_BATCH, sendRegistryOps, shardedRegistryId } from '../../activities/replacement-registry.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import { coordinationTaskQueue } from '../../schemas/containment.ts';
import type { RegistryBatch } from '../../schemas/registry.ts';
import { claimReplacementUpdate, REGISTRY_WORKFLOW_TYPE, registryBatchUpdate, type RegistryEntry } from '../../workflows/replacement-registry.ts';
import { registryOps } from '../support/registry-ops.ts';
import { startTestWorker } from '../support/temporal.ts';

it('applies a batch of claims and records in order, answering each as its own update; refuses a malformed batch whole, naming the op and field', async () => {
  const worker = await startTestWorker({ connectors: {}, sink: new LocalEncryptedStore(await mkdtemp(join(tmpdir(), 'cordon-registry-batch-')), randomBytes(32)) });
  const { client, target } = worker;
  const registryId = shardedRegistryId(target.taskQueue, { provider: 'google', principalId: 'sa-1' });
  const startedAt = new Date().toISOString();
  const claim = (workflowId: string, consumerId: string) => ({ claim: { credentialId: 'google:k1', consumerId, workflowId, claimerStartedAt: startedAt } });
  const send = (ops: RegistryBatch['ops']) =>
    client.workflow.executeUpdateWithStart(registryBatchUpdate, {
      args: [{ ops }],
      startWorkflowOperation: new WithStartWorkflowOperation(REGISTRY_WORKFLOW_TYPE, { workflowId: registryId, taskQueue: coordinationTaskQueue(target.taskQueue), args: [{ entries: [] }], workflowIdConflictPolicy: 'USE_EXISTING' }),
    });
  try {
    // Run A claims two consumers and records the first one's replacement in the same batch.
    const first = await send([claim('run-a', 'c1'), claim('run-a', 'c2'), { record: { credentialId: 'google:k1', consumerId: 'c1', workflowId: 'run-a', replacementId: 'new-1' } }]);
    expect(first.map((e) => [e.consumerId, e.workflowId, e.firstClaim ?? false, e.replacementId ?? null])).toEqual([
      ['c1', 'run-a', true, null], // the record after it in the batch does not change this claim's answer
      ['c2', 'run-a', true, null],
      ['c1', 'run-a', false, 'new-1'],
    ]);
    // Run B, racing for c2 and asking for c3: c2 stays run A's, c3 is run B's; the answers match the single update's.
    const second = await send([claim('run-b', 'c2'), claim('run-b', 'c3')]);
    expect(second.map((e) => [e.consumerId, e.workflowId])).toEqual([['c2', 'run-a'], ['c3', 'run-b']]);
    const single: RegistryEntry = await client.workflow.getHandle(registryId).executeUpdate(claimReplacementUpdate, { args: [claim('run-b', 'c1').claim] });
    expect([single.workflowId, single.replacementId]).toEqual(['run-a', 'new-1']);

    // One malformed op refuses the whole batch: nothing of it is written, and the refusal says which op and field.
    const refused = await send([claim('run-c', 'c4'), claim('run-c', '')]).then(() => 'accepted', (err: Error) => `${err.message} ${String(err.cause)}`);
    expect(refused).toMatch(/invalid registry update: ops\.1\.claim\.consumerId/);
    expect(refused).toMatch(REFUSED_BATCH);
    // The worker's side, given the same batch: refused whole, it sends the ops one by one, and only the malformed
    // one fails, with its own error.
    const apart = await sendRegistryOps(client, target.taskQueue, registryId, [claim('run-c', 'c4'), claim('run-c', ''), claim('run-c', 'c5')]);
    expect(apart.map((a) => (a instanceof Error ? `error: ${a.message} ${String(a.cause)}` : `${a.consumerId} ${a.workflowId}`))).toEqual([
      'c4 run-c',
      expect.stringMatching(/^error: .*invalid registry update: consumerId/),
      'c5 run-c',
    ]);
    const seen = await registryOps(client, registryId);
    expect(seen.updates).toEqual(['applyRegistryBatch', 'applyRegistryBatch', 'claimReplacement', 'claimReplacement', 'claimReplacement']);
    expect(seen.batchSizes).toEqual([3, 2]);
    expect(seen.claims.map((c) => c.consumerId)).toEqual(['c1', 'c2', 'c2', 'c3', 'c1', 'c4', 'c5']);
  } finally {
    await client.workflow.getHandle(registryId).terminate('test done').catch(() => undefined);
    await worker.stop();
  }
});
