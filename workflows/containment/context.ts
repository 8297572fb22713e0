// One containment run's shared state, handed explicitly to every step: the status people see, what
// stays out of it (leaked values), the plan once made, the approval decisions, and the small verbs
// every step uses (record evidence, move a credential's state, notify, retry a transient failure).
import { metricMeter, patched, proxyActivities, proxyLocalActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities, Notification } from '../../activities/index.ts';
import {
  durationMs,
  pacedTaskQueue,
  providerTaskQueue,
  type ContainmentInput,
  type ContainmentStatus,
  type CredentialProgress,
  type CredentialState,
  type Plan,
} from '../../schemas/containment.ts';
import { GENESIS_HASH, chainEvent } from '../../schemas/evidence-chain.ts';
import { Provider } from '../../schemas/credential.ts';
import type { EvidenceDraft } from '../../schemas/evidence.ts';
import { STAGE } from '../search-attributes.ts';
import { transientRetry } from '../transient-retry.ts';
import { failureMessage, failureType } from './failures.ts';
import { providerCall } from './provider-calls.ts';

const PROVIDER_CALLS = {
  // Provider calls are short; a bound this tight lets a new worker retry a dead worker's call quickly.
  startToCloseTimeout: '20 seconds',
  // Connectors pass the provider's Retry-After as the next delay. When these attempts are spent on a
  // transient failure, transientRetry keeps going until the containment deadline (I9).
  // A round of 4 attempts lasts ~7 s (longer when the provider says Retry-After), so a wait is visible soon.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 4 },
} as const;
/**
 * A replacement's mint and delivery (issueReplacement) hold their attempt by heartbeating (activities/index.ts):
 * a worker that dies stops the heartbeats and the attempt is retried after `heartbeatTimeout`, while a live
 * attempt slowed by load keeps its lease up to `startToCloseTimeout`. With the 20-second bound of the other
 * calls, an attempt that outlived it ran beside its own retry, which ended the first attempt's key as an
 * orphan while that attempt was delivering it.
 */
const REPLACEMENT_CALLS = { ...PROVIDER_CALLS, startToCloseTimeout: '2 minutes', heartbeatTimeout: '10 seconds' } as const;
/** The activities that take REPLACEMENT_CALLS' options. */
const LEASED: ReadonlySet<string> = new Set<keyof Activities>(['issueReplacement', 'issueReplacements']);
const acts = withLeased(proxyActivities<Activities>(PROVIDER_CALLS), proxyActivities<Activities>(REPLACEMENT_CALLS));

/** `plain`, but for the LEASED activities, which go through `leased` (the same queue, their own options). */
function withLeased(plain: ReturnType<typeof proxyActivities<Activities>>, leased: ReturnType<typeof proxyActivities<Activities>>): typeof plain {
  return new Proxy(plain, { get: (own, name: string) => (LEASED.has(name) ? leased : own)[name as keyof Activities] });
}

/**
 * The same activities, each routed by the table of provider calls (provider-calls.ts). Paced (the default,
 * and every mass child): a provider call goes to its provider's task queue (schemas/containment.ts
 * providerTaskQueue), where the Temporal server paces it for every worker and run together. A single direct
 * run: no queue hop, a provider call is a local activity or an activity on the run's own queue (dispatched
 * eagerly). Cordon's own steps stay on the run's own queue either way.
 */
function routedActivities(taskQueue: string, singleRun: boolean, mayBeLocal: (activity: string) => boolean): typeof acts {
  const byProvider = new Map<string, typeof acts>();
  const queueOf = (provider: string) => {
    let proxy = byProvider.get(provider);
    const queue = providerTaskQueue(taskQueue, provider);
    if (!proxy) byProvider.set(provider, (proxy = withLeased(proxyActivities<Activities>({ ...PROVIDER_CALLS, taskQueue: queue }), proxyActivities<Activities>({ ...REPLACEMENT_CALLS, taskQueue: queue }))));
    return proxy;
  };
  type Callable = Record<string, (...a: unknown[]) => Promise<unknown>>;
  return new Proxy(acts, {
    get: (own, name: string) => {
      return (input: unknown, ...rest: unknown[]) => {
        const call = providerCall(name);
        const target = !call ? own : singleRun ? (mayBeLocal(name) ? localCalls : own) : queueOf(call.provider(input));
        return (target as unknown as Callable)[name]!(input, ...rest);
      };
    },
  });
}

