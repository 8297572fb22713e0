// Pacing provider calls through Temporal (docs/architecture.md, "Mass containment"). Every provider call
// runs on its provider's task queue (schemas/containment.ts providerTaskQueue), whose rate the Temporal
// server enforces for every worker and every run together. Budgets are in calls (CORDON_PROVIDER_RATES),
// the server paces activities, and one activity makes one call or twenty (a listing that pages, a token
// refresh, a retry): each worker counts the calls each activity on a provider queue makes (every HTTP
// request in the activity's async context, through Node's diagnostics channels) and sets the queue's
// server-side rate (UpdateTaskQueueConfig, which overrides the workers') to the budget divided by the
// calls per activity it has seen lately. When the provider still answers 429 (a secondary limit, a
// budget shared with another client), the failing activity slows the *queue*, not only its own retry:
// it sets the queue's rate to one call per Retry-After, with the time it ends in the reason. The same
// process puts the paced rate back when the Retry-After has passed; every worker process also sweeps its
// provider queues, so a throttle whose setter died is still lifted. Within one process a call gate smooths what
// the server's pace cannot see coming: an activity that makes forty calls (a batch of an owner's grants) lands
// them at once, and the next activities wait in the process until its calls are paid for (CallGate); with
// several worker processes on a queue, each gate holds its process to its part of the budget.
import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
import { ApplicationFailure } from '@temporalio/common';
import type { Connection } from '@temporalio/client';
import { msToNumber } from '@temporalio/common/lib/time.js';
import proto from '@temporalio/proto';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, Next } from '@temporalio/worker';
import type { Context } from '@temporalio/activity';
import { FAILURE_TYPES } from '../schemas/failure-types.ts';

const REASON_PREFIX = 'cordon: provider rate-limited until ';
export const PACE_PREFIX = 'cordon: paced at ';
const ACTIVITY_QUEUE = proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY;

/**
 * Calls per second each provider's queue admits, for every worker together: the documented budgets of
 * the calls containment makes. Google Directory: 2,400 queries/minute/user (40/s). GitHub App
 * installation: 5,000 requests/hour (1.39/s). Salesforce: no per-second limit, a daily one (100,000 a
 * day is about 1.16/s) and 25 long requests at once. Slack: Tier 3 methods, 50+/minute (0.83/s).
 */
export const DOCUMENTED_PROVIDER_RATES: Readonly<Record<string, number>> = { google: 40, github: 1.39, salesforce: 1.16, slack: 0.83 };

/**
 * Calls one activity on a provider's queue makes, assumed until this worker has seen its own: a worker
 * starts its provider queues at the budget divided by these, and re-paces within seconds from what it
 * counts. Measured on the local tenant (`npm run bench:mass`, calibration, unpaced).
 */
export const ASSUMED_CALLS_PER_ACTIVITY: Readonly<Record<string, number>> = { google: 1.9, github: 1.3, salesforce: 2.5, slack: 3.5 };
const DEFAULT_CALLS_PER_ACTIVITY = 2;

/**
 * The share of its budget a provider's queue is paced at. Salesforce and Google answer a spent budget
 * without saying when to come back (Salesforce 403 REQUEST_LIMIT_EXCEEDED, Google 403 rateLimitExceeded,
 * neither with a Retry-After), so an overshoot costs a blind backoff of the whole queue; and their
 * activities are the burstiest (a Salesforce identify pages through a user's sessions and grants at
 * once). Their queues keep a quarter of the budget free (measured at 2,000 refs: at 85 % Salesforce
 * still drew 92 rate-limit answers, at 75 % 42). Slack and GitHub say when (Retry-After,
 * x-ratelimit-reset): an overshoot costs only the rest of a window already spent. GitHub's runs at the
 * budget. Slack's keeps a twentieth free: a queue paced at the whole budget with a second of burst
 * overshoots a window by that second (a tenth of the scaled bench's 10-second windows, under 2 % of Slack's
 * minute: tuned on the bench, more than a real workspace needs), and each 429 slows the whole
 * queue until the window's end (4,000 refs at 16×: 181 Slack 429s and 14 windows under 80 % at the whole
 * budget; 14 and 6 at 95 %, the same throughput, 91 % against 92 % of the bound, one run each).
 */
export const PACE_SHARE: Readonly<Record<string, number>> = { salesforce: 0.75, google: 0.75, slack: 0.95 };
const shareOf = (provider: string) => PACE_SHARE[provider] ?? 1;

