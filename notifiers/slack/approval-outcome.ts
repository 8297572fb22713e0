// How one approval stage stands, read from the containment's evidence (the workflow's record is the
// truth; the Slack message only shows it). Pure: used to lock messages after a click or a timeout.
import type { EvidenceEvent } from '../../schemas/containment.ts';

export type ApprovalOutcome =
  | { state: 'pending'; approvals: string[] }
  | { state: 'approved'; by: string[] }
  | { state: 'rejected'; by: string; reason?: string }
  | { state: 'timed_out'; detail: string }
  | { state: 'closed'; detail: string };

/**
 * `stillPending`: whether the status lists the stage among pendingApprovals. A stage that left the
 * list without a human decision timed out (policy default or deadline) or the run ended.
 */
export function approvalOutcome(evidence: readonly EvidenceEvent[], stage: string, stillPending: boolean): ApprovalOutcome {
  const events = evidence.filter((e) => e.step === `approval:${stage}`);
  const approvals = events.filter((e) => e.outcome === 'approved').map((e) => e.actor);
  const rejected = events.find((e) => e.outcome === 'rejected');
  if (rejected) {
    // The workflow records the reason as `via <channel>: <reason>`.
    const reason = /^via [^:]+: ([\s\S]+)$/.exec(rejected.detail ?? '')?.[1];
    return { state: 'rejected', by: rejected.actor, ...(reason ? { reason } : {}) };
  }
  if (stillPending) return { state: 'pending', approvals };
  if (events.some((e) => e.outcome === 'timeout default: proceed')) return { state: 'timed_out', detail: 'no decision in time: the severity policy proceeded' };
  if (events.some((e) => e.outcome === 'deadline passed' || e.outcome === 'fail closed')) {
    return { state: 'timed_out', detail: 'the staged deadline passed: the credential is revoked regardless (fail closed)' };
  }
  if (approvals.length) return { state: 'approved', by: approvals };
  return { state: 'closed', detail: 'the containment ended before a decision' };
}
