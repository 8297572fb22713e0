// The run's query, signals and the approval update (names in ../definitions.ts, recorded in history).
// All are set before the first await, so a message buffered with the start is handled like today.
//
// Authenticated channels (docs/trust-model.md), behind AUTHENTICATED_CHANNELS_PATCH so histories
// recorded before them replay as they ran: each decision, refusal and cancel request is judged by its
// signed envelope (schemas/envelope.ts) and recorded with what authenticated the person; without a
// valid one it counts only as an unauthenticated Temporal-direct call. A `decide` update is no longer
// refused by its validator (which cannot write history) but by its handler, which records the refusal
// and fails the update with the DecisionRefused failure type.
import { patched, setHandler } from '@temporalio/workflow';
import { ApprovalDecisionInput } from '../../schemas/containment.ts';
import { authenticate, type Authentication, type EnvelopeAction } from '../../schemas/envelope.ts';
import { approverRefusal, refuseDecision, unauthenticatedRefusal } from '../approval-rules.ts';
import { undecodableReason } from '../../schemas/undecodable.ts';
import { cancelRequestSignal, decideUpdate, refusalSignal, statusQuery, type DecisionResult } from '../definitions.ts';
import type { EvidenceDraft } from '../../schemas/evidence.ts';
import type { Containment } from './context.ts';

/** Recorded in history by every run that judges envelopes; a run without it replays the old handlers. */
export const AUTHENTICATED_CHANNELS_PATCH = 'cordon-authenticated-channels';

/**
 * The most evidence records a run keeps for messages it refuses or ignores (refused decisions, refusals and
 * cancel requests people send, malformed signals). Anyone who may signal the run, or a client looping on a stale
 * decision, can send thousands, and each record stays in the run's state, which the status query and the run's
 * result carry whole: 2,500 refusals of the largest fields a signal may carry took it past Temporal's 2 MB
 * payload limit, after which the status could not be read, and with it the next stage's pending approval that
 * every way in reads before it can approve (test/e2e/message-flood.test.ts). Past the bound they
 * are counted, the count is recorded as the run finishes (verdict.ts), and a refused decision's caller still
 * gets its refusal. Decisions that count are always recorded (each stage counts an approver once).
 */
export const MESSAGE_RECORDS_KEPT = 200;
/** The `signal` of the records that say messages past MESSAGE_RECORDS_KEPT go unrecorded, and how many did. */
export const EVERY_MESSAGE = '(every message)';

