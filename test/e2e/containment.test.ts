// The containment runbook end to end on the real Temporal dev server, a real worker and the
// reference tenant: every invariant of design.md §2 is checked from outside the engine (the
// tenant's call log, the workflow history, the credential store).
import { mkdtemp } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification } from '../../activities/index.ts';
import { decide, DecisionRefusedError, getStatus, InvalidInputError, startContainment } from '../../client/containments.ts';
import { MemoryConnector } from '../../connectors/memory/connector.ts';
import { DRIFT_LEAKED_VALUE, driftSeed } from '../../connectors/memory/seeds.ts';
import { MemoryTenant, type MemorySeed } from '../../connectors/memory/tenant.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import type { ContainmentRequest, ContainmentStatus } from '../../schemas/containment.ts';
import { historyText, startTestWorker, type RunningWorker } from '../support/temporal.ts';

const tenant = new MemoryTenant();
const notifications: Notification[] = [];
let store: LocalEncryptedStore;
let w: RunningWorker;

beforeAll(async () => {
  store = new LocalEncryptedStore(await mkdtemp(join(tmpdir(), 'cordon-sink-')), randomBytes(32));
  w = await startTestWorker({
    connectors: { memory: new MemoryConnector(tenant) },
    sink: store,
    notifier: { notify: async (n) => void notifications.push(n) },
  });
});
afterAll(async () => {
  await w?.stop();
});

const incident = () => `INC-${randomBytes(4).toString('hex')}`;

function request(overrides: Partial<ContainmentRequest> = {}): ContainmentRequest {
  return {
    incidentId: incident(),
    requester: 'alice',
    severity: 'high',
    credentials: [{ provider: 'memory', kind: 'oauth_token', leakedValue: DRIFT_LEAKED_VALUE }],
    ...overrides,
  };
}

function staged(policy: Record<string, unknown> = {}, approval: Record<string, unknown> = {}): Partial<ContainmentRequest> {
  return {
    mode: 'staged',
    policy: { waveSize: 2, stagedDeadline: '10m', ...policy, approval: { approvers: ['alice', 'bob', 'carol'], quorum: { low: 1, medium: 1, high: 1, critical: 2 }, ...approval } } as never,
  };
}

async function run(req: ContainmentRequest, seed: MemorySeed = driftSeed()): Promise<{ workflowId: string; result: ContainmentStatus }> {
  tenant.load(seed);
  const { workflowId } = await startContainment(w.client, w.target.taskQueue, req);
  const result = (await w.client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
  return { workflowId, result };
}

async function waitForPending(workflowId: string, stage: string): Promise<ContainmentStatus> {
  for (let i = 0; i < 200; i++) {
    const s = await getStatus(w.client, workflowId);
    if (s.pendingApprovals.some((p) => p.stage === stage)) return s;
    if (s.outcome !== 'running') throw new Error(`run ended ${s.outcome} before asking for ${stage}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no pending approval ${stage}`);
}

/** The validator's reason for refusing a decision. */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DecisionRefusedError);
    return (err as Error).message;
  }
  throw new Error('the decision was accepted');
}

const seqOf = (op: string, id?: string) => tenant.calls().filter((c) => c.op === op && c.outcome !== 'already_issued' && (!id || c.credentialId === id || c.credentialId?.startsWith(`${id}-r-`)));

