// Mass containment (design.md §6): after a vendor breach, thousands of credential refs fan out as
// child `containCredential` runs, a bounded number at a time; each child is paced by its provider's
// task queue (worker/worker.ts: the Temporal server's rate limit for every worker together), not by
// this parent.
//
// The refs never travel in one payload (Temporal refuses payloads over 2 MB; 10,000 refs given by value
// come near it). A caller starts a *paged* run with only the number of refs, then sends them as
// `addRefPage` updates of at most MASS_PAGE_SIZE refs (client/mass.ts); once all have arrived, each page
// runs as a child `massContainment` with its refs inline, two pages at a time. A page run (or a small
// direct start with inline refs) continues as new once its history reaches MASS_HISTORY_BUDGET_BYTES (or
// every `childrenPerRun` children when the request says) so its history stays bounded; child ids are `<mass id>-<index of the ref>` either
// way, so a ref is never contained twice. Refs of one owner (keys of one service account, deploy keys of one
// repository) go to one child, named after the first of them (workflows/mass-owners.ts): separate children
// would end each other's targets.
//
// A dry run (`dryRun: true`) takes the same paths with a read-only activity in place of each child:
// every ref is identified and planned on its provider's task queue (paced like a live run), nothing is
// written. Each page run returns its per-ref lines; the paged run keeps only the summed blast radius, so
// no payload holds thousands of plans.
import { ApplicationFailure, condition, continueAsNew, defineQuery, defineSignal, defineUpdate, executeChild, getExternalWorkflowHandle, patched, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo, type ChildWorkflowOptions } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { ContainmentPolicy, providerTaskQueue, type ContainmentRequest, type ContainmentStatus } from '../schemas/containment.ts';
import { describeRef, type CredentialRef } from '../schemas/credential.ts';
import {
  addBlast,
  blastOf,
  EMPTY_BLAST,
  MASS_CHILDREN_PER_RUN,
  MASS_WORKFLOW_TASK_TIMEOUT,
  MassContainmentInput,
  MassRefPage,
  type BlastRadius,
  type DryRunRef,
  type MassContainmentRequest,
  type MassContainmentResult,
  type MassProgressView,
  type NotContainedRef,
} from '../schemas/mass.ts';
import { FAILURE_TYPES } from '../schemas/failure-types.ts';
import { undecodableReason } from '../schemas/undecodable.ts';
import { childrenOf, CURRENT_OWNER_RULES, MASS_DRY_RUN_GROUPS_PATCH, MASS_OWNER_PAGES_PATCH, MASS_SALESFORCE_OWNERS_PATCH, outcomesOfRefs, ownerOfRef, pagesByOwner, type RefOutcome } from './mass-owners.ts';
import { INCIDENT_ID, OUTCOME } from './search-attributes.ts';
import { runPagesPerProvider, startInLanes, type PageRun } from './mass-lanes.ts';

export const massProgressQuery = defineQuery<MassProgressView>('massProgress');
/** A page run tells its mass containment it has started all its children (its workflow id); patch mass-page-all-started. */
export const pageAllStartedSignal = defineSignal<[string]>('massPageAllStarted');
/** One page of a paged run's refs; answers how many refs the run holds now. */
export const addRefPageUpdate = defineUpdate<{ received: number }, [MassRefPage]>('addRefPage');

/** Page runs at once: the next page's children start while the last of the current page's finish. */
const PAGES_AT_ONCE = 2;
/** A run counts `childrenPerRun` in children, not refs (windowOf). */
export const MASS_WINDOW_BY_CHILDREN_PATCH = 'mass-window-by-children';
/**
 * Unless the request sets `childrenPerRun`, a run starts children until its history reaches the budget
 * (windowOf); runs recorded before continued as new every MASS_CHILDREN_PER_RUN children. Never rename it.
 */
export const MASS_HISTORY_BUDGET_PATCH = 'mass-history-budget';
/**
 * The history a run may reach before it stops starting children, drains and continues as new: about 290
 * finished children at ~14 KB each; the children still in flight then add up to `concurrency` × 14 KB more,
 * so a run stays well under Temporal's 10 MB history warning. The server's own suggestion to continue as new
 * (`continueAsNewSuggested`) stops it too.
 */