export function setMessageHandlers(run: Containment): void {
  const { state, input, decisions, record, messageRecords } = run;
  /** A record of a message refused or ignored: kept up to MESSAGE_RECORDS_KEPT, then counted. */
  const recordMessage = (draft: EvidenceDraft) => {
    if (messageRecords.kept >= MESSAGE_RECORDS_KEPT) {
      messageRecords.notRecorded++;
      return;
    }
    record(draft);
    if (++messageRecords.kept === MESSAGE_RECORDS_KEPT) {
      record({ kind: 'signal_ignored', actor: 'cordon', signal: EVERY_MESSAGE, reason: `${MESSAGE_RECORDS_KEPT} refused or ignored messages recorded: further ones are counted, and the count recorded when the run finishes` });
    }
  };
  setHandler(statusQuery, () => state);
  // Signals carry raw JSON from any Temporal client and have no validator: a handler that throws fails
  // the workflow task on every retry (the run is stuck), so a malformed one is recorded as ignored.
  const ignored = (signal: string, why: string) => recordMessage({ kind: 'signal_ignored', actor: 'cordon', signal, reason: `malformed payload: ${why}` });
  /** How the sender of `raw` was authenticated; undefined for a run that predates authenticated channels. */
  const authenticated = (raw: unknown, action: EnvelopeAction, claimedChannel: string | undefined): Authentication | undefined => {
    if (!patched(AUTHENTICATED_CHANNELS_PATCH)) return undefined;
    return authenticate(raw, { action, workflowId: run.workflowId, nowMs: Date.now(), nonces: run.nonces, claimedChannel });
  };
  setHandler(refusalSignal, (raw: unknown) => {
    const r = signalFields(raw, { stage: 128, approver: 256, channel: 32, reason: 500 });
    if (typeof r === 'string') return ignored('recordRefusal', r);
    if (!r.approver || !r.channel) return ignored('recordRefusal', 'approver and channel are required');
    const auth = authenticated(raw, 'refusal', r.channel);
    recordMessage({ kind: 'approval_refused', actor: r.approver, stage: r.stage ?? '', approver: r.approver, channel: r.channel, reason: r.reason ?? '', ...auth });
  });
  setHandler(cancelRequestSignal, (raw: unknown) => {
    const c = signalFields(raw, { actor: 256, channel: 32, reason: 500 });
    if (typeof c === 'string') return ignored('recordCancelRequest', c);
    if (!c.actor || !c.channel) return ignored('recordCancelRequest', 'actor and channel are required');
    const auth = authenticated(raw, 'cancel_request', c.channel);
    recordMessage({ kind: 'cancel_requested', actor: c.actor, channel: c.channel, ...(c.reason ? { reason: c.reason } : {}), ...auth });
  });

  /** Why a decision cannot count now (undefined: it can): I7's rules, the same for every way in. */
  const refusalOf = (raw: ApprovalDecisionInput): string | undefined => {
    const undecodable = undecodableReason(raw);
    if (undecodable) return `invalid decision: the payload could not be decoded: ${undecodable}`;
    // Temporal-direct callers send raw JSON: the same schema as every other way in.
    const shape = ApprovalDecisionInput.safeParse(raw);
    if (!shape.success) {
      const issue = shape.error.issues[0];
      return `invalid decision: ${issue?.path.join('.') || '(input)'}: ${issue?.message}`;
    }
    const d = shape.data;
    const plan = run.plan;
    const p = state.pendingApprovals.find((x) => x.stage === d.stage);
    if (!p || decisions.has(d.stage)) return `no approval is pending for stage ${JSON.stringify(d?.stage)}: it was already decided, timed out, or never asked`;
    if (!plan || d.digest !== plan.digest) return `stale plan digest ${String(d.digest).slice(0, 12)}…: the pending plan is ${plan?.digest.slice(0, 12)}…; re-read the plan and approve what will actually run`;
    const notApprover = approverRefusal(d.approver, { approvers: input.policy.approval.approvers, requester: input.requester, subject: 'containment', breakGlass: Boolean(input.breakGlass) });
    if (notApprover) return notApprover;
    if (p.approvals.includes(d.approver)) return `${d.approver} already approved stage ${d.stage}`;
    return undefined;
  };

  /** A decision judged by its envelope; a refusal is recorded, then fails the update. */
  const decideAuthenticated = (raw: ApprovalDecisionInput): DecisionResult => {
    const claimed = signalFields(raw, { stage: 128, approver: 256, channel: 32 });
    const said = typeof claimed === 'string' ? {} : claimed;
    const auth = authenticate(raw, { action: 'decide', workflowId: run.workflowId, nowMs: Date.now(), nonces: run.nonces, claimedChannel: said.channel });
    const refusal = refusalOf(raw) ?? unauthenticatedRefusal(auth, input.policy.approval.requireAuthenticated[input.severity], `${input.severity}-severity`);
    if (refusal) {
      const approver = said.approver || '(unnamed)';
      recordMessage({ kind: 'approval_refused', actor: approver, stage: said.stage ?? '', approver, reason: refusal.slice(0, 500), ...auth });
      refuseDecision(refusal);
    }
    return count(ApprovalDecisionInput.parse(raw), auth);
  };

  /** Counts a decision that may count; `auth` is absent for a run that predates authenticated channels. */
  const count = (d: ApprovalDecisionInput, auth: Authentication | undefined): DecisionResult => {
    const via = auth ?? { channel: d.channel };
    const p = state.pendingApprovals.find((x) => x.stage === d.stage)!;
    if (d.decision === 'reject') {
      decisions.set(d.stage, { result: 'rejected', by: [d.approver], ...(d.reason ? { reason: d.reason } : {}) });
      record({ kind: 'approval_decided', actor: d.approver, stage: d.stage, decision: 'rejected', approver: d.approver, approvals: p.approvals.length, quorum: p.quorum, ...(d.reason ? { reason: d.reason } : {}), ...via });
      return { stage: d.stage, state: 'rejected', approvals: p.approvals.length, quorum: p.quorum };
    }
    p.approvals.push(d.approver);
    record({ kind: 'approval_decided', actor: d.approver, stage: d.stage, decision: 'approved', approver: d.approver, approvals: p.approvals.length, quorum: p.quorum, ...(d.reason ? { reason: d.reason } : {}), ...via });
    if (p.approvals.length >= p.quorum) {
      decisions.set(d.stage, { result: 'approved', by: [...p.approvals] });
      return { stage: d.stage, state: 'approved', approvals: p.approvals.length, quorum: p.quorum };
    }
    return { stage: d.stage, state: 'pending', approvals: p.approvals.length, quorum: p.quorum };
  };

  setHandler(
    decideUpdate,
    // I7 is enforced by the handler, which records what it refuses. There is no validator: its refusal
    // cannot be written to history, so every decision, even a malformed one, reaches the evidence.
    // Before the patch a validator refused without a trace: such a history holds only decisions that count.
    (raw: ApprovalDecisionInput): DecisionResult => (patched(AUTHENTICATED_CHANNELS_PATCH) ? decideAuthenticated(raw) : count(ApprovalDecisionInput.parse(raw), undefined)),
  );
}

/**
 * The text fields of a signal's payload, each cut to its bound; a string says why the payload is
 * refused. Only strings, numbers and booleans are read (String() of a JSON object can throw, e.g. an
 * own `toString` key), and only own properties.
 */
export function signalFields<K extends string>(raw: unknown, bounds: Record<K, number>): Partial<Record<K, string>> | string {
  const undecodable = undecodableReason(raw);
  if (undecodable) return `could not be decoded: ${undecodable}`;
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
