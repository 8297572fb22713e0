// Mass containment input (design.md §6): many refs, one incident, fanned out as child runs. Pure zod.
import { z } from 'zod';
import { ContainmentInput } from './containment.ts';
import { CredentialRef } from './credential.ts';

/** A ref of a mass containment that did not end contained, with its child run to look at. */
export const NotContainedRef = z.object({ index: z.number().int(), workflowId: z.string(), outcome: z.string(), reason: z.string().optional() });
export type NotContainedRef = z.infer<typeof NotContainedRef>;

/** The refs of one mass containment, as callers give them (API body, `cordon contain --from`). */
export const MassRefs = z.array(CredentialRef).min(1).max(50_000);

/**
 * Refs per page: what one update to a paged run, and one page run's input, carries. A page of 500 refs
 * given by value stays near 150 kB, well inside Temporal's 2 MB payload limit; 10,000 refs in one
 * payload would not (docs/architecture.md, "Mass containment").
 */
export const MASS_PAGE_SIZE = 500;
/** At most this many refs travel inline in one run's input; more go by pages. */
export const MASS_INLINE_MAX = 2_000;

/** One page of a paged run's refs, sent by the client as an update (client/mass.ts). */
export const MassRefPage = z
  .object({
    page: z.number().int().min(0),
    refs: z.array(CredentialRef).min(1).max(MASS_PAGE_SIZE),
  })
  .strict();
export type MassRefPage = z.infer<typeof MassRefPage>;

export const MassContainmentFields = z
  .object({
    incidentId: ContainmentInput.shape.incidentId,
    requester: z.string().min(1).max(256),
    severity: ContainmentInput.shape.severity,
    /** The refs inline: a page run, or a small direct start. */
    credentials: z.array(CredentialRef).min(1).max(MASS_INLINE_MAX).optional(),
    /** Or the number of refs and of refs per page; the pages then arrive as `addRefPage` updates. */
    paged: z.object({ total: z.number().int().min(1).max(50_000), pageSize: z.number().int().min(1).max(MASS_PAGE_SIZE) }).strict().optional(),
    /** For a page run: the mass containment's id and the index of the page's first ref, so child ids are `<mass id>-<index>`. */
    page: z.object({ massId: z.string().min(1), firstIndex: z.number().int().min(0) }).strict().optional(),
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
export const MassContainmentInput = MassContainmentFields.refine((r) => (r.credentials === undefined) !== (r.paged === undefined), { message: 'give either credentials (at most 2,000, inline) or paged (the refs then arrive in pages), not both or neither' });
export type MassContainmentRequest = z.input<typeof MassContainmentInput>;

/** What a caller starts (client/mass.ts): every ref, however many; the client pages them into the run. */
export const MassStartInput = MassContainmentFields.omit({ credentials: true, paged: true, page: true, offset: true, tally: true, notContained: true })
  .extend({ credentials: MassRefs })
  .strict();
export type MassStartRequest = z.input<typeof MassStartInput>;

export interface MassContainmentResult {
  incidentId: string;
  total: number;
  tally: Record<string, number>;
  /** Every child that did not end contained, with why: never a silent success. */
  notContained: NotContainedRef[];
}

/** A run's progress query: its own finished children plus, for a paged run, the page runs still going. */
export interface MassProgressView extends MassContainmentResult {
  done: number;
  /** Refs received so far (a paged run waits for all of them before starting any child). */
  received?: number;
  /** Page runs in flight: their own progress completes this one's (client/mass.ts). */
  runningPages?: string[];
}
