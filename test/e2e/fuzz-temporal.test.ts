// Property-based fuzzing of the containment workflow's Temporal-direct surface (fast-check): arbitrary
// and near-valid payloads sent with the client to every update and signal `containCredential`
// defines, against a real staged run waiting for approval on the dev server. The run never fails nor
// sticks on a workflow-task failure; every invalid `decide` is rejected by the validator with a message
// and leaves the pending approval unchanged; invalid signals are ignored (recorded as such); afterwards
// a valid approval still completes the run. FUZZ_RUNS scales the cases: FUZZ_RUNS/10 (30 in `npm test`);
// `npm run fuzz` sets FUZZ_TEMPORAL_RUNS=2000 (an e2e round trip per case).
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EncryptionCodec } from '../../codec/encryption-codec.ts';
import { MemoryConnector } from '../../connectors/memory/connector.ts';
import { driftSeed } from '../../connectors/memory/seeds.ts';
import { MemoryTenant } from '../../connectors/memory/tenant.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import type { ContainmentStatus } from '../../schemas/containment.ts';
import { cancelRequestSignal, decideUpdate, refusalSignal, statusQuery, WORKFLOW_TYPE } from '../../workflows/definitions.ts';
import { EVERY_MESSAGE, MESSAGE_RECORDS_KEPT } from '../../workflows/containment/messages.ts';
import { startTestWorker, type RunningWorker } from '../support/temporal.ts';

const RUNS = Number(process.env.FUZZ_TEMPORAL_RUNS) || Math.max(20, Math.round((Number(process.env.FUZZ_RUNS) || 300) / 10));
const EventType = temporal.api.enums.v1.EventType;

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => void unhandled.push(reason));

const tenant = new MemoryTenant(driftSeed());
let w: RunningWorker;
beforeAll(async () => {
  w = await startTestWorker({
    connectors: { memory: new MemoryConnector(tenant) },
    sink: new LocalEncryptedStore(await mkdtemp(join(tmpdir(), 'cordon-fuzz-')), randomBytes(32)),
  });
});
afterAll(async () => {
  await w?.stop();
});

const status = (h: WorkflowHandle) => h.query(statusQuery);

