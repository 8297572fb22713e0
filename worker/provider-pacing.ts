// Pacing provider calls through Temporal (docs/architecture.md, "Mass containment"). Every provider call
// runs on its provider's task queue (schemas/containment.ts providerTaskQueue), whose rate the Temporal
// server enforces for every worker and every run together: `maxTaskQueueActivitiesPerSecond`, the
// provider's budget (CORDON_PROVIDER_RATES). When the provider still answers 429 (a secondary limit, a
// budget shared with another client), the failing activity slows the *queue*, not only its own retry:
// it sets the queue's server-side rate limit (UpdateTaskQueueConfig, which overrides the workers') to
// one call per Retry-After, with the time it ends in the reason. The same process resets it when the
// Retry-After has passed; every worker process also sweeps its provider queues, so a throttle whose
// setter died is still lifted.
import { ApplicationFailure } from '@temporalio/common';
import type { Connection } from '@temporalio/client';
import { msToNumber } from '@temporalio/common/lib/time.js';
import proto from '@temporalio/proto';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, Next } from '@temporalio/worker';
import type { Context } from '@temporalio/activity';
import { FAILURE_TYPES } from '../schemas/failure-types.ts';

const REASON_PREFIX = 'cordon: provider rate-limited until ';
const ACTIVITY_QUEUE = proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY;

/**
 * Calls per second each provider's queue admits, for every worker together: the documented budgets of
 * the calls containment makes. Google Directory: 2,400 queries/minute/user (40/s). GitHub App
 * installation: 5,000 requests/hour (1.39/s). Salesforce: no per-second limit, a daily one (100,000 a
 * day is about 1.16/s) and 25 long requests at once. Slack: Tier 3 methods, 50+/minute (0.83/s).
 */
export const DOCUMENTED_PROVIDER_RATES: Readonly<Record<string, number>> = { google: 40, github: 1.39, salesforce: 1.16, slack: 0.83 };

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

export interface QueueThrottle {
  /** Slows `taskQueue` to one call per `retryAfterMs` until it has passed (a later end extends it). */
  slow(taskQueue: string, retryAfterMs: number): Promise<void>;
  /** Lifts every throttle of these queues whose end has passed; returns the queues lifted. */
  sweep(taskQueues: readonly string[]): Promise<string[]>;
}

/**
 * `connection` is a client Connection (the task-queue config calls are not among those a worker's
 * NativeConnection carries), opened on first use.
 */
export function queueThrottle(connection: () => Promise<Connection>, namespace: string, onError: (err: unknown) => void = () => {}): QueueThrottle {
  const service = async () => (await connection()).workflowService;
  const lift = async (taskQueue: string) =>
    (await service()).updateTaskQueueConfig({ namespace, taskQueue, taskQueueType: ACTIVITY_QUEUE, identity: 'cordon-provider-pacing', updateQueueRateLimit: { reason: 'cordon: throttle ended' } });
  const endsAt = async (taskQueue: string) => {
    const d = await (await service()).describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType: ACTIVITY_QUEUE, reportConfig: true });
    return throttleEndsAt(d.config?.queueRateLimit?.metadata?.reason);
  };
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
      await (await service()).updateTaskQueueConfig({
        namespace,
        taskQueue,
        taskQueueType: ACTIVITY_QUEUE,
        identity: 'cordon-provider-pacing',
        updateQueueRateLimit: { rateLimit: { requestsPerSecond: Math.min(1, 1000 / Math.max(retryAfterMs, 1)) }, reason: `${REASON_PREFIX}${new Date(until).toISOString()}` },
      });
      setTimeout(() => void sweep([taskQueue]).catch(onError), retryAfterMs + 50).unref();
    },
    sweep,
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