/** The activities per second a worker starts a provider's queue at: its paced share of the call budget over the calls one activity is assumed to make. */
export const initialActivityRate = (provider: string, callsPerSecond: number) => (callsPerSecond * shareOf(provider)) / (ASSUMED_CALLS_PER_ACTIVITY[provider] ?? DEFAULT_CALLS_PER_ACTIVITY);

/**
 * The channel an in-process provider (the reference memory tenant) publishes each call on, as Node's
 * HTTP clients do on theirs (`undici:request:create` for fetch, `http.client.request.start` for
 * node:http), so its calls are counted like a remote provider's.
 */
export const PROVIDER_CALL_CHANNEL = 'cordon:provider-call';

const counting = new AsyncLocalStorage<{ calls: number; open: boolean }>();
let listening = false;
function listen(): void {
  if (listening) return;
  listening = true;
  const count = () => {
    const s = counting.getStore();
    if (s?.open) s.calls += 1;
  };
  for (const name of ['undici:request:create', 'http.client.request.start', PROVIDER_CALL_CHANNEL]) diagnostics.subscribe(name, count);
}

/** Runs `fn` and reports the provider calls it made (every HTTP request in its async context), and what it threw if it did. */
export async function countingCalls<T>(fn: () => Promise<T>, report: (calls: number, failure?: unknown) => void): Promise<T> {
  listen();
  const store = { calls: 0, open: true };
  let failure: unknown;
  try {
    return await counting.run(store, fn);
  } catch (err) {
    failure = err ?? new Error('thrown');
    throw err;
  } finally {
    store.open = false; // a timer the activity left behind no longer counts
    report(store.calls, failure);
  }
}

/**
 * Calls per activity lately on one queue: each reading keeps three quarters of the weight of what came
 * before (about 20 seconds of memory at one reading every 5), so a change of workload (identifies giving
 * way to revokes) shows within a few readings, while one queue's mix of activities (a Salesforce identify
 * makes five calls, a revoke one) does not swing the pace from one reading to the next.
 */
export class CallsPerActivity {
  #calls = 0;
  #activities = 0;
  readonly #last: number[] = [];
  record(calls: number): void {
    this.#calls += calls;
    this.#activities += 1;
    this.#last.push(calls);
    if (this.#last.length > RECENT_ACTIVITIES) this.#last.shift();
  }
  /** The most calls one of the last 32 activities made (undefined before the first): what the call gate charges up front. */
  most(): number | undefined {
    return this.#last.length ? Math.max(...this.#last) : undefined;
  }
  /** The current figure (undefined until `least` activities weigh in), then weighs the past down to three quarters. */
  read(least = 3): number | undefined {
    const out = this.#activities >= least ? this.#calls / this.#activities : undefined;
    if (out !== undefined) {
      this.#calls *= PAST_WEIGHT;
      this.#activities *= PAST_WEIGHT;
    }
    return out;
  }
}
const PAST_WEIGHT = 0.75;
const RECENT_ACTIVITIES = 32;

/**
 * The longest an activity waits at its process's call gate. An activity that would wait longer is refused
 * (CallGate.admit) and retried by the server once the calls before it are paid for: a wait must stay well
 * inside a provider call's 20-second start-to-close timeout and a replacement's 10-second heartbeat timeout.
 */
export const GATE_MAX_WAIT_MS = 5_000;
/** The least a refused activity is retried after: a refusal while only charges in flight are owed. */
const MIN_RETRY_MS = 1_000;

/** A gate's answer: admitted (after `waitedMs`; `settle` with the calls the activity made), or refused for `retryInMs`. */
export type GateTurn = { admitted: true; waitedMs: number; settle: (calls: number) => void } | { admitted: false; retryInMs: number };

/**
 * One process's calls to one provider, held to its paced budget: a token bucket that may go into debt. The
 * server admits a provider queue's activities at the budget over the calls an activity has made lately, but
 * one activity may make thirty-five calls (a batch of a user's grants, each read in full) where the figure
 * says two: the first mass children of a run each identified seven grants, the queue started at the assumed
 * figure, and 562 Salesforce calls landed in a 10-second window of 324 before the next re-pacing. An activity
 * is admitted once the bucket is out of debt, charged up front the most calls an activity made lately (so that
 * activities admitted side by side cannot overspend it), and settled with the calls it made; the next waits
 * until those are paid for, or until one in flight gives back what it was charged over its calls. One that
 * would wait longer than `maxWaitMs` for calls already made is refused with the time that debt takes to pay
 * (an up-front charge still in flight makes it wait, not refused at once): the caller fails the attempt as
 * rate-limited, before any call, and the server retries it then, so no call reaches the provider ahead of the
 * budget and no slot is held meanwhile. The queue is not throttled for it: the refusal says this process is
 * ahead, not that the provider refused, and the next re-pacing slows the queue to what activities make. In
 * admission order. Per process: several worker processes each hold their own calls to their part of the paced
 * budget (the budget over the processes polling the queue, providerPacer), and the server's pace holds them
 * all to it together.
 */
export class CallGate {
  #tokens: number;
  #at: number;
  #turn: Promise<unknown> = Promise.resolve();
  #rate: number;
  #burst: number;
  /** `callsPerSecond`: the refill; `burst`: what the bucket holds when full (at least one call). */
  constructor(
    callsPerSecond: number,
    burst: number,
    private readonly clock: { now(): number; sleep(ms: number): Promise<void> } = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
  ) {
    this.#rate = callsPerSecond;
    this.#burst = burst;
    this.#tokens = burst;
    this.#at = clock.now();
  }

