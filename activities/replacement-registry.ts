// The activities' side of the replacement registry (workflows/replacement-registry.ts): claims and
// records go through Update-With-Start, so the registry starts on first use and every write is
// acknowledged by the workflow before the activity goes on (design I8).
//
// One registry per principal (a shard): every question the registry answers is about one principal's
// credentials — a claim or record for a consumer of one of its credentials (a replacement belongs to the
// principal of the credential it replaces), and "did another run issue these?" about the credentials a
// listing of that principal returned. One registry for the whole task queue serialised every run through
// one workflow: in the full chaos run (40 runs at once) its update tasks queued faster than one workflow
// can answer them, and it stopped answering.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { createHash } from 'node:crypto';
import { FAILURE_TYPES } from '../schemas/failure-types.ts';
import { coordinationTaskQueue, runTaskQueueOf } from '../schemas/containment.ts';
import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { MAX_REGISTRY_BATCH, type RegistryBatch } from '../schemas/registry.ts';
import {
  claimReplacementUpdate,
  issuedElsewhereQuery,
  noteUnlabelledMintUpdate,
  recordReplacementUpdate,
  REGISTRY_WORKFLOW_TYPE,
  registryBatchUpdate,
  registryWorkflowId,
  runFinishedUpdate,
  type ClaimInput,
  type RegistryEntry,
} from '../workflows/replacement-registry.ts';

/** Whose credentials a registry call is about: the registry shard it goes to. */
export interface RegistryPrincipal {
  provider: string;
  principalId: string;
}

export interface ReplacementRegistry {
  /**
   * Who owns the replacement for (credential, consumer): the caller, unless another run claimed it first.
   * `together`: the run claims this many for the principal at once, and they may share one update.
   */
  claim(of: RegistryPrincipal, c: ClaimInput, together?: Together): Promise<RegistryEntry>;
  record(of: RegistryPrincipal, e: Required<Omit<RegistryEntry, 'at' | 'ownerFinishedAt' | 'mintsNotedAt' | 'firstClaim' | 'mintNoted'>>): Promise<void>;
  /** Durably notes, before the mint, that the owner is about to mint a replacement the provider cannot label. */
  noteUnlabelledMint(of: RegistryPrincipal, n: { credentialId: string; consumerId: string; workflowId: string }): Promise<void>;
  /**
   * The run ended: its claims stop binding runs that start later. `principals` are those whose credentials
   * the run touched; a run recorded before shards existed gives none and reaches the task queue's one registry.
   */
  runFinished(workflowId: string, principals?: RegistryPrincipal[]): Promise<void>;
  /** Of `ids` (credentials of `of`), the ones another run issued as replacements: never ended by this run. */
  issuedElsewhere(of: RegistryPrincipal, ids: string[], workflowId: string): Promise<RegistryEntry[]>;
}

/** The registry of one principal on one task queue: a stable, short name (the principal id is not in it). */
export function shardedRegistryId(taskQueue: string, of: RegistryPrincipal): string {
  return `${registryWorkflowId(taskQueue)}-${createHash('sha256').update(`${of.provider}\0${of.principalId}`).digest('hex').slice(0, 20)}`;
}

/**
 * Temporal answers these while the registry is busy or moving: more updates in flight on it than the
 * server allows at once (10 by default), an update aborted by its continue-as-new, a server restarting,
 * and "Workflow Task in failed state": the server refuses updates while the registry's last workflow
 * task failed or timed out and its retry has not completed yet (attempt > 1), e.g. after its worker
 * evicted it from the cache or took too long under CPU load. It passes once the retried task completes.
 */
const BUSY = /in-flight updates|update was aborted|Workflow Task in failed state|RESOURCE_EXHAUSTED|resource ?exhausted|UNAVAILABLE|unavailable|DEADLINE_EXCEEDED/i;

/**
 * Retries a registry call that found the registry busy, for a few seconds with jitter (the updates are
 * idempotent), then leaves as a transient failure, which the workflow retries until its deadline (I9):
 * Cordon's own coordination being busy never ends a containment.
 */
