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
/**
 * Children a mass containment's run starts before it continues as new, unless the request says: about
 * 650 KB of history (docs/performance.md, "Mass containment benchmark"), well inside Temporal's 50 MB / 50,000-event
 * limits and small enough that a worker replays it quickly when its cache evicts the run.
 */
export const MASS_CHILDREN_PER_RUN = 50;
/**
 * The workflow task timeout of a mass containment and its page runs (their children keep Temporal's 10 s).
 * Their histories grow to hundreds of KB and their tasks wait in the worker behind their children's: at 10,000
 * refs on a busy 2-core machine they took 5-20 s (docs/performance.md). Past 10 s the server timed them out and
 * handed them to the non-sticky queue, where each retry replays the whole history, slower still; a progress
 * query meanwhile timed out. A worker that dies holding one is noticed after this long instead.
 */
export const MASS_WORKFLOW_TASK_TIMEOUT = '60s';
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

/**
 * One ref of a dry run (`dryRun: true`): what containing it would do, read-only. Counts in a dry run's
 * blast radius are sums of these lines, so the totals always match the per-ref plans.
 */
export const DryRunRef = z.object({
  index: z.number().int().min(0),
  /** The ref as describeRef names it (provider, kind and identifiers; never a leaked value). */
  ref: z.string(),
  /** planned; not_found: no live credential matches; refused: the plan would lock Cordon or the last admin out (I6); failed: the provider could not be read. */
  status: z.enum(['planned', 'not_found', 'refused', 'failed']),
  reason: z.string().optional(),
  /** Credentials the ref's containment would end (provider:id). */
  revoke: z.array(z.string()),
  /** Consumers that would lose a credential and get a replacement: those of `revoke` and of what re-authentication ends. */
  replaced: z.array(z.object({ credential: z.string(), consumer: z.string(), name: z.string() })),
  /** Consumers that would lose a credential the provider cannot re-issue: they must re-authorize by hand. */
  manual: z.array(z.object({ credential: z.string(), consumer: z.string(), name: z.string(), kind: z.string(), reason: z.string() })),
  /** Principals whose forced re-authentication would end other credentials too (I8), and those credentials. */
  reauth: z.array(z.object({ provider: z.string(), principal: z.string(), name: z.string(), ends: z.array(z.string()) })),
  /** The plan's digest, what an approval of the same containment would be bound to (I7). */
  digest: z.string().optional(),
});
export type DryRunRef = z.infer<typeof DryRunRef>;

/** A dry run's blast radius: every count is the sum over its per-ref lines (blastOf). */
export const BlastRadius = z.object({
  refs: z.number().int(),
  planned: z.number().int(),
  notFound: z.number().int(),
  refused: z.number().int(),
  failed: z.number().int(),
  credentialsToRevoke: z.number().int(),
  consumersReplaced: z.number().int(),
  consumersManual: z.number().int(),
  /** Integrations (consumers of kind `integration`) among the manual ones: they stop working until someone re-authorizes them. */
  integrationsBroken: z.number().int(),
  reauthPrincipals: z.number().int(),
  /** Credentials ended by re-authentication beyond the refs' own (I8). */
  collateralCredentials: z.number().int(),
});
export type BlastRadius = z.infer<typeof BlastRadius>;

export const EMPTY_BLAST: BlastRadius = { refs: 0, planned: 0, notFound: 0, refused: 0, failed: 0, credentialsToRevoke: 0, consumersReplaced: 0, consumersManual: 0, integrationsBroken: 0, reauthPrincipals: 0, collateralCredentials: 0 };

/** One ref's line as counts. */
export function blastOf(line: DryRunRef): BlastRadius {
  return {
    refs: 1,
    planned: line.status === 'planned' ? 1 : 0,
    notFound: line.status === 'not_found' ? 1 : 0,
    refused: line.status === 'refused' ? 1 : 0,
    failed: line.status === 'failed' ? 1 : 0,
    credentialsToRevoke: line.revoke.length,
    consumersReplaced: line.replaced.length,
    consumersManual: line.manual.length,
    integrationsBroken: line.manual.filter((m) => m.kind === 'integration').length,
    reauthPrincipals: line.reauth.length,
    collateralCredentials: line.reauth.reduce((n, r) => n + r.ends.length, 0),
  };
}

