// The containment workflow's branches, each in seconds: the real workflow bundle on the run's Temporal
// dev server, with stubbed activities (no connectors, no emulators). Each stub records its calls so a
// test can say what the workflow asked for, and in which order. Durations in the policies are short
// (seconds) so approval timeouts and deadlines pass while the test waits.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Activities, VerifyResult } from '../../activities/index.ts';
import { buildPlan } from '../../activities/plan.ts';
import { connectClient } from '../../client/containments.ts';
import { cordonDataConverter } from '../../codec/encryption-codec.ts';
import type { WriteResult } from '../../connectors/types.ts';
import { providerTaskQueue, type ContainmentRequest, type ContainmentStatus } from '../../schemas/containment.ts';
import { Provider, type Credential } from '../../schemas/credential.ts';
import { approvalEvents } from '../../schemas/evidence-text.ts';
import { FAILURE_TYPES } from '../../schemas/failure-types.ts';
import { cancelRequestSignal, decideUpdate, statusQuery, WORKFLOW_TYPE } from '../../workflows/definitions.ts';
import { testCodecKeys, testTarget } from '../support/temporal.ts';

/** How one test wants each credential to behave; keyed by credential id. */
interface Script {
  revoke?: (c: Credential, call: number) => WriteResult;
  verify?: (c: Credential, call: number) => Partial<VerifyResult>;
  fallback?: (rung: string, c: Credential) => WriteResult;
  restrict?: (c: Credential) => WriteResult;
  /** How long the re-authentication scope read takes. */
  scopeDelayMs?: number;
  /** identify reads the principal's re-authentication scope with the credential (ScopeReport.reauthScopes); `impossible`: it found re-authentication not possible (a Slack bot). */
  carryScope?: boolean | 'impossible';
  /** identify leaves the credential's details for after the revoke (when the run asks), read in this many ms. */
  enrichDelayMs?: number;
  /** How long each verification read takes. */
  verifyDelayMs?: number;
  /** How long each revoke takes. */
  revokeDelayMs?: number;
}

interface Call {
  /** The run that made the call: a run left over from a failed test never counts for the next one. */
  workflowId: string;
  name: string;
  id?: string;
  at: number;
  detail?: string;
}

const credentials = new Map<string, Credential>();
let script: Script = {};
const allCalls: Call[] = [];
let current = '';
/** The calls of the run under test, in order. */
const calls = () => allCalls.filter((c) => c.workflowId === current);

function credential(id: string, consumers = 0, as: Pick<Credential, 'provider' | 'kind'> = { provider: 'memory', kind: 'api_key' }): Credential {
  const c: Credential = {
    ...as,
    id,
    label: `key ${id}`,
    principal: { id: `owner-of-${id}`, displayName: `Owner of ${id}`, type: 'service_account', status: 'active' },
    scopes: ['read'],
    consumers: Array.from({ length: consumers }, (_, i) => ({ id: `${id}-consumer-${i + 1}`, name: `consumer ${i + 1} of ${id}`, kind: 'integration' as const })),
    selfOrLastAdmin: false,
  };
  credentials.set(id, c);
  return c;
}

const count = (name: string, id?: string) => calls().filter((c) => c.name === name && (id === undefined || c.id === id)).length;
const log = (name: string, id?: string, detail?: string) =>
  allCalls.push({ workflowId: Context.current().info.workflowExecution?.workflowId ?? '', name, at: Date.now(), ...(id ? { id } : {}), ...(detail ? { detail } : {}) });