export async function whenFree<T>(what: string, fn: () => Promise<T>, maxAttempts = 12): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const text = err instanceof Error ? `${err.message} ${err.cause instanceof Error ? err.cause.message : ''}` : String(err);
      if (!BUSY.test(text)) throw err;
      if (attempt >= maxAttempts) {
        throw ApplicationFailure.create({ type: FAILURE_TYPES.coordination_busy, message: `the replacement registry stayed busy (${what}); the run will try again`, nonRetryable: false });
      }
      await new Promise((r) => setTimeout(r, Math.min(2_000, 50 * 2 ** attempt) * (0.5 + Math.random())));
    }
  }
}

/**
 * Updates other than claims and records (those go through registryBatcher) this process sends to one registry
 * at once: with the batcher's, fewer than the server's 10 in flight. Other processes' updates still count
 * against the server's limit, which whenFree rides out.
 */
export const IN_FLIGHT_PER_REGISTRY = 6;
const inFlight = new Map<string, { n: number; waiting: (() => void)[] }>();

/** Runs `fn` once fewer than IN_FLIGHT_PER_REGISTRY calls to registry `id` are running in this process. */
export async function oneOfFew<T>(id: string, fn: () => Promise<T>): Promise<T> {
  let slot = inFlight.get(id);
  if (!slot) inFlight.set(id, (slot = { n: 0, waiting: [] }));
  const held = slot;
  while (held.n >= IN_FLIGHT_PER_REGISTRY) await new Promise<void>((r) => held.waiting.push(r));
  held.n++;
  try {
    return await fn();
  } finally {
    held.n--;
    const next = held.waiting.shift();
    if (next) next();
    else if (held.n === 0) inFlight.delete(id);
  }
}

/** One claim or record of a batch update. */
export type RegistryOp = RegistryBatch['ops'][number];

/**
 * Claims and records this process sends to one registry at once. Those that arrive while this many are in
 * flight wait, and go out together as one update when one of them is answered: a child minting the
 * replacements of an owner's many consumers (a mass containment's grouped refs) makes two or three registry
 * updates where it made one per consumer and step, each a server round and a workflow task of the registry.
 * Up to three at once go out at once as before: a single containment's replacements (the Drift grant has
 * three consumers) wait for no registry round. With oneOfFew's 6, fewer than the server's 10 in flight.
 */
export const OPS_IN_FLIGHT_PER_REGISTRY = 3;

/**
 * How long a claim that came with siblings (`Together`) waits for them before it goes without the rest: the
 * time a loaded worker takes to start a child's replacement activities side by side. Only claims wait (nothing
 * is minted yet, so no replacement is left unrecorded the longer for it); a sibling that never comes (its
 * branch stopped before its replacement, or a lone retry) costs its group this much once.
 */
export const CLAIM_HOLD_MS = 150;

/** Claims one run sends for one principal at once: `size` of them, told apart from other runs' by `group`. */
export interface Together {
  group: string;
  size: number;
}

/**
 * Sends `ops` (claims and records of one registry) through `send`, `limit` updates at a time per registry:
 * what waits meanwhile is sent as one batch of up to MAX_REGISTRY_BATCH. A claim that says it comes with
 * siblings (`Together`, a mass child claiming for an owner's many consumers) waits until they are all there, or
 * CLAIM_HOLD_MS, so that they share one update; an op that does not say so goes as soon as the limit lets it.
 * Each caller gets its own op's answer, or the error of the update that carried it (an op `send` answered
 * apart may get an error of its own).
 */