/** A single run's short provider calls (provider-calls.ts): no task queue, the provider's Retry-After still the next delay. */
const localCalls = proxyLocalActivities<Activities>(PROVIDER_CALLS);

/**
 * Recorded by a single direct run (no parent) that makes its provider calls without a queue hop; runs
 * recorded before it (and mass children) schedule them on the providers' queues. Never rename it.
 */
export const SINGLE_RUN_PATCH = 'cordon-single-run-unpaced';

/**
 * Recorded by a run that is not a single run, with more than one ref, that makes its provider calls of one
 * kind in one activity per provider, not one per ref or credential: identification (identifyScopes), the
 * revokes (revokeCredentials) and the first verification (verifyCredentials, which lists a principal's
 * credentials once for all of them). A mass containment's child with an owner's five keys so schedules three
 * tasks on the provider's queue where it scheduled fifteen. Runs recorded before it call one by one. Never rename it.
 */
export const BATCHED_CALLS_PATCH = 'cordon-batched-provider-calls';

/**
 * Recorded by a run whose parallel branches record their evidence by branch, once all have settled
 * (branches.ts settleBranches); runs recorded before it record as each branch completes. Never rename it.
 */
export const EVIDENCE_BY_BRANCH_PATCH = 'cordon-evidence-by-branch';

/**
 * Recorded by a single direct run without approval that leaves identification's details (owner, last use,
 * app name) for after the revoke (enrich.ts); runs recorded before it identify everything first. Never rename it.
 */
export const ENRICH_AFTER_REVOKE_PATCH = 'cordon-enrich-after-revoke';

/**
 * Recorded by a single direct run that revokes as an activity on its own queue (provider-calls.ts: a worker
 * killed between the provider applying a local-activity revoke and the task completing left the run unable
 * to recognise its own revoke), and makes the reads it runs beside a write on that queue too (`besideWrites`);
 * runs recorded before it revoke, and read beside writes, as local activities. Never rename it.
 */
export const REVOKE_ON_OWN_QUEUE_PATCH = 'cordon-single-run-revoke-on-own-queue';

// Pure computations in the worker (the plan): a local activity saves a trip through the task queue.
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 4 },
});

// Notifications (webhooks, Slack) are retried with backoff, but never decide the containment.
const notifier = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6 },
});

export type ApprovalResult = { result: 'approved' | 'rejected'; by: string[]; reason?: string } | { result: 'deadline' };