describe('direct containment', () => {
  it('revokes, then replaces per consumer, forces re-auth, verifies dead and reports contained', async () => {
    const { result } = await run(request());
    expect(result.outcome).toBe('contained');
    const cred = result.credentials.find((c) => c.credentialId === 'memory:tok-drift-1')!;
    expect(cred.transitions.map((t) => t.state)).toEqual(['identified', 'revoke_requested', 'revoked', 'replaced', 'reauth_forced', 'verified_dead']);
    // I1 from the provider's own call log: the revocation was acknowledged before any replacement.
    const revoke = seqOf('revoke', 'tok-drift-1').filter((c) => c.outcome === 'revoked');
    const issues = seqOf('issue', 'tok-drift-1');
    expect(revoke).toHaveLength(1);
    expect(issues).toHaveLength(3);
    for (const i of issues) expect(i.seq).toBeGreaterThan(revoke[0]!.seq);
    // One replacement per consumer, delivered to the store; history carries only fingerprints.
    expect(cred.replacements.map((r) => r.consumerId).sort()).toEqual(['drift-chat-sync', 'drift-lead-router', 'salesloft-cadence']);
    for (const r of cred.replacements) {
      expect(tenant.credential(r.replacementId)?.status).toBe('active');
      expect(r.sink).toMatch(/^local:/);
    }
    // Old credential dead, related service account signed out.
    expect(tenant.credential('tok-drift-1')?.status).toBe('revoked');
    expect(tenant.credential('sess-drift-sync')?.status).toBe('revoked');
    // I8: re-authentication of the integration user also ends its other app's token — planned, with its
    // consumer re-supplied — and Alice's token of the same app, which no plan named, is untouched.
    const ends = result.plan!.reauth.flatMap((t) => t.ends.map((c) => c.id)).sort();
    expect(ends).toEqual(['sess-drift-sync', 'tok-other-app']);
    expect(tenant.credential('tok-other-app')?.status).toBe('revoked');
    const bi = result.collateral.find((c) => c.credentialId === 'memory:tok-other-app')!;
    expect(bi.state).toBe('ended');
    expect(bi.replacements.map((r) => r.consumerId)).toEqual(['bi']);
    expect(tenant.credential(bi.replacements[0]!.replacementId)?.status).toBe('active');
    expect(tenant.credential('tok-alice-1')?.status).toBe('active');
    expect(seqOf('issue', 'tok-other-app')[0]!.seq).toBeGreaterThan(tenant.calls().find((c) => c.op === 'signOut' && c.principalId === 'drift-integration')!.seq);
    expect(result.evidence.some((e) => e.kind === 'verified' && e.verdict === 'dead' && e.probe === 'dead')).toBe(true);
    expect(notifications.some((n) => n.kind === 'completed' && n.incidentId === result.incidentId)).toBe(true);
  });

  it('keeps no secret in the clear: not in history, the status query or the evidence', async () => {
    const { workflowId, result } = await run(request());
    expect(result.outcome).toBe('contained');
    const history = historyText(await w.client.workflow.getHandle(workflowId).fetchHistory());
    // The text really holds the events: the (unencrypted) incident id search attribute is there.
    expect(history).toContain(result.incidentId);
    const status = JSON.stringify(await getStatus(w.client, workflowId));
    const needles = [DRIFT_LEAKED_VALUE];
    const cred = result.credentials.find((c) => c.credentialId === 'memory:tok-drift-1')!;
    for (const r of cred.replacements) {
      const secret = await store.open(`${workflowId}|memory:tok-drift-1|${r.consumerId}`);
      expect(secret).toBeDefined();
      needles.push(secret!.reveal());
    }
    expect(needles).toHaveLength(4);
    for (const needle of needles) {
      for (const form of [needle, Buffer.from(needle).toString('base64')]) {
        expect(history).not.toContain(form);
        expect(status).not.toContain(form);
      }
    }
    // And the payloads are encrypted, not merely missing.
    expect(history).toContain('binary/encrypted');
  });

  it('joins the running containment when the same incident and credential are started twice (I4)', async () => {
    tenant.load(driftSeed({ faults: { ignoreRevoke: {}, writeLatencyMs: 300 } }));
    const req = request();
    const first = await startContainment(w.client, w.target.taskQueue, req);
    const second = await startContainment(w.client, w.target.taskQueue, req);
    expect(second.workflowId).toBe(first.workflowId);
    expect(second.runId).toBe(first.runId);
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    const result = (await w.client.workflow.getHandle(first.workflowId).result()) as ContainmentStatus;
    expect(result.outcome).toBe('contained');
    expect(seqOf('revoke', 'tok-drift-1').filter((c) => c.outcome === 'revoked')).toHaveLength(1);
    expect(seqOf('issue', 'tok-drift-1')).toHaveLength(3);
  });

  it('refuses to revoke Cordon’s own credential (I6) and touches nothing', async () => {
    const { workflowId, result } = await run(request({ credentials: [{ provider: 'memory', kind: 'api_key', id: 'cordon-own' }] }));
    expect(result.outcome).toBe('refused');
    expect(result.outcomeReason).toMatch(/Cordon’s own connector credential/);
    // Failure texts are encrypted in history too (they are not payloads unless encoded): the client reads them, history does not.
    const history = historyText(await w.client.workflow.getHandle(workflowId).fetchHistory());
    expect(history).toContain('Encoded failure');
    expect(history).not.toContain('refusing to contain');
    expect(tenant.calls().filter((c) => c.op !== 'find' && c.op !== 'listActive')).toEqual([]);
  });

  it('rejects bad input before anything starts, naming the field', async () => {
    await expect(startContainment(w.client, w.target.taskQueue, { ...request(), incidentId: 'bad id!' })).rejects.toThrow(InvalidInputError);
    await expect(startContainment(w.client, w.target.taskQueue, { ...request(), credentials: [{ provider: 'memory', kind: 'oauth_token' }] })).rejects.toThrow(
      /credentials\.0\.id: give at least one of/,
    );
  });
});

