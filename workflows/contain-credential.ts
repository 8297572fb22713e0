// The containment runbook: identify scope → plan (with everything re-authentication will end) →
// approval where policy requires → revoke before replace → force re-authentication → verify, with the
// invariants I1–I9 (docs/design.md §2). Deterministic code only: providers are reached through
// activities, whose types alone are imported here.
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
import type { Consumer, Credential, ReplacementRef } from '../schemas/credential.ts';
import {
  ApprovalDecisionInput,
  ContainmentInput,
  durationMs,
  FALLBACK_RUNGS,
  pacedTaskQueue,
  reauthPrincipals,
  type CollateralProgress,
  type ContainmentRequest,
  type ContainmentStatus,
  type CredentialProgress,
  type CredentialState,
  type Outcome,
  type PendingApproval,
  type Plan,
  type ReauthTarget,
} from '../schemas/containment.ts';
import { cancelRequestSignal, decideUpdate, refusalSignal, statusQuery, type DecisionResult } from './definitions.ts';
import { INCIDENT_ID, OUTCOME, PROVIDERS, STAGE } from './search-attributes.ts';
import { transientRetry } from './transient-retry.ts';
import { FAILURE_TYPES } from '../schemas/failure-types.ts';

const acts = proxyActivities<Activities>({
  // Provider calls are short; a bound this tight lets a new worker retry a dead worker's call quickly.
  startToCloseTimeout: '20 seconds',
  // Connectors pass the provider's Retry-After as the next delay. When these attempts are spent on a
  // transient failure, transientRetry keeps going until the containment deadline (I9).
  // A round of 4 attempts lasts ~7 s (longer when the provider says Retry-After), so a wait is visible soon.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 4 },
});

// Notifications (webhooks, Slack) are retried with backoff, but never decide the containment.
const notifier = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6 },
});

/** Token kinds GitHub's credential revocation accepts by value (not installation tokens, not deploy keys). */
const GITHUB_BY_VALUE_KINDS: readonly string[] = ['pat', 'oauth_token', 'refresh_token'];

type ApprovalResult = { result: 'approved' | 'rejected'; by: string[]; reason?: string } | { result: 'deadline' };