export function registryBatcher(send: (registryId: string, ops: RegistryOp[]) => Promise<(RegistryEntry | Error)[]>, limit = OPS_IN_FLIGHT_PER_REGISTRY, holdMs = CLAIM_HOLD_MS) {
  interface Group {
    key: string;
    size: number;
    arrived: number;
    /** When its waiting claims go without the rest: 0 once it was sent in part, so late ones go at once. */
    until: number;
    /** Set once sent in part: when to forget it (its late claims would otherwise wait again). */
    forgetAt?: number;
  }
  interface Waiting {
    op: RegistryOp;
    group?: Group;
    resolve: (e: RegistryEntry) => void;
    reject: (err: unknown) => void;
  }
  interface Lane {
    inFlight: number;
    waiting: Waiting[];
    timer?: ReturnType<typeof setTimeout>;
  }
  const lanes = new Map<string, Lane>();
  // Groups by registry and group, kept across their lane going idle: until all their claims were sent, or for a
  // minute once sent in part.
  const groups = new Map<string, Group>();
  const GROUP_MEMORY_MS = 60_000;
  // A waiting op may go: it came alone, or its group is all there, or its group waited long enough.
  const ready = (w: Waiting, now: number) => !w.group || w.group.arrived >= w.group.size || now >= w.group.until;
  const pump = (registryId: string) => {
    const lane = lanes.get(registryId);
    if (!lane) return;
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = undefined;
    const now = Date.now();
    while (lane.inFlight < limit && lane.waiting.length) {
      if (!lane.waiting.some((w) => ready(w, now))) {
        // Only siblings still coming: wake when the first group has waited long enough.
        const next = Math.min(...lane.waiting.map((w) => w.group!.until));
        lane.timer = setTimeout(() => pump(registryId), Math.max(1, next - now));
        lane.timer.unref?.();
        return;
      }
      const taken = lane.waiting.splice(0, MAX_REGISTRY_BATCH);
      for (const g of new Set(taken.flatMap((w) => w.group ?? []))) {
        // A group all there is done; the rest of one sent in part (it waited long enough, or went along with
        // an op that was ready) go as soon as they come.
        if (g.arrived >= g.size) groups.delete(g.key);
        else {
          g.until = 0;
          g.forgetAt = now + GROUP_MEMORY_MS;
        }
      }
      lane.inFlight++;
      send(registryId, taken.map((w) => w.op))
        .then((answers) => {
          if (answers.length !== taken.length) throw new Error(`the replacement registry answered ${answers.length} of ${taken.length} claims and records`);
          taken.forEach((w, i) => {
            const answer = answers[i]!;
            if (answer instanceof Error) w.reject(answer);
            else w.resolve(answer);
          });
        })
        .catch((err: unknown) => taken.forEach((w) => w.reject(err)))
        .finally(() => {
          lane.inFlight--;
          if (!lane.inFlight && !lane.waiting.length) lanes.delete(registryId);
          else pump(registryId);
        });
    }
  };
  const groupOf = (registryId: string, together: Together | undefined, now: number): Group | undefined => {
    if (!together || together.size <= 1) return undefined;
    for (const [key, g] of groups) if (g.forgetAt !== undefined && g.forgetAt <= now) groups.delete(key);
    const key = `${registryId}\0${together.group}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, size: together.size, arrived: 0, until: now + holdMs }));
    g.arrived++;
    return g;
  };
  return (registryId: string, op: RegistryOp, together?: Together): Promise<RegistryEntry> =>
    new Promise<RegistryEntry>((resolve, reject) => {
      let lane = lanes.get(registryId);
      if (!lane) lanes.set(registryId, (lane = { inFlight: 0, waiting: [] }));
      const group = groupOf(registryId, together, Date.now());
      lane.waiting.push({ op, ...(group ? { group } : {}), resolve, reject });
      pump(registryId);
    });
}

/**
 * Batches the registry refuses as a whole; their ops then go one by one, each answered on its own: a registry
 * run by a worker older than the batch update does not know it, and one op its validator refuses must not
 * fail the others beside it.
 */
export const REFUSED_BATCH = /No registered handler for update: applyRegistryBatch|invalid registry update/;

/** Starts the registry `workflowId` of the run queue `taskQueue` with the update, unless it runs already. */
const withStart = (taskQueue: string, workflowId: string) =>
  new WithStartWorkflowOperation(REGISTRY_WORKFLOW_TYPE, {
    workflowId,
    // Served on the coordination queue (schemas/containment.ts), apart from the containments' backlog.
    taskQueue: coordinationTaskQueue(taskQueue),
    args: [{ entries: [] }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });

/** One update to a registry by Update-With-Start, waiting out a busy registry (whenFree). */
const updateOn = <A, R>(client: Client, taskQueue: string, workflowId: string, what: string, def: Parameters<Client['workflow']['executeUpdateWithStart']>[0], arg: A): Promise<R> =>
  whenFree(what, () => client.workflow.executeUpdateWithStart(def as never, { args: [arg], startWorkflowOperation: withStart(taskQueue, workflowId) }) as Promise<R>);

/**
 * Claims and records for the registry `registryId` of the run queue `taskQueue`: one alone goes as its own
 * update, several as one batch update; a batch refused whole (REFUSED_BATCH) goes again op by op, each op
 * answered with its entry or its own error. The send of temporalRegistry's batcher.
 */
export async function sendRegistryOps(client: Client, taskQueue: string, registryId: string, ops: RegistryOp[]): Promise<(RegistryEntry | Error)[]> {
  const one = (op: RegistryOp) =>
    'claim' in op ? updateOn<unknown, RegistryEntry>(client, taskQueue, registryId, 'claim', claimReplacementUpdate, op.claim) : updateOn<unknown, RegistryEntry>(client, taskQueue, registryId, 'record', recordReplacementUpdate, op.record);
  if (ops.length === 1) return [await one(ops[0]!)];
  try {
    return await updateOn<unknown, RegistryEntry[]>(client, taskQueue, registryId, `${ops.length} claims and records`, registryBatchUpdate, { ops });
  } catch (err) {
    if (!REFUSED_BATCH.test(`${err instanceof Error ? err.message : ''} ${err instanceof Error && err.cause instanceof Error ? err.cause.message : ''}`)) throw err;
    const answers: (RegistryEntry | Error)[] = [];
    // In order, as the batch would have applied them.
    for (const op of ops) answers.push(await one(op).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
    return answers;
  }
}

/** The registries of the worker's own task queue, one per principal, reached with the activity's Temporal client. */
export function temporalRegistry(): ReplacementRegistry {
  const ctx = () => {
    const c = Context.current();
    // A provider call runs on its provider's queue; the registry belongs to the run's own.
    return { client: c.client as Client, taskQueue: runTaskQueueOf(c.info.taskQueue) };
  };
  const update = <A, R>(what: string, def: Parameters<Client['workflow']['executeUpdateWithStart']>[0], workflowIdOf: (taskQueue: string) => string, arg: A): Promise<R> => {
    const { client, taskQueue } = ctx();
    const workflowId = workflowIdOf(taskQueue);
    return oneOfFew(workflowId, () => updateOn<A, R>(client, taskQueue, workflowId, what, def, arg));
  };
  const batchers = new WeakMap<Client, Map<string, ReturnType<typeof registryBatcher>>>();
  const op = (of: RegistryPrincipal, o: RegistryOp, together?: Together): Promise<RegistryEntry> => {
    const { client, taskQueue } = ctx();
    let byQueue = batchers.get(client);
    if (!byQueue) batchers.set(client, (byQueue = new Map()));
    let batcher = byQueue.get(taskQueue);
    if (!batcher) byQueue.set(taskQueue, (batcher = registryBatcher((id, ops) => sendRegistryOps(client, taskQueue, id, ops))));
    return batcher(shardedRegistryId(taskQueue, of), o, together);
  };
  return {
    claim: (of, input, together) => op(of, { claim: input }, together),
    async record(of, entry) {
      await op(of, { record: entry });
    },
    async noteUnlabelledMint(of, n) {
      await update('noteUnlabelledMint', noteUnlabelledMintUpdate, (q) => shardedRegistryId(q, of), n);
    },
    async runFinished(workflowId, principals) {
      const shards = principals?.length ? [...new Map(principals.map((p) => [`${p.provider}\0${p.principalId}`, p])).values()] : undefined;
      if (!shards) {
        await update('runFinished', runFinishedUpdate, registryWorkflowId, { workflowId });
        return;
      }
      await Promise.all(shards.map((of) => update('runFinished', runFinishedUpdate, (q) => shardedRegistryId(q, of), { workflowId })));
    },
    async issuedElsewhere(of, ids, workflowId) {
      if (!ids.length) return [];
      const { client, taskQueue } = ctx();
      try {
        return await whenFree('issuedElsewhere', () => client.workflow.getHandle(shardedRegistryId(taskQueue, of)).query(issuedElsewhereQuery, { ids, workflowId }));
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return []; // nothing was ever issued for this principal on this queue
        throw err;
      }
    },
  };
}