describe('verification (I3)', () => {
  it('ends not_contained, never contained, when the credential survives re-revoke and every fallback', async () => {
    const { result } = await run(request(), driftSeed({ faults: { ignoreRevoke: { 'tok-drift-1': 'never' }, writeLatencyMs: 0 } }));
    expect(result.outcome).toBe('not_contained');
    const cred = result.credentials.find((c) => c.credentialId === 'memory:tok-drift-1')!;
    expect(cred.state).toBe('not_contained');
    expect(cred.fallbacksUsed).toEqual(['revokeAllForClient', 'blockApp', 'suspendPrincipal']);
    expect(result.evidence.filter((e) => e.kind === 're_revoked')).toHaveLength(2);
    expect(notifications.some((n) => n.kind === 'not_contained' && n.incidentId === result.incidentId)).toBe(true);
  });

  it('climbs the fallback ladder only as far as needed', async () => {
    const { result } = await run(request(), driftSeed({ faults: { ignoreRevoke: { 'tok-drift-1': 'blockApp' }, writeLatencyMs: 0 } }));
    expect(result.outcome).toBe('contained');
    expect(result.credentials.find((c) => c.credentialId === 'memory:tok-drift-1')!.fallbacksUsed).toEqual(['revokeAllForClient', 'blockApp']);
    // Both rungs were named in the plan before they were used (I8); suspending the principal was not needed.
    expect(result.plan!.actions.filter((a) => a.step === 'fallback' && a.credentialId === 'memory:tok-drift-1').map((a) => a.rung)).toEqual(['revokeAllForClient', 'blockApp', 'suspendPrincipal']);
    expect(seqOf('suspendPrincipal')).toEqual([]);
  });
});