  /** The refill, in calls per second. */
  get callsPerSecond(): number {
    return this.#rate;
  }

  /** What the bucket holds when full. */
  get burst(): number {
    return this.#burst;
  }

  /**
   * A new refill and burst (this process's share of the budget changed): the time since the last look is paid
   * at the old rate first, and a bucket fuller than the new burst is cut down to it. A debt stays owed.
   */
  setRate(callsPerSecond: number, burst: number): void {
    this.#refill();
    this.#rate = callsPerSecond;
    this.#burst = burst;
    this.#tokens = Math.min(this.#tokens, burst);
  }

  /** Tokens now (negative: calls made that the refill has not paid for yet). */
  get tokens(): number {
    return this.#refill();
  }

  /** Adds what the refill has paid since the last look, up to the burst; the tokens now. */
  #refill(): number {
    const now = this.clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) / 1000) * this.#rate);
    this.#at = now;
    return this.#tokens;
  }

  /** Wakes the activity waiting its turn when a settlement gives calls back (an up-front charge over what was made). */
  #wake: (() => void) | undefined;
  /** The up-front charges of the activities admitted and not yet settled. */
  #inFlight = 0;
  #payMs(calls: number): number {
    return Math.ceil((Math.max(0, calls) / this.#rate) * 1000);
  }

  /** Waits for this activity's turn, then admits it charging `expected` calls, or refuses it when the debt outlasts `maxWaitMs` from the call. */
  async admit(expected: number, maxWaitMs = GATE_MAX_WAIT_MS): Promise<GateTurn> {
    const from = this.clock.now();
    const turn = this.#turn.then(async (): Promise<GateTurn> => {
      for (;;) {
        const tokens = this.#refill();
        if (tokens >= 0) break;
        // What is owed for calls made, apart from the up-front charges of activities still in flight (those
        // come back, in part, as they settle): only that debt refuses an activity outright.
        const madeMs = this.#payMs(-(tokens + this.#inFlight));
        const left = maxWaitMs - (this.clock.now() - from);
        if (madeMs > left || left <= 0) return { admitted: false, retryInMs: Math.max(madeMs, MIN_RETRY_MS) };
        // Until the debt is paid, or an activity in flight settles for less than it was charged.
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          void this.clock.sleep(Math.min(this.#payMs(-tokens), left)).then(resolve);
        });
        this.#wake = undefined;
      }
      this.#tokens -= expected;
      this.#inFlight += expected;
      let settled = false;
      return {
        admitted: true,
        waitedMs: this.clock.now() - from,
        settle: (calls) => {
          if (settled) return;
          settled = true;
          this.#refill();
          this.#tokens -= calls - expected;
          this.#inFlight -= expected;
          if (calls < expected) this.#wake?.();
        },
      };
    });
    this.#turn = turn;
    return turn;
  }
}

/** One second of calls as a gate's burst (at least one call). */
const burstOf = (callsPerSecond: number) => Math.max(callsPerSecond, 1);

/** The gate of a provider paced at `callsPerSecond` (its share of the budget): one second of calls as the burst. */
export const callGateFor = (callsPerSecond: number) => new CallGate(callsPerSecond, burstOf(callsPerSecond));

