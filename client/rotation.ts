// What `cordon rotate` and `cordon schedule rotate` do (docs/rotation.md): one run of the rotation policies now
// (or its plan only, with dryRun), or a Schedule of runs; the status of one credential's rotation and an approver's
// decision on it.
import { randomBytes } from 'node:crypto';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { signEnvelope, type Vouch } from '../codec/decision-envelope.ts';
import { FAILURE_TYPES } from '../schemas/failure-types.ts';
import { ROTATION_RUN_WORKFLOW_TYPE, ROTATION_SCHEDULE_ID, RotationResult, RotationRunReport, type RotationDecision, type RotationPolicy, type RotationRunInput } from '../schemas/rotation.ts';
import { DecisionRefusedError } from './containments.ts';
import { ensureIntervalSchedule, startScheduleRun, triggerSchedule } from './schedules.ts';

/** One run now, and its report once every rotation it started has ended (a dry run: the plan only). */
export async function runRotation(client: Client, taskQueue: string, input: RotationRunInput): Promise<{ workflowId: string; report: RotationRunReport }> {
  const workflowId = `cordon-rotation-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
  const raw = await client.workflow.execute(ROTATION_RUN_WORKFLOW_TYPE, { taskQueue, workflowId, args: [input] });
  return { workflowId, report: RotationRunReport.parse(raw) };
}

/** Starts a run and returns its id at once: the report comes from `rotationRunReport` when it ends. */
export async function startRotation(client: Client, taskQueue: string, input: RotationRunInput): Promise<{ workflowId: string }> {
  const workflowId = `cordon-rotation-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
  await client.workflow.start(ROTATION_RUN_WORKFLOW_TYPE, { taskQueue, workflowId, args: [input] });
  return { workflowId };
}

export async function rotationRunReport(client: Client, workflowId: string): Promise<RotationRunReport> {
  return RotationRunReport.parse(await client.workflow.getHandle(workflowId).result());
}

/**
 * `cordon schedule rotate --every 24h --policies rotation.json`: one Schedule whose runs rotate what is due. Two
 * runs may overlap (a trigger while one waits for consumers): the rotations' deterministic ids keep each credential
 * to one rotation at a time.
 */
export function ensureRotationSchedule(client: Client, options: { taskQueue: string; every: string; policies: RotationPolicy[]; scheduleId?: string }) {
  return ensureIntervalSchedule(client, {
    scheduleId: options.scheduleId ?? ROTATION_SCHEDULE_ID,
    workflowType: ROTATION_RUN_WORKFLOW_TYPE,
    taskQueue: options.taskQueue,
    every: options.every,
    args: [{ policies: options.policies } satisfies RotationRunInput],
    purpose: 'cordon rotation policies',
    // A rotation missed while the cluster was down is due at the next run anyway.
    catchupWindow: '1h',
  });
}

/** Triggers the Schedule now; `wait: false` returns once the run started. */
export async function triggerRotation(client: Client, scheduleId = ROTATION_SCHEDULE_ID, options: { wait?: boolean; timeoutMs?: number } = {}): Promise<{ workflowId: string; report?: RotationRunReport }> {
  if (options.wait === false) return startScheduleRun(client, scheduleId, options.timeoutMs);
  const { workflowId, result } = await triggerSchedule<unknown>(client, scheduleId, options.timeoutMs);
  return { workflowId, report: RotationRunReport.parse(result) };
}

/** One credential's rotation as it stands (the `rotationStatus` query). */
export async function rotationStatus(client: Client, workflowId: string): Promise<RotationResult> {
  return RotationResult.parse(await client.workflow.getHandle(workflowId).query('rotationStatus'));
}

/**
 * An approver's decision on a rotation whose policy requires approval (the `decideRotation` update), in a signed
 * envelope when the way in authenticated the approver (`vouch`), otherwise unsigned: an unauthenticated
 * Temporal-direct call, refused unless the policy accepts one. A refusal is recorded in the rotation's evidence by
 * the workflow, then thrown as DecisionRefusedError.
 */
export async function decideRotation(client: Client, workflowId: string, decision: RotationDecision, vouch?: Vouch): Promise<string> {
  const message = vouch ? signEnvelope(decision, vouch, { workflowId, action: 'decide' }) : decision;
  try {
    return await client.workflow.getHandle(workflowId).executeUpdate<string, [RotationDecision]>('decideRotation', { args: [message] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === FAILURE_TYPES.decision_refused) throw new DecisionRefusedError(err.cause.message);
    throw err;
  }
}
