// The approval rules every decision in a workflow obeys, whether it approves a containment stage or a planned
// rotation (design I7, docs/trust-model.md): the approver is on the list, the requester does not approve their
// own request (unless break-glass), and an unauthenticated Temporal-direct call counts only where the policy
// accepts one. A refused decision is recorded by the caller, then fails the update with the DecisionRefused
// failure type, so the client can tell a refusal from any other failure. Deterministic: workflow code.
import { ApplicationFailure } from '@temporalio/workflow';
import type { Authentication } from '../schemas/envelope.ts';
import { FAILURE_TYPES } from '../schemas/failure-types.ts';

export interface ApproverRules {
  approvers: readonly string[];
  requester: string | undefined;
  /** What is being approved, in the refusal's words ("containment", "rotation"). */
  subject: string;
  /** Only where break-glass exists: whether it lets the requester approve. */
  breakGlass?: boolean;
}

/** Why `approver` may not decide (undefined: they may). */
export function approverRefusal(approver: string, rules: ApproverRules): string | undefined {
  if (!rules.approvers.includes(approver)) return `${approver} is not an authorized approver for this ${rules.subject}`;
  if (approver === rules.requester && !rules.breakGlass) {
    return `${approver} requested this ${rules.subject} and cannot approve it${rules.breakGlass === false ? ' (break-glass not set)' : ''}`;
  }
  return undefined;
}

/** Why an unauthenticated decision may not count where the policy `required` authentication (undefined: it may). */
export function unauthenticatedRefusal(auth: Authentication, required: boolean, what: string): string | undefined {
  if (!required || auth.authenticatedBy !== 'unauthenticated') return undefined;
  return `a ${what} decision must come through an authenticated way in (Slack, the API or the CLI with a signed envelope); this one is an unauthenticated Temporal-direct call${auth.envelopeRefused ? ` (${auth.envelopeRefused})` : ''}`;
}

/** Fails the update with the refusal (already recorded by the caller). */
export function refuseDecision(reason: string): never {
  throw ApplicationFailure.create({ type: FAILURE_TYPES.decision_refused, nonRetryable: true, message: reason });
}