const MASS_HISTORY_BUDGET_BYTES = 4 * 1024 * 1024;
/** With the budget, the most children one run starts all the same (their ids and results stay in its memory). */
const MASS_MAX_CHILDREN_PER_RUN = 500;
/**
 * A run starts children in provider lanes (startInLanes): each provider with refs still to start gets an
 * equal share of the slots, so one provider at its rate limit no longer takes them all while the others'
 * refs wait behind it. Runs recorded before start children in list order. Never rename it.
 */
export const MASS_PROVIDER_LANES_PATCH = 'mass-provider-lanes';
/**
 * A live paged run splits each page by provider and runs each provider's pages on their own
 * (runPagesPerProvider); runs recorded before ran whole pages two at a time. Never rename it.
 */
export const MASS_PAGES_PER_PROVIDER_PATCH = 'mass-pages-per-provider';
/**
 * A page run signals its mass containment once it has started all its children, and a provider's next page
 * starts then rather than when the page's last child ends (runPagesPerProvider). Runs recorded before
 * neither send nor wait for it. Never rename it.
 */
export const MASS_PAGE_ALL_STARTED_PATCH = 'mass-page-all-started';
/** Page runs are started with MASS_WORKFLOW_TASK_TIMEOUT (schemas/mass.ts). */
export const MASS_PAGE_TASK_TIMEOUT_PATCH = 'mass-page-task-timeout';
/** A paged run whose refs stop arriving (its client died mid-upload) fails after this, naming how many came. */
const REFS_WAIT = '1 hour';

type Input = ReturnType<typeof MassContainmentInput.parse>;

const PLAN_CALLS = {
  // Identify, scope re-authentication and plan: a few provider reads.
  startToCloseTimeout: '2 minutes',
  // A provider without a worker (no connector configured) leaves the ref failed, not the run waiting forever.
  scheduleToCloseTimeout: '30 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 6 },
} as const;

export async function massContainment(request: MassContainmentRequest): Promise<MassContainmentResult> {
  const input = parseMassInput(request);
  upsertSearchAttributes([{ key: INCIDENT_ID, value: input.incidentId }, { key: OUTCOME, value: 'running' }]);
  const result = input.paged ? await pagedRun(input, input.paged) : await inlineRun(request, input, input.credentials!);
  upsertSearchAttributes([{ key: OUTCOME, value: input.dryRun ? 'dry_run' : result.notContained.length ? 'not_contained' : 'contained' }]);
  return result;
}