async function pendingOf(h: WorkflowHandle): Promise<ContainmentStatus['pendingApprovals'][number]> {
  for (let i = 0; i < 200; i++) {
    const p = (await status(h)).pendingApprovals[0];
    if (p) return p;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no approval became pending');
}

/** No workflow task failed, the run is still running (or completed), and no task is stuck retrying. */
async function assertHealthy(h: WorkflowHandle, checkHistory: boolean): Promise<void> {
  // Wait for the workflow task that handles what was just sent; a retried one means it failed.
  let d = await h.describe();
  for (let i = 0; i < 100 && d.raw.pendingWorkflowTask && (d.raw.pendingWorkflowTask.attempt ?? 1) <= 1; i++) {
    await new Promise((r) => setTimeout(r, 20));
    d = await h.describe();
  }
  expect(['RUNNING', 'COMPLETED']).toContain(d.status.name);
  expect(d.raw.pendingWorkflowTask?.attempt ?? 1, 'a workflow task failed and is being retried').toBeLessThanOrEqual(1);
  if (checkHistory) {
    const history = await h.fetchHistory();
    const failed = (history.events ?? []).filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
    expect(failed.map((e) => e.workflowTaskFailedEventAttributes?.failure?.message)).toEqual([]);
  }
}

// Strings that have broken coercion before: own `toString`/`valueOf` keys, prototype keys, huge values.
const nasty = fc.constantFrom<unknown>({ toString: 1 }, { valueOf: 'x', toString: null }, { __proto__: { a: 1 } }, { constructor: 1 }, [], '', 'x'.repeat(70_000), -0, 1e308, null, true);
const anyValue = fc.oneof(fc.jsonValue(), nasty, fc.constant(undefined));

it(`arbitrary update and signal payloads never fail the run, are refused with a message, and leave the approval to a valid decision (${RUNS} cases)`, async () => {
  tenant.load(driftSeed());
  const workflowId = `fuzz-${randomBytes(4).toString('hex')}`;
  const input = { incidentId: `INC-fuzz-${randomBytes(3).toString('hex')}`, requester: 'alice', mode: 'staged', policy: { waveSize: 3, approval: { approvers: ['bob', 'alice'] } }, credentials: [{ provider: 'memory', kind: 'oauth_token', id: 'tok-drift-1' }] };
  const h = await w.client.workflow.start(WORKFLOW_TYPE, { taskQueue: w.target.taskQueue, workflowId, args: [input] });
  const first = await pendingOf(h);
  const valid = { stage: first.stage, digest: first.digest, decision: 'approve', approver: 'bob', channel: 'temporal' };

  // Near-valid decisions: one field replaced by something a validator must refuse. bob (the only
  // approver who is not the requester) never appears, so no generated decision is acceptable.
  const badApprover = fc.oneof(fc.constantFrom('alice', 'mallory', '', 'x'.repeat(300), 'Bob', 'bob '), fc.string({ maxLength: 20 }).filter((s) => s !== 'bob'));
  const nearValid = fc
    .record(
      {
        stage: fc.oneof(fc.constant(first.stage), fc.constantFrom('restrict', 'wave-9', '', 'x'.repeat(200)), anyValue),
        digest: fc.oneof(fc.constant(first.digest), fc.constant('0'.repeat(64)), fc.stringMatching(/^[0-9a-f]{64}$/), anyValue),
        decision: fc.oneof(fc.constantFrom('approve', 'reject', 'APPROVE', 'maybe'), anyValue),
        approver: fc.oneof(badApprover, anyValue),
        reason: fc.oneof(fc.string({ maxLength: 30 }), fc.constant('r'.repeat(2001)), anyValue),
        channel: fc.oneof(fc.constantFrom('temporal', 'slack', '', 'c'.repeat(33)), anyValue),
        extra: anyValue,
      },
      { requiredKeys: [] },
    )
    .filter((d) => !(typeof d.approver === 'string' && d.approver === 'bob'));
  const decideArgs = fc.oneof({ weight: 3, arbitrary: nearValid.map((d) => [d]) }, { weight: 1, arbitrary: fc.array(anyValue, { maxLength: 3 }) });
  const signalArgs = fc.oneof(
    fc.record({ stage: fc.string({ maxLength: 200 }), approver: fc.string({ maxLength: 300 }), channel: fc.string({ maxLength: 40 }), reason: fc.string({ maxLength: 600 }), actor: fc.string({ maxLength: 300 }) }).map((s) => [s]),
    fc.record({ stage: anyValue, approver: anyValue, channel: anyValue, reason: anyValue, actor: anyValue }, { requiredKeys: [] }).map((s) => [s]),
    fc.array(anyValue, { maxLength: 3 }),
  );
  const cases = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('update' as const), args: decideArgs }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('recordRefusal' as const, 'recordCancelRequest' as const), args: signalArgs }) },
  );

  const tally = { cases: 0, updates: 0, refused: 0, signals: 0, ignored: 0, accepted: 0 };
  const before = JSON.stringify(first);
  await fc.assert(
    fc.asyncProperty(cases, async (c) => {
      tally.cases++;
      if (c.kind === 'update') {
        tally.updates++;
        const err = await h.executeUpdate(decideUpdate, { args: c.args as never }).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (!err) tally.accepted++;
        if (err && !(err instanceof WorkflowUpdateFailedError)) console.error("update error", err, (err as { cause?: unknown }).cause);
        expect(err, `accepted: ${JSON.stringify(c.args).slice(0, 300)}`).toBeInstanceOf(WorkflowUpdateFailedError);
        tally.refused++;
        const message = (err as WorkflowUpdateFailedError).cause?.message ?? '';
        expect(message).toMatch(/^(invalid decision: |no approval is pending|stale plan digest|.+ is not an authorized approver|.+ requested this containment|.+ already approved)/);
        // The pending approval is as it was: nothing counted, still pending.
        expect(JSON.stringify((await status(h)).pendingApprovals[0])).toBe(before);
      } else {
        tally.signals++;
        const def = c.kind === 'recordRefusal' ? refusalSignal : cancelRequestSignal;
        await h.signal(def.name, ...(c.args as never[]));
      }
      await assertHealthy(h, tally.cases % 50 === 0);
    }),
    { numRuns: RUNS, endOnFailure: true },
  );
  await assertHealthy(h, true);
  const s = await status(h);
  expect(s.outcome).toBe('running');
  expect(s.pendingApprovals[0]?.approvals).toEqual([]);

  // Every signal left one line in the evidence (recorded as sent, or ignored as malformed), and so did
  // every refused update (the workflow records its refusals), up to MESSAGE_RECORDS_KEPT; past it (`npm run
  // fuzz`), one line says the rest are counted.
  const fromMessages = s.evidence.filter((e) => ['approval_refused', 'cancel_requested', 'signal_ignored'].includes(e.kind));
  const messages = tally.signals + tally.refused;
  expect(fromMessages).toHaveLength(Math.min(messages, MESSAGE_RECORDS_KEPT) + (messages >= MESSAGE_RECORDS_KEPT ? 1 : 0));
  tally.ignored = fromMessages.filter((e) => e.kind === 'signal_ignored' && e.signal !== EVERY_MESSAGE).length; // of those recorded
  // None of them counts as a way in: no envelope, so each is an unauthenticated Temporal-direct call.
  expect(fromMessages.filter((e) => e.kind !== 'signal_ignored' && (e as { channel?: string }).channel !== 'temporal')).toEqual([]);

  // A valid approval still completes the run (restrict, then the one wave).
  for (let approvals = 0; approvals < 2; approvals++) {
    const p = await pendingOf(h);
    const r = await h.executeUpdate(decideUpdate, { args: [{ ...valid, stage: p.stage, digest: p.digest } as never] });
    expect(r.state).toBe('approved');
  }
  const result = (await h.result()) as ContainmentStatus;
  expect(result.outcome).toBe('contained');
  await assertHealthy(h, true);
  expect(unhandled).toEqual([]);
  // The run under test is the only containment on this task queue: no payload started another.
  const started = (await w.client.workflow.count(`TaskQueue = "${w.target.taskQueue}" AND WorkflowType = "${WORKFLOW_TYPE}"`)).count;
  expect(started).toBe(1);
  process.stdout.write(
    `fuzz temporal: ${tally.cases} cases · ${tally.updates} updates (${tally.refused} refused by the validator, ${tally.accepted} accepted) · ${tally.signals} signals (${tally.ignored} ignored as malformed) · 5xx n/a · 0 workflow-task failures · ${unhandled.length} unhandled rejections · ${started - 1} workflows started besides the run under test · run ended ${result.outcome}\n`,
  );
}, 1_800_000);

