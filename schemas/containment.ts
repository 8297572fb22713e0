// The containment run: its input, policy, plan, approvals, states, evidence and result
// (design.md §2). Shared by Slack, HTTP, CLI, Temporal-direct and the workflow itself.
import { z } from 'zod';
import { ContainmentMode, FALLBACK_RUNGS, Outcome, Severity, TimeoutOutcome } from './containment-enums.ts';
import { Credential, CredentialRef, Principal, Provider, ReplacementRef, ScopeReport } from './credential.ts';
import { EvidenceEntry, EvidenceSeal, Hex64 } from './evidence.ts';

export { ContainmentMode, FALLBACK_RUNGS, Outcome, Severity, TimeoutOutcome, type FallbackRung } from './containment-enums.ts';


const Duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'a duration is a number followed by ms, s, m, h or d (e.g. 15m)');


export const ApprovalPolicy = z.object({
  /** Slack user ids / API principals allowed to decide. */
  approvers: z.array(z.string().min(1)).default([]),
  /** Decisions needed to approve, per severity. */
  quorum: z
    .object({ low: z.number().int().min(1), medium: z.number().int().min(1), high: z.number().int().min(1), critical: z.number().int().min(1) })
    .default({ low: 1, medium: 1, high: 1, critical: 2 }),
  /** How long one approval waits before it escalates, then again before the default applies. */
  escalateAfter: Duration.default('15m'),
  defaultAfter: Duration.default('15m'),
  /** What a timed-out approval does: hold (keep waiting, the staged deadline still applies) or proceed. */
  onTimeout: z
    .object({ low: TimeoutOutcome, medium: TimeoutOutcome, high: TimeoutOutcome, critical: TimeoutOutcome })
    .default({ low: 'hold', medium: 'hold', high: 'hold', critical: 'hold' }),
  /** Direct mode revokes without asking unless this is set. */
  requireForDirect: z.boolean().default(false),
  /**
   * Per severity: whether a decision counts only from an authenticated way in (a signed envelope from
   * the Slack app, the API or the CLI; docs/trust-model.md). An unauthenticated Temporal-direct decision
   * is then refused, and the refusal recorded. Default: at critical severity only.
   */
  requireAuthenticated: z
    .object({ low: z.boolean(), medium: z.boolean(), high: z.boolean(), critical: z.boolean() })
    .default({ low: false, medium: false, high: false, critical: true }),
});
export type ApprovalPolicy = z.infer<typeof ApprovalPolicy>;

export const ContainmentPolicy = z.object({
  approval: ApprovalPolicy.default(ApprovalPolicy.parse({})),
  /** Hard deadline of a staged run: the shared credential is revoked when it passes (I2, fail closed). */
  stagedDeadline: Duration.default('4h'),
  /** Consumers cut over per wave in staged mode. */
  waveSize: z.number().int().min(1).max(100).default(1),
  /** Re-revoke attempts before the fallback ladder (I3). */
  reRevokeAttempts: z.number().int().min(0).max(5).default(2),
  /**
   * How long provider outages, timeouts and rate limits are ridden out before the run gives up (I9).
   * Past it, the credentials not yet dead end `not_contained` with the reason.
   */
  containDeadline: Duration.default('24h'),
  /** While a provider keeps failing transiently: escalate after this long, then again at each multiple. */
  escalateRetriesAfter: Duration.default('5m'),
});
export type ContainmentPolicy = z.infer<typeof ContainmentPolicy>;


export const ContainmentInput = z
  .object({
    incidentId: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9._:-]+$/, 'an incident id is letters, digits and . _ : - (it becomes part of the workflow id)'),
    requester: z.string().min(1).max(256),
    severity: Severity.default('high'),
    credentials: z.array(CredentialRef).min(1, 'name at least one credential').max(1000),
    mode: ContainmentMode.default('direct'),
    breakGlass: z.boolean().default(false),
    policy: ContainmentPolicy.default(ContainmentPolicy.parse({})),
    /** Free text shown to approvers; never a secret. */
    reason: z.string().max(2000).optional(),
    /** Approval-needed and completion webhooks (HMAC-signed with the worker's CORDON_WEBHOOK_SECRET). */
    webhookUrl: z
      .url({ protocol: /^https?$/, error: 'webhookUrl must be an http(s) URL' })
      .max(2048)
      // A password in the URL would reach logs in a delivery error; webhooks are signed instead.
      .refine((u) => !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(u), 'webhookUrl must not carry credentials (user:password@); receivers verify the Cordon-Signature header instead')
      .optional(),
    /** Where the containment was started from, for the thread/ticket that follows it (e.g. a Slack channel and thread). */
    origin: z
      .object({ channel: z.enum(['slack', 'api', 'cli', 'temporal', 'drill', 'watch']), slackChannel: z.string().max(64).optional(), slackThreadTs: z.string().max(64).optional() })
      .strict()
      .optional(),
    /** Set by `cordon retry`: the finished run this one continues; it takes over that run's replacement claims. */
    retryOf: z.string().min(1).max(256).optional(),
  })
  .strict();
