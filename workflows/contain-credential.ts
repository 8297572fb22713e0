// The containment runbook (design.md §2): identify scope → plan → approval where policy requires →
// revoke before replace → force re-authentication → verify, with the invariants I1–I7. Deterministic
// code only: providers are reached through activities, whose types alone are imported here.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, Notification, VerifyResult } from '../activities/index.ts';
import type { Consumer, Credential, Principal, Provider, ScopeReport } from '../schemas/credential.ts';
import {
  ApprovalDecisionInput,
  ContainmentInput,
  durationMs,
  type ContainmentRequest,
  type ContainmentStatus,
  type CredentialProgress,
  type CredentialState,
  type Outcome,
  type PendingApproval,
  type Plan,
} from '../schemas/containment.ts';
import { cancelRequestSignal, decideUpdate, refusalSignal, statusQuery, type DecisionResult } from './definitions.ts';
import { INCIDENT_ID, OUTCOME, PROVIDERS, STAGE } from './search-attributes.ts';

const acts = proxyActivities<Activities>({
  // Provider calls are short; a bound this tight lets a new worker retry a dead worker's call quickly.
  startToCloseTimeout: '20 seconds',
  // Connectors pass the provider's Retry-After as the next delay; these bound everything else.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 12 },
});

// Notifications (webhooks, Slack) are retried with backoff, but never decide the containment.
const notifier = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6 },
});

const FALLBACK_LADDER = ['revokeAllForClient', 'blockApp', 'suspendPrincipal'] as const;

type ApprovalResult = { result: 'approved' | 'rejected'; by: string[]; reason?: string } | { result: 'deadline' };