/** Refs inline: one child `containCredential` per ref or per owner (or one plan per ref, for a dry run), `concurrency` at a time, continuing as new every `childrenPerRun` refs. */
async function inlineRun(request: MassContainmentRequest, input: Input, credentials: CredentialRef[]): Promise<MassContainmentResult> {
  // A page run names its children after the mass containment and the ref's place in the whole list.
  const massId = input.page?.massId ?? workflowInfo().workflowId; // the same across continue-as-new
  const firstIndex = input.page?.firstIndex ?? 0;
  // A ref's place in the whole list: its page's first index plus its own, unless the page run says (owner groups across pages).
  const indices = input.page?.indices;
  const placeOf = (i: number) => indices?.[i] ?? firstIndex + i;
  const tally: Record<string, number> = { ...input.tally };
  const notContained = [...input.notContained];
  const planned = [...input.planned];
  // Refs settled so far, across continue-as-new: those the carried tally counts (one outcome per ref). Not the
  // offset: with owners grouped, the children before it held refs from all over the list, so a continued run
  // that started from its offset reported fewer done than the run before it (seen as progress going back).
  let done = Object.values(tally).reduce((n, k) => n + k, 0);
  const dryRunView = () => (input.dryRun ? { dryRun: { blast: planned.map(blastOf).reduce(addBlast, EMPTY_BLAST) } } : {});
  setHandler(massProgressQuery, () => ({ incidentId: input.incidentId, total: credentials.length, tally, notContained, done, ...dryRunView() }));

  const contain = (group: number[]): Promise<void> => {
    const index = placeOf(group[0]!);
    const refs = group.map((i) => credentials[i]!);
    const child: ContainmentRequest = { incidentId: input.incidentId, requester: input.requester, severity: input.severity, credentials: refs, mode: 'direct', policy: input.policy, origin: { channel: 'api' } };
    // A deterministic child id: a retried parent (or a continued one) never contains the same ref twice.
    const workflowId = `${massId}-${index}`;
    // Progress, tallies and results stay per ref, also for a child holding several refs of one owner.
    const settle = (outcomes: RefOutcome[]) =>
      group.forEach((i, j) => {
        const { outcome, reason } = outcomes[j]!;
        tally[outcome] = (tally[outcome] ?? 0) + 1;
        if (outcome !== 'contained') notContained.push({ index: placeOf(i), workflowId, outcome, ...(reason ? { reason } : {}) });
      });
    return executeChild<(r: ContainmentRequest) => Promise<ContainmentStatus>>('containCredential', { workflowId, args: [child] })
      .then((s) => {
        // A child's result this worker could not decode (codec/payload-converter.ts) counts as failed, with why.
        const unreadable = undecodableReason(s);
        if (unreadable) settle(group.map(() => ({ outcome: 'failed', reason: `the child's result could not be decoded: ${unreadable}` })));
        else settle(group.length > 1 ? outcomesOfRefs(s, group.length) : [{ outcome: s.outcome, ...(s.outcomeReason ? { reason: s.outcomeReason } : {}) }]);
      })
      .catch((err: unknown) => settle(group.map(() => ({ outcome: 'failed', reason: err instanceof Error ? err.message : String(err) }))));
  };
  const waveSize = ContainmentPolicy.parse(input.policy ?? {}).waveSize;
  // An owner's refs are planned together, as its one child would contain them (dryRunLinesOf); a ref alone
  // keeps its own activity, which runs recorded before owner groups replay.
  const plan = (group: number[]): Promise<void> => {
    const refs = group.map((i) => ({ index: placeOf(i), ref: credentials[i]! }));
    const planner = plannerFor(refs[0]!.ref.provider);
    const call = refs.length > 1 ? planner.planMassGroup({ refs, waveSize, workflowId: massId }) : planner.planMassRef({ ...refs[0]!, waveSize, workflowId: massId }).then((line) => [line]);
    return call
      .catch((err: unknown): DryRunRef[] => {
        const reason = `could not be planned: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`;
        return refs.map(({ index, ref }) => ({ index, ref: describeRef(ref), status: 'failed', reason, revoke: [], replaced: [], manual: [], reauth: [] }));
      })
      .then((lines) => {
        for (const line of lines) {
          tally[line.status] = (tally[line.status] ?? 0) + 1;
          planned.push(line);
        }
      });
  };
  const step = (group: number[]) => (input.dryRun ? plan(group) : contain(group));
  // Refs of one owner in one child (workflows/mass-owners.ts); this run starts the children whose first ref is in its window.
  const { children, grouped, salesforce } = childrenOf(credentials, input);

  const { window, end: windowEnd, budgeted } = windowOf(children, input, credentials.length);
  let end = windowEnd;
  let startedAhead: number[] = [];
  const running = new Set<Promise<void>>();
  const lanes = patched(MASS_PROVIDER_LANES_PATCH);
  if (lanes) {
    const counted = (group: number[]) => step(group).finally(() => (done += group.length));
    // A live page run tells its mass containment when every child it holds has started (a page's last run, not one that continues as new).
    const tellParent =
      input.page && !input.dryRun && patched(MASS_PAGE_ALL_STARTED_PATCH)
        ? () => void getExternalWorkflowHandle(input.page!.massId).signal(pageAllStartedSignal, workflowInfo().workflowId).catch(() => undefined)
        : undefined;
    const left = await startInLanes(window, (group) => credentials[group[0]!]!.provider, input.concurrency, counted, () => !!budgeted && historyFull(), tellParent);
    if (left) {
      end = left.end;
      // Also what earlier runs started past this one's end: never started twice, however many runs on.
      startedAhead = [...new Set([...(input.startedAhead ?? []), ...left.startedAhead])].filter((first) => first > end).sort((a, b) => a - b);
    }
    // Children end out of list order: the report keeps it.
    notContained.sort((a, b) => a.index - b.index);
  }
  // Runs recorded before the lanes: in list order, each child as a slot frees.
  for (const [i, group] of (lanes ? [] : window).entries()) {
    // Started one by one as slots free (at most `concurrency` in flight), so one slow child holds back
    // nothing but its own slot; the run stops starting once its history is full, and its continuation
    // starts from the first child it left.
    if (budgeted && i > 0 && historyFull()) {
      end = group[0]!;
      break;
    }
    const p: Promise<void> = step(group).finally(() => {
      done += group.length;
      running.delete(p);
    });
    running.add(p);
    if (running.size >= input.concurrency) await Promise.race(running);
  }
  await Promise.all(running);
  planned.sort((a, b) => a.index - b.index);
  if (end < credentials.length) {
    await continueAsNew<typeof massContainment>({
      ...request,
      offset: end,
      tally,
      notContained,
      ...(input.dryRun ? { planned } : {}),
      ...(grouped ? { ownerGroups: true } : {}),
      ...(salesforce ? { salesforceOwnerGroups: true } : {}),
      ...(startedAhead.length ? { startedAhead } : {}),
    });
  }
  const result = { incidentId: input.incidentId, total: credentials.length, tally, notContained };
  return input.dryRun ? { ...result, dryRun: { blast: planned.map(blastOf).reduce(addBlast, EMPTY_BLAST), refs: planned } } : result;
}