export interface Containment {
  readonly input: ContainmentInput;
  readonly workflowId: string;
  /** What queries and the result show: never a leaked value (I5). */
  readonly state: ContainmentStatus;
  /** Set by the plan step; every later step works from it. */
  plan?: Plan;
  /** Epoch ms when waiting approvals stop waiting (the staged deadline); set by the plan step when approvals are asked. */
  approvalDeadlineAt: number;
  /** Epoch ms past which a transient provider failure is final (I9). */
  readonly containDeadlineAt: number;
  /** Leaked values stay out of `state`: queries and results are shown to people (I5). */
  readonly leakedValueOf: Map<string, string>;
  /** Approval decisions by stage. */
  readonly decisions: Map<string, ApprovalResult>;
  /** Nonces of the envelopes this run accepted: a signed message counts once (schemas/envelope.ts). */
  readonly nonces: Set<string>;
  /**
   * One direct run on its own, not a mass containment's child (recorded with SINGLE_RUN_PATCH): its handful of
   * provider calls go unpaced, short reads as local activities (provider-calls.ts), and its path is its own.
   */
  readonly singleRun: boolean;
  /** Parallel branches record their evidence by branch (branches.ts settleBranches); false for runs recorded before. */
  readonly evidenceByBranch: boolean;
  /**
   * Identification leaves the details that decide neither I6 nor I8 for after the revoke (enrich.ts): a single
   * direct run that asks no approval, recorded with ENRICH_AFTER_REVOKE_PATCH.
   */
  readonly enrichAfterRevoke: boolean;
  /** Identify, the revokes and the first verification in one activity per provider (BATCHED_CALLS_PATCH): runs that are not single runs, with more than one ref. */
  readonly batchCalls: boolean;
  /** Why a credential's containment stopped on a permanent refusal (I9), by credential key. */
  readonly refusedBecause: Map<string, string>;
  /** Evidence records of messages refused or ignored: how many were kept, and how many past the bound were only counted (messages.ts). */
  readonly messageRecords: { kept: number; notRecorded: number };
  /** Provider calls. */
  readonly acts: typeof acts;
  /**
   * The same calls for a read made beside a write (the scope read beside a revoke, the details read after it
   * beside the replacements): never a local activity. A workflow task completes only once its local activities
   * are done, so a local read beside a write held the write's scheduling back for the length of the read.
   * The plan beside the revokes goes here too. `acts` itself for runs recorded before REVOKE_ON_OWN_QUEUE_PATCH.
   */
  readonly besideWrites: typeof acts;
  /** Whether `besideWrites` differs from `acts` (REVOKE_ON_OWN_QUEUE_PATCH); the plan beside the revokes is then no local activity. */
  readonly readsBesideWritesQueued: boolean;
  /** Computations without provider calls, as local activities (the fast path's plan in runs recorded before REVOKE_ON_OWN_QUEUE_PATCH). */
  readonly local: typeof local;
  /** Notifications and registry bookkeeping: never decide the containment. */
  readonly notifier: typeof notifier;
  /** Calls whose provider budget is per tenant (GitHub's credential revocation), on the paced queue. */
  readonly paced: typeof acts;
  /** A provider call retried through transient failures until the containment deadline (I9). */
  readonly untilDeadline: <T>(what: string, call: () => Promise<T>) => Promise<T>;
  now(): string;
  /** Appends a typed event to the evidence, chained to the one before (schemas/evidence-chain.ts). */
  record(event: EvidenceDraft): void;
  setStage(stage: string): void;
  progressOf(key: string): CredentialProgress;
  transition(key: string, to: CredentialState): void;
  notify(n: Omit<Notification, 'workflowId' | 'incidentId' | 'webhookUrl' | 'origin'>): Promise<void>;
}

const timeToRevoke = () => metricMeter.createHistogram('cordon_time_to_revoke', 'int', 'ms', 'From the start of a containment to a credential revoked');

