// The small enums of a containment run, apart from schemas/containment.ts so that the evidence events
// (schemas/evidence.ts), which the run's status embeds, can name them without an import cycle.
import { z } from 'zod';

export const Severity = z.enum(['low', 'medium', 'high', 'critical']);
export type Severity = z.infer<typeof Severity>;

export const ContainmentMode = z.enum(['direct', 'staged']);
export type ContainmentMode = z.infer<typeof ContainmentMode>;

/** What a timed-out approval does: hold (keep waiting) or proceed. */
export const TimeoutOutcome = z.enum(['hold', 'proceed']);
export type TimeoutOutcome = z.infer<typeof TimeoutOutcome>;

export const FALLBACK_RUNGS = ['revokeAllForClient', 'blockApp', 'suspendPrincipal'] as const;
export type FallbackRung = (typeof FALLBACK_RUNGS)[number];

/**
 * `contained_in_tenant`: every credential is dead or cut off from the tenant, and at least one is only cut
 * off (it may still work elsewhere until its owner deletes it); the evidence names the owner's action.
 */
export const Outcome = z.enum(['running', 'contained', 'contained_in_tenant', 'not_contained', 'refused', 'rejected', 'cancelled']);
export type Outcome = z.infer<typeof Outcome>;
