// A drill of the drift watch (docs/drift-watch.md, "Drill"): the drill's attack story is played into the local
// tenant's audit log, one pass of the real `driftWatch` workflow reads it, and the drill grades what a responder
// relies on — a verdict on the attacked token, with the expected triggers and reasons in words, and the
// containment the watch opened for it. When the drill approves, the simulated approvers answer that containment
// through the real `decide` update (signed: a critical verdict's containment counts only authenticated
// decisions) and it is graded like any drill's; otherwise it is cancelled once it waits for approval.
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { cancelContainment, getStatus, handleOf } from '../client/containments.ts';
import { runWatchOnce } from '../client/watch.ts';
import type { Vouch } from '../codec/decision-envelope.ts';
import { feedAuditLogs } from '../local-tenant/audit-feed.ts';
import type { LocalTenant } from '../local-tenant/tenant.ts';
import { driftReplay } from '../local-tenant/traffic/drift-replay.ts';
import type { ContainmentStatus } from '../schemas/containment.ts';
import type { DrillCheck, DrillDefinition, DrillReport, WatchDrill } from '../schemas/drill.ts';
import type { DriftWatchReport, VerdictSummary } from '../schemas/watch.ts';
import { gradeDrill } from './grade.ts';
import { answerApprovals, DRILL_APPROVERS, DRILL_REQUESTER, type DrillRun } from './run.ts';

const STORIES: Record<WatchDrill['story'], (now: number, tag: string) => ReturnType<typeof driftReplay>> = {
  'salesloft-drift': (now, tag) => driftReplay(now, { tag }),
};

/** The watch's part of the grade: the verdict, its triggers and reasons, and the containment it opened. */
export function gradeWatchPass(w: WatchDrill, pass: DriftWatchReport): { checks: DrillCheck[]; verdict?: VerdictSummary; containment?: string } {
  const verdict = pass.verdicts.find((v) => v.tokenKey === w.tokenKey);
  const opened = pass.containments.find((c) => c.tokenKey === w.tokenKey);
  const checks: DrillCheck[] = [
    { id: 'watch:verdict', description: `the watch gave a verdict on the attacked token ${w.tokenKey}`, ok: Boolean(verdict), actual: verdict ? `score ${verdict.score} (${verdict.severity})` : 'no verdict', limit: 'a verdict' },
  ];
  for (const t of w.expectTriggers) {
    checks.push({ id: `watch:trigger:${t}`, description: `the verdict names the trigger ${t}`, ok: Boolean(verdict?.triggers.includes(t)), actual: verdict?.triggers.join(', ') || 'none', limit: t });
  }
  for (const pattern of w.expectReasons) {
    const hit = verdict?.reasons.find((r) => new RegExp(pattern, 'i').test(r));
    checks.push({ id: `watch:reason:${pattern}`, description: `a reason says /${pattern}/`, ok: Boolean(hit), actual: hit ?? 'no such reason', limit: `/${pattern}/` });
  }
  const containment = opened && opened.state !== 'not_mappable' ? opened.workflowId : undefined;
  checks.push({ id: 'watch:containment', description: 'the watch opened a containment for the verdict', ok: Boolean(containment), actual: opened ? `${opened.state} (${opened.mode})${opened.note ? `: ${opened.note}` : ''}` : 'none', limit: 'opened' });
  return { checks, ...(verdict ? { verdict } : {}), ...(containment ? { containment } : {}) };
}

export async function runWatchDrill(options: {
  client: Client;
  taskQueue: string;
  tenant: LocalTenant;
  drill: DrillDefinition;
  /** Signs each simulated decision (the drill's own envelope key). */
  vouch?: (approver: string) => Vouch | undefined;
  onStatus?: (s: ContainmentStatus) => void;
  pollMs?: number;
}): Promise<DrillRun | { status?: undefined; report: DrillReport }> {
  const { client, drill } = options;
  const w = drill.watch;
  if (!w) throw new Error(`drill ${drill.name} is not a watch drill (no \`watch\`)`);
  const startedAt = new Date().toISOString();
  // Event ids tagged per run: a second drill on the same tenant plays new events, not duplicates.
  await feedAuditLogs(options.tenant, STORIES[w.story](Date.now(), randomBytes(3).toString('hex').toUpperCase()));
  const { report: pass } = await runWatchOnce(client, options.taskQueue, { providers: [w.provider], backfill: '30d', requester: DRILL_REQUESTER, approvers: [...DRILL_APPROVERS] });
  const graded = gradeWatchPass(w, pass);
  const watch = {
    tokenKey: w.tokenKey,
    ...(graded.verdict ? { verdictId: graded.verdict.id, score: graded.verdict.score, severity: graded.verdict.severity, triggers: graded.verdict.triggers, reasons: graded.verdict.reasons } : { triggers: [], reasons: [] }),
    ...(graded.containment ? { containment: graded.containment } : {}),
  };
  if (!graded.containment) return { report: watchOnlyReport(drill, startedAt, graded.checks, watch) };

  const workflowId = graded.containment;
  if (w.approve) {
    await answerApprovals(client, workflowId, drill, options);
  } else {
    // Graded up to the point a person would decide: it waits for approval, then the drill stops it.
    for (let s = await getStatus(client, workflowId); s.outcome === 'running' && !s.pendingApprovals.length; s = await getStatus(client, workflowId)) {
      options.onStatus?.(s);
      await new Promise((r) => setTimeout(r, options.pollMs ?? 200));
    }
    await cancelContainment(client, workflowId, { actor: DRILL_REQUESTER, channel: 'drill', reason: 'drill over: the containment was only to be opened' });
  }
  const status = (await handleOf(client, workflowId).result().catch(() => getStatus(client, workflowId))) as ContainmentStatus;
  const report = gradeDrill(status, drill);
  const checks = w.approve
    ? [...graded.checks, ...report.checks]
    : [...graded.checks, { id: 'watch:waited', description: 'the staged containment waited for approval', ok: status.evidence.some((e) => e.kind === 'approval_requested'), actual: status.outcome, limit: 'an approval requested' }];
  return { status, report: { ...report, checks, verdict: checks.every((c) => c.ok) ? 'pass' : 'fail', watch } };
}

/** No containment to grade: the report holds the watch's checks only, and fails. */
function watchOnlyReport(drill: DrillDefinition, startedAt: string, checks: DrillCheck[], watch: NonNullable<DrillReport['watch']>): DrillReport {
  return {
    kind: 'cordon.drill-report',
    version: 1,
    drill: drill.name,
    description: drill.description,
    mode: drill.mode,
    workflowId: '',
    incidentId: `DRILL-${drill.name}`,
    startedAt,
    finishedAt: new Date().toISOString(),
    outcome: 'not_contained',
    outcomeReason: 'the watch opened no containment',
    verdict: 'fail',
    targets: drill.targets,
    checks,
    credentials: [],
    approvals: [],
    brokenConsumers: [],
    fallbackSteps: [],
    watch,
  };
}
