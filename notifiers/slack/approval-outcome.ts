// How one approval stage stands, read from the containment's evidence (the workflow's record is the
// truth; the Slack message only shows it). Pure: used to lock messages after a click or a timeout.
import type { EvidenceEntry, EvidenceOf } from '../../schemas/evidence.ts';
import { approvalEvents } from '../../schemas/evidence-text.ts';

/**
 * `via`: how each decider was authenticated, in a few words (docs/trust-model.md), beside `by`; absent
 * when every decider clicked in Slack, or decided before authentication was recorded.
 */
export type ApprovalOutcome =
  | { state: 'pending'; approvals: string[] }
  | { state: 'approved'; by: string[]; via?: string[] }
  | { state: 'rejected'; by: string; via?: string; reason?: string }
  | { state: 'timed_out'; detail: string }
  | { state: 'closed'; detail: string };

/**
 * A decider's authentication in a few words, for the Slack message: nothing for a signed Slack click
 * (the mention says who), the way in otherwise; an unauthenticated Temporal-direct decision stands out.
 */
export function authenticatedVia(e: EvidenceOf<'approval_decided'>): string {
  switch (e.identity?.authenticatedBy) {
    case 'slack_signature':
      return '';
    case 'api_key':
      return `API key ${e.identity.apiKeyName}`;
    case 'cli':
      return `CLI as ${e.identity.user}`;
    default:
      return e.authenticatedBy === 'unauthenticated' ? `UNAUTHENTICATED Temporal-direct call${e.claimedChannel ? ` claiming ${e.claimedChannel}` : ''}` : '';
  }
}

/**
 * `stillPending`: whether the status lists the stage among pendingApprovals. A stage that left the
 * list without a human decision timed out (policy default or deadline) or the run ended.
 */
export function approvalOutcome(evidence: readonly EvidenceEntry[], stage: string, stillPending: boolean): ApprovalOutcome {
  const events = approvalEvents(evidence, stage);
  const decided = events.filter((e) => e.kind === 'approval_decided');
  const approvals = decided.filter((e) => e.decision === 'approved').map((e) => e.approver);
  const rejected = decided.find((e) => e.decision === 'rejected');
  const rejectedVia = rejected && authenticatedVia(rejected);
  if (rejected) return { state: 'rejected', by: rejected.approver, ...(rejectedVia ? { via: rejectedVia } : {}), ...(rejected.reason ? { reason: rejected.reason } : {}) };
  if (stillPending) return { state: 'pending', approvals };
  if (events.some((e) => e.kind === 'approval_defaulted' && e.onTimeout === 'proceed')) return { state: 'timed_out', detail: 'no decision in time: the severity policy proceeded' };
  if (events.some((e) => e.kind === 'approval_deadline' || e.kind === 'approval_fail_closed')) {
    return { state: 'timed_out', detail: 'the staged deadline passed: the credential is revoked regardless (fail closed)' };
  }
  const approvedBy = decided.filter((e) => e.decision === 'approved');
  const via = approvedBy.map(authenticatedVia);
  if (approvals.length) return { state: 'approved', by: approvals, ...(via.some(Boolean) ? { via } : {}) };
  return { state: 'closed', detail: 'the containment ended before a decision' };
}