export async function containCredential(request: ContainmentRequest): Promise<ContainmentStatus> {
  const parsed = ContainmentInput.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw ApplicationFailure.create({
      type: 'cordon.invalid_input',
      nonRetryable: true,
      message: `invalid containment input: ${issue?.path.join('.') || '(input)'}: ${issue?.message}`,
    });
  }
  const input = parsed.data;
  const { workflowId } = workflowInfo();
  const now = () => new Date(Date.now()).toISOString();

  const state: ContainmentStatus = {
    workflowId,
    incidentId: input.incidentId,
    mode: input.mode,
    stage: 'identify',
    outcome: 'running',
    startedAt: now(),
    scope: [],
    credentials: [],
    pendingApprovals: [],
    evidence: [],
  };
  // Leaked values stay out of `state`: queries and results are shown to people (I5).
  const leakedValueOf = new Map<string, string>();
  const decisions = new Map<string, ApprovalResult>();
  let plan: Plan | undefined;
  let deadlineAt = Number.POSITIVE_INFINITY;

  const record = (step: string, actor: string, outcome: string, extra: { credentialId?: string; detail?: string; requestId?: string } = {}) => {
    state.evidence.push({ seq: state.evidence.length, at: now(), step, actor, outcome, ...extra });
  };
  const setStage = (stage: string) => {
    state.stage = stage;
    upsertSearchAttributes([{ key: STAGE, value: stage }]);
  };
  const progressOf = (key: string): CredentialProgress => state.credentials.find((c) => c.credentialId === key)!;
  const transition = (key: string, to: CredentialState) => {
    const p = progressOf(key);
    p.state = to;
    p.transitions.push({ state: to, at: now() });
  };
  const keyOf = (c: Pick<Credential, 'provider' | 'id'>) => `${c.provider}:${c.id}`;
  const failureType = (err: unknown): string | undefined => {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
  };
  const failureMessage = (err: unknown): string => {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    return cause instanceof Error ? cause.message : String(cause);
  };

  setHandler(statusQuery, () => state);
  setHandler(refusalSignal, (r) => {
    record(`approval:${String(r.stage).slice(0, 128)}`, String(r.approver).slice(0, 256), 'refused', { detail: `via ${String(r.channel).slice(0, 32)}: ${String(r.reason).slice(0, 500)}` });
  });
  setHandler(cancelRequestSignal, (c) => {
    record('cancel', String(c.actor).slice(0, 256), 'cancel requested', { detail: `via ${String(c.channel).slice(0, 32)}${c.reason ? `: ${String(c.reason).slice(0, 500)}` : ''}` });
  });
  const notify = async (n: Omit<Notification, 'workflowId' | 'incidentId' | 'webhookUrl' | 'origin'>) => {
    try {
      await notifier.notify({ ...n, workflowId, incidentId: input.incidentId, ...(input.webhookUrl ? { webhookUrl: input.webhookUrl } : {}), ...(input.origin ? { origin: input.origin } : {}) });
    } catch (err) {
      record('notify', 'cordon', 'failed', { detail: `${n.kind}: ${failureMessage(err)}` });
    }
  };
  setHandler(
    decideUpdate,
    (raw: ApprovalDecisionInput): DecisionResult => {
      const d = ApprovalDecisionInput.parse(raw); // validated already; parsing applies the defaults
      const p = state.pendingApprovals.find((x) => x.stage === d.stage)!;
      if (d.decision === 'reject') {
        decisions.set(d.stage, { result: 'rejected', by: [d.approver], ...(d.reason ? { reason: d.reason } : {}) });
        record(`approval:${d.stage}`, d.approver, 'rejected', { detail: `via ${d.channel}${d.reason ? `: ${d.reason}` : ''}` });
        return { stage: d.stage, state: 'rejected', approvals: p.approvals.length, quorum: p.quorum };
      }
      p.approvals.push(d.approver);
      record(`approval:${d.stage}`, d.approver, 'approved', { detail: `via ${d.channel} (${p.approvals.length}/${p.quorum})` });
      if (p.approvals.length >= p.quorum) {
        decisions.set(d.stage, { result: 'approved', by: [...p.approvals] });
        return { stage: d.stage, state: 'approved', approvals: p.approvals.length, quorum: p.quorum };
      }
      return { stage: d.stage, state: 'pending', approvals: p.approvals.length, quorum: p.quorum };
    },
    {
      // I7: a throwing validator rejects the update before anything is written to history.
      validator: (raw: ApprovalDecisionInput) => {
        // Temporal-direct callers send raw JSON: the same schema as every other way in.
        const shape = ApprovalDecisionInput.safeParse(raw);
        if (!shape.success) {
          const issue = shape.error.issues[0];
          throw new Error(`invalid decision: ${issue?.path.join('.') || '(input)'}: ${issue?.message}`);
        }
        const d = shape.data;
        const p = state.pendingApprovals.find((x) => x.stage === d.stage);
        if (!p || decisions.has(d.stage)) throw new Error(`no approval is pending for stage ${JSON.stringify(d?.stage)}: it was already decided, timed out, or never asked`);
        if (!plan || d.digest !== plan.digest) throw new Error(`stale plan digest ${String(d.digest).slice(0, 12)}…: the pending plan is ${plan?.digest.slice(0, 12)}…; re-read the plan and approve what will actually run`);
        if (!input.policy.approval.approvers.includes(d.approver)) throw new Error(`${d.approver} is not an authorized approver for this containment`);
        if (d.approver === input.requester && !input.breakGlass) throw new Error(`${d.approver} requested this containment and cannot approve it (break-glass not set)`);
        if (p.approvals.includes(d.approver)) throw new Error(`${d.approver} already approved stage ${d.stage}`);
      },
    },
  );

  /** Waits for one approval: escalate after a while, then the policy default; the deadline bounds it all. */
  async function awaitApproval(a: Omit<PendingApproval, 'digest' | 'requestedAt' | 'approvals' | 'quorum' | 'escalated'>): Promise<ApprovalResult> {
    const pending: PendingApproval = { ...a, digest: plan!.digest, requestedAt: now(), approvals: [], quorum: input.policy.approval.quorum[input.severity], escalated: false };
    state.pendingApprovals.push(pending);
    setStage('approval');
    record(`approval:${a.stage}`, 'cordon', 'requested', { detail: a.description });
    await notify({
      kind: 'approval_needed',
      stage: a.stage,
      digest: plan!.digest,
      summary: a.description,
      approval: { description: a.description, credentialIds: a.credentialIds, consumerIds: a.consumerIds, wave: a.wave, quorum: pending.quorum },
    });
    const decided = () => decisions.has(a.stage);
    const remaining = () => deadlineAt - Date.now();
    const wait = async (ms: number) => {
      const bounded = Math.min(ms, remaining());
      return bounded > 0 ? condition(decided, bounded) : decided();
    };
    /** Escalate after a while, then the policy default; `undefined` = decided or deadline passed. */
    const waitForDecision = async (): Promise<ApprovalResult | undefined> => {
      if (await wait(durationMs(input.policy.approval.escalateAfter))) return undefined;
      if (remaining() <= 0) return undefined;
      pending.escalated = true;
      record(`approval:${a.stage}`, 'cordon', 'escalated', { detail: `no decision after ${input.policy.approval.escalateAfter}` });
      await notify({ kind: 'escalation', stage: a.stage, digest: plan!.digest, summary: `No decision yet: ${a.description}` });
      if ((await wait(durationMs(input.policy.approval.defaultAfter))) || remaining() <= 0) return undefined;
      const onTimeout = input.policy.approval.onTimeout[input.severity];
      record(`approval:${a.stage}`, 'policy', `timeout default: ${onTimeout}`, { detail: `severity ${input.severity}` });
      if (onTimeout === 'proceed') return { result: 'approved', by: ['policy:timeout'] };
      await wait(remaining()); // hold: until a decision or the deadline (always set when approvals are asked)
      return undefined;
    };
    let result: ApprovalResult;
    try {
      result = (await waitForDecision()) ?? decisions.get(a.stage) ?? { result: 'deadline' };
    } finally {
      // Also on cancellation: a finished run shows no approval as still pending.
      state.pendingApprovals = state.pendingApprovals.filter((x) => x.stage !== a.stage);
    }
    if (result.result === 'deadline') record(`approval:${a.stage}`, 'cordon', 'deadline passed', { detail: `staged deadline ${input.policy.stagedDeadline} reached` });
    decisions.set(a.stage, result);
    return result;
  }

  async function revoke(c: Credential, key: string): Promise<void> {
    transition(key, 'revoke_requested');
    const leakedValue = leakedValueOf.get(key);
    const r = await acts.revokeCredential({ credential: c, ...(leakedValue ? { leakedValue } : {}) });
    transition(key, 'revoked');
    record('revoke', 'cordon', r.outcome === 'already_done' ? 'already revoked' : 'revoked', { credentialId: key, ...(r.requestId ? { requestId: r.requestId } : {}) });
  }

  async function replaceFor(c: Credential, key: string, consumers: Consumer[], detail?: string): Promise<void> {
    const p = progressOf(key);
    for (const consumer of consumers) {
      if (p.replacements.some((r) => r.consumerId === consumer.id)) continue;
      try {
        const ref = await acts.issueReplacement({ workflowId, credential: c, consumer });
        p.replacements.push(ref);
        record('replace', 'cordon', 'replacement issued', { credentialId: key, detail: `${consumer.id} → ${ref.sink} (fp ${ref.fingerprint})${detail ? `; ${detail}` : ''}` });
      } catch (err) {
        // Some credentials cannot be minted by an admin (a user's OAuth grant needs the user's consent):
        // the consumer is told to re-authorize; containment goes on.
        if (failureType(err) !== 'connector.unsupported') throw err;
        record('replace', 'cordon', 'not possible', { credentialId: key, detail: `${consumer.id} must re-authorize: ${failureMessage(err)}` });
      }
    }
    if (p.replacements.length && p.state !== 'replaced') transition(key, 'replaced');
  }

  /** I1: the provider acknowledged the revocation before any replacement is requested. */
  async function containDirect(c: Credential): Promise<void> {
    const key = keyOf(c);
    await revoke(c, key);
    await replaceFor(c, key, c.consumers);
  }

  /** I2: restrict → approved waves of per-consumer replacements → revoke; fail closed on reject or deadline. */
  async function containStaged(c: Credential, index: number): Promise<void> {
    const key = keyOf(c);
    const waves = plan!.actions.filter((a) => a.credentialId === key && a.step === 'replace');
    const failClosed = async (why: string) => {
      record('staged', 'cordon', 'fail closed', { credentialId: key, detail: why });
      await revoke(c, key);
      const remaining = c.consumers.filter((x) => !progressOf(key).replacements.some((r) => r.consumerId === x.id));
      await replaceFor(c, key, remaining, 'issued after revocation (fail closed)');
    };
    const restrict = await awaitApproval({
      stage: `c${index}-restrict`,
      description: `Restrict ${c.label} (${c.provider}) while its ${c.consumers.length} consumers are cut over`,
      credentialIds: [key],
      consumerIds: [],
      wave: 0,
    });
    if (restrict.result !== 'approved') return failClosed(restrict.result === 'rejected' ? `restriction rejected by ${restrict.by.join(', ')}` : 'staged deadline passed');
    try {
      const r = await acts.restrictCredential({ credential: c, restriction: { kind: 'scope_downgrade', values: [] } });
      record('restrict', restrict.by.join(','), r.outcome, { credentialId: key, ...(r.requestId ? { requestId: r.requestId } : {}) });
    } catch (err) {
      if (failureType(err) !== 'connector.unsupported') throw err;
      record('restrict', 'cordon', 'not possible', { credentialId: key, detail: failureMessage(err) });
    }
    for (const wave of waves) {
      const consumers = c.consumers.filter((x) => wave.consumerIds.includes(x.id));
      const d = await awaitApproval({
        stage: `c${index}-wave-${wave.wave}`,
        description: `Wave ${wave.wave}/${waves.length} for ${c.label}: issue a replacement for ${consumers.map((x) => x.name).join(', ')} and cut them over`,
        credentialIds: [key],
        consumerIds: wave.consumerIds,
        wave: wave.wave,
      });
      if (d.result !== 'approved') return failClosed(d.result === 'rejected' ? `wave ${wave.wave} rejected by ${d.by.join(', ')}` : 'staged deadline passed');
      // The recorded exception to I1: replacements before revocation, with who approved it.
      await replaceFor(c, key, consumers, `I1 exception approved by ${d.by.join(', ')} (staged wave ${wave.wave})`);
    }
    await revoke(c, key);
  }

  async function verifyOne(c: Credential): Promise<void> {
    const key = keyOf(c);
    const p = progressOf(key);
    const leakedValue = leakedValueOf.get(key);
    const check = () => acts.verifyCredential({ credential: c, replacementIds: p.replacements.map((r) => r.replacementId), ...(leakedValue ? { leakedValue } : {}) });
    const dead = (v: VerifyResult) => !v.stillActive && v.unexpectedActive.length === 0 && v.probe !== 'alive';
    const describe = (v: VerifyResult) =>
      [v.stillActive ? 'still listed as active' : 'not listed', `${v.unexpectedActive.length} unexpected active`, `probe ${v.probe}`].join(', ');
    let v = await check();
    record('verify', 'cordon', dead(v) ? 'dead' : 'alive', { credentialId: key, detail: describe(v) });
    // I3: bounded re-revoke, then the fallback ladder, then not_contained — never a silent success.
    for (let attempt = 1; !dead(v) && attempt <= input.policy.reRevokeAttempts; attempt++) {
      for (const target of [...(v.stillActive ? [c] : []), ...v.unexpectedActive]) {
        const r = await acts.revokeCredential({ credential: target, ...(target === c && leakedValue ? { leakedValue } : {}) });
        record('re-revoke', 'cordon', r.outcome, { credentialId: keyOf(target), detail: `attempt ${attempt}` });
      }
      await sleep(1000 * attempt);
      v = await check();
      record('verify', 'cordon', dead(v) ? 'dead' : 'alive', { credentialId: key, detail: describe(v) });
    }
    for (const rung of FALLBACK_LADDER) {
      if (dead(v)) break;
      try {
        const r = await acts.fallbackRung({ rung, credential: c });
        p.fallbacksUsed.push(rung);
        record(`fallback:${rung}`, 'cordon', r.outcome, { credentialId: key, ...(r.detail ? { detail: r.detail } : {}), ...(r.requestId ? { requestId: r.requestId } : {}) });
      } catch (err) {
        if (failureType(err) !== 'connector.unsupported') throw err;
        record(`fallback:${rung}`, 'cordon', 'not possible', { credentialId: key, detail: failureMessage(err) });
        continue;
      }
      v = await check();
      record('verify', 'cordon', dead(v) ? 'dead' : 'alive', { credentialId: key, detail: describe(v) });
    }
    transition(key, dead(v) ? 'verified_dead' : 'not_contained');
  }

  async function forceReauth(reports: ScopeReport[]): Promise<void> {
    const targets = new Map<string, { provider: Provider; principal: Principal; keys: string[] }>();
    for (const c of plan!.credentials) {
      if (c.principal.type === 'user' && c.kind !== 'session') continue;
      const t = targets.get(`${c.provider}:${c.principal.id}`) ?? { provider: c.provider, principal: c.principal, keys: [] };
      t.keys.push(keyOf(c));
      targets.set(`${c.provider}:${c.principal.id}`, t);
    }
    for (const r of reports) for (const sa of r.relatedServiceAccounts) if (!targets.has(`${r.provider}:${sa.id}`)) targets.set(`${r.provider}:${sa.id}`, { provider: r.provider, principal: sa, keys: [] });
    for (const t of targets.values()) {
      const keep = state.credentials.filter((p) => p.provider === t.provider).flatMap((p) => p.replacements.map((r) => r.replacementId));
      try {
        const r = await acts.forceReauth({ provider: t.provider, principal: t.principal, keep });
        record('reauth', 'cordon', r.outcome, { detail: `${t.provider} ${t.principal.displayName} (${t.principal.id})${r.detail ? `: ${r.detail}` : ''}`, ...(r.requestId ? { requestId: r.requestId } : {}) });
        for (const key of t.keys) transition(key, 'reauth_forced');
      } catch (err) {
        // Unsupported, or refused because it would lock Cordon out (I6): recorded, and verification decides.
        if (failureType(err) !== 'connector.unsupported' && failureType(err) !== 'connector.conflict') throw err;
        record('reauth', 'cordon', 'not possible', { detail: `${t.provider} ${t.principal.id}: ${failureMessage(err)}` });
      }
    }
  }

  const finish = async (outcome: Outcome, reason?: string) => {
    state.outcome = outcome;
    if (reason) state.outcomeReason = reason;
    state.finishedAt = now();
    state.stage = 'done';
    upsertSearchAttributes([{ key: STAGE, value: 'done' }, { key: OUTCOME, value: outcome }]);
    record('finish', 'cordon', outcome, reason ? { detail: reason } : {});
    const contained = outcome === 'contained';
    await notify({ kind: contained ? 'completed' : 'not_contained', outcome, summary: `${outcome}${reason ? `: ${reason}` : ''}` });
    return state;
  };

  upsertSearchAttributes([{ key: INCIDENT_ID, value: input.incidentId }, { key: OUTCOME, value: 'running' }]);
  record('start', input.requester, 'accepted', { detail: `${input.credentials.length} credential ref(s), mode ${input.mode}, severity ${input.severity}${input.breakGlass ? ', break-glass' : ''}` });
  try {
    // 1. Identify scope.
    setStage('identify');
    const reports = await Promise.all(input.credentials.map((ref) => acts.identifyScope({ ref })));
    state.scope = reports;
    upsertSearchAttributes([{ key: PROVIDERS, value: [...new Set(reports.map((r) => r.provider))] }]);
    reports.forEach((report, i) => {
      const leaked = input.credentials[i]!.leakedValue;
      for (const c of report.credentials) {
        const key = keyOf(c);
        if (leaked) leakedValueOf.set(key, leaked);
        if (state.credentials.some((p) => p.credentialId === key)) continue;
        state.credentials.push({ credentialId: key, provider: c.provider, label: c.label, state: 'identified', transitions: [{ state: 'identified', at: now() }], replacements: [], fallbacksUsed: [] });
      }
      record('identify', 'cordon', `${report.credentials.length} live credential(s)`, {
        detail: [report.ref, ...report.riskFlags, ...report.blindSpots.map((b) => `cannot see: ${b}`)].join('; '),
      });
    });
    if (state.credentials.length === 0) {
      const flags = reports.flatMap((r) => r.riskFlags);
      return await finish('not_contained', `no live credential matches the ref(s)${flags.length ? ` (${flags.join('; ')})` : ''}; check the identifiers`);
    }

    // 2. Plan, bound by its digest; refuses self-lockout (I6).
    setStage('plan');
    try {
      plan = await acts.planContainment({ mode: input.mode, waveSize: input.policy.waveSize, reports });
    } catch (err) {
      if (failureType(err) === 'cordon.self_lockout') return await finish('refused', failureMessage(err));
      throw err;
    }
    state.plan = plan;
    record('plan', 'cordon', `digest ${plan.digest.slice(0, 12)}`, { detail: `${plan.actions.length} actions, ${plan.waves} wave(s)` });
    const needsApproval = input.policy.approval.requireForDirect || plan.actions.some((a) => a.step === 'restrict');
    if (needsApproval) deadlineAt = Date.now() + durationMs(input.policy.stagedDeadline);

    if (input.policy.approval.requireForDirect) {
      const d = await awaitApproval({
        stage: 'contain',
        description: `Contain ${plan.credentials.length} credential(s): ${plan.credentials.map((c) => c.label).join(', ')}`,
        credentialIds: plan.credentials.map(keyOf),
        consumerIds: plan.credentials.flatMap((c) => c.consumers.map((x) => x.id)),
        wave: 0,
      });
      if (d.result === 'rejected') return await finish('rejected', `rejected by ${d.by.join(', ')}${d.reason ? `: ${d.reason}` : ''}; nothing was revoked`);
      if (d.result === 'deadline') record('approval:contain', 'cordon', 'fail closed', { detail: 'deadline passed without a decision' });
    }

    // 3. Revoke before replace (direct) or staged waves (shared credentials, approved).
    setStage('revoke');
    await Promise.all(
      plan.credentials.map((c, i) => (plan!.actions.some((a) => a.credentialId === keyOf(c) && a.step === 'restrict') ? containStaged(c, i) : containDirect(c))),
    );

    // 4. Force re-authentication of the service accounts tied to the compromised environment.
    setStage('reauth');
    await forceReauth(reports);

    // 5. Verify: only the new credentials remain (I3).
    setStage('verify');
    await Promise.all(plan.credentials.map((c) => verifyOne(c)));
    const alive = state.credentials.filter((p) => p.state !== 'verified_dead');
    return await finish(
      alive.length ? 'not_contained' : 'contained',
      alive.length ? `still active after re-revoke and the fallback ladder: ${alive.map((p) => p.credentialId).join(', ')}` : undefined,
    );
  } catch (err) {
    if (isCancellation(err)) {
      return await CancellationScope.nonCancellable(() => finish('cancelled', 'cancelled by an operator; see the evidence for what was done before'));
    }
    // A non-retryable provider error, or retries exhausted: loud, never a silent success.
    for (const p of state.credentials) if (p.state !== 'verified_dead') transition(p.credentialId, 'not_contained');
    return await finish('not_contained', `${failureType(err) ?? 'error'}: ${failureMessage(err)}`);
  }
}
