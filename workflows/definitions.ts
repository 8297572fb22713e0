// Names a client needs to drive a containment: the workflow type, its update and query. These
// names are recorded in history and documented for Temporal-direct users: never rename them.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalDecisionInput, ContainmentStatus, RefusedDecision } from '../schemas/containment.ts';

export const WORKFLOW_TYPE = 'containCredential';
export const statusQuery = defineQuery<ContainmentStatus>('status');


export interface DecisionResult {
  stage: string;
  /** approved / rejected once decided; pending while the quorum is not reached. */
  state: 'approved' | 'rejected' | 'pending';
  approvals: number;
  quorum: number;
}
export const decideUpdate = defineUpdate<DecisionResult, [ApprovalDecisionInput]>('decide');

/** The ways in signal a refused decision so it lands in the evidence (validators cannot write history). */
export const refusalSignal = defineSignal<[RefusedDecision]>('recordRefusal');

/** Sent just before a cancellation, so the evidence says who stopped the run and why. */
export const cancelRequestSignal = defineSignal<[{ actor: string; channel: string; reason?: string }]>('recordCancelRequest');