it('a malformed signal (null, an object with its own toString) is recorded as ignored and does not fail the workflow task', async () => {
  tenant.load(driftSeed());
  const input = { incidentId: `INC-fuzz-${randomBytes(3).toString('hex')}`, requester: 'alice', mode: 'staged', policy: { approval: { approvers: ['bob'] } }, credentials: [{ provider: 'memory', kind: 'oauth_token', id: 'tok-drift-1' }] };
  const h = await w.client.workflow.start(WORKFLOW_TYPE, { taskQueue: w.target.taskQueue, workflowId: `fuzz-${randomBytes(4).toString('hex')}`, args: [input] });
  const p = await pendingOf(h);
  await h.signal(refusalSignal.name, null);
  await h.signal(cancelRequestSignal.name);
  await h.signal(refusalSignal.name, { stage: p.stage, approver: { toString: 1 }, channel: 'x', reason: 'r' });
  await h.signal(cancelRequestSignal.name, { actor: 'eve', channel: 'temporal', reason: { valueOf: 1 } });
  await assertHealthy(h, true);
  const ignored = (await status(h)).evidence.flatMap((e) => (e.kind === 'signal_ignored' ? [e] : []));
  expect(ignored.map((e) => e.signal)).toEqual(['recordRefusal', 'recordCancelRequest', 'recordRefusal', 'recordCancelRequest']);
  expect(ignored[0]!.reason).toBe('malformed payload: expected an object, got null');
  expect(ignored[2]!.reason).toBe('malformed payload: approver must be text, got object');
  await h.terminate('test done');
});