/** The activity interface, stubbed: identify/plan are pure; writes and verification follow `script`. */
const stubs: Activities = {
  identifyScope: async ({ ref, deferEnrichment }) => {
    log('identifyScope', ref.id);
    const c = credentials.get(ref.id!)!;
    const snapshot = script.carryScope === 'impossible' ? { credentials: [], effects: [], notPossible: `${c.principal.id} has no sessions` } : { credentials: [c], effects: [] };
    const carried = script.carryScope ? { reauthScopes: [{ principalId: c.principal.id, ...snapshot }] } : {};
    const deferred = deferEnrichment && script.enrichDelayMs !== undefined ? { pendingEnrichment: [{ credentialId: c.id, context: {} }] } : {};
    return { provider: c.provider, ref: `memory key ${c.id}`, credentials: [c], relatedServiceAccounts: [], riskFlags: [], blindSpots: [], ...carried, ...deferred };
  },
  // Runs that are not single runs read per provider (context.ts batchCalls): each ref as identifyScope reads it.
  identifyScopes: async ({ refs, deferEnrichment }) => Promise.all(refs.map((ref) => stubs.identifyScope({ ref, ...(deferEnrichment ? { deferEnrichment } : {}) }))),
  // As the activity does: a credential whose revoke failed is left to the run to revoke on its own.
  revokeCredentials: async ({ items }) => Promise.all(items.map((item) => stubs.revokeCredential(item).then((revoked) => ({ revoked }), () => ({ failed: 'error' })))),
  verifyCredentials: async ({ items, workflowId }) => Promise.all(items.map((item) => stubs.verifyCredential({ ...item, workflowId }))),
  // As the activity does: a replacement that failed is left to the run to issue on its own.
  issueReplacements: async ({ items }) => Promise.all(items.map((item) => stubs.issueReplacement(item).then((outcome) => ({ outcome }), (err: unknown) => ({ failed: err instanceof ApplicationFailure ? (err.type ?? 'error') : 'error' })))),
  enrichScope: async ({ report }) => {
    log('enrichScope start');
    await new Promise((r) => setTimeout(r, script.enrichDelayMs ?? 0));
    log('enrichScope done');
    return { provider: report.provider, credentials: [], riskFlags: [], blindSpots: [] };
  },
  scopeReauth: async ({ provider, principal, snapshot }) => {
    await new Promise((r) => setTimeout(r, script.scopeDelayMs ?? 0));
    log('scopeReauth done', principal.id, snapshot ? `snapshot of ${snapshot.principalId}: ${snapshot.credentials.map((c) => c.id).join(', ')}` : undefined);
    return { provider, principal, ends: [], effects: [], leftAlone: [] };
  },
  prepareSinks: async () => void log('prepareSinks'),
  planContainment: async (input) => {
    log('planContainment');
    return buildPlan(input);
  },
  planMassRef: async () => {
    throw new Error('not used: no mass dry run in these tests');
  },
  planMassGroup: async () => {
    throw new Error('not used: no mass dry run in these tests');
  },
  revokeCredential: async ({ credential: c }) => {
    log('revokeCredential', c.id);
    await new Promise((r) => setTimeout(r, script.revokeDelayMs ?? 0));
    log('revokeCredential done', c.id);
    return script.revoke ? script.revoke(c, count('revokeCredential', c.id)) : { outcome: 'done' };
  },
  revokeByValue: async () => {
    throw new Error('not used: no GitHub credential in these tests');
  },
  issueReplacement: async ({ credential: c, consumer }) => {
    log('issueReplacement', c.id, consumer.id);
    return { issued: { credentialId: `memory:${c.id}`, consumerId: consumer.id, replacementId: `r-${consumer.id}`, fingerprint: 'abcd1234', sink: 'memory', issuedAt: new Date().toISOString() } };
  },
  releaseReplacementClaims: async () => {
    log('releaseReplacementClaims');
  },
  forceReauth: async ({ principal }) => {
    log('forceReauth', principal.id);
    return { outcome: 'done' };
  },
  unrestrictCredential: async ({ credential: c }) => {
    log('unrestrictCredential', c.id);
    return { outcome: 'done' };
  },
  restrictCredential: async ({ credential: c }) => {
    log('restrictCredential', c.id);
    return script.restrict ? script.restrict(c) : { outcome: 'done', detail: 'restricted', undo: { kind: 'test', description: `lift the restriction of ${c.id}`, data: {} } };
  },
  verifyCredential: async ({ credential: c }) => {
    log('verifyCredential', c.id);
    await new Promise((r) => setTimeout(r, script.verifyDelayMs ?? 0));
    const v = script.verify?.(c, count('verifyCredential', c.id)) ?? {};
    return { stillActive: false, unexpectedActive: [], unplanned: [], probe: 'skipped', ...v };
  },
  fallbackRung: async ({ rung, credential: c }) => {
    log('fallbackRung', c.id, rung);
    if (!script.fallback) throw ApplicationFailure.create({ type: FAILURE_TYPES.unsupported, nonRetryable: true, message: `${rung} not supported` });
    return script.fallback(rung, c);
  },
  notify: async (n) => {
    log('notify', undefined, `${n.kind}:${n.stage ?? ''}`);
  },
  sealEvidence: async ({ digest }) => ({ signed: false, digest, reason: 'the stub worker has no signing key' }),
};