/**
 * Children per run when the request does not say. Runs recorded before the patch continued as new every
 * 500 (histories of ~6 MB for a page of 500 refs); they keep doing so on replay.
 */
function childrenPerRun(input: Input): number {
  return input.childrenPerRun ?? (patched('mass-children-per-run-50') ? MASS_CHILDREN_PER_RUN : 500);
}

/**
 * The children this run starts (those whose first ref is at or after its offset, `childrenPerRun` of them)
 * and the ref its continuation starts from (`end`; the list's length when none is left). Runs recorded
 * before the patch counted `childrenPerRun` refs, not children: with an owner's refs in one child, a window
 * of 50 refs held about 9 children, and the run waited for the slowest of those 9 before starting more (a
 * mass containment of 1,005 refs kept about 18 children busy at concurrency 200).
 */
function windowOf(children: number[][], input: Input, total: number): { window: number[][]; end: number; budgeted?: true } {
  const startedBefore = new Set(input.startedAhead ?? []);
  const ahead = children.filter(([first]) => first! >= input.offset && !startedBefore.has(first!));
  if (input.childrenPerRun === undefined && patched(MASS_HISTORY_BUDGET_PATCH)) {
    const window = ahead.slice(0, MASS_MAX_CHILDREN_PER_RUN);
    return { window, end: ahead[window.length]?.[0] ?? total, budgeted: true };
  }
  const perRun = childrenPerRun(input);
  if (!patched(MASS_WINDOW_BY_CHILDREN_PATCH)) {
    const end = Math.min(total, input.offset + perRun);
    return { window: ahead.filter(([first]) => first! < end), end };
  }
  const window = ahead.slice(0, perRun);
  return { window, end: ahead[window.length]?.[0] ?? total };
}

/** This run's history has reached the budget, or the server suggests continuing as new (both replay as recorded). */
function historyFull(): boolean {
  const info = workflowInfo();
  return info.historySize >= MASS_HISTORY_BUDGET_BYTES || info.continueAsNewSuggested;
}

/** The dry run's read-only activity, on the ref's provider task queue: paced with that provider's other calls. */
function plannerFor(provider: string) {
  return proxyActivities<Activities>({ ...PLAN_CALLS, taskQueue: providerTaskQueue(workflowInfo().taskQueue, provider) });
}

