// The HTTP API's own shapes (design.md §3 "HTTP API for SOAR platforms"): request bodies, answers,
// the error shape, API-key configuration and the signed webhook. Pure zod; the containment itself is
// described by schemas/containment.ts, so the API, Slack, the CLI and the workflow parse alike.
import { z } from 'zod';
import { Verdict } from './verdict.ts';
import {
  ApprovalDecisionInput,
  ContainmentInput,
  ContainmentStatus,
  Outcome,
  ContainmentPolicy,
} from './containment.ts';
import { CredentialRef } from './credential.ts';
import { EvidenceEntry, EvidenceSeal } from './evidence.ts';
import { BlastRadius, DryRunRef, MassContainmentFields, MassRefs, NotContainedRef } from './mass.ts';

// ── API keys ────────────────────────────────────────────────────────────────────────────────────

export const API_SCOPES = ['start', 'approve', 'read'] as const;
export const ApiScope = z.enum(API_SCOPES);
export type ApiScope = z.infer<typeof ApiScope>;

/** One entry of CORDON_API_KEYS (a JSON array): the key itself is never configured, only its sha256. */
export const ApiKeyEntry = z
  .object({
    name: z.string().min(1).max(64),
    /** Who the key acts as: the requester of what it starts and the approver of what it decides. */
    principal: z.string().min(1).max(256),
    scopes: z.array(ApiScope).min(1, 'give the key at least one scope'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 is the 64 lowercase hex characters of the key’s SHA-256'),
  })
  .strict();
export type ApiKeyEntry = z.infer<typeof ApiKeyEntry>;

export const ApiKeyConfig = z
  .array(ApiKeyEntry)
  .min(1, 'configure at least one API key')
  .refine((keys) => new Set(keys.map((k) => k.name)).size === keys.length, 'API key names must be unique');

// ── Requests ────────────────────────────────────────────────────────────────────────────────────

/**
 * POST /v1/containments. The containment input without `requester` and `origin`: the requester is
 * the API key's principal and the origin is `api`, so a caller cannot start in someone else's name
 * and then approve its own containment (I7).
 */
export const StartContainmentBody = ContainmentInput.omit({ requester: true, origin: true, breakGlass: true, policy: true })
  .extend({
    /**
     * Only the operational knobs. Who approves, the quorum, the timeouts and break-glass are the
     * server's (CORDON_APPROVAL_POLICY), never the caller's: a key with the `start` scope must not be
     * able to name its own approvers or make staged waves approve themselves (I7).
     */
    policy: ContainmentPolicy.pick({ waveSize: true, stagedDeadline: true, reRevokeAttempts: true }).partial().strict().optional(),
  })
  .strict();
export type StartContainmentBody = z.input<typeof StartContainmentBody>;

/**
 * CredentialRef's "at least one identifier" (its .refine in schemas/credential.ts), which JSON Schema
 * cannot read from zod: api/openapi.ts writes it as `anyOf: [{required: [id]}, …]` wherever a ref
 * appears, and api/openapi.test.ts checks that zod and the generated schema accept the same refs.
 */
export const CREDENTIAL_REF_IDENTIFIERS = ['id', 'clientId', 'keyId', 'fingerprint', 'leakedValue'] as const satisfies readonly (keyof CredentialRef)[];

/** JSON Schema for the constraints the generator cannot see, keyed by the zod schema they belong to. */
export const JSON_SCHEMA_REFINEMENTS = new Map<z.ZodType, Record<string, unknown>>([
  [CredentialRef, { anyOf: CREDENTIAL_REF_IDENTIFIERS.map((k) => ({ required: [k] })) }],
]);

/** Sent as the Idempotency-Key header: a retried call with the same key returns the same containment. */
export const IdempotencyKey = z
  .string()
  .min(8, 'an Idempotency-Key is 8 to 128 characters')
  .max(128, 'an Idempotency-Key is 8 to 128 characters')
  .regex(/^[A-Za-z0-9._:-]+$/, 'an Idempotency-Key is letters, digits and . _ : -');

export const StartContainmentHeaders = z.object({ 'idempotency-key': IdempotencyKey.optional() });

/**
 * The longest containment id: cordon-contain-<incident ≤ 128>-<16 hex> is 160, a retry adds -retry-<n>.
 * The API's router takes path parameters of up to three times this (every character percent-encoded).
 */
export const CONTAINMENT_ID_MAX = 200;

/** Workflow ids of containments (client/containments.ts containmentWorkflowId). */
export const ContainmentId = z
  .string()
  .max(CONTAINMENT_ID_MAX)
  .regex(
    /^cordon-contain-[A-Za-z0-9._:-]+$/,
    'a containment id looks like cordon-contain-<incident>-<hash> (cordon-contain-key-<hash> when started with an Idempotency-Key), as returned by POST /v1/containments',
  );

export const ContainmentParams = z.object({ id: ContainmentId }).strict();

export const ListContainmentsQuery = z
  .object({
    incident: ContainmentInput.shape.incidentId,
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

/**
 * POST /v1/mass-containments: many refs of one incident, each contained by its own child run in direct
 * mode. The same operational knobs as a single start; approvals and timeouts stay the server's.
 */
export const StartMassContainmentBody = MassContainmentFields.pick({ incidentId: true, severity: true, concurrency: true })
  .extend({
    credentials: MassRefs,
    policy: StartContainmentBody.shape.policy,
    /** Plan every ref and write nothing: the blast radius, read at statusUrl, per-ref plans at `…/plans?page=N`. */
    dry_run: z.boolean().optional(),
  })
  .strict();
export type StartMassContainmentBody = z.input<typeof StartMassContainmentBody>;

/** `?dry_run=true` does what `"dry_run": true` in the body does. */
export const StartMassContainmentQuery = z
  .object({ dry_run: z.enum(['true', 'false'], { error: 'dry_run is true or false' }).optional() })
  .strict();

/** Workflow ids of mass containments (client/mass.ts massWorkflowId). */
export const MassContainmentId = z
  .string()
  .max(CONTAINMENT_ID_MAX)
  .regex(/^cordon-mass-[A-Za-z0-9._:-]+$/, 'a mass containment id looks like cordon-mass-<incident>-<hash>, as returned by POST /v1/mass-containments');

export const MassContainmentParams = z.object({ id: MassContainmentId }).strict();

/** GET /v1/mass-containments/{id}/plans: one page of a dry run's per-ref plans. */
export const DryRunPlansQuery = z.object({ page: z.coerce.number().int().min(0).default(0) }).strict();

export const DryRunPlansPage = z.object({
  workflowId: MassContainmentId,
  /** Pages count from 0; each holds the plans of up to 500 refs, in the order they were given. */
  page: z.number().int(),
  pages: z.number().int(),
  refs: z.array(DryRunRef),
  /** The next page's URL, absent on the last. */
  next: z.string().optional(),
});
export type DryRunPlansPage = z.infer<typeof DryRunPlansPage>;

/** POST /v1/containments/{id}/approvals: the approver is the API key's principal, never the body. */
export const ApprovalBody = ApprovalDecisionInput.omit({ approver: true, channel: true }).strict();
export type ApprovalBody = z.input<typeof ApprovalBody>;

// ── Answers ─────────────────────────────────────────────────────────────────────────────────────

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    /** Present on invalid input: every field that was wrong, as a dotted path (body.credentials.0.id). */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const ContainmentLinks = z.object({ self: z.string(), evidence: z.string(), approvals: z.string(), cancel: z.string() });

export const StartedContainment = z.object({
  workflowId: ContainmentId,
  runId: z.string(),
  /** False when this call returned a containment already started for the same key or incident and credentials. */
  created: z.boolean(),
  statusUrl: z.string(),
  links: ContainmentLinks,
});
export type StartedContainment = z.infer<typeof StartedContainment>;

export const StartedMassContainment = z.object({
  workflowId: MassContainmentId,
  /** False when the same incident and refs were already started: that run is returned. */
  created: z.boolean(),
  total: z.number().int(),
  statusUrl: z.string(),
});
export type StartedMassContainment = z.infer<typeof StartedMassContainment>;

/** GET /v1/mass-containments/{id}: progress while it runs, the tally and every ref not contained. */
export const MassContainmentView = z.object({
  workflowId: MassContainmentId,
  incidentId: z.string(),
  /** Temporal's execution status: RUNNING, COMPLETED, … */
  executionStatus: z.string(),
  total: z.number().int(),
  done: z.number().int(),
  /** Children by outcome (contained, not_contained, failed, …). */
  tally: z.record(z.string(), z.number().int()),
  notContained: z.array(NotContainedRef),
  /**
   * Set while running when page runs in flight did not answer this reading (asked twice): their refs are not in
   * `done` or `tally` this time, so a count can be lower than the one before. Absent when every page answered.
   */
  unansweredPages: z.number().int().min(1).optional(),
  /** Set for a dry run: its blast radius once finished (so far while running), and where its per-ref plans are. */
  dryRun: z.object({ blast: BlastRadius, plansUrl: z.string(), pages: z.number().int() }).optional(),
  /** Refs done per minute since the run started (the same rate `cordon contain --from` shows). */
  refsPerMinute: z.number().min(0),
  /** Seconds until every ref is done at that rate: null before the first is done, 0 once all are. */
  etaSeconds: z.number().int().min(0).nullable(),
});
export type MassContainmentView = z.infer<typeof MassContainmentView>;

/** GET /v1/containments/{id}: everything but the evidence, which has its own export. */
export const ContainmentView = ContainmentStatus.omit({ evidence: true }).extend({
  evidenceCount: z.number().int().min(0),
  links: ContainmentLinks,
});
export type ContainmentView = z.infer<typeof ContainmentView>;

export const ContainmentSummary = z.object({
  workflowId: z.string(),
  runId: z.string(),
  incidentId: z.string(),
  /** Temporal's execution status: RUNNING, COMPLETED, CANCELLED, TERMINATED, FAILED, TIMED_OUT. */
  executionStatus: z.string(),
  /** Cordon's outcome and stage, as the workflow last recorded them in its search attributes. */
  outcome: z.string().optional(),
  stage: z.string().optional(),
  startedAt: z.string(),
  closedAt: z.string().optional(),
  statusUrl: z.string(),
});
export const ContainmentList = z.object({ incidentId: z.string(), containments: z.array(ContainmentSummary) });
export type ContainmentList = z.infer<typeof ContainmentList>;

export const DecisionAnswer = z.object({
  stage: z.string(),
  state: z.enum(['approved', 'rejected', 'pending']),
  approvals: z.number().int(),
  quorum: z.number().int(),
  approver: z.string(),
});
export type DecisionAnswer = z.infer<typeof DecisionAnswer>;

export const CancelAnswer = z.object({
  workflowId: z.string(),
  /** cancel_requested: the run records what it did and ends `cancelled`; already_closed: it had finished. */
  state: z.enum(['cancel_requested', 'already_closed']),
  statusUrl: z.string(),
});
export type CancelAnswer = z.infer<typeof CancelAnswer>;

export const EvidenceExport = z.object({
  workflowId: z.string(),
  incidentId: z.string(),
  outcome: Outcome,
  outcomeReason: z.string().optional(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  planDigest: z.string().optional(),
  exportedAt: z.string(),
  /** Typed events, hash-chained (kind `legacy` for entries written before typed evidence). */
  evidence: z.array(EvidenceEntry),
  /** The sentence each event renders to, in the same order (for people; decide on the fields). */
  lines: z.array(z.string()),
  /** The chain head: the last event's hash. */
  evidenceDigest: z.string().optional(),
  /** The Ed25519 signature of the final digest, or why the run is unsigned; absent while it runs. */
  seal: EvidenceSeal.optional(),
});
export type EvidenceExport = z.infer<typeof EvidenceExport>;

export const EvidenceExportQuery = z
  .object({
    /** `json`: the evidence as recorded (default); `ocsf`: its OCSF 1.8.0 events (docs/evidence-export.md). */
    format: z.enum(['json', 'ocsf'], 'format must be json or ocsf').default('json'),
  })
  .strict();
export type EvidenceExportQuery = z.infer<typeof EvidenceExportQuery>;

/** `?format=ocsf`: the run's OCSF events, each with a stable `metadata.uid` receivers deduplicate on. */
export const OcsfEvidenceExport = z.object({
  workflowId: z.string(),
  incidentId: z.string(),
  ocsfVersion: z.string(),
  exportedAt: z.string(),
  events: z.array(
    z
      .object({ class_uid: z.number().int(), activity_id: z.number().int(), type_uid: z.number().int(), time: z.number().int(), metadata: z.object({ uid: z.string(), version: z.string() }).loose() })
      .loose(),
  ),
});
export type OcsfEvidenceExport = z.infer<typeof OcsfEvidenceExport>;

// ── Webhooks ────────────────────────────────────────────────────────────────────────────────────

export const WEBHOOK_EVENTS = ['approval_needed', 'escalation', 'completed', 'not_contained'] as const;

/**
 * The body POSTed to ContainmentInput.webhookUrl. Signed: header `Cordon-Signature: t=<unix seconds>,v1=<hex>`
 * where hex = HMAC-SHA256(secret, `${t}.${raw body}`). `id` is stable across retries of one event.
 */
export const WebhookEvent = z.object({
  id: z.string(),
  type: z.enum(WEBHOOK_EVENTS),
  workflowId: z.string(),
  incidentId: z.string(),
  summary: z.string(),
  stage: z.string().optional(),
  digest: z.string().optional(),
  outcome: z.string().optional(),
  approval: z
    .object({ description: z.string(), credentialIds: z.array(z.string()), consumerIds: z.array(z.string()), wave: z.number().int(), quorum: z.number().int() })
    .optional(),
  /** Path of the containment on the Cordon API (GET it for the full status). */
  statusPath: z.string(),
  sentAt: z.string(),
});
export type WebhookEvent = z.infer<typeof WebhookEvent>;

/**
 * The API paths of one containment. Here, not in api/, because the worker's webhook notifier
 * (notifiers/webhook.ts) puts the status path in every event and must not import the API.
 */
export function dryRunPlansUrl(workflowId: string, page = 0): string {
  return `${massContainmentUrl(workflowId)}/plans?page=${page}`;
}

export function massContainmentUrl(workflowId: string): string {
  return `/v1/mass-containments/${encodeURIComponent(workflowId)}`;
}

export function containmentLinks(workflowId: string) {
  const self = `/v1/containments/${encodeURIComponent(workflowId)}`;
  return { self, evidence: `${self}/evidence`, approvals: `${self}/approvals`, cancel: `${self}/cancel` };
}

/** GET /v1/verdicts: the drift watch's open verdicts, each with the containment it opened (docs/drift-watch.md). */
export const VerdictView = Verdict.extend({ containment: z.string().optional() });
export const VerdictQuery = z
  .object({
    provider: z.enum(['google', 'github', 'salesforce', 'slack']).optional(),
    min_score: z.coerce.number().int().min(0).max(100).default(0),
  })
  .strict();
export const VerdictList = z.object({ verdicts: z.array(VerdictView) }).strict();
export type VerdictList = z.infer<typeof VerdictList>;