let client: Client;
let worker: Worker;
let providerWorkers: Worker[] = [];
let running: Promise<void>;
let connection: NativeConnection;
const target = testTarget(`cordon-branches-${randomBytes(4).toString('hex')}`);

beforeAll(async () => {
  const keys = testCodecKeys();
  connection = await NativeConnection.connect({ address: target.connectionOptions.address });
  const dataConverter = cordonDataConverter(keys, { worker: true });
  worker = await Worker.create({
    connection,
    namespace: target.namespace,
    taskQueue: target.taskQueue,
    workflowBundle: { code: await readFile(inject('workflowBundlePath'), 'utf8') },
    activities: stubs,
    dataConverter,
  });
  // A run schedules each provider call on its provider's task queue: the stubs answer there too.
  providerWorkers = await Promise.all(
    Provider.options.map((p) => Worker.create({ connection, namespace: target.namespace, taskQueue: providerTaskQueue(target.taskQueue, p), activities: stubs, dataConverter })),
  );
  running = Promise.all([worker, ...providerWorkers].map((w) => w.run())).then(() => undefined);
  client = await connectClient(target, keys);
});

afterAll(async () => {
  for (const w of [worker, ...providerWorkers]) w?.shutdown();
  await running;
  await connection?.close();
  await client?.connection.close();
});

type Policy = NonNullable<ContainmentRequest['policy']>;