export type ContainmentInput = z.infer<typeof ContainmentInput>;
export type ContainmentRequest = z.input<typeof ContainmentInput>;

export const CREDENTIAL_STATES = [
  'identified',
  'revoke_requested',
  'revoked',
  'replaced',
  'reauth_forced',
  'verified_dead',
  /** Cut off from the tenant, but only its owner (or its value) can destroy it: see the evidence for what to do. */
  'cut_off',
  'not_contained',
] as const;
export const CredentialState = z.enum(CREDENTIAL_STATES);
export type CredentialState = z.infer<typeof CredentialState>;


export const PlanAction = z.object({
  step: z.enum(['restrict', 'replace', 'revoke', 'reauth', 'verify', 'fallback']),
  credentialId: z.string(),
  consumerIds: z.array(z.string()).default([]),
  wave: z.number().int().min(0),
  /** For `fallback`: the rung, used only if the credential is still alive after re-revoke (I3). */
  rung: z.enum(FALLBACK_RUNGS).optional(),
  /** For `restrict`: the consumers' egress ranges the credential stays usable from while they are cut over. */
  allowlist: z.array(z.string()).optional(),
});
export type PlanAction = z.infer<typeof PlanAction>;

/**
 * Forced re-authentication of one principal, listed in full before anything is touched (I8): every
 * credential it ends (their consumers get replacements or are named as broken), what it leaves alone and why.
 */
export const ReauthTarget = z.object({
  provider: Provider,
  principal: Principal,
  ends: z.array(Credential),
  /** What it does besides ending those credentials, in words ("signs out every web session"). */
  effects: z.array(z.string()),
  leftAlone: z.array(z.object({ credentialId: z.string(), reason: z.string() })),
  /** Set when the provider cannot re-authenticate this principal: why (verification still decides). */
  notPossible: z.string().optional(),
});
export type ReauthTarget = z.infer<typeof ReauthTarget>;

/** The target of a re-authentication the provider refuses (unsupported, or I6): it ends nothing; verification decides. */
export function impossibleReauth(provider: ReauthTarget['provider'], principal: ReauthTarget['principal'], why: string): ReauthTarget {
  return { provider, principal, ends: [], effects: [], leftAlone: [], notPossible: why };
}

