// One pass of the drift watch (docs/drift-watch.md): read every provider's audit log from its checkpointed
// cursor, update the baselines, and open a containment for each verdict the policy says to act on.
// Pure zod: the workflow, the CLI, the API and the Schedule share these shapes.
import { z } from 'zod';
import { AuditProvider } from './token-use.ts';
import { RecommendedAction, Verdict } from './verdict.ts';

export const DRIFT_WATCH_WORKFLOW_TYPE = 'driftWatch';
export const WATCH_SCHEDULE_ID = 'cordon-drift-watch';

/** The task queue of the watch's own activities: only the worker that holds the baseline store polls it. */
export const watchTaskQueue = (taskQueue: string) => `${taskQueue}-watch`;

export const DriftWatchInput = z
  .strictObject({
    /** Default: every configured provider whose connector reads its audit log. */
    providers: z.array(AuditProvider).min(1).optional(),
    /**
     * Pages per audit stream in one pass (the readers' own default); the cursor carries on from there next
     * time. Kept small so one read stays well inside the activity's heartbeat timeout.
     */
    maxPages: z.number().int().min(1).max(100).default(10),
    /** How far back a provider read for the first time (no checkpoint yet) starts: its baselines' history. */
    backfill: z.string().regex(/^\d+(m|h|d)$/, 'a duration such as 7d, 12h or 30m').default('7d'),
    /** Open containments for the verdicts that call for one (the default), or only report them. */
    act: z.boolean().default(true),
    requester: z.string().min(1).max(256).default('cordon drift watch'),
    /** Who may approve (or cancel) the containments the watch opens: a containment lists its approvers. */
    approvers: z.array(z.string().min(1).max(256)).max(50).default([]),
  })
  // An absent input is parsed as {}: the defaults are the fields' own, written once.
  .prefault({});
export type DriftWatchInput = z.infer<typeof DriftWatchInput>;
export type DriftWatchRequest = z.input<typeof DriftWatchInput>;

/** What one provider's read gave: counted, never thrown; `error` when the provider could not be read this pass. */
export const ProviderPass = z.strictObject({
  provider: AuditProvider,
  pages: z.number().int().nonnegative(),
  records: z.number().int().nonnegative(),
  events: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  malformed: z.number().int().nonnegative(),
  late: z.number().int().nonnegative(),
  /** The newest event time seen, ISO 8601 (the cursor's watermark). */
  watermark: z.string().optional(),
  error: z.string().max(2000).optional(),
});
export type ProviderPass = z.infer<typeof ProviderPass>;

/** A verdict as the pass reports it: no event payloads, only what a responder reads first. */
export const VerdictSummary = z.strictObject({
  id: z.string(),
  tokenKey: z.string(),
  provider: AuditProvider,
  principal: z.string(),
  app: z.string().optional(),
  score: z.number().int(),
  severity: Verdict.shape.severity,
  triggers: Verdict.shape.triggers,
  reasons: z.array(z.string()),
  action: RecommendedAction,
  /** The containment opened for it, when one was. */
  containment: z.string().optional(),
});
export type VerdictSummary = z.infer<typeof VerdictSummary>;

export const OpenedContainment = z.strictObject({
  verdictId: z.string(),
  tokenKey: z.string(),
  workflowId: z.string(),
  mode: z.enum(['staged', 'direct']),
  /** `opened` now, `already_open` when a containment for this token was still running (one per token). */
  state: z.enum(['opened', 'already_open', 'not_mappable']),
  note: z.string().optional(),
});
export type OpenedContainment = z.infer<typeof OpenedContainment>;

/** What the pass's hand-over of Detection Findings to the evidence sinks did (absent when no sink is configured or before it existed). */
export const FindingDelivery = z.strictObject({
  delivered: z.number().int().nonnegative(),
  /** Refused this time: tried again by a later pass. */
  retrying: z.number().int().nonnegative(),
  /** Given up after the last attempt: recorded in the store with the sink's error. */
  failed: z.number().int().nonnegative(),
  /** Still queued for some sink after this pass. */
  pending: z.number().int().nonnegative(),
});
export type FindingDelivery = z.infer<typeof FindingDelivery>;

/** How a containment the watch opened ended, and the dismissal it recorded (a person's cancel or rejection). */
export const SettledContainment = z.strictObject({
  workflowId: z.string(),
  verdictId: z.string(),
  outcome: z.string(),
  dismissal: z.strictObject({ by: z.string(), reason: z.string(), at: z.string() }).optional(),
});
export type SettledContainment = z.infer<typeof SettledContainment>;

export const SETTLE_DRIFT_CONTAINMENT_WORKFLOW_TYPE = 'settleDriftContainment';
export const settleDriftContainmentId = (containmentId: string) => `cordon-settle-${containmentId}`;

export const DriftWatchReport = z.strictObject({
  startedAt: z.string(),
  finishedAt: z.string(),
  providers: z.array(ProviderPass),
  ingest: z.strictObject({
    received: z.number().int(),
    accepted: z.number().int(),
    malformed: z.number().int(),
    duplicate: z.number().int(),
    outOfOrder: z.number().int(),
    late: z.number().int(),
  }),
  verdicts: z.array(VerdictSummary),
  containments: z.array(OpenedContainment),
  findings: FindingDelivery.optional(),
});
export type DriftWatchReport = z.infer<typeof DriftWatchReport>;

export function summarizeVerdict(v: Verdict, containment?: string): VerdictSummary {
  return {
    id: v.id,
    tokenKey: v.tokenKey,
    provider: v.provider,
    principal: v.principal,
    ...(v.app ? { app: v.app } : {}),
    score: v.score,
    severity: v.severity,
    triggers: v.triggers,
    reasons: v.reasons.map((r) => r.text),
    action: v.action,
    ...(containment ? { containment } : {}),
  };
}