it('a signal or decision whose payload cannot be decoded at all (sent with the raw gRPC API) is refused, and the run goes on', async () => {
  tenant.load(driftSeed());
  const input = { incidentId: `INC-fuzz-${randomBytes(3).toString('hex')}`, requester: 'alice', mode: 'staged', policy: { waveSize: 3, approval: { approvers: ['bob'] } }, credentials: [{ provider: 'memory', kind: 'oauth_token', id: 'tok-drift-1' }] };
  const workflowId = `fuzz-${randomBytes(4).toString('hex')}`;
  const h = await w.client.workflow.start(WORKFLOW_TYPE, { taskQueue: w.target.taskQueue, workflowId, args: [input] });
  const p = await pendingOf(h);
  const bytes = (s: string) => new TextEncoder().encode(s);
  const undecodable: temporal.api.common.v1.IPayload[] = [
    { metadata: { encoding: bytes('json/plain') }, data: bytes('{"approver": "bob", not json') },
    { metadata: { encoding: bytes('application/x-nothing-reads-this') }, data: bytes('x') },
    { metadata: {}, data: bytes('no encoding at all') },
    { metadata: { encoding: bytes('binary/encrypted'), 'encryption-key-id': bytes('a-key-this-worker-lacks') }, data: randomBytes(64) },
    { metadata: { encoding: bytes('binary/encrypted'), 'encryption-key-id': bytes(w.keys.activeKeyId) }, data: randomBytes(64) },
  ];
  const service = w.client.workflowService;
  for (const payload of undecodable) {
    for (const signalName of [refusalSignal.name, cancelRequestSignal.name]) {
      await service.signalWorkflowExecution({ namespace: w.target.namespace, workflowExecution: { workflowId }, signalName, input: { payloads: [payload] }, identity: 'raw-grpc-test' });
    }
  }
  await assertHealthy(h, true);
  const ignored = (await status(h)).evidence.flatMap((e) => (e.kind === 'signal_ignored' ? [e] : []));
  expect(ignored).toHaveLength(undecodable.length * 2);
  expect(ignored.map((e) => e.reason)).toEqual(
    expect.arrayContaining([
      'malformed payload: could not be decoded: the payload is not valid JSON',
      'malformed payload: could not be decoded: no codec key with id a-key-this-worker-lacks: add it to CORDON_CODEC_KEYS to read this history',
      'malformed payload: could not be decoded: the encrypted payload could not be decrypted (wrong key or altered bytes)',
    ]),
  );
  // The reasons name the failure, never the payload's bytes.
  expect(JSON.stringify(ignored)).not.toContain('not json');

  // A decision the worker cannot decode is refused like any invalid one, before anything is counted.
  const raw = await service.updateWorkflowExecution({
    namespace: w.target.namespace,
    workflowExecution: { workflowId },
    request: { meta: { updateId: `raw-${randomBytes(4).toString('hex')}`, identity: 'raw-grpc-test' }, input: { name: decideUpdate.name, args: { payloads: [undecodable[3]!] } } },
    waitPolicy: { lifecycleStage: temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED },
  });
  // Failure texts travel encrypted (codec/failure-converter.ts): read the message as a client does.
  const [attributes] = await new EncryptionCodec(w.keys).decode([raw.outcome!.failure!.encodedAttributes!]);
  expect(JSON.parse(new TextDecoder().decode(attributes!.data!)).message).toMatch(/^invalid decision: the payload could not be decoded: no codec key with id a-key-this-worker-lacks/);
  expect((await status(h)).pendingApprovals[0]?.approvals).toEqual([]);

  // The run still completes on valid approvals (restrict, then the one wave).
  for (let approvals = 0; approvals < 2; approvals++) {
    const next = approvals === 0 ? p : await pendingOf(h);
    const r = await h.executeUpdate(decideUpdate, { args: [{ stage: next.stage, digest: next.digest, decision: 'approve', approver: 'bob', channel: 'temporal' } as never] });
    expect(r.state).toBe('approved');
  }
  expect(((await h.result()) as ContainmentStatus).outcome).toBe('contained');
  await assertHealthy(h, true);
});

it('a start whose input cannot be decoded fails at once as invalid input instead of failing its workflow tasks forever', async () => {
  const workflowId = `fuzz-${randomBytes(4).toString('hex')}`;
  await w.client.workflowService.startWorkflowExecution({
    namespace: w.target.namespace,
    workflowId,
    workflowType: { name: WORKFLOW_TYPE },
    taskQueue: { name: w.target.taskQueue },
    input: { payloads: [{ metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode('{broken') } as temporal.api.common.v1.IPayload] },
    requestId: randomBytes(8).toString('hex'),
    identity: 'raw-grpc-test',
  });
  const h = w.client.workflow.getHandle(workflowId);
  const err = await h.result().then(() => undefined, (e: unknown) => e as Error & { cause?: Error & { type?: string } });
  expect(err?.cause?.type).toBe('cordon.invalid_input');
  expect(err?.cause?.message).toBe('invalid containment input: the payload could not be decoded: the payload is not valid JSON');
  const history = await h.fetchHistory();
  expect((history.events ?? []).filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)).toEqual([]);
});
