// A staged containment waiting for its approval, flooded with refusals of the largest fields a signal may carry
// and with refused decisions, as anyone who may signal the run (or a client looping on a stale decision) can send.
// Every one used to stay in the run's evidence, which the status query and the run's result carry whole: 2,500 of
// them took the state past Temporal's 2 MB payload limit and the status could no longer be read ("Blob data size
// exceeds limit"), so no way in could show the run or find the next stage's pending approval to approve it. The
// evidence now keeps the first MESSAGE_RECORDS_KEPT, counts the rest, and records the count as the run finishes;
// a refused decision's caller still hears why.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MemoryConnector } from '../../connectors/memory/connector.ts';
import { driftSeed } from '../../connectors/memory/seeds.ts';
import { MemoryTenant } from '../../connectors/memory/tenant.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import type { ContainmentStatus } from '../../schemas/containment.ts';
import { decideUpdate, refusalSignal, statusQuery, WORKFLOW_TYPE } from '../../workflows/definitions.ts';
import { EVERY_MESSAGE, MESSAGE_RECORDS_KEPT } from '../../workflows/containment/messages.ts';
import { startTestWorker, type RunningWorker } from '../support/temporal.ts';

const tenant = new MemoryTenant(driftSeed());
let w: RunningWorker;
beforeAll(async () => {
  w = await startTestWorker({ connectors: { memory: new MemoryConnector(tenant) }, sink: new LocalEncryptedStore(await mkdtemp(join(tmpdir(), 'cordon-flood-')), randomBytes(32)) });
});
afterAll(async () => {
  await w?.stop();
});

it('a run flooded with refusals and refused decisions keeps its status readable and completes; the evidence keeps the first ones and counts the rest', { timeout: 180_000 }, async () => {
  const input = { incidentId: `INC-flood-${randomBytes(3).toString('hex')}`, requester: 'alice', mode: 'staged', policy: { waveSize: 3, approval: { approvers: ['bob', 'alice'] } }, credentials: [{ provider: 'memory', kind: 'oauth_token', id: 'tok-drift-1' }] };
  const h = await w.client.workflow.start(WORKFLOW_TYPE, { taskQueue: w.target.taskQueue, workflowId: `flood-${randomBytes(4).toString('hex')}`, args: [input] });
  let pending: ContainmentStatus['pendingApprovals'][number] | undefined;
  for (let i = 0; i < 200 && !pending; i++) {
    pending = (await h.query(statusQuery)).pendingApprovals[0];
    if (!pending) await new Promise((r) => setTimeout(r, 100));
  }
  expect(pending).toBeDefined();
  const recordedBefore = (await h.query(statusQuery)).evidence.length;

  const SIGNALS = 2500;
  const junk = { stage: 's'.repeat(128), approver: 'a'.repeat(256), channel: 'c'.repeat(32), reason: 'r'.repeat(500) };
  for (let i = 0; i < SIGNALS; i += 50) await Promise.all(Array.from({ length: Math.min(50, SIGNALS - i) }, () => h.signal(refusalSignal, junk as never)));
  // Past the bound, a refused decision is still refused with its reason.
  const refused = await h.executeUpdate(decideUpdate, { args: [{ stage: pending!.stage, digest: pending!.digest, decision: 'approve', approver: 'mallory', channel: 'temporal' }] as never }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((refused as WorkflowUpdateFailedError).cause?.message).toMatch(/mallory is not an authorized approver/);

  const status = await h.query(statusQuery);
  expect(JSON.stringify(status).length).toBeLessThan(512 * 1024); // Temporal's payload warning; 2 MB is its limit
  const added = status.evidence.slice(recordedBefore);
  expect(added.filter((e) => e.kind === 'approval_refused')).toHaveLength(MESSAGE_RECORDS_KEPT);
  expect(added.at(-1)).toMatchObject({ kind: 'signal_ignored', signal: EVERY_MESSAGE });
  expect(status.pendingApprovals[0]?.approvals).toEqual([]);

  // The approvals still count (restrict, then the one wave).
  for (let stage = 0; stage < 2; stage++) {
    let p = (await h.query(statusQuery)).pendingApprovals[0];
    for (let i = 0; i < 200 && !p; i++) {
      await new Promise((r) => setTimeout(r, 100));
      p = (await h.query(statusQuery)).pendingApprovals[0];
    }
    const r = await h.executeUpdate(decideUpdate, { args: [{ stage: p!.stage, digest: p!.digest, decision: 'approve', approver: 'bob', channel: 'temporal' }] as never });
    expect(r.state).toBe('approved');
  }
  const result = (await h.result()) as ContainmentStatus;
  expect(result.outcome, result.outcomeReason).toBe('contained');
  const last = result.evidence.slice(-2);
  expect(last[1]?.kind).toBe('finished');
  // The signals and the refused decision past the bound, and the approval (which counts) recorded on its own.
  expect(last[0]).toMatchObject({ kind: 'signal_ignored', reason: `${SIGNALS + 1 - MESSAGE_RECORDS_KEPT} further refused or ignored message(s) counted, not recorded one by one (the first ${MESSAGE_RECORDS_KEPT} are)` });
  expect(result.evidence.some((e) => e.kind === 'approval_decided' && e.approver === 'bob')).toBe(true);
});