/** Refs by pages: wait for every page (updates), then run the pages as child mass containments. */
async function pagedRun(input: Input, paged: { total: number; pageSize: number }): Promise<MassContainmentResult> {
  const massId = workflowInfo().workflowId;
  const pageCount = Math.ceil(paged.total / paged.pageSize);
  const sizeOf = (page: number) => Math.min(paged.pageSize, paged.total - page * paged.pageSize);
  // A page's refs are dropped once its run starts: the worker's memory holds what is still to start.
  const pages: (CredentialRef[] | undefined)[] = Array.from({ length: pageCount }, () => undefined);
  const arrived = new Set<number>();
  let received = 0;
  const tally: Record<string, number> = {};
  const notContained: NotContainedRef[] = [];
  let blast: BlastRadius = EMPTY_BLAST;
  let done = 0;
  const runningPages = new Set<string>();
  const dryRunView = () => (input.dryRun ? { dryRun: { blast, pageSize: paged.pageSize } } : {});
  setHandler(massProgressQuery, () => ({ incidentId: input.incidentId, total: paged.total, tally, notContained, done, received, runningPages: [...runningPages], ...dryRunView() }));
  setHandler(
    addRefPageUpdate,
    (p) => {
      // A client that resumes an upload sends pages again: the same page counts once.
      if (!arrived.has(p.page)) {
        arrived.add(p.page);
        pages[p.page] = p.refs;
        received += p.refs.length;
      }
      return { received };
    },
    {
      // Rejected pages never reach the history; the client gets the reason.
      validator: (p) => {
        const parsed = MassRefPage.safeParse(p);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw new Error(`invalid page: ${issue.path.join('.') || '(page)'}: ${issue.message}`);
        }
        if (p.page >= pageCount) throw new Error(`invalid page: page ${p.page} is past the last one (${pageCount - 1}) of ${paged.total} refs by ${paged.pageSize}`);
        if (p.refs.length !== sizeOf(p.page)) throw new Error(`invalid page: page ${p.page} must hold ${sizeOf(p.page)} refs, not ${p.refs.length}`);
        const held = pages[p.page];
        if (held && JSON.stringify(held) !== JSON.stringify(p.refs)) throw new Error(`invalid page: page ${p.page} was already received with other refs`);
      },
    },
  );

  if (!(await condition(() => received === paged.total, REFS_WAIT))) {
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.invalid_input,
      nonRetryable: true,
      message: `invalid mass containment input: only ${received} of ${paged.total} refs arrived within ${REFS_WAIT}; start it again with the same refs to resume`,
    });
  }

  // An owner's refs all go to the page run of its first ref: split over two page runs, one child's
  // re-authentication would end the other's targets first (a dry run plans them together since patch
  // mass-dry-run-owner-groups; before, each ref alone).
  // Salesforce users are owners since patch mass-owner-groups-salesforce (asked only when a ref names one).
  const allPages = pages as CredentialRef[][];
  const salesforce = allPages.some((refs) => refs.some((r) => r.provider === 'salesforce' && ownerOfRef(r, CURRENT_OWNER_RULES) !== undefined)) && patched(MASS_SALESFORCE_OWNERS_PATCH);
  const layout = input.dryRun && !patched(MASS_DRY_RUN_GROUPS_PATCH) ? undefined : pagesByOwner(allPages, paged.pageSize, { salesforce });
  const byOwner = layout && patched(MASS_OWNER_PAGES_PATCH) ? layout : undefined;
  // Page runs get the mass containment's longer workflow task timeout (MASS_WORKFLOW_TASK_TIMEOUT; runs recorded before start them with the default).
  const pageTaskTimeout: Pick<ChildWorkflowOptions, 'workflowTaskTimeout'> = patched(MASS_PAGE_TASK_TIMEOUT_PATCH) ? { workflowTaskTimeout: MASS_WORKFLOW_TASK_TIMEOUT } : {};
  const running = new Set<Promise<void>>();
  /** Starts one page run (all of a page's refs, or one provider's of them) and merges its result when it ends. */
  const startPageRun = (workflowId: string, page: number, refs: CredentialRef[], indices: number[] | undefined, concurrency: number): Promise<void> => {
    const firstIndex = page * paged.pageSize;
    const pageRequest: MassContainmentRequest = {
      incidentId: input.incidentId,
      requester: input.requester,
      severity: input.severity,
      credentials: refs,
      page: { massId, firstIndex, ...(indices ? { indices } : {}) },
      concurrency,
      ...(input.childrenPerRun !== undefined ? { childrenPerRun: input.childrenPerRun } : {}),
      policy: input.policy,
      ...(input.dryRun ? { dryRun: true } : {}),
    };
    runningPages.add(workflowId);
    const p: Promise<void> = executeChild<typeof massContainment>('massContainment', { workflowId, args: [pageRequest], ...pageTaskTimeout })
      .then((r) => {
        for (const [outcome, n] of Object.entries(r.tally)) tally[outcome] = (tally[outcome] ?? 0) + n;
        notContained.push(...r.notContained);
        // A dry run's per-ref lines stay in the page run's result (client/mass.ts readDryRunPage).
        if (r.dryRun) blast = addBlast(blast, r.dryRun.blast);
      })
      .catch((err: unknown) => {
        // A page run that failed as a whole: each of its refs is reported, none is silently dropped.
        const reason = `its page run ${workflowId} failed: ${err instanceof Error ? err.message : String(err)}`;
        tally.failed = (tally.failed ?? 0) + refs.length;
        for (let i = 0; i < refs.length; i++) {
          const index = indices?.[i] ?? firstIndex + i;
          notContained.push({ index, workflowId: `${massId}-${index}`, outcome: 'failed', reason });
        }
        if (input.dryRun) blast = addBlast(blast, { ...EMPTY_BLAST, refs: refs.length, failed: refs.length });
      })
      .finally(() => {
        done += refs.length;
        runningPages.delete(workflowId);
        running.delete(p);
      });
    running.add(p);
    return p;
  };
  /** Page `page`'s refs and their places in the whole list, dropped from memory as they are taken: the worker holds what is still to start. */
  const takePage = (page: number): { refs: CredentialRef[]; indices: number[] | undefined } => {
    const refs = byOwner ? byOwner[page]!.refs : pages[page]!;
    const indices = byOwner?.[page]!.indices;
    pages[page] = undefined;
    if (byOwner) byOwner[page] = { refs: [], indices: [] };
    return { refs, indices };
  };

  if (!input.dryRun && patched(MASS_PAGES_PER_PROVIDER_PATCH)) {
    // Page runs that have started all their children (pageAllStartedSignal), by workflow id.
    const allStarted = new Map<string, () => void>();
    const reported = patched(MASS_PAGE_ALL_STARTED_PATCH);
    if (reported) setHandler(pageAllStartedSignal, (pageRunId) => allStarted.get(pageRunId)?.());
    const startUnit = (unit: { page: number; provider: string; refs: CredentialRef[]; indices: number[]; concurrency: number }): Promise<void> | PageRun => {
      const workflowId = `${massId}-page-${unit.page}-${unit.provider}`;
      const started = reported ? new Promise<void>((resolve) => allStarted.set(workflowId, resolve)) : undefined;
      const ended = startPageRun(workflowId, unit.page, unit.refs, unit.indices, unit.concurrency);
      return started ? { ended, allStarted: started } : ended;
    };
    await runPagesPerProvider([...new Set(allPages.flatMap((refs) => refs.map((r) => r.provider)))], pageCount, paged.pageSize, input.concurrency, PAGES_AT_ONCE, takePage, startUnit);
  } else {
    for (let page = 0; page < pageCount; page++) {
      const { refs, indices } = takePage(page);
      // Every ref of this page went to its owner's earlier page.
      if (!refs.length) continue;
      void startPageRun(`${massId}-page-${page}`, page, refs, indices, input.concurrency);
      if (running.size >= PAGES_AT_ONCE) await Promise.race(running);
    }
  }
  await Promise.all(running);
  notContained.sort((a, b) => a.index - b.index);
  return { incidentId: input.incidentId, total: paged.total, tally, notContained, ...dryRunView() };
}

/** Invalid input (a raw Temporal start can send anything) fails the run at once rather than its workflow tasks forever. */
function parseMassInput(request: MassContainmentRequest): Input {
  const undecodable = undecodableReason(request);
  const parsed = undecodable ? undefined : MassContainmentInput.safeParse(request);
  if (parsed?.success) return parsed.data;
  const issue = parsed?.error.issues[0];
  const why = undecodable ? `the payload could not be decoded: ${undecodable}` : `${issue?.path.join('.') || '(input)'}: ${issue?.message}`;
  throw ApplicationFailure.create({ type: FAILURE_TYPES.invalid_input, nonRetryable: true, message: `invalid mass containment input: ${why}` });
}