describe('staged containment of a shared credential (I2, I7)', () => {
  it('waits for each approval, refuses bad decisions, and revokes after the last wave', async () => {
    tenant.load(driftSeed());
    const req = request(staged());
    const { workflowId } = await startContainment(w.client, w.target.taskQueue, req);
    let s = await waitForPending(workflowId, 'c0-restrict');
    const digest = s.plan!.digest;
    // The approver sees the allowlist the credential will be narrowed to: the consumers' egress ranges.
    expect(s.pendingApprovals[0]!.description).toContain('usable only from the consumers\' egress 34.201.12.77, 44.215.108.0/24, 54.86.50.0/24');
    expect(s.plan!.actions.find((a) => a.step === 'restrict')!.allowlist).toEqual(['34.201.12.77', '44.215.108.0/24', '54.86.50.0/24']);
    const attempt = (over: Record<string, unknown>) => decide(w.client, workflowId, { stage: 'c0-restrict', digest, decision: 'approve', approver: 'bob', channel: 'api', ...over });

    expect(await refusal(attempt({ approver: 'mallory' }))).toMatch(/mallory is not an authorized approver/);
    expect(await refusal(attempt({ approver: 'alice' }))).toMatch(/requested this containment and cannot approve it/);
    expect(await refusal(attempt({ digest: 'f'.repeat(64) }))).toMatch(/stale plan digest/);
    expect(await refusal(attempt({ approver: 'bob', decision: 'maybe' }))).toMatch(/invalid decision: decision/);
    expect(seqOf('restrict')).toHaveLength(0);

    await expect(attempt({})).resolves.toMatchObject({ state: 'approved' });
    // A double click: the stage is decided, the second decision is refused.
    expect(await refusal(attempt({ approver: 'carol' }))).toMatch(/no approval is pending/);

    s = await waitForPending(workflowId, 'c0-wave-1');
    expect(s.pendingApprovals[0]!.consumerIds).toEqual(['drift-chat-sync', 'drift-lead-router']);
    await decide(w.client, workflowId, { stage: 'c0-wave-1', digest, decision: 'approve', approver: 'carol', channel: 'api' });
    await waitForPending(workflowId, 'c0-wave-2');
    expect(seqOf('issue', 'tok-drift-1')).toHaveLength(2);
    expect(tenant.credential('tok-drift-1')?.status).toBe('active');
    // Restricted to the allowlist while the waves run.
    expect(tenant.credential('tok-drift-1')?.restrictedTo).toEqual(['34.201.12.77', '44.215.108.0/24', '54.86.50.0/24']);
    await decide(w.client, workflowId, { stage: 'c0-wave-2', digest, decision: 'approve', approver: 'bob', channel: 'api' });

    const result = (await w.client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
    expect(result.outcome).toBe('contained');
    const revoke = seqOf('revoke', 'tok-drift-1').filter((c) => c.outcome === 'revoked')[0]!;
    expect(seqOf('issue', 'tok-drift-1').every((i) => i.seq < revoke.seq)).toBe(true);
    // The restriction came before the first wave and was lifted before the verdict, with the evidence saying so.
    const restricts = seqOf('restrict', 'tok-drift-1');
    expect(restricts.map((c) => c.outcome)).toEqual(['restricted', 'restricted']);
    expect(restricts[0]!.seq).toBeLessThan(seqOf('issue', 'tok-drift-1')[0]!.seq);
    expect(tenant.credential('tok-drift-1')?.restrictedTo).toEqual([]);
    expect(result.restrictions).toMatchObject([{ credentialId: 'memory:tok-drift-1', undone: true }]);
    const kinds = result.evidence.map((e) => e.kind);
    expect(kinds.indexOf('unrestricted')).toBeGreaterThan(kinds.indexOf('revoked'));
    expect(kinds.indexOf('unrestricted')).toBeLessThan(kinds.indexOf('finished'));
    expect(result.evidence.filter((e) => e.kind === 'replaced' && e.context?.includes('I1 exception approved by'))).toHaveLength(3);
    expect(result.evidence.flatMap((e) => (e.kind === 'approval_decided' && e.decision === 'approved' ? [e.approver] : []))).toEqual(['bob', 'carol', 'bob']);
    // Every refusal is in the evidence, with who tried and why.
    const refused = result.evidence.flatMap((e) => (e.kind === 'approval_refused' ? [e] : []));
    expect(refused.map((e) => e.approver)).toEqual(['mallory', 'alice', 'bob', 'bob', 'carol']);
    expect(refused[2]!.reason).toMatch(/stale plan digest/);
  });

  it('fails closed on a rejection: revokes at once, then replaces the rest after the revocation', async () => {
    tenant.load(driftSeed());
    const { workflowId } = await startContainment(w.client, w.target.taskQueue, request(staged()));
    const s = await waitForPending(workflowId, 'c0-restrict');
    await decide(w.client, workflowId, { stage: 'c0-restrict', digest: s.plan!.digest, decision: 'approve', approver: 'bob', channel: 'api' });
    await waitForPending(workflowId, 'c0-wave-1');
    await decide(w.client, workflowId, { stage: 'c0-wave-1', digest: s.plan!.digest, decision: 'reject', approver: 'carol', reason: 'wrong consumer list', channel: 'api' });
    const result = (await w.client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
    expect(result.outcome).toBe('contained');
    expect(result.evidence.some((e) => e.kind === 'staged_fail_closed' && e.cause === 'rejected' && e.rejectedBy.includes('carol'))).toBe(true);
    // A rejected run lifts its temporary restriction too.
    expect(result.restrictions).toMatchObject([{ undone: true }]);
    expect(tenant.credential('tok-drift-1')?.restrictedTo).toEqual([]);
    const revoke = seqOf('revoke', 'tok-drift-1').filter((c) => c.outcome === 'revoked')[0]!;
    const issues = seqOf('issue', 'tok-drift-1');
    expect(issues).toHaveLength(3);
    expect(issues.every((i) => i.seq > revoke.seq)).toBe(true);
  });

  it('escalates a timed-out approval, then applies the severity default (proceed)', async () => {
    const { result } = await run(
      request(staged({ waveSize: 3 }, { escalateAfter: '1s', defaultAfter: '1s', onTimeout: { low: 'hold', medium: 'hold', high: 'proceed', critical: 'hold' } })),
    );
    expect(result.outcome).toBe('contained');
    expect(result.evidence.filter((e) => e.kind === 'approval_escalated')).toHaveLength(2);
    expect(result.evidence.filter((e) => e.kind === 'approval_defaulted' && e.onTimeout === 'proceed')).toHaveLength(2);
    expect(notifications.filter((n) => n.kind === 'escalation' && n.incidentId === result.incidentId)).toHaveLength(2);
    expect(seqOf('issue', 'tok-drift-1').every((i) => i.seq < seqOf('revoke', 'tok-drift-1').find((c) => c.outcome === 'revoked')!.seq)).toBe(true);
  });

  it('holds a timed-out approval by default until the hard deadline, then revokes regardless', async () => {
    const { result } = await run(request(staged({ stagedDeadline: '4s' }, { escalateAfter: '1s', defaultAfter: '1s' })));
    expect(result.outcome).toBe('contained');
    expect(result.evidence.some((e) => e.kind === 'approval_defaulted' && e.onTimeout === 'hold')).toBe(true);
    expect(result.evidence.some((e) => e.kind === 'approval_deadline')).toBe(true);
    expect(result.evidence.some((e) => e.kind === 'staged_fail_closed' && e.cause === 'deadline')).toBe(true);
    expect(tenant.credential('tok-drift-1')?.status).toBe('revoked');
  });
});