/** How long after its last poll a poller still counts as a process sharing a queue: past a long poll (about a minute) with margin. */
export const POLLER_FRESH_MS = 90_000;

/**
 * The worker processes polling a queue: the distinct identities among its pollers (a worker's identity is
 * its process's, `pid@host`, for every queue it polls) seen within `freshMs` of `now`.
 */
export function processesPolling(pollers: readonly { identity?: string | null; lastAccessTime?: { seconds?: unknown; nanos?: number | null } | null }[], now: number, freshMs = POLLER_FRESH_MS): number {
  const seen = new Set<string>();
  for (const p of pollers) {
    const seconds = Number(p.lastAccessTime?.seconds ?? 0);
    const at = seconds * 1000 + Math.floor((p.lastAccessTime?.nanos ?? 0) / 1e6);
    if (p.identity && now - at <= freshMs) seen.add(p.identity);
  }
  return seen.size;
}

/**
 * The activity rate that spends `callsPerSecond` when activities make `callsPerActivity` calls each
 * (an activity that made none counts as a tenth of a call, so the rate stays finite).
 */
export const pacedActivityRate = (callsPerSecond: number, callsPerActivity: number) => callsPerSecond / Math.max(callsPerActivity, 0.1);

/** Whether a new rate differs enough from the one set to be worth telling the server (5 %). */
export const worthRepacing = (current: number | undefined, next: number) => current === undefined || Math.abs(next - current) > 0.05 * current;

/** `github=1.39,google=40`: per-provider calls per second (CORDON_PROVIDER_RATES); `none` leaves a provider unpaced. */
export function parseProviderRates(text: string): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [provider, value] = part.split('=').map((x) => x.trim());
    const n = Number(value);
    if (!provider || !value || (value !== 'none' && !(n > 0))) throw new Error(`CORDON_PROVIDER_RATES: "${part}" must be provider=<calls per second above 0> or provider=none`);
    out[provider] = value === 'none' ? undefined : n;
  }
  return out;
}

/** When a queue's throttle ends, from the reason it was set with; undefined when the limit is not Cordon's throttle. */
export function throttleEndsAt(reason: string | null | undefined): number | undefined {
  if (!reason?.startsWith(REASON_PREFIX)) return undefined;
  const at = Date.parse(reason.slice(REASON_PREFIX.length));
  return Number.isNaN(at) ? undefined : at;
}

/** A provider queue as the server describes it (QueueThrottle.read). */
export interface QueueReading {
  processes: number;
  limit?: { rateLimit?: { requestsPerSecond?: number | null } | null; metadata?: { reason?: string | null } | null } | null;
}

export interface QueueThrottle {
  /** Slows `taskQueue` to one call per `retryAfterMs` until it has passed (a later end extends it). */
  slow(taskQueue: string, retryAfterMs: number): Promise<void>;
  /** Lifts every throttle of these queues whose end has passed; returns the queues lifted. */
  sweep(taskQueues: readonly string[]): Promise<string[]>;
  /** What the server says of `taskQueue` in one read: the worker processes polling it lately (processesPolling) and its rate limit as set now. */
  read(taskQueue: string): Promise<QueueReading>;
  /**
   * Sets `taskQueue`'s server-side rate to `activitiesPerSecond` (`why` goes in the reason), now unless a
   * throttle holds it (then when the throttle is lifted) or a pace within 5 % of it is in place; true when set now.
   * `read`: the queue as just read (its `limit`), instead of reading it again.
   */
  pace(taskQueue: string, activitiesPerSecond: number, why: string, read?: QueueReading): Promise<boolean>;
  /** Clears a pace an earlier worker left on these queues (the workers' own rates apply again until re-paced); throttles stay. */
  clearPaces(taskQueues: readonly string[]): Promise<void>;
}

/**
 * `connection` is a client Connection (the task-queue config calls are not among those a worker's
 * NativeConnection carries), opened on first use.
 */
