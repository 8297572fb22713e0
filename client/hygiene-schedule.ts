// `cordon schedule hygiene --every 24h`: one Temporal Schedule that starts the hygiene sweep.
// Created or updated idempotently: running it twice leaves one schedule with the latest settings.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { HYGIENE_SWEEP_WORKFLOW_TYPE, type HygieneReport, type HygieneSweepInput } from '../schemas/sweep.ts';

export const HYGIENE_SCHEDULE_ID = 'cordon-hygiene-sweep';
const EVERY = /^\d+(s|m|h|d)$/;

export interface HygieneScheduleOptions {
  taskQueue: string;
  /** How often: `24h`, `7d`, `30m` (at least a minute apart in practice). */
  every: string;
  scheduleId?: string;
  input?: HygieneSweepInput;
}

export async function ensureHygieneSchedule(client: Client, options: HygieneScheduleOptions): Promise<{ scheduleId: string; created: boolean }> {
  if (!EVERY.test(options.every)) throw new Error(`--every ${JSON.stringify(options.every)}: give a number followed by s, m, h or d (e.g. 24h)`);
  const scheduleId = options.scheduleId ?? HYGIENE_SCHEDULE_ID;
  const every = options.every as `${number}${'s' | 'm' | 'h' | 'd'}`;
  const action = {
    type: 'startWorkflow' as const,
    workflowType: HYGIENE_SWEEP_WORKFLOW_TYPE,
    // The schedule appends the scheduled time, so each run has its own id.
    workflowId: scheduleId,
    taskQueue: options.taskQueue,
    args: [options.input ?? {}],
  };
  const spec = { intervals: [{ every }] };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action,
      // One sweep at a time; a sweep missed while the cluster was down runs once, not once per missed slot.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
      memo: { purpose: 'cordon hygiene sweep (issue 7)' },
    });
    return { scheduleId, created: true };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
    return { scheduleId, created: false };
  }
}

/** Runs the sweep now (as `temporal schedule trigger` does) and waits for that run's report. */
export async function triggerHygieneSweep(client: Client, scheduleId = HYGIENE_SCHEDULE_ID, timeoutMs = 120_000): Promise<{ workflowId: string; report: HygieneReport }> {
  const handle = client.schedule.getHandle(scheduleId);
  const before = new Set((await handle.describe()).info.recentActions.map((a) => a.action.workflow.workflowId));
  await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await handle.describe();
    const run = [...d.info.runningActions, ...d.info.recentActions.map((a) => a.action)].find((a) => !before.has(a.workflow.workflowId));
    if (run) {
      const report = (await client.workflow.getHandle(run.workflow.workflowId, run.workflow.firstExecutionRunId).result()) as HygieneReport;
      return { workflowId: run.workflow.workflowId, report };
    }
    if (Date.now() > deadline) throw new Error(`schedule ${scheduleId}: the triggered sweep did not start within ${timeoutMs} ms; is a worker polling the task queue?`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
