// Running a drill: the whole runbook as a real containment (same workflow, same client calls as an
// incident), started with the drill's refs and `origin.channel = drill`. Staged drills need
// decisions: simulated approvers answer each pending approval through the real `decide` update,
// bound to the plan digest, after the drill's `approveAfter` (a rehearsed response time).
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { decide, DecisionRefusedError, getStatus, handleOf, startContainment } from '../client/containments.ts';
import { durationMs, type ContainmentRequest, type ContainmentStatus } from '../schemas/containment.ts';
import type { DrillDefinition, DrillReport } from '../schemas/drill.ts';
import { gradeDrill } from './grade.ts';
import type { Vouch } from '../codec/decision-envelope.ts';
import { CHANNEL_OF } from '../schemas/envelope.ts';

export const DRILL_REQUESTER = 'cordon-drill';
/** Two, so a critical drill (quorum 2) can be approved; neither is the requester (I7). */
export const DRILL_APPROVERS = ['drill-approver-1', 'drill-approver-2'] as const;

export function drillIncidentId(drill: Pick<DrillDefinition, 'name'>, at = new Date()): string {
  return `DRILL-${drill.name}-${at.toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomBytes(2).toString('hex')}`;
}

export function drillRequest(drill: DrillDefinition, incidentId: string): ContainmentRequest {
  return {
    incidentId,
    requester: DRILL_REQUESTER,
    severity: drill.severity,
    mode: drill.mode,
    credentials: drill.refs.map((r) => ({ ...r })),
    reason: `Drill ${drill.name}: ${drill.description}`.slice(0, 2000),
    // The simulated approvers are no people and no way in authenticates them: their decisions are
    // recorded as unauthenticated Temporal-direct calls, which a drill accepts at every severity.
    policy: { approval: { approvers: [...DRILL_APPROVERS], requireAuthenticated: { low: false, medium: false, high: false, critical: false } }, waveSize: drill.waveSize },
    origin: { channel: 'drill' },
  };
}

/**
 * The simulated approvers: each pending approval is answered through the real `decide` update, bound to the plan
 * digest, after the drill's `approveAfter`, until the run ends. `vouch` signs each decision (a watch drill's
 * critical containments count only authenticated decisions).
 */
export async function answerApprovals(
  client: Client,
  workflowId: string,
  drill: Pick<DrillDefinition, 'approveAfter'>,
  options: { onStatus?: (s: ContainmentStatus) => void; pollMs?: number; vouch?: (approver: string) => Vouch | undefined } = {},
): Promise<void> {
  const answerAfter = durationMs(drill.approveAfter);
  for (;;) {
    const s = await getStatus(client, workflowId);
    options.onStatus?.(s);
    if (s.outcome !== 'running') return;
    for (const a of s.pendingApprovals) {
      if (Date.now() - Date.parse(a.requestedAt) < answerAfter) continue;
      for (const approver of DRILL_APPROVERS.filter((x) => !a.approvals.includes(x)).slice(0, Math.max(0, a.quorum - a.approvals.length))) {
        // A signed decision names the channel its identity belongs to (the envelope is refused otherwise).
        const vouch = options.vouch?.(approver);
        const channel = vouch ? CHANNEL_OF[vouch.identity.authenticatedBy] : 'drill';
        try {
          await decide(client, workflowId, { stage: a.stage, digest: a.digest, decision: 'approve', approver, channel, reason: 'drill: simulated approver' }, vouch);
        } catch (err) {
          // Decided meanwhile (quorum, deadline): the refusal is in the evidence; the drill goes on.
          if (!(err instanceof DecisionRefusedError)) throw err;
        }
      }
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 200));
  }
}

export interface DrillRun {
  status: ContainmentStatus;
  report: DrillReport;
}

export async function runDrill(options: {
  client: Client;
  taskQueue: string;
  drill: DrillDefinition;
  incidentId?: string;
  /** Called with each status read while the drill runs (progress output). */
  onStatus?: (s: ContainmentStatus) => void;
  pollMs?: number;
}): Promise<DrillRun> {
  const { client, drill } = options;
  const incidentId = options.incidentId ?? drillIncidentId(drill);
  const { workflowId } = await startContainment(client, options.taskQueue, drillRequest(drill, incidentId));
  await answerApprovals(client, workflowId, drill, options);
  const status = (await handleOf(client, workflowId).result()) as ContainmentStatus;
  return { status, report: gradeDrill(status, drill) };
}