export function queueThrottle(connection: () => Promise<Connection>, namespace: string, onError: (err: unknown) => void = () => {}): QueueThrottle {
  const service = async () => (await connection()).workflowService;
  /** This process's paced rate per queue, put back when a throttle ends. */
  const paced = new Map<string, { rate: number; reason: string }>();
  const setRate = async (taskQueue: string, rate: number | undefined, reason: string) =>
    (await service()).updateTaskQueueConfig({
      namespace,
      taskQueue,
      taskQueueType: ACTIVITY_QUEUE,
      identity: 'cordon-provider-pacing',
      updateQueueRateLimit: { ...(rate !== undefined ? { rateLimit: { requestsPerSecond: rate } } : {}), reason },
    });
  const lift = async (taskQueue: string) => {
    const p = paced.get(taskQueue);
    await setRate(taskQueue, p?.rate, p?.reason ?? 'cordon: throttle ended');
  };
  /** The queue's server-side rate limit as set now (rate and reason). */
  const limitOf = async (taskQueue: string) =>
    (await (await service()).describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType: ACTIVITY_QUEUE, reportConfig: true })).config?.queueRateLimit;
  const reasonOf = async (taskQueue: string) => (await limitOf(taskQueue))?.metadata?.reason;
  const endsAt = async (taskQueue: string) => throttleEndsAt(await reasonOf(taskQueue));
  const sweep: QueueThrottle['sweep'] = async (taskQueues) => {
    const lifted: string[] = [];
    for (const q of taskQueues) {
      const end = await endsAt(q);
      if (end !== undefined && end <= Date.now()) {
        await lift(q);
        lifted.push(q);
      }
    }
    return lifted;
  };
  return {
    async slow(taskQueue, retryAfterMs) {
      const until = Date.now() + retryAfterMs;
      const current = await endsAt(taskQueue);
      if (current !== undefined && current >= until) return;
      await setRate(taskQueue, Math.min(1, 1000 / Math.max(retryAfterMs, 1)), `${REASON_PREFIX}${new Date(until).toISOString()}`);
      setTimeout(() => void sweep([taskQueue]).catch(onError), retryAfterMs + 50).unref();
    },
    sweep,
    async read(taskQueue) {
      const described = await (await service()).describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType: ACTIVITY_QUEUE, reportConfig: true });
      return { processes: processesPolling(described.pollers ?? [], Date.now()), limit: described.config?.queueRateLimit };
    },
    async pace(taskQueue, activitiesPerSecond, why, read) {
      const p = { rate: activitiesPerSecond, reason: `${PACE_PREFIX}${why}` };
      paced.set(taskQueue, p);
      const current = read ? read.limit : await limitOf(taskQueue);
      const end = throttleEndsAt(current?.metadata?.reason);
      if (end !== undefined && end > Date.now()) return false; // the throttle's lift puts it in place
      // Another worker's pace within 5 % stands (no two workers rewrite each other's every few seconds).
      if (current?.metadata?.reason?.startsWith(PACE_PREFIX) && !worthRepacing(current.rateLimit?.requestsPerSecond ?? undefined, p.rate)) return false;
      await setRate(taskQueue, p.rate, p.reason);
      return true;
    },
    async clearPaces(taskQueues) {
      for (const q of taskQueues) if ((await reasonOf(q))?.startsWith(PACE_PREFIX)) await setRate(q, undefined, 'cordon: pace cleared at worker start');
    },
  };
}

/**
 * The activity interceptor of a provider queue's worker: a rate-limited failure (a provider's 429 or
 * secondary limit, with its Retry-After as the next retry's delay) slows the whole queue. `queueOf` names
 * the provider queue to slow: by default the one the activity ran on; on the run's own queue (a single
 * run's provider calls, local or eager) the provider's queue of that call, or none for Cordon's own steps.
 */
export function providerThrottleInterceptor(
  throttle: QueueThrottle,
  onError: (err: unknown) => void,
  queueOf: (ctx: Context, input: ActivityExecuteInput) => string | undefined = (ctx) => ctx.info.taskQueue,
): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: new (class implements ActivityInboundCallsInterceptor {
      async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
        try {
          return await next(input);
        } catch (err) {
          const queue = err instanceof ApplicationFailure && err.type === FAILURE_TYPES.rate_limited && err.nextRetryDelay != null ? queueOf(ctx, input) : undefined;
          if (queue) {
            // Not awaited: the call's own retry waits its Retry-After anyway; the queue's other calls slow as soon as the server has it.
            void throttle.slow(queue, msToNumber((err as ApplicationFailure).nextRetryDelay!)).catch(onError);
          }
          throw err;
        }
      }
    })(),
  });
}