export async function containCredential(request: ContainmentRequest): Promise<ContainmentStatus> {
  const parsed = ContainmentInput.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.invalid_input,
      nonRetryable: true,
      message: `invalid containment input: ${issue?.path.join('.') || '(input)'}: ${issue?.message}`,
    });
  }
  const input = parsed.data;
  const { workflowId, taskQueue } = workflowInfo();
  // Calls whose provider budget is per tenant (GitHub's credential revocation) go through the paced queue.
  const paced = proxyActivities<Activities>({
    taskQueue: pacedTaskQueue(taskQueue),
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 4 },
  });
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
    collateral: [],
    restrictions: [],
    pendingApprovals: [],
    evidence: [],
  };
  // Leaked values stay out of `state`: queries and results are shown to people (I5).
  const leakedValueOf = new Map<string, string>();
  const decisions = new Map<string, ApprovalResult>();
  let plan: Plan | undefined;
  let deadlineAt = Number.POSITIVE_INFINITY;
  const containDeadlineAt = Date.now() + durationMs(input.policy.containDeadline);
  /** Why a credential's containment stopped on a permanent refusal (I9), by credential key. */
  const refusedBecause = new Map<string, string>();

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
  // Signals carry raw JSON from any Temporal client and have no validator: a handler that throws fails
  // the workflow task on every retry (the run is stuck), so a malformed one is recorded as ignored.
  const ignored = (signal: string, why: string) => record(`signal:${signal}`, 'cordon', 'ignored', { detail: `malformed payload: ${why}` });
  setHandler(refusalSignal, (raw: unknown) => {
    const r = signalFields(raw, { stage: 128, approver: 256, channel: 32, reason: 500 });
    if (typeof r === 'string') return ignored('recordRefusal', r);
    if (!r.approver || !r.channel) return ignored('recordRefusal', 'approver and channel are required');
    record(`approval:${r.stage ?? ''}`, r.approver, 'refused', { detail: `via ${r.channel}: ${r.reason ?? ''}` });
  });
  setHandler(cancelRequestSignal, (raw: unknown) => {
    const c = signalFields(raw, { actor: 256, channel: 32, reason: 500 });
    if (typeof c === 'string') return ignored('recordCancelRequest', c);
    if (!c.actor || !c.channel) return ignored('recordCancelRequest', 'actor and channel are required');
    record('cancel', c.actor, 'cancel requested', { detail: `via ${c.channel}${c.reason ? `: ${c.reason}` : ''}` });
  });
  const notify = async (n: Omit<Notification, 'workflowId' | 'incidentId' | 'webhookUrl' | 'origin'>) => {
    try {
      await notifier.notify({ ...n, workflowId, incidentId: input.incidentId, ...(input.webhookUrl ? { webhookUrl: input.webhookUrl } : {}), ...(input.origin ? { origin: input.origin } : {}) });
    } catch (err) {
      record('notify', 'cordon', 'failed', { detail: `${n.kind}: ${failureMessage(err)}` });
    }
  };
  const untilDeadline = transientRetry({
    deadlineAt: () => containDeadlineAt,
    escalateEveryMs: durationMs(input.policy.escalateRetriesAfter),
    describe: (err) => `${failureType(err) ?? 'error'}: ${failureMessage(err)}`,
    onWaiting: (w) => {
      if (w) state.waitingOn = { ...w };
      else delete state.waitingOn;
    },
    onEscalate: async (w) => {
      record('waiting', 'cordon', 'escalated', { detail: `${w.what}: failing since ${w.since} (${w.attempts} rounds); last: ${w.lastError}` });
      await notify({ kind: 'escalation', stage: `provider:${w.what}`.slice(0, 128), summary: `Still waiting on ${w.what} since ${w.since}: ${w.lastError}. Cordon keeps retrying until ${new Date(containDeadlineAt).toISOString()}.` });
    },
  });

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

  /** The blast radius of forced re-authentication, in words, for approvers (I8). */
  const reauthSummary = (p: Plan): string =>
    p.reauth
      .map((t) => {
        const who = `${t.provider} ${t.principal.displayName} (${t.principal.id})`;
        if (t.notPossible) return `Re-authentication of ${who}: not possible (${t.notPossible})`;
        const ends = t.ends.map((c) => `${c.label}${c.consumers.length ? ` → replacements for ${c.consumers.map((x) => x.name).join(', ')}` : ' (no known consumer)'}`);
        return [
          `Re-authentication of ${who} ends ${t.ends.length} other credential(s)${ends.length ? `: ${ends.join('; ')}` : ''}`,
          ...t.effects,
          ...(t.leftAlone.length ? [`leaves alone ${t.leftAlone.map((l) => `${l.credentialId} (${l.reason})`).join(', ')}`] : []),
        ].join('; ');
      })
      .join('\n');
  const withBlastRadius = (text: string) => {
    const radius = plan ? reauthSummary(plan) : '';
    return radius ? `${text}\n${radius}` : text;
  };

  /** Records a permanent refusal for one credential; its siblings go on, and the verdict waits for all (I9). */
  async function guarded(key: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (isCancellation(err)) throw err;
      const why = `${failureType(err) ?? 'error'}: ${failureMessage(err)}`;
      refusedBecause.set(key, why);
      record('refused', 'cordon', 'stopped', { credentialId: key, detail: why });
      transition(key, 'not_contained');
    }
  }
  /** Every branch settles before anything else happens: no provider write after the verdict. */
  async function settleAll(branches: Promise<void>[]): Promise<void> {
    const settled = await Promise.allSettled(branches);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async function revoke(c: Credential, key: string): Promise<void> {
    transition(key, 'revoke_requested');
    const leakedValue = leakedValueOf.get(key);
    const r = await untilDeadline(`revoking ${c.label}`, () => acts.revokeCredential({ credential: c, ...(leakedValue ? { leakedValue } : {}) }));
    record('revoke', 'cordon', r.outcome === 'already_done' ? 'already gone' : 'revoked', { credentialId: key, ...(r.detail ? { detail: r.detail } : {}), ...(r.requestId ? { requestId: r.requestId } : {}) });
    // The org is cut off first (above); with the value known, GitHub's credential revocation kills it everywhere.
    if (leakedValue && c.provider === 'github' && GITHUB_BY_VALUE_KINDS.includes(c.kind)) {
      try {
        const byValue = await untilDeadline(`reporting ${c.label} to GitHub's credential revocation`, () => paced.revokeByValue({ credential: c, leakedValue }));
        record('revoke', 'cordon', 'revoked by value', { credentialId: key, ...(byValue.detail ? { detail: byValue.detail } : {}) });
      } catch (err) {
        if (failureType(err) !== FAILURE_TYPES.unsupported) throw err;
        record('revoke', 'cordon', 'by value not possible', { credentialId: key, detail: failureMessage(err) });
      }
    }
    transition(key, 'revoked');
  }

  /** One replacement per consumer, unless another run owns that consumer's replacement (I8). */
  async function replaceFor(
    c: Credential,
    key: string,
    consumers: Consumer[],
    into: { replacements: ReplacementRef[]; notReplaced?: CollateralProgress['notReplaced'] },
    detail?: string,
  ): Promise<void> {
    // One replacement per consumer, minted in parallel: each is independent (its own claim, its own sink).
    const missing = consumers.filter((consumer) => !into.replacements.some((r) => r.consumerId === consumer.id));
    await settleAll(missing.map((consumer) => replaceOne(consumer)));
    async function replaceOne(consumer: Consumer): Promise<void> {
      try {
        const out = await untilDeadline(`a replacement of ${c.label} for ${consumer.name}`, () =>
          acts.issueReplacement({ workflowId, runStartedAt: state.startedAt, credential: c, consumer, ...(input.retryOf ? { retryOf: input.retryOf } : {}) }),
        );
        if ('issued' in out) {
          into.replacements.push(out.issued);
          record('replace', 'cordon', 'replacement issued', { credentialId: key, detail: `${consumer.id} → ${out.issued.sink} (fp ${out.issued.fingerprint})${detail ? `; ${detail}` : ''}${out.issued.note ? `; ${out.issued.note}` : ''}` });
        } else {
          const why = `replacement ${out.replacementId ? `${out.replacementId} already issued` : 'being issued'} by containment ${out.ownedBy}`;
          into.notReplaced?.push({ consumerId: consumer.id, reason: why });
          record('replace', 'cordon', 'owned by another run', { credentialId: key, detail: `${consumer.id}: ${why}` });
        }
      } catch (err) {
        // Some credentials cannot be minted by an admin (a user's OAuth grant needs the user's consent):
        // the consumer is told to re-authorize; containment goes on.
        if (failureType(err) !== FAILURE_TYPES.unsupported) throw err;
        into.notReplaced?.push({ consumerId: consumer.id, reason: `must re-authorize: ${failureMessage(err)}` });
        record('replace', 'cordon', 'not possible', { credentialId: key, detail: `${consumer.id} must re-authorize: ${failureMessage(err)}` });
      }
    }
  }
  const replacePrimary = async (c: Credential, key: string, consumers: Consumer[], detail?: string) => {
    const p = progressOf(key);
    await replaceFor(c, key, consumers, p, detail);
    if (p.replacements.length && p.state !== 'replaced') transition(key, 'replaced');
  };

  /** I1: the provider acknowledged the revocation before any replacement is requested. */
  async function containDirect(c: Credential): Promise<void> {
    const key = keyOf(c);
    await revoke(c, key);
    await replacePrimary(c, key, c.consumers);
  }

  /** I2: restrict → approved waves of per-consumer replacements → revoke; fail closed on reject or deadline. */
  async function containStaged(c: Credential, index: number): Promise<void> {
    const key = keyOf(c);
    const waves = plan!.actions.filter((a) => a.credentialId === key && a.step === 'replace');
    const failClosed = async (why: string) => {
      record('staged', 'cordon', 'fail closed', { credentialId: key, detail: why });
      await revoke(c, key);
      const remaining = c.consumers.filter((x) => !progressOf(key).replacements.some((r) => r.consumerId === x.id));
      await replacePrimary(c, key, remaining, 'issued after revocation (fail closed)');
    };
    const allowlist = plan!.actions.find((a) => a.credentialId === key && a.step === 'restrict')?.allowlist ?? [];
    const restrict = await awaitApproval({
      stage: `c${index}-restrict`,
      description: withBlastRadius(
        `Restrict ${c.label} (${c.provider}) while its ${c.consumers.length} consumers are cut over: ` +
          (allowlist.length ? `usable only from the consumers' egress ${allowlist.join(', ')}` : 'no consumer egress is known, so the provider’s narrowest reversible restriction') +
          '; undone when the run ends',
      ),
      credentialIds: [key],
      consumerIds: [],
      wave: 0,
    });
    if (restrict.result !== 'approved') return failClosed(restrict.result === 'rejected' ? `restriction rejected by ${restrict.by.join(', ')}` : 'staged deadline passed');
    try {
      const restriction = allowlist.length ? { kind: 'ip_allowlist' as const, values: allowlist } : { kind: 'scope_downgrade' as const, values: [] };
      const r = await untilDeadline(`restricting ${c.label}`, () => acts.restrictCredential({ credential: c, restriction }));
      record('restrict', restrict.by.join(','), r.outcome, { credentialId: key, ...(r.detail ? { detail: `${r.detail}${r.undo ? `; to undo: ${r.undo.description}` : ''}` } : {}), ...(r.requestId ? { requestId: r.requestId } : {}) });
      if (r.undo) state.restrictions.push({ credentialId: key, detail: r.detail ?? restriction.kind, undo: r.undo, undone: false });
    } catch (err) {
      // The provider offers no restriction for this credential (or none for an empty allowlist): the waves go on without one.
      if (!([FAILURE_TYPES.unsupported, FAILURE_TYPES.invalid, FAILURE_TYPES.conflict] as string[]).includes(failureType(err) ?? '')) throw err;
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
      await replacePrimary(c, key, consumers, `I1 exception approved by ${d.by.join(', ')} (staged wave ${wave.wave})`);
    }
    await revoke(c, key);
  }

  /** Ends exactly what the plan listed for one principal, then issues its consumers' replacements (I1 order, I8). */
  async function forceReauth(t: ReauthTarget): Promise<void> {
    const who = `${t.provider} ${t.principal.displayName} (${t.principal.id})`;
    const mine = state.credentials.filter((p) => plan!.credentials.some((c) => keyOf(c) === p.credentialId && c.provider === t.provider && c.principal.id === t.principal.id));
    if (t.notPossible) {
      record('reauth', 'cordon', 'not possible', { detail: `${who}: ${t.notPossible}` });
      return;
    }
    const collateral = t.ends.map((c) => {
      const entry: CollateralProgress = { credentialId: keyOf(c), provider: c.provider, label: c.label, principalId: t.principal.id, state: 'planned', replacements: [], notReplaced: [] };
      state.collateral.push(entry);
      return { c, entry };
    });
    try {
      const r = await untilDeadline(`re-authentication of ${who}`, () => acts.forceReauth({ provider: t.provider, principal: t.principal, end: t.ends, workflowId }));
      record('reauth', 'cordon', r.outcome, { detail: `${who}: ${t.ends.length} planned credential(s) ended${r.detail ? `; ${r.detail}` : ''}`, ...(r.requestId ? { requestId: r.requestId } : {}) });
    } catch (err) {
      // Unsupported, or refused because it would lock Cordon out (I6): recorded, and verification decides.
      if (failureType(err) !== FAILURE_TYPES.unsupported && failureType(err) !== FAILURE_TYPES.conflict) throw err;
      record('reauth', 'cordon', 'not possible', { detail: `${who}: ${failureMessage(err)}` });
      for (const { entry } of collateral) entry.state = 'not_ended';
      return;
    }
    for (const p of mine) if (p.state !== 'not_contained') transition(p.credentialId, 'reauth_forced');
    for (const { c, entry } of collateral) {
      entry.state = 'ended';
      await replaceFor(c, entry.credentialId, c.consumers, entry, 'credential ended by re-authentication');
    }
  }

  async function verifyOne(c: Credential): Promise<void> {
    const key = keyOf(c);
    const p = progressOf(key);
    const leakedValue = leakedValueOf.get(key);
    const planned = [...plan!.credentials.map(keyOf), ...plan!.reauth.flatMap((t) => t.ends.map(keyOf))];
    const replacementIds = () => [...p.replacements, ...state.collateral.flatMap((x) => x.replacements)].map((r) => r.replacementId);
    const check = () =>
      untilDeadline(`verifying ${c.label}`, () => acts.verifyCredential({ credential: c, replacementIds: replacementIds(), workflowId, planned, ...(leakedValue ? { leakedValue } : {}) }));
    const dead = (v: VerifyResult) => !v.stillActive && v.unexpectedActive.length === 0 && v.probe !== 'alive';
    const describe = (v: VerifyResult) =>
      [v.stillActive ? 'still listed as active' : 'not listed', `${v.unexpectedActive.length} unexpected active`, `probe ${v.probe}`].join(', ');
    let v = await check();
    record('verify', 'cordon', dead(v) ? 'dead' : 'alive', { credentialId: key, detail: describe(v) });
    if (v.unplanned.length) {
      // I8: never touched without a plan that names them; a responder decides (a new containment can).
      record('verify', 'cordon', 'unplanned credentials left alone', { credentialId: key, detail: `${v.unplanned.map(keyOf).join(', ')}: same principal and app, not issued by Cordon, not in this plan; review them` });
    }
    // I3: bounded re-revoke, then the fallback ladder (named in the plan), then not_contained — never a silent success.
    for (let attempt = 1; !dead(v) && attempt <= input.policy.reRevokeAttempts; attempt++) {
      for (const target of [...(v.stillActive ? [c] : []), ...v.unexpectedActive]) {
        const r = await untilDeadline(`re-revoking ${target.label}`, () => acts.revokeCredential({ credential: target, ...(target === c && leakedValue ? { leakedValue } : {}) }));
        record('re-revoke', 'cordon', r.outcome, { credentialId: keyOf(target), detail: `attempt ${attempt}` });
      }
      await sleep(1000 * attempt);
      v = await check();
      record('verify', 'cordon', dead(v) ? 'dead' : 'alive', { credentialId: key, detail: describe(v) });
    }
    for (const rung of FALLBACK_RUNGS) {
      if (dead(v)) break;
      try {
        const r = await untilDeadline(`fallback ${rung} for ${c.label}`, () => acts.fallbackRung({ rung, credential: c }));
        p.fallbacksUsed.push(rung);
        record(`fallback:${rung}`, 'cordon', r.outcome, { credentialId: key, ...(r.detail ? { detail: r.detail } : {}), ...(r.requestId ? { requestId: r.requestId } : {}) });
      } catch (err) {
        if (failureType(err) !== FAILURE_TYPES.unsupported) throw err;
        record(`fallback:${rung}`, 'cordon', 'not possible', { credentialId: key, detail: failureMessage(err) });
        continue;
      }
      v = await check();
      record('verify', 'cordon', dead(v) ? 'dead' : 'alive', { credentialId: key, detail: describe(v) });
    }
    if (dead(v) && v.cutOff) {
      // Gone from the tenant, alive for its owner: an honest state of its own, with the owner's action (issue: cut off ≠ dead).
      record('verify', 'cordon', 'cut off in tenant', { credentialId: key, detail: v.cutOff });
      transition(key, 'cut_off');
      return;
    }
    transition(key, dead(v) ? 'verified_dead' : 'not_contained');
  }

  /** Temporary restrictions end with the run, whatever its outcome; a failed undo is loud and retried until the deadline. */
  async function undoRestrictions(): Promise<void> {
    for (const r of state.restrictions.filter((x) => !x.undone)) {
      const c = plan!.credentials.find((x) => keyOf(x) === r.credentialId)!;
      try {
        const u = await untilDeadline(`undoing the restriction of ${c.label}`, () => acts.unrestrictCredential({ credential: c, undo: r.undo }));
        r.undone = true;
        record('unrestrict', 'cordon', u.outcome === 'already_done' ? 'already undone' : 'undone', { credentialId: r.credentialId, detail: r.undo.description });
      } catch (err) {
        if (isCancellation(err)) throw err;
        record('unrestrict', 'cordon', 'undo failed', { credentialId: r.credentialId, detail: `${r.undo.description} BY HAND: ${failureMessage(err)}` });
        await notify({ kind: 'escalation', stage: `provider:undo ${r.credentialId}`.slice(0, 128), summary: `Could not undo a temporary restriction: ${r.undo.description}. Do it by hand.` });
      }
    }
  }

  const finish = async (outcome: Outcome, reason?: string) => {
    // Restrictions are undone before the verdict is recorded: nothing is written after it.
    if (state.restrictions.some((r) => !r.undone)) await undoRestrictions();
    delete state.waitingOn;
    state.outcome = outcome;
    if (reason) state.outcomeReason = reason;
    state.finishedAt = now();
    state.stage = 'done';
    upsertSearchAttributes([{ key: STAGE, value: 'done' }, { key: OUTCOME, value: outcome }]);
    record('finish', 'cordon', outcome, reason ? { detail: reason } : {});
    // Not a provider write: the registry learns the run ended, so later runs are not bound by its claims.
    await notifier.releaseReplacementClaims({ workflowId }).catch((err: unknown) => record('registry', 'cordon', 'release failed', { detail: failureMessage(err) }));
    const contained = outcome === 'contained';
    await notify({ kind: contained ? 'completed' : 'not_contained', outcome, summary: `${outcome}${reason ? `: ${reason}` : ''}` });
    return state;
  };

  upsertSearchAttributes([{ key: INCIDENT_ID, value: input.incidentId }, { key: OUTCOME, value: 'running' }]);
  record('start', input.requester, 'accepted', {
    detail: `${input.credentials.length} credential ref(s), mode ${input.mode}, severity ${input.severity}${input.breakGlass ? ', break-glass' : ''}${input.retryOf ? `, retry of ${input.retryOf}` : ''}`,
  });
  try {
    // 1. Identify scope.
    setStage('identify');
    const reports = await Promise.all(input.credentials.map((ref) => untilDeadline(`identifying ${ref.provider} ${ref.kind}`, () => acts.identifyScope({ ref }))));
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

    // 2. Plan, with everything re-authentication will end (I8), bound by its digest; refuses self-lockout (I6).
    setStage('plan');
    const found = reports.flatMap((r) => r.credentials);
    const targets = found.map(keyOf);
    const reauth = await Promise.all(
      reauthPrincipals(reports).map((t) => untilDeadline(`listing what re-authentication of ${t.principal.id} ends`, () => acts.scopeReauth({ ...t, workflowId, targets }))),
    );
    try {
      plan = await untilDeadline('planning', () => acts.planContainment({ mode: input.mode, waveSize: input.policy.waveSize, reports, reauth }));
    } catch (err) {
      if (failureType(err) === FAILURE_TYPES.self_lockout) return await finish('refused', failureMessage(err));
      throw err;
    }
    state.plan = plan;
    const ends = plan.reauth.flatMap((t) => t.ends);
    record('plan', 'cordon', `digest ${plan.digest.slice(0, 12)}`, {
      detail: `${plan.actions.length} actions, ${plan.waves} wave(s); re-authentication ends ${ends.length} other credential(s) with ${ends.reduce((n, c) => n + c.consumers.length, 0)} consumer(s) to re-supply, leaves ${plan.reauth.reduce((n, t) => n + t.leftAlone.length, 0)} alone`,
    });
    const needsApproval = input.policy.approval.requireForDirect || plan.actions.some((a) => a.step === 'restrict');
    if (needsApproval) deadlineAt = Date.now() + durationMs(input.policy.stagedDeadline);

    if (input.policy.approval.requireForDirect) {
      const d = await awaitApproval({
        stage: 'contain',
        description: withBlastRadius(`Contain ${plan.credentials.length} credential(s): ${plan.credentials.map((c) => c.label).join(', ')}`),
        credentialIds: [...plan.credentials, ...ends].map(keyOf),
        consumerIds: [...plan.credentials, ...ends].flatMap((c) => c.consumers.map((x) => x.id)),
        wave: 0,
      });
      if (d.result === 'rejected') return await finish('rejected', `rejected by ${d.by.join(', ')}${d.reason ? `: ${d.reason}` : ''}; nothing was revoked`);
      if (d.result === 'deadline') record('approval:contain', 'cordon', 'fail closed', { detail: 'deadline passed without a decision' });
    }

    // 3. Revoke before replace (direct) or staged waves (shared credentials, approved). A refusal stops only its own credential.
    setStage('revoke');
    const staged = (c: Credential) => plan!.actions.some((a) => a.credentialId === keyOf(c) && a.step === 'restrict');
    await settleAll(plan.credentials.map((c, i) => guarded(keyOf(c), () => (staged(c) ? containStaged(c, i) : containDirect(c)))));

    // 4. Force re-authentication: exactly what the plan lists, then the ended credentials' consumers get replacements.
    setStage('reauth');
    await settleAll(
      plan.reauth.map((t) =>
        forceReauth(t).catch((err: unknown) => {
          if (isCancellation(err)) throw err;
          record('reauth', 'cordon', 'refused', { detail: `${t.provider} ${t.principal.id}: ${failureType(err) ?? 'error'}: ${failureMessage(err)}` });
        }),
      ),
    );

    // 5. Verify: only Cordon's replacements remain (I3). Every branch settles before the verdict.
    setStage('verify');
    const live = plan.credentials.filter((c) => !refusedBecause.has(keyOf(c)));
    await settleAll(live.map((c) => guarded(keyOf(c), () => verifyOne(c))));
    const notDead = state.credentials.filter((p) => p.state !== 'verified_dead' && p.state !== 'cut_off');
    const cutOff = state.credentials.filter((p) => p.state === 'cut_off').map((p) => p.credentialId);
    const alive = notDead.filter((p) => !refusedBecause.has(p.credentialId)).map((p) => p.credentialId);
    const refused = notDead.filter((p) => refusedBecause.has(p.credentialId)).map((p) => `${p.credentialId}: ${refusedBecause.get(p.credentialId)}`);
    const reason = [
      ...(alive.length ? [`still active after re-revoke and the fallback ladder: ${alive.join(', ')}`] : []),
      ...(refused.length ? [`refused: ${refused.join('; ')}`] : []),
      ...(cutOff.length ? [`cut off from the tenant but alive for their owners until deleted: ${cutOff.join(', ')} (see the evidence for what the owners must do)`] : []),
    ].join('; ');
    return await finish(notDead.length ? 'not_contained' : cutOff.length ? 'contained_in_tenant' : 'contained', reason || undefined);
  } catch (err) {
    if (isCancellation(err)) {
      return await CancellationScope.nonCancellable(() => finish('cancelled', 'cancelled by an operator; see the evidence for what was done before'));
    }
    // A permanent refusal before any credential was reached, or the containment deadline: loud, never a silent success.
    for (const p of state.credentials) if (p.state !== 'verified_dead' && p.state !== 'not_contained') transition(p.credentialId, 'not_contained');
    return await finish('not_contained', `${failureType(err) ?? 'error'}: ${failureMessage(err)}`);
  }
}

/**
 * The text fields of a signal's payload, each cut to its bound; a string says why the payload is
 * refused. Only strings, numbers and booleans are read (String() of a JSON object can throw, e.g. an
 * own `toString` key), and only own properties.
 */
function signalFields<K extends string>(raw: unknown, bounds: Record<K, number>): Partial<Record<K, string>> | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return `expected an object, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`;
  const out: Partial<Record<K, string>> = {};
  for (const [key, max] of Object.entries(bounds) as [K, number][]) {
    if (!Object.prototype.hasOwnProperty.call(raw, key)) continue;
    const v = (raw as Record<string, unknown>)[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return `${key} must be text, got ${Array.isArray(v) ? 'an array' : typeof v}`;
    out[key] = String(v).slice(0, max);
  }
  return out;
}
