// What `cordon watch --once` and `cordon schedule watch --every 5m` do (docs/drift-watch.md): one pass of the
// drift watch now, or a Schedule of passes. The pass runs in the worker that holds the watch's store.
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { DRIFT_WATCH_WORKFLOW_TYPE, DriftWatchReport, SETTLE_DRIFT_CONTAINMENT_WORKFLOW_TYPE, SettledContainment, settleDriftContainmentId, WATCH_SCHEDULE_ID, type DriftWatchRequest } from '../schemas/watch.ts';
import { ensureIntervalSchedule, triggerSchedule } from './schedules.ts';
import { cancelContainment, getStatus } from './containments.ts';
import type { Vouch } from '../codec/decision-envelope.ts';

/** One pass now; its report once it ends (the containments it opened go on without it). */
export async function runWatchOnce(client: Client, taskQueue: string, input: DriftWatchRequest = {}): Promise<{ workflowId: string; report: DriftWatchReport }> {
  const workflowId = `cordon-drift-watch-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
  const raw = await client.workflow.execute(DRIFT_WATCH_WORKFLOW_TYPE, { taskQueue, workflowId, args: [input] });
  return { workflowId, report: DriftWatchReport.parse(raw) };
}

/** `cordon schedule watch --every 5m`: one pass at a time, each from the checkpoints the last one left. */
export function ensureWatchSchedule(client: Client, options: { taskQueue: string; every: string; scheduleId?: string; input?: DriftWatchRequest }) {
  return ensureIntervalSchedule(client, {
    scheduleId: options.scheduleId ?? WATCH_SCHEDULE_ID,
    workflowType: DRIFT_WATCH_WORKFLOW_TYPE,
    taskQueue: options.taskQueue,
    every: options.every,
    args: [options.input ?? {}],
    purpose: 'cordon drift watch',
    // The cursors carry the passes missed while down: one catch-up pass reads them all.
    catchupWindow: '1h',
  });
}

export async function triggerWatch(client: Client, scheduleId = WATCH_SCHEDULE_ID, timeoutMs = 120_000): Promise<{ workflowId: string; report: DriftWatchReport }> {
  const { workflowId, result } = await triggerSchedule<unknown>(client, scheduleId, timeoutMs);
  return { workflowId, report: DriftWatchReport.parse(result) };
}

/** The report in words, for people: each provider's pass, then each verdict with its reasons and containment. */
export function watchReportText(r: DriftWatchReport): string {
  const lines = [`drift watch pass ${r.startedAt} → ${r.finishedAt}`];
  for (const p of r.providers) {
    lines.push(
      p.error
        ? `  ${p.provider}: not read (${p.error})`
        : `  ${p.provider}: ${p.events} events in ${p.pages} page(s)${p.duplicates ? `, ${p.duplicates} duplicates skipped` : ''}${p.malformed ? `, ${p.malformed} malformed skipped` : ''}${p.late ? `, ${p.late} late` : ''}`,
    );
  }
  lines.push(`  ingested ${r.ingest.accepted} of ${r.ingest.received}${r.ingest.outOfOrder ? ` (${r.ingest.outOfOrder} out of order skipped)` : ''}`);
  if (!r.verdicts.length) lines.push('  no verdict: every token used as its baseline says');
  for (const v of r.verdicts) {
    lines.push(`  ${v.severity.toUpperCase()} ${v.provider} ${v.tokenKey} (${v.principal}${v.app ? `, ${v.app}` : ''}): score ${v.score}, ${v.triggers.join(', ')}, action ${v.action}`);
    for (const reason of v.reasons) lines.push(`    - ${reason}`);
    if (v.containment) lines.push(`    containment: ${v.containment}`);
  }
  for (const c of r.containments.filter((c) => c.state === 'not_mappable')) lines.push(`  no containment for ${c.tokenKey}: ${c.note ?? 'its credential cannot be named'}`);
  if (r.findings) {
    const f = r.findings;
    lines.push(`  detection findings: ${f.delivered} delivered${f.retrying ? `, ${f.retrying} to retry` : ''}${f.failed ? `, ${f.failed} given up (recorded in the store)` : ''}${f.pending ? `, ${f.pending} pending` : ''}`);
  }
  return lines.join('\n');
}

/**
 * `cordon watch dismiss`: a person says the verdict was not an incident. The containment the watch opened is
 * cancelled with the reason (recorded as its evidence); the next pass dismisses the verdict with that reason and
 * the token's baseline learns what the verdict was about.
 */
export async function dismissVerdict(client: Client, workflowId: string, by: { actor: string; reason: string; channel?: string }, vouch?: Vouch): Promise<{ workflowId: string; text: string }> {
  if (!workflowId.startsWith('cordon-contain-drift-')) throw new Error(`${workflowId} is not a containment the drift watch opened (their ids start with cordon-contain-drift-)`);
  const status = await getStatus(client, workflowId);
  if (status.outcome !== 'running') throw new Error(`${workflowId} already ended ${status.outcome}: nothing to dismiss (a contained token stays revoked)`);
  await cancelContainment(client, workflowId, { actor: by.actor, channel: by.channel ?? 'cli', reason: `dismissed: ${by.reason}` }, vouch);
  return { workflowId, text: `cancelled ${workflowId}; the next watch pass dismisses its verdict: ${by.reason}` };
}

/**
 * Settles a dismissed containment now rather than at the next pass: the `settleDriftContainment` workflow runs
 * on the watch's worker, waits for the cancelled containment to end and records the dismissal in the store.
 * Resolves with what was recorded, or `undefined` when it has not finished within `waitMs` (it goes on; the
 * next pass would settle it too).
 */
export async function settleDismissal(client: Client, taskQueue: string, workflowId: string, waitMs = 60_000): Promise<SettledContainment | undefined> {
  const id = settleDriftContainmentId(workflowId);
  try {
    await client.workflow.start(SETTLE_DRIFT_CONTAINMENT_WORKFLOW_TYPE, { taskQueue, workflowId: id, args: [{ workflowId }], workflowIdReusePolicy: 'REJECT_DUPLICATE' });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  const result = client.workflow.getHandle(id).result();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), waitMs)));
  try {
    const settled = await Promise.race([result, timeout]);
    return settled === undefined ? undefined : SettledContainment.parse(settled);
  } finally {
    clearTimeout(timer);
    result.catch(() => undefined);
  }
}
