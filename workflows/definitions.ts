// Names a client needs to drive a containment: the workflow type, its update and query. These
// names are recorded in history and documented for Temporal-direct users: never rename them.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalDecisionInput, CancelRequest, ContainmentStatus, RefusedDecision } from '../schemas/containment.ts';

export const WORKFLOW_TYPE = 'containCredential';
export const statusQuery = defineQuery<ContainmentStatus>('status');


export interface DecisionResult {
  stage: string;
  /** approved / rejected once decided; pending while the quorum is not reached. */
  state: 'approved' | 'rejected' | 'pending';
  approvals: number;
  quorum: number;
}
/**
 * One decision. A refusal is recorded in the evidence and fails the update with the failure type
 * FAILURE_TYPES.decision_refused (runs from before authenticated channels refused in a validator instead,
 * leaving the way in to report it with `recordRefusal`).
 */
export const decideUpdate = defineUpdate<DecisionResult, [ApprovalDecisionInput]>('decide');

/** A refused decision reported by a way in, for runs whose validator refused it (validators cannot write history). */
export const refusalSignal = defineSignal<[RefusedDecision]>('recordRefusal');

/** Sent just before a cancellation, so the evidence says who stopped the run and why. */
export const cancelRequestSignal = defineSignal<[CancelRequest]>('recordCancelRequest');