/** Re-paces each provider's queue from the calls its activities make (module comment). */
export interface ProviderPacer {
  /** The activity interceptor of a provider queue's worker: admits each activity through the provider's call gate (CallGate) and counts the calls it makes. */
  interceptor(provider: string): ActivityInterceptorsFactory;
  /** Sets each paced queue's rate from the calls per activity seen lately, where the queue's differs by more than 5 %; returns the rates set. */
  tick(): Promise<Record<string, number>>;
}

/** `queues`: each provider's task queue; `callsPerSecond`: its budget in calls (undefined = unpaced). */
export function providerPacer(
  throttle: QueueThrottle,
  queues: Readonly<Record<string, string>>,
  callsPerSecond: Readonly<Record<string, number | undefined>>,
  options: { gate?: (callsPerSecond: number) => CallGate } = {},
): ProviderPacer {
  const seen = new Map<string, CallsPerActivity>();
  const gates = new Map<string, CallGate>();
  const gateOf = (provider: string) => {
    const budget = callsPerSecond[provider];
    if (budget === undefined) return undefined;
    let gate = gates.get(provider);
    if (!gate) gates.set(provider, (gate = (options.gate ?? callGateFor)(budget * shareOf(provider))));
    return gate;
  };
  /**
   * Each process's gate holds its calls to its part of the paced budget: the budget over the processes polling
   * the provider's queue. With the whole budget each, two processes ready at once passed twice the budget into
   * one window (the server's pace holds their sum only on average); the server hands each about half the queue's
   * activities, so half the calls each is what they make. Read at every re-pacing; at least one. A read that
   * failed keeps the share as it was (the re-pacing goes on).
   */
  const shareGate = (provider: string, budget: number, read: QueueReading | undefined) => {
    const gate = gates.get(provider);
    if (!gate || !read) return;
    const processes = Math.max(1, read.processes);
    const rate = (budget * shareOf(provider)) / processes;
    if (gate.callsPerSecond !== rate) gate.setRate(rate, burstOf(rate));
  };
  return {
    interceptor(provider) {
      const calls = seen.get(provider) ?? new CallsPerActivity();
      seen.set(provider, calls);
      const gate = gateOf(provider);
      return (ctx: Context) => ({
        inbound: {
          execute: async (input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) => {
            // Charged up front as the most calls an activity made lately (a whole second of the budget before any is seen),
            // settled with its own: activities admitted side by side spend at most the bucket and one activity's charge.
            const turn = gate ? await gate.admit(calls.most() ?? gate.burst) : undefined;
            if (turn && !turn.admitted) {
              // Thrown before any call, and retried by the server then. Outside providerThrottleInterceptor: the queue is not throttled for it.
              throw ApplicationFailure.create({
                type: FAILURE_TYPES.rate_limited,
                message: `${provider}: this worker's calls are ${Math.ceil(turn.retryInMs / 1000)} s ahead of the paced budget (${Math.round(gate!.callsPerSecond * 100) / 100} calls/s); retried when they are paid for, no call made`,
                nextRetryDelay: turn.retryInMs,
              });
            }
            if (turn?.waitedMs) ctx.metricMeter?.createHistogram('cordon_provider_gate_wait', 'int', 'ms', 'Time an activity waited at its process’s call gate for the calls before it').record(turn.waitedMs, { provider });
            return countingCalls(() => next(input), (n, failure) => {
              turn?.settle(n);
              // An attempt a rate limit cut short made fewer calls than its activity needs: it would pull the figure down, and the pace up into more 429s.
              if (!(failure instanceof ApplicationFailure && failure.type === FAILURE_TYPES.rate_limited)) calls.record(n);
            });
          },
        },
      });
    },
    async tick() {
      const out: Record<string, number> = {};
      for (const [provider, budget] of Object.entries(callsPerSecond)) {
        const queue = queues[provider];
        if (budget === undefined || !queue) continue;
        const perActivity = seen.get(provider)?.read();
        if (perActivity === undefined && !gates.has(provider)) continue;
        // One describe a tick for both the share and the pace; pace() reads again only if this one failed.
        const read = await throttle.read(queue).catch(() => undefined);
        shareGate(provider, budget, read);
        if (perActivity === undefined) continue;
        const share = shareOf(provider);
        const rate = pacedActivityRate(budget * share, perActivity);
        const of = share === 1 ? `${budget} calls/s` : `${Math.round(share * 100)} % of ${budget} calls/s`;
        if (await throttle.pace(queue, rate, `${of} over ${Math.round(perActivity * 100) / 100} calls per activity`, read)) out[provider] = rate;
      }
      return out;
    },
  };
}
