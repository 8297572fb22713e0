// Mass containment input (design.md §6): many refs, one incident, fanned out as child runs. Pure zod.
import { z } from 'zod';
import { ContainmentInput } from './containment.ts';
import { CredentialRef } from './credential.ts';

/** A ref of a mass containment that did not end contained, with its child run to look at. */
export const NotContainedRef = z.object({ index: z.number().int(), workflowId: z.string(), outcome: z.string(), reason: z.string().optional() });
export type NotContainedRef = z.infer<typeof NotContainedRef>;

export const MassContainmentInput = z
  .object({
    incidentId: ContainmentInput.shape.incidentId,
    requester: z.string().min(1).max(256),
    severity: ContainmentInput.shape.severity,
    credentials: z.array(CredentialRef).min(1).max(50_000),
    /** Children running at once; each provider's own limits pace what they do. */
    concurrency: z.number().int().min(1).max(200).default(20),
    /** Children started per run before continuing as new (bounds the parent's history). */
    childrenPerRun: z.number().int().min(1).max(2_000).default(500),
    policy: ContainmentInput.shape.policy,
    /** Carried across continue-as-new; callers leave them out. */
    offset: z.number().int().min(0).default(0),
    tally: z.record(z.string(), z.number().int()).default({}),
    notContained: z.array(NotContainedRef).default([]),
  })
  .strict();
export type MassContainmentRequest = z.input<typeof MassContainmentInput>;

export interface MassContainmentResult {
  incidentId: string;
  total: number;
  tally: Record<string, number>;
  /** Every child that did not end contained, with why: never a silent success. */
  notContained: NotContainedRef[];
}