export function addBlast(a: BlastRadius, b: BlastRadius): BlastRadius {
  const sum = { ...a };
  for (const k of Object.keys(sum) as (keyof BlastRadius)[]) sum[k] += b[k];
  return sum;
}

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
    page: z
      .object({
        massId: z.string().min(1),
        firstIndex: z.number().int().min(0),
        /** Each ref's place in the whole list, when the page run holds refs of other pages (an owner's refs travel together). */
        indices: z.array(z.number().int().min(0)).optional(),
      })
      .strict()
      .optional(),
    /** Children running at once; each provider's own limits pace what they do. */
    concurrency: z.number().int().min(1).max(200).default(20),
    /**
     * Children started per run before continuing as new (bounds the parent's history: each finished child
     * adds about 13 KB, its result included); unset, a run continues as new once its history reaches 4 MiB
     * (workflows/mass-containment.ts windowOf; runs recorded before that used MASS_CHILDREN_PER_RUN).
     */
    childrenPerRun: z.number().int().min(1).max(2_000).optional(),
    policy: ContainmentInput.shape.policy,
    /** Plan every ref (identify, scope re-authentication, plan) and write nothing: the blast radius first. */
    dryRun: z.boolean().optional(),
    /** Carried across continue-as-new; callers leave them out. */
    offset: z.number().int().min(0).default(0),
    tally: z.record(z.string(), z.number().int()).default({}),
    notContained: z.array(NotContainedRef).default([]),
    /** A dry run's per-ref lines so far (a page run holds at most MASS_INLINE_MAX). */
    planned: z.array(DryRunRef).max(MASS_INLINE_MAX).default([]),
    /** Whether the run this one continues from put refs of one owner in one child (workflows/mass-owners.ts). */
    ownerGroups: z.boolean().optional(),
    /** Whether it also put refs of one Salesforce user in one child (patch mass-owner-groups-salesforce). */
    salesforceOwnerGroups: z.boolean().optional(),
    /**
     * Children (by their first ref's index) the run this one continues from started past `offset`: with
     * provider lanes a run starts children out of list order, so what it left is not a tail of the list.
     */
    startedAhead: z.array(z.number().int().min(0)).max(2_000).optional(),
  })
  .strict();
export const MassContainmentInput = MassContainmentFields.refine((r) => (r.credentials === undefined) !== (r.paged === undefined), { message: 'give either credentials (at most 2,000, inline) or paged (the refs then arrive in pages), not both or neither' });
export type MassContainmentRequest = z.input<typeof MassContainmentInput>;

/** What a caller starts (client/mass.ts): every ref, however many; the client pages them into the run. */
export const MassStartInput = MassContainmentFields.omit({ credentials: true, paged: true, page: true, offset: true, tally: true, notContained: true, planned: true, ownerGroups: true, salesforceOwnerGroups: true, startedAhead: true })
  .extend({ credentials: MassRefs })
  .strict();
export type MassStartRequest = z.input<typeof MassStartInput>;

export interface MassContainmentResult {
  incidentId: string;
  total: number;
  tally: Record<string, number>;
  /** Every child that did not end contained, with why: never a silent success. */
  notContained: NotContainedRef[];
  /**
   * A dry run's blast radius; its per-ref lines too for a run that holds its refs inline (a page run).
   * A paged run keeps only the totals: the lines stay in its page runs' results (readDryRunPage).
   */
  dryRun?: { blast: BlastRadius; refs?: DryRunRef[]; pageSize?: number };
}

/** A run's progress query: its own finished children plus, for a paged run, the page runs still going. */
export interface MassProgressView extends MassContainmentResult {
  done: number;
  /** Refs received so far (a paged run waits for all of them before starting any child). */
  received?: number;
  /** Page runs in flight: their own progress completes this one's (client/mass.ts). */
  runningPages?: string[];
  /** Page runs in flight that did not answer this reading (client/mass.ts massProgress): their refs are not in `done`. */
  unansweredPages?: number;
}