async function start(ids: string[], opts: { mode?: 'direct' | 'staged'; severity?: 'high' | 'critical'; policy?: Policy } = {}): Promise<WorkflowHandle> {
  const request: ContainmentRequest = {
    incidentId: `INC-${randomBytes(3).toString('hex')}`,
    requester: 'responder',
    severity: opts.severity ?? 'high',
    mode: opts.mode ?? 'direct',
    credentials: ids.map((id) => ({ provider: 'memory', kind: 'api_key', id })),
    policy: opts.policy ?? {},
  };
  current = `branches-${request.incidentId}`;
  return client.workflow.start(WORKFLOW_TYPE, { args: [request], taskQueue: target.taskQueue, workflowId: current });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const pendingStage = (h: WorkflowHandle, stage: string) =>
  until(`approval ${stage} pending`, async () => {
    const s = await h.query(statusQuery);
    return s.pendingApprovals.some((p) => p.stage === stage) ? s : undefined;
  });

/** One approval stage's events in a word each: the kind, or the decision / the policy default. */
const approvalWords = (s: ContainmentStatus, stage: string) =>
  approvalEvents(s.evidence, stage).map((e) => (e.kind === 'approval_decided' ? e.decision : e.kind === 'approval_defaulted' ? `default ${e.onTimeout}` : e.kind));
const stateOf = (s: ContainmentStatus, id: string) => s.credentials.find((c) => c.credentialId === `memory:${id}`)?.state;

describe('containCredential with stubbed activities', () => {
  it('needs two approvers at critical severity: one approval is not enough to revoke', async () => {
    script = {};
    const c = credential('quorum-1');
    // Decided straight through Temporal (unauthenticated), which a critical run accepts only when its policy says so.
    const h = await start([c.id], { severity: 'critical', policy: { approval: { approvers: ['alice', 'bob'], requireForDirect: true, requireAuthenticated: { low: false, medium: false, high: false, critical: false } } } });
    const s = await pendingStage(h, 'contain');
    const digest = s.plan!.digest;
    const first = await h.executeUpdate(decideUpdate, { args: [{ stage: 'contain', digest, decision: 'approve', approver: 'alice', channel: 'api' }] });
    expect(first).toMatchObject({ state: 'pending', approvals: 1, quorum: 2 });
    // The same approver twice does not make a quorum: the workflow refuses it (and records the refusal).
    await expect(h.executeUpdate(decideUpdate, { args: [{ stage: 'contain', digest, decision: 'approve', approver: 'alice', channel: 'api' }] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/already approved/) } });
    await new Promise((r) => setTimeout(r, 500));
    expect(count('revokeCredential')).toBe(0);
    const second = await h.executeUpdate(decideUpdate, { args: [{ stage: 'contain', digest, decision: 'approve', approver: 'bob', channel: 'api' }] });
    expect(second).toMatchObject({ state: 'approved', approvals: 2, quorum: 2 });
    const result: ContainmentStatus = await h.result();
    expect(result.outcome).toBe('contained');
    expect(count('revokeCredential', c.id)).toBe(1);
    expect(approvalWords(result, 'contain')).toEqual(['approval_requested', 'approved', 'approval_refused', 'approved']);
  });

  it('fails closed when the staged deadline passes without a decision: revokes, then replaces every consumer', async () => {
    script = {};
    const c = credential('staged-1', 2);
    const h = await start([c.id], { mode: 'staged', policy: { stagedDeadline: '2s', approval: { approvers: ['alice'], escalateAfter: '30s' } } });
    const result: ContainmentStatus = await h.result();
    expect(count('restrictCredential')).toBe(0);
    expect(result.evidence.find((e) => e.kind === 'staged_fail_closed')).toMatchObject({ cause: 'deadline', rejectedBy: [] });
    const revokeAt = calls().findIndex((x) => x.name === 'revokeCredential');
    const firstReplacement = calls().findIndex((x) => x.name === 'issueReplacement');
    expect(revokeAt).toBeGreaterThanOrEqual(0);
    expect(firstReplacement).toBeGreaterThan(revokeAt); // I1 again once failed closed: revoke before replace
    expect(count('issueReplacement', c.id)).toBe(2);
    expect(result.outcome).toBe('contained');
    expect(result.pendingApprovals).toEqual([]);
  });

  it('applies the timeout default: proceed approves as policy, hold waits for the deadline and fails closed', async () => {
    script = {};
    const quick = { escalateAfter: '1s', defaultAfter: '1s', approvers: ['alice'], requireForDirect: true };
    const p = credential('default-proceed');
    const t0 = Date.now();
    const proceed: ContainmentStatus = await (await start([p.id], { policy: { stagedDeadline: '60s', approval: { ...quick, onTimeout: { low: 'hold', medium: 'hold', high: 'proceed', critical: 'hold' } } } })).result();
    const proceedRevokedAfter = calls().find((x) => x.name === 'revokeCredential')!.at - t0;
    expect(approvalWords(proceed, 'contain')).toEqual(['approval_requested', 'approval_escalated', 'default proceed']);
    expect(calls().some((x) => x.name === 'notify' && x.detail === 'escalation:contain')).toBe(true);
    expect(proceed.outcome).toBe('contained');
    expect(proceedRevokedAfter).toBeLessThan(30_000); // well before the 60 s deadline a hold would wait for

    const h = credential('default-hold');
    const t1 = Date.now();
    const hold: ContainmentStatus = await (await start([h.id], { policy: { stagedDeadline: '5s', approval: { ...quick, onTimeout: { low: 'hold', medium: 'hold', high: 'hold', critical: 'hold' } } } })).result();
    const holdRevokedAfter = calls().find((x) => x.name === 'revokeCredential')!.at - t1;
    expect(approvalWords(hold, 'contain')).toEqual(['approval_requested', 'approval_escalated', 'default hold', 'approval_deadline', 'approval_fail_closed']);
    expect(holdRevokedAfter).toBeGreaterThanOrEqual(4_500);
    expect(hold.outcome).toBe('contained');
  });

  it('climbs the fallback ladder when revocation does not stick, skipping an unsupported rung', async () => {
    let blocked = false;
    script = {
      verify: () => (blocked ? {} : { stillActive: true, probe: 'alive' }),
      fallback: (rung) => {
        if (rung === 'revokeAllForClient') throw ApplicationFailure.create({ type: FAILURE_TYPES.unsupported, nonRetryable: true, message: 'no client-wide revocation here' });
        blocked = true;
        return { outcome: 'done', detail: `${rung} applied` };
      },
    };
    const c = credential('ladder-1');
    const result: ContainmentStatus = await (await start([c.id], { policy: { reRevokeAttempts: 1 } })).result();
    expect(count('revokeCredential', c.id)).toBe(2); // the revocation, then one bounded re-revoke
    expect(calls().filter((x) => x.name === 'fallbackRung').map((x) => x.detail)).toEqual(['revokeAllForClient', 'blockApp']);
    expect(result.credentials[0]!.fallbacksUsed).toEqual(['blockApp']);
    expect(result.evidence.flatMap((e) => (e.kind === 'fallback_rung' && e.rung === 'revokeAllForClient' ? [e.result] : []))).toEqual(['not_possible']);
    expect(result.evidence.flatMap((e) => (e.kind === 'verified' ? [e.verdict] : []))).toEqual(['alive', 'alive', 'dead']);
    expect(stateOf(result, c.id)).toBe('verified_dead');
    expect(result.outcome).toBe('contained');
  });

  it('ends not_contained when every rung is spent and the credential is still alive', async () => {
    script = { verify: () => ({ stillActive: true, probe: 'alive' }), fallback: (rung) => ({ outcome: 'done', detail: `${rung} applied` }) };
    const c = credential('ladder-2');
    const result: ContainmentStatus = await (await start([c.id], { policy: { reRevokeAttempts: 0 } })).result();
    expect(result.credentials[0]!.fallbacksUsed).toEqual(['revokeAllForClient', 'blockApp', 'suspendPrincipal']);
    expect(stateOf(result, c.id)).toBe('not_contained');
    expect(result.outcome).toBe('not_contained');
    expect(result.outcomeReason).toMatch(/still active after re-revoke and the fallback ladder: memory:ladder-2/);
  });

  it('on cancellation undoes the temporary restriction, revokes nothing and leaves no approval pending', async () => {
    script = {};
    const c = credential('cancel-1', 2);
    const h = await start([c.id], { mode: 'staged', policy: { approval: { approvers: ['alice'] } } });
    const s = await pendingStage(h, 'c0-restrict');
    await h.executeUpdate(decideUpdate, { args: [{ stage: 'c0-restrict', digest: s.plan!.digest, decision: 'approve', approver: 'alice', channel: 'api' }] });
    await pendingStage(h, 'c0-wave-1');
    await h.signal(cancelRequestSignal, { actor: 'bob', channel: 'api', reason: 'false positive' });
    await h.cancel();
    const result: ContainmentStatus = await h.result();
    expect(result.outcome).toBe('cancelled');
    expect(count('restrictCredential', c.id)).toBe(1);
    expect(count('unrestrictCredential', c.id)).toBe(1);
    expect(result.restrictions).toMatchObject([{ credentialId: `memory:${c.id}`, undone: true }]);
    expect(count('revokeCredential')).toBe(0);
    expect(count('issueReplacement')).toBe(0);
    expect(result.pendingApprovals).toEqual([]);
    expect(result.evidence.filter((e) => e.kind === 'cancel_requested')).toHaveLength(1);
    // Nothing is written after the verdict: the undo comes before `finished`.
    expect(result.evidence.at(-1)).toMatchObject({ kind: 'finished', outcome: 'cancelled' });
  });

  it('rides out a transient failure past the activity retries, escalates, and succeeds', async () => {
    // Retry-After of 50 ms keeps Temporal's own 4 attempts quick; the 5th call (the workflow's 2nd round) succeeds.
    script = {
      revoke: (_c, call) => {
        if (call <= 4) throw ApplicationFailure.create({ type: FAILURE_TYPES.rate_limited, message: 'slow down', nextRetryDelay: 50 });
        return { outcome: 'done' };
      },
    };
    const c = credential('transient-1');
    const h = await start([c.id], { policy: { escalateRetriesAfter: '1s' } });
    const waiting = await until('waitingOn', async () => (await h.query(statusQuery)).waitingOn);
    expect(waiting.what).toBe(`revoking ${c.label}`);
    const result: ContainmentStatus = await h.result();
    expect(count('revokeCredential', c.id)).toBe(5);
    expect(result.evidence.find((e) => e.kind === 'waiting_escalated')).toMatchObject({ what: expect.stringMatching(/^revoking/) });
    expect(calls().some((x) => x.name === 'notify' && x.detail?.startsWith('escalation:provider:revoking'))).toBe(true);
    expect(result.waitingOn).toBeUndefined();
    expect(result.outcome).toBe('contained');
  });

  // I8: a revoke that can end more than its credential (a Salesforce grant takes its sessions) waits for the
  // re-authentication scope, so the plan lists what it ends; a Google service-account key's delete ends only
  // the key, so its scope is read beside it. The slow scope read shows which order the run took.
  it.each([
    { as: { provider: 'salesforce', kind: 'refresh_token' }, scopeFirst: true },
    { as: { provider: 'slack', kind: 'oauth_token' }, scopeFirst: true },
    { as: { provider: 'google', kind: 'service_account_key' }, scopeFirst: false },
  ] as const)('a $as.provider $as.kind: the scope is read before its revoke: $scopeFirst', async ({ as, scopeFirst }) => {
    script = { scopeDelayMs: 1_000 };
    const c = credential(`scope-order-${as.provider}`, 1, as);
    const result: ContainmentStatus = await (await start([c.id])).result();
    expect(result.outcome, result.outcomeReason).toBe('contained');
    const order = calls().map((x) => x.name).filter((n) => n === 'scopeReauth done' || n === 'revokeCredential');
    expect(order).toEqual(scopeFirst ? ['scopeReauth done', 'revokeCredential'] : ['revokeCredential', 'scopeReauth done']);
  });

  // Where the scope step runs beside the revoke, the plan follows it there: a slow revoke shows the plan built
  // before the revoke is acknowledged, and the replacement still after both (I1).
  it.each([
    { as: { provider: 'google', kind: 'service_account_key' }, carryScope: false },
    { as: { provider: 'salesforce', kind: 'refresh_token' }, carryScope: true },
  ] as const)('a $as.provider $as.kind: plans as soon as the scope is in, beside a slow revoke', async ({ as, carryScope }) => {
    script = { revokeDelayMs: 1_000, carryScope };
    const c = credential(`plan-beside-${as.provider}`, 1, as);
    const result: ContainmentStatus = await (await start([c.id])).result();
    expect(result.outcome, result.outcomeReason).toBe('contained');
    const at = (name: string) => calls().find((x) => x.name === name)!.at;
    expect(at('planContainment')).toBeLessThan(at('revokeCredential done'));
    expect(at('issueReplacement')).toBeGreaterThanOrEqual(at('revokeCredential done'));
    expect(result.evidence.findIndex((e) => e.kind === 'revoked')).toBeLessThan(result.evidence.findIndex((e) => e.kind === 'planned'));
  });

  // The details identify left for after the revoke are read beside the rest of the run. A call made as a local
  // activity holds back whatever is scheduled in the same workflow task until it is done: neither the
  // replacements (scheduled activities) nor the verification may wait for the details, nor the details for them.
  it.each([
    { consumers: 1, first: 'issueReplacement' },
    { consumers: 0, first: 'verifyCredential' },
  ])('reads the deferred details beside $first, neither waiting for the other', async ({ consumers, first }) => {
    script = { enrichDelayMs: 1_500, verifyDelayMs: 1_500 };
    const c = credential(`deferred-details-${consumers}`, consumers);
    const result: ContainmentStatus = await (await start([c.id])).result();
    expect(result.outcome, result.outcomeReason).toBe('contained');
    const at = (name: string) => calls().find((x) => x.name === name)!.at;
    expect(count('enrichScope done')).toBe(1);
    // Side by side: each starts well before the other's 1.5 s is over.
    expect(Math.abs(at('enrichScope start') - at(first))).toBeLessThan(1_000);
    expect(result.evidence.some((e) => e.kind === 'enriched')).toBe(true);
  });

  // I8 holds once identify has read what the revoke and the re-authentication end: the scope step (with a
  // carried scope, only the registry's word on other runs' replacements) no longer holds the revoke back.
  it('hands the re-authentication scope identify read with the credential to the plan (not read again), beside the revoke (I8)', async () => {
    script = { carryScope: true, scopeDelayMs: 1_000 };
    const c = credential('carried-scope', 1, { provider: 'salesforce', kind: 'refresh_token' });
    const result: ContainmentStatus = await (await start([c.id])).result();
    expect(result.outcome, result.outcomeReason).toBe('contained');
    const scoped = calls().filter((x) => x.name === 'scopeReauth done');
    expect(scoped.map((x) => x.detail)).toEqual([`snapshot of ${c.principal.id}: ${c.id}`]);
    const order = calls().map((x) => x.name).filter((n) => n === 'scopeReauth done' || n === 'revokeCredential');
    expect(order).toEqual(['revokeCredential', 'scopeReauth done']);
    // The plan still waits for the scope: the replacement comes after both.
    const at = (name: string) => calls().find((x) => x.name === name)!.at;
    expect(at('issueReplacement')).toBeGreaterThanOrEqual(at('scopeReauth done'));
    expect(result.plan?.reauth.map((t) => t.principal.id)).toEqual([c.principal.id]);
    // Taken out of the scope report once the plan has it: the status shows the plan's copy only.
    expect(result.scope[0]!.reauthScopes).toBeUndefined();
  });

  it('takes a re-authentication identify found impossible (a Slack bot) into the plan without the scope activity', async () => {
    script = { carryScope: 'impossible', scopeDelayMs: 1_000 };
    const c = credential('carried-impossible', 0, { provider: 'slack', kind: 'oauth_token' });
    const result: ContainmentStatus = await (await start([c.id])).result();
    expect(result.outcome, result.outcomeReason).toBe('contained');
    expect(count('scopeReauth done')).toBe(0);
    expect(count('revokeCredential', c.id)).toBe(1);
    expect(result.plan?.reauth).toEqual([{ provider: 'slack', principal: c.principal, ends: [], effects: [], leftAlone: [], notPossible: `${c.principal.id} has no sessions` }]);
  });

  it('stops only the refused credential on a permanent refusal; its sibling is contained', async () => {
    script = {
      revoke: (c) => {
        if (c.id === 'refused-1') throw ApplicationFailure.create({ type: FAILURE_TYPES.permission, nonRetryable: true, message: 'missing scope keys:write' });
        return { outcome: 'done' };
      },
    };
    const refused = credential('refused-1', 1);
    const fine = credential('refused-2', 1);
    const result: ContainmentStatus = await (await start([refused.id, fine.id])).result();
    expect(count('revokeCredential', refused.id)).toBe(1); // permanent: not retried
    expect(count('verifyCredential', refused.id)).toBe(0);
    expect(count('issueReplacement', refused.id)).toBe(0);
    expect(stateOf(result, refused.id)).toBe('not_contained');
    expect(stateOf(result, fine.id)).toBe('verified_dead');
    expect(count('issueReplacement', fine.id)).toBe(1);
    expect(result.evidence.find((e) => e.kind === 'stopped')).toMatchObject({ credentialId: 'memory:refused-1', provider: 'memory' });
    expect(result.outcome).toBe('not_contained');
    expect(result.outcomeReason).toMatch(/refused: memory:refused-1: connector\.permission: missing scope keys:write/);
  });
});