export const Plan = z.object({
  mode: ContainmentMode,
  credentials: z.array(Credential),
  actions: z.array(PlanAction),
  waves: z.number().int().min(0),
  reauth: z.array(ReauthTarget).default([]),
  /** sha256 over provider, credential ids, actions, waves and the re-authentication list: what approvals are bound to (I7). */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Plan = z.infer<typeof Plan>;

export const ApprovalStage = z.string().min(1).max(128);

export const ApprovalDecisionInput = z
  .object({
    stage: ApprovalStage,
    digest: z.string().regex(/^[0-9a-f]{64}$/, 'the plan digest is 64 hex characters'),
    decision: z.enum(['approve', 'reject']),
    approver: z.string().min(1).max(256),
    reason: z.string().max(2000).optional(),
    /**
     * The way in the decision says it came through: slack, api, cli, temporal. Only a valid `envelope`
     * makes it count as slack, api or cli; without one it is recorded as a claim of a Temporal-direct call.
     */
    channel: z.string().min(1).max(32).default('api'),
    /** Signed by the way in that authenticated the approver (schemas/envelope.ts); judged by the workflow. */
    envelope: z.unknown().optional(),
  })
  .strict();
export type ApprovalDecisionInput = z.infer<typeof ApprovalDecisionInput>;

/** A decision the update validator refused, recorded by the way in that received it (I7 evidence). */
export const RefusedDecision = z
  .object({
    stage: z.string().max(128),
    approver: z.string().min(1).max(256),
    channel: z.string().min(1).max(32),
    reason: z.string().max(500),
    envelope: z.unknown().optional(),
  })
  .strict();
export type RefusedDecision = z.infer<typeof RefusedDecision>;

/** Who asks to cancel a run, sent as the `recordCancelRequest` signal just before the cancellation. */
export interface CancelRequest {
  actor: string;
  channel: string;
  reason?: string;
  envelope?: unknown;
}

export const PendingApproval = z.object({
  stage: ApprovalStage,
  digest: z.string(),
  description: z.string(),
  credentialIds: z.array(z.string()),
  consumerIds: z.array(z.string()),
  wave: z.number().int(),
  requestedAt: z.string(),
  approvals: z.array(z.string()),
  quorum: z.number().int(),
  escalated: z.boolean(),
});
export type PendingApproval = z.infer<typeof PendingApproval>;

export { EvidenceEntry, EvidenceEvent, EvidenceSeal } from './evidence.ts';

export const CredentialProgress = z.object({
  credentialId: z.string(),
  provider: z.string(),
  label: z.string(),
  state: CredentialState,
  /** When each state was reached: the differences are the time-to-contain figures. */
  transitions: z.array(z.object({ state: CredentialState, at: z.string() })),
  replacements: z.array(ReplacementRef),
  fallbacksUsed: z.array(z.string()),
});
export type CredentialProgress = z.infer<typeof CredentialProgress>;

/** A credential that forced re-authentication ends (I8): not a target of the run, but in its plan. */
export const CollateralProgress = z.object({
  credentialId: z.string(),
  provider: z.string(),
  label: z.string(),
  principalId: z.string(),
  state: z.enum(['planned', 'ended', 'not_ended']),
  replacements: z.array(ReplacementRef),
  /** Consumers left without a replacement, and why (the provider cannot mint one, another run owns it). */
  notReplaced: z.array(z.object({ consumerId: z.string(), reason: z.string() })),
});
export type CollateralProgress = z.infer<typeof CollateralProgress>;


export const ContainmentStatus = z.object({
  workflowId: z.string(),
  incidentId: z.string(),
  mode: ContainmentMode,
  stage: z.string(),
  outcome: Outcome,
  outcomeReason: z.string().optional(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  plan: Plan.optional(),
  scope: z.array(ScopeReport),
  credentials: z.array(CredentialProgress),
  /** What re-authentication ended besides the run's targets, and their consumers' replacements (I8). */
  collateral: z.array(CollateralProgress).default([]),
  /** Temporary restrictions this run put in place, and whether they were undone when it ended. */
  restrictions: z
    .array(z.object({ credentialId: z.string(), detail: z.string(), undo: z.object({ kind: z.string(), description: z.string(), data: z.record(z.string(), z.unknown()) }), undone: z.boolean() }))
    .default([]),
  pendingApprovals: z.array(PendingApproval),
  /** What the run is waiting on while a provider keeps failing transiently (I9); absent when not waiting. */
  waitingOn: z
    .object({ what: z.string(), since: z.string(), attempts: z.number().int(), lastError: z.string(), escalations: z.number().int() })
    .optional(),
  /** Typed events, hash-chained (schemas/evidence.ts); a run finished before typed evidence has `legacy` entries. */
  evidence: z.array(EvidenceEntry),
  /** The chain head: the last event's hash (absent on runs from before the chain). */
  evidenceDigest: Hex64.optional(),
  /** Set when the run finishes: the digest's signature, or why it is unsigned. */
  seal: EvidenceSeal.optional(),
});
export type ContainmentStatus = z.infer<typeof ContainmentStatus>;

/**
 * Which principals a containment makes re-authenticate: the owners of its credentials that are service
 * accounts, bots or integration users (a user's only when the credential is a session), and the related
 * service accounts the connectors named. Pure: the workflow and `--plan-only` share it.
 */
export function reauthPrincipals(reports: ScopeReport[]): { provider: ScopeReport['provider']; principal: Principal }[] {
  const targets = new Map<string, { provider: ScopeReport['provider']; principal: Principal }>();
  for (const r of reports) {
    for (const c of r.credentials) {
      if (c.principal.type === 'user' && c.kind !== 'session') continue;
      targets.set(`${c.provider}:${c.principal.id}`, { provider: c.provider, principal: c.principal });
    }
  }
  for (const r of reports) for (const sa of r.relatedServiceAccounts) if (!targets.has(`${r.provider}:${sa.id}`)) targets.set(`${r.provider}:${sa.id}`, { provider: r.provider, principal: sa });
  return [...targets.values()];
}

/** Parses a Duration into milliseconds. Pure: workflows use it for timers. */
export function durationMs(d: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(d);
  if (!m) throw new Error(`invalid duration ${JSON.stringify(d)}`);
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return n * unit;
}

/** The task queue of calls paced per tenant across every worker (see worker/worker.ts). */
export const pacedTaskQueue = (taskQueue: string) => `${taskQueue}-paced`;

/**
 * The task queue of one provider's calls: its rate limit is the Temporal server's, for every worker and
 * every run together, and a provider's 429 slows the whole queue (worker/provider-pacing.ts).
 */
export const providerTaskQueue = (taskQueue: string, provider: string) => `${taskQueue}-provider-${provider}`;

/** The run's own task queue, from the queue an activity ran on (its provider's, or the run's own). */
export const runTaskQueueOf = (activityTaskQueue: string) => activityTaskQueue.replace(/-provider-[a-z]+$/, '');

/**
 * The task queue of Cordon's own coordination (the replacement registry): its workflow tasks never wait
 * behind the containments' backlog. With one queue for both, 40 runs at once left the registry's update
 * tasks queued past the server's limit for them; each was superseded before its worker answered, and the
 * registry stopped answering (worker log: "Workflow task not found" on every completion).
 */
export const coordinationTaskQueue = (taskQueue: string) => `${taskQueue}-coordination`;
export const isCoordinationTaskQueue = (taskQueue: string) => taskQueue.endsWith('-coordination');

/** Deterministic workflow id: a repeated start for the same incident and credentials joins the run (I4). */
export const WORKFLOW_ID_PREFIX = 'cordon-contain';
