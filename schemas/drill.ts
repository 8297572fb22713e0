// Drills (issue 7): a rehearsal of the containment runbook against a tenant, graded against targets.
// The definition says what the responder knows and what counts as a pass; the report is what the
// JSON output, the HTML page and the Slack summary are built from. Pure zod.
import { z } from 'zod';
import { EvidenceSummary } from './evidence.ts';
import { ContainmentMode, CredentialState, Outcome, Severity } from './containment.ts';
import { CredentialRef } from './credential.ts';
import { AuditProvider } from './token-use.ts';
import { TriggerCategory } from './verdict.ts';

const Duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'a duration is a number followed by ms, s, m, h or d (e.g. 15m)');

/** A credential the drill expects Cordon to report, loudly, as not contained: a provider limit. */
export const ExpectedNotContained = z
  .object({
    /** Matched against the credential id Cordon reports (substring, e.g. `pat:fine_grained:8001`). */
    match: z.string().min(1),
    /** Why the provider cannot kill it: shown in every report next to the credential. */
    reason: z.string().min(1),
  })
  .strict();
export type ExpectedNotContained = z.infer<typeof ExpectedNotContained>;

export const DrillTargets = z
  .object({
    /** Start → verified dead, for every credential the drill expects to be contained. */
    containWithin: Duration.default('15m'),
    /** Start → revocation acknowledged by the provider, for every credential. */
    revokeWithin: Duration.default('5m'),
    /** Longest a single approval may wait for its decision (staged runs). */
    maxApprovalWait: Duration.optional(),
    /** Fallback steps (re-revoke, fallback rungs) allowed on credentials expected to be contained. */
    maxFallbackSteps: z.number().int().min(0).optional(),
    /** Consumers allowed to be left without a replacement (they must re-authorize by hand). */
    maxBrokenConsumers: z.number().int().min(0).optional(),
    /** Credentials a provider genuinely cannot kill: they must end `not_contained`, never silently contained. */
    expectNotContained: z.array(ExpectedNotContained).default([]),
    /** Credentials the tenant can only cut off without their value (a PAT de-authorized from the org): they must end `cut_off`. */
    expectCutOff: z.array(ExpectedNotContained).default([]),
  })
  .strict();
export type DrillTargets = z.infer<typeof DrillTargets>;
export type DrillTargetsInput = z.input<typeof DrillTargets>;

/**
 * A drill of the drift watch (docs/drift-watch.md, "Drill"): an attack story is played into the local tenant's
 * audit log, one watch pass runs, and the drill grades that the verdict names the expected triggers and reasons
 * and that the watch opened the containment (which, when `approve`, the simulated approvers see through).
 */
export const WatchDrill = z
  .object({
    /** The shipped scenario whose tenant the story is played into. */
    scenario: z.string().min(1),
    /** The attack story played into that tenant's audit log (local-tenant/traffic/). */
    story: z.enum(['salesloft-drift']),
    provider: AuditProvider,
    /** The token the story attacks: the verdict must be on it. */
    tokenKey: z.string().min(1),
    expectTriggers: z.array(TriggerCategory).min(1),
    /** Patterns (regular expressions, case-insensitive) that the verdict's reasons must each match. */
    expectReasons: z.array(z.string().min(1)).min(1),
    /** Answer the containment's approvals (it must then end contained), or only grade the verdict and the opening. */
    approve: z.boolean().default(true),
  })
  .strict();
export type WatchDrill = z.infer<typeof WatchDrill>;

export const DrillDefinition = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a drill name is lowercase letters, digits and -'),
    description: z.string(),
    /** What the responder knows: the refs the containment is started with (none for a watch drill: the watch names them). */
    refs: z.array(CredentialRef).default([]),
    watch: WatchDrill.optional(),
    /** Why these refs: what the drill rehearses. */
    rationale: z.string().optional(),
    mode: ContainmentMode.default('direct'),
    severity: Severity.default('high'),
    waveSize: z.number().int().min(1).max(100).default(1),
    /** Staged drills: the simulated approvers answer each approval after this long. */
    approveAfter: Duration.default('0s'),
    targets: DrillTargets.default(DrillTargets.parse({})),
  })
  .strict()
  .refine((d) => d.watch || d.refs.length > 0, { message: 'name at least one credential (or give a watch drill, whose watch names them)', path: ['refs'] });
export type DrillDefinition = z.infer<typeof DrillDefinition>;
export type DrillDefinitionInput = z.input<typeof DrillDefinition>;

export const DrillCheck = z.object({
  id: z.string(),
  description: z.string(),
  ok: z.boolean(),
  actual: z.string(),
  limit: z.string(),
  credentialId: z.string().optional(),
});
export type DrillCheck = z.infer<typeof DrillCheck>;

export const GradedCredential = z.object({
  credentialId: z.string(),
  provider: z.string(),
  label: z.string(),
  finalState: CredentialState,
  expected: z.enum(['verified_dead', 'cut_off', 'not_contained']),
  expectedReason: z.string().optional(),
  timeline: z.array(z.object({ state: CredentialState, at: z.string(), offsetMs: z.number() })),
  timeToRevokeMs: z.number().optional(),
  timeToVerifiedDeadMs: z.number().optional(),
  replacements: z.number().int(),
  fallbacksUsed: z.array(z.string()),
});
export type GradedCredential = z.infer<typeof GradedCredential>;

export const ApprovalWait = z.object({
  stage: z.string(),
  requestedAt: z.string(),
  requestedOffsetMs: z.number(),
  decidedAt: z.string().optional(),
  waitMs: z.number(),
  outcome: z.string(),
  deciders: z.array(z.string()),
  escalated: z.boolean(),
});
export type ApprovalWait = z.infer<typeof ApprovalWait>;

export const BrokenConsumer = z.object({ credentialId: z.string(), consumerId: z.string(), consumerName: z.string(), reason: z.string() });
export type BrokenConsumer = z.infer<typeof BrokenConsumer>;

export const FallbackStep = z.object({ credentialId: z.string().optional(), step: z.string(), outcome: z.string(), detail: z.string().optional(), at: z.string() });
export type FallbackStep = z.infer<typeof FallbackStep>;

export const DrillReport = z.object({
  kind: z.literal('cordon.drill-report'),
  version: z.literal(1),
  drill: z.string(),
  description: z.string(),
  mode: ContainmentMode,
  workflowId: z.string(),
  incidentId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  durationMs: z.number().optional(),
  outcome: Outcome,
  outcomeReason: z.string().optional(),
  verdict: z.enum(['pass', 'fail']),
  targets: DrillTargets,
  checks: z.array(DrillCheck),
  credentials: z.array(GradedCredential),
  approvals: z.array(ApprovalWait),
  brokenConsumers: z.array(BrokenConsumer),
  fallbackSteps: z.array(FallbackStep),
  planDigest: z.string().optional(),
  /** The run's evidence chain: its final digest and signature state (`cordon evidence verify` checks the pack). */
  evidenceSeal: EvidenceSummary.optional(),
  /** A watch drill: the verdict the pass gave on the attacked token, and the containment it opened. */
  watch: z
    .object({
      tokenKey: z.string(),
      verdictId: z.string().optional(),
      score: z.number().optional(),
      severity: z.string().optional(),
      triggers: z.array(z.string()),
      reasons: z.array(z.string()),
      containment: z.string().optional(),
    })
    .optional(),
});
export type DrillReport = z.infer<typeof DrillReport>;
