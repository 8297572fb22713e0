// The run's query, signals and the approval update (names in ../definitions.ts, recorded in history).
// All are set before the first await, so a message buffered with the start is handled like today.
import { setHandler } from '@temporalio/workflow';
import { ApprovalDecisionInput } from '../../schemas/containment.ts';
import { cancelRequestSignal, decideUpdate, refusalSignal, statusQuery, type DecisionResult } from '../definitions.ts';
import type { Containment } from './context.ts';

export function setMessageHandlers(run: Containment): void {
  const { state, input, decisions, record } = run;
  setHandler(statusQuery, () => state);
  // Signals carry raw JSON from any Temporal client and have no validator: a handler that throws fails
  // the workflow task on every retry (the run is stuck), so a malformed one is recorded as ignored.
  const ignored = (signal: string, why: string) => record({ kind: 'signal_ignored', actor: 'cordon', signal, reason: `malformed payload: ${why}` });
  setHandler(refusalSignal, (raw: unknown) => {
    const r = signalFields(raw, { stage: 128, approver: 256, channel: 32, reason: 500 });
    if (typeof r === 'string') return ignored('recordRefusal', r);
    if (!r.approver || !r.channel) return ignored('recordRefusal', 'approver and channel are required');
    record({ kind: 'approval_refused', actor: r.approver, stage: r.stage ?? '', approver: r.approver, channel: r.channel, reason: r.reason ?? '' });
  });
  setHandler(cancelRequestSignal, (raw: unknown) => {
    const c = signalFields(raw, { actor: 256, channel: 32, reason: 500 });
    if (typeof c === 'string') return ignored('recordCancelRequest', c);
    if (!c.actor || !c.channel) return ignored('recordCancelRequest', 'actor and channel are required');
    record({ kind: 'cancel_requested', actor: c.actor, channel: c.channel, ...(c.reason ? { reason: c.reason } : {}) });
  });

  setHandler(
    decideUpdate,
    (raw: ApprovalDecisionInput): DecisionResult => {
      const d = ApprovalDecisionInput.parse(raw); // validated already; parsing applies the defaults
      const p = state.pendingApprovals.find((x) => x.stage === d.stage)!;
      if (d.decision === 'reject') {
        decisions.set(d.stage, { result: 'rejected', by: [d.approver], ...(d.reason ? { reason: d.reason } : {}) });
        record({ kind: 'approval_decided', actor: d.approver, stage: d.stage, decision: 'rejected', approver: d.approver, channel: d.channel, approvals: p.approvals.length, quorum: p.quorum, ...(d.reason ? { reason: d.reason } : {}) });
        return { stage: d.stage, state: 'rejected', approvals: p.approvals.length, quorum: p.quorum };
      }
      p.approvals.push(d.approver);
      record({ kind: 'approval_decided', actor: d.approver, stage: d.stage, decision: 'approved', approver: d.approver, channel: d.channel, approvals: p.approvals.length, quorum: p.quorum, ...(d.reason ? { reason: d.reason } : {}) });
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
        const plan = run.plan;
        const p = state.pendingApprovals.find((x) => x.stage === d.stage);
        if (!p || decisions.has(d.stage)) throw new Error(`no approval is pending for stage ${JSON.stringify(d?.stage)}: it was already decided, timed out, or never asked`);
        if (!plan || d.digest !== plan.digest) throw new Error(`stale plan digest ${String(d.digest).slice(0, 12)}…: the pending plan is ${plan?.digest.slice(0, 12)}…; re-read the plan and approve what will actually run`);
        if (!input.policy.approval.approvers.includes(d.approver)) throw new Error(`${d.approver} is not an authorized approver for this containment`);
        if (d.approver === input.requester && !input.breakGlass) throw new Error(`${d.approver} requested this containment and cannot approve it (break-glass not set)`);
        if (p.approvals.includes(d.approver)) throw new Error(`${d.approver} already approved stage ${d.stage}`);
      },
    },
  );
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