export function openContainment(input: ContainmentInput): Containment {
  const { workflowId, taskQueue } = workflowInfo();
  // Runs recorded before provider task queues scheduled every call on their own queue.
  const paceByProvider = patched('provider-task-queues');
  // One credential's handful of calls need no pacing; a mass child's (it has a parent) do.
  const singleRun = paceByProvider && input.mode === 'direct' && !workflowInfo().parent && patched(SINGLE_RUN_PATCH);
  // Only a single run makes provider calls as local activities, whose completions move the workflow clock
  // differently live and on replay; other runs record as each branch completes, so their evidence (an
  // approval timing out while a wave waits) is visible while they run.
  const evidenceByBranch = singleRun && patched(EVIDENCE_BY_BRANCH_PATCH);
  const enrichAfterRevoke = evidenceByBranch && !input.policy.approval.requireForDirect && patched(ENRICH_AFTER_REVOKE_PATCH);
  const revokeOnOwnQueue = singleRun && patched(REVOKE_ON_OWN_QUEUE_PATCH);
  const batchCalls = paceByProvider && !singleRun && input.credentials.length > 1 && patched(BATCHED_CALLS_PATCH);
  const mayBeLocal = (activity: string) => providerCall(activity)?.singleRun === 'local' || (activity === 'revokeCredential' && !revokeOnOwnQueue);
  const providerCalls = paceByProvider ? routedActivities(taskQueue, singleRun, mayBeLocal) : acts;
  const besideWrites = revokeOnOwnQueue ? routedActivities(taskQueue, singleRun, () => false) : providerCalls;
  const paced = proxyActivities<Activities>({
    taskQueue: pacedTaskQueue(taskQueue),
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 4 },
  });
  const now = () => new Date(Date.now()).toISOString();
  const state: ContainmentStatus = {
    workflowId,
    incidentId: input.incidentId,
    mode: input.mode,
    stage: 'identify',
    outcome: 'running',
    startedAt: now(),
    scope: [],
    credentials: [],
    collateral: [],
    restrictions: [],
    pendingApprovals: [],
    evidence: [],
  };
  const containDeadlineAt = Date.now() + durationMs(input.policy.containDeadline);

  const record = (draft: EvidenceDraft) => {
    // A credential key starts with its provider: the event names it without the caller repeating it.
    const provider = draft.provider ?? (draft.credentialId ? Provider.safeParse(draft.credentialId.split(':')[0]).data : undefined);
    const e = chainEvent({ ...draft, ...(provider ? { provider } : {}) } as EvidenceDraft, { seq: state.evidence.length, at: now(), prev: state.evidenceDigest ?? GENESIS_HASH });
    state.evidence.push(e);
    state.evidenceDigest = e.hash;
  };
  const progressOf = (key: string): CredentialProgress => state.credentials.find((c) => c.credentialId === key)!;
  const notify: Containment['notify'] = async (n) => {
    try {
      await notifier.notify({ ...n, workflowId, incidentId: input.incidentId, ...(input.webhookUrl ? { webhookUrl: input.webhookUrl } : {}), ...(input.origin ? { origin: input.origin } : {}) });
    } catch (err) {
      record({ kind: 'notification_failed', actor: 'cordon', notification: n.kind, reason: failureMessage(err) });
    }
  };
  const untilDeadline = transientRetry({
    deadlineAt: () => containDeadlineAt,
    escalateEveryMs: durationMs(input.policy.escalateRetriesAfter),
    describe: (err) => `${failureType(err) ?? 'error'}: ${failureMessage(err)}`,
    onWaiting: (w) => {
      if (w) state.waitingOn = { ...w };
      else delete state.waitingOn;
    },
    onEscalate: async (w) => {
      record({ kind: 'waiting_escalated', actor: 'cordon', what: w.what, since: w.since, attempts: w.attempts, lastError: w.lastError });
      await notify({ kind: 'escalation', stage: `provider:${w.what}`.slice(0, 128), summary: `Still waiting on ${w.what} since ${w.since}: ${w.lastError}. Cordon keeps retrying until ${new Date(containDeadlineAt).toISOString()}.` });
    },
  });

  return {
    input,
    workflowId,
    state,
    approvalDeadlineAt: Number.POSITIVE_INFINITY,
    containDeadlineAt,
    leakedValueOf: new Map(),
    decisions: new Map(),
    nonces: new Set(),
    singleRun,
    evidenceByBranch,
    enrichAfterRevoke,
    batchCalls,
    refusedBecause: new Map(),
    messageRecords: { kept: 0, notRecorded: 0 },
    acts: providerCalls,
    besideWrites,
    readsBesideWritesQueued: revokeOnOwnQueue,
    local,
    notifier,
    paced,
    untilDeadline,
    now,
    record,
    setStage: (stage) => {
      state.stage = stage;
      upsertSearchAttributes([{ key: STAGE, value: stage }]);
    },
    progressOf,
    transition: (key, to) => {
      const p = progressOf(key);
      p.state = to;
      p.transitions.push({ state: to, at: now() });
      // Metrics (worker/metrics.ts) are not emitted while a history replays.
      if (to === 'revoked') timeToRevoke().record(Date.now() - workflowInfo().startTime.getTime(), { provider: p.provider, mode: input.mode });
    },
    notify,
  };
}

/** The plan, for steps that run only once it is made. */
export function planOf(run: Containment): Plan {
  if (!run.plan) throw new Error('no plan yet: the plan step runs before this one');
  return run.plan;
}

/**
 * `run` whose provider calls all go through `besideWrites` (no local activity): for a branch that runs beside
 * another whose calls are scheduled activities, so neither holds the other's calls back. For runs recorded
 * before REVOKE_ON_OWN_QUEUE_PATCH `besideWrites` is `acts`, and this changes nothing.
 */
export function withReadsQueued(run: Containment): Containment {
  return withMember(run, 'acts', run.besideWrites);
}

/** `run` with one member replaced; everything else, reads and writes, is the run's own. */
export function withMember<K extends keyof Containment>(run: Containment, member: K, value: Containment[K]): Containment {
  return new Proxy(run, {
    get: (target, name) => (name === member ? value : Reflect.get(target, name, target)),
    set: (target, name, value) => Reflect.set(target, name, value, target),
  });
}
