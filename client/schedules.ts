// Cordon's Temporal Schedules: `cordon schedule hygiene --every 24h` (the hygiene sweep) and
// `cordon schedule watch --every 5m` (the drift watch). Created or updated idempotently: running the
// command twice leaves one schedule with the latest settings.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { HYGIENE_SWEEP_WORKFLOW_TYPE, type HygieneReport, type HygieneSweepInput } from '../schemas/sweep.ts';

export const HYGIENE_SCHEDULE_ID = 'cordon-hygiene-sweep';
const EVERY = /^\d+(s|m|h|d)$/;

export interface IntervalSchedule {
  scheduleId: string;
  workflowType: string;
  taskQueue: string;
  /** How often: `24h`, `7d`, `5m`. */
  every: string;
  args: unknown[];
  /** What the schedule is for, shown in the Temporal UI. */
  purpose: string;
  /** How far back a run missed while the cluster was down is still started (once). */
  catchupWindow: `${number}${'s' | 'm' | 'h' | 'd'}`;
}

/** One run at a time; a run missed while the cluster was down starts once, not once per missed slot. */
export async function ensureIntervalSchedule(client: Client, s: IntervalSchedule): Promise<{ scheduleId: string; created: boolean }> {
  if (!EVERY.test(s.every)) throw new Error(`--every ${JSON.stringify(s.every)}: give a number followed by s, m, h or d (e.g. 24h)`);
  const every = s.every as `${number}${'s' | 'm' | 'h' | 'd'}`;
  // The schedule appends the scheduled time to the workflow id, so each run has its own.
  const action = { type: 'startWorkflow' as const, workflowType: s.workflowType, workflowId: s.scheduleId, taskQueue: s.taskQueue, args: s.args };
  const spec = { intervals: [{ every }] };
  try {
    await client.schedule.create({ scheduleId: s.scheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: s.catchupWindow }, memo: { purpose: s.purpose } });
    return { scheduleId: s.scheduleId, created: true };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(s.scheduleId).update((previous) => ({ ...previous, spec, action }));
    return { scheduleId: s.scheduleId, created: false };
  }
}

/** Runs the schedule's workflow now (as `temporal schedule trigger` does) and waits for that run's result. */
export async function triggerSchedule<R>(client: Client, scheduleId: string, timeoutMs = 120_000): Promise<{ workflowId: string; result: R }> {
  const run = await startScheduleRun(client, scheduleId, timeoutMs);
  const result = (await client.workflow.getHandle(run.workflowId, run.firstExecutionRunId).result()) as R;
  return { workflowId: run.workflowId, result };
}

/** Runs the schedule's workflow now and returns once that run has started, without waiting for it to end. */
export async function startScheduleRun(client: Client, scheduleId: string, timeoutMs = 120_000): Promise<{ workflowId: string; firstExecutionRunId: string }> {
  const handle = client.schedule.getHandle(scheduleId);
  const { runningActions, recentActions } = (await handle.describe()).info;
  const before = new Set([...runningActions, ...recentActions.map((a) => a.action)].map((a) => a.workflow.workflowId));
  // A schedule names each run by its start second: a trigger in the same second as the last run would
  // reuse that run's id and start nothing, so it waits for the next second.
  const lastSecond = Math.max(-1, ...recentActions.map((a) => Math.floor(a.takenAt.getTime() / 1000)));
  if (Math.floor(Date.now() / 1000) <= lastSecond) await new Promise((r) => setTimeout(r, (lastSecond + 1) * 1000 - Date.now() + 20));
  await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await handle.describe();
    const run = [...d.info.runningActions, ...d.info.recentActions.map((a) => a.action)].find((a) => !before.has(a.workflow.workflowId));
    if (run) return { workflowId: run.workflow.workflowId, firstExecutionRunId: run.workflow.firstExecutionRunId };
    if (Date.now() > deadline) throw new Error(`schedule ${scheduleId}: the triggered run did not start within ${timeoutMs} ms; is a worker polling the task queue?`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface HygieneScheduleOptions {
  taskQueue: string;
  /** How often: `24h`, `7d`, `30m` (at least a minute apart in practice). */
  every: string;
  scheduleId?: string;
  input?: HygieneSweepInput;
}

export function ensureHygieneSchedule(client: Client, options: HygieneScheduleOptions): Promise<{ scheduleId: string; created: boolean }> {
  return ensureIntervalSchedule(client, {
    scheduleId: options.scheduleId ?? HYGIENE_SCHEDULE_ID,
    workflowType: HYGIENE_SWEEP_WORKFLOW_TYPE,
    taskQueue: options.taskQueue,
    every: options.every,
    args: [options.input ?? {}],
    purpose: 'cordon hygiene sweep',
    catchupWindow: '1d',
  });
}

/** Runs the sweep now and waits for that run's report. */
export async function triggerHygieneSweep(client: Client, scheduleId = HYGIENE_SCHEDULE_ID, timeoutMs = 120_000): Promise<{ workflowId: string; report: HygieneReport }> {
  const { workflowId, result } = await triggerSchedule<HygieneReport>(client, scheduleId, timeoutMs);
  return { workflowId, report: result };
}
