// Building Cordon's worker: the containment workflows plus the activities wired to the configured
// connectors and credential sink, with the payload codec on every payload. A second worker serves the
// paced task queue: calls whose provider limit holds per tenant, not per process (GitHub's credential
// revocation: 60 requests an hour), are rate-limited by the Temporal server across every worker. A third
// serves the coordination queue: the replacement registry's workflow, apart from the containments' backlog.
// One more per configured provider serves its provider task queue, paced by the server at the provider's
// budget and slowed further on a 429 (worker/provider-pacing.ts).
import { Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createActivities, type ActivityDeps } from '../activities/index.ts';
import { createSweepActivities } from '../activities/sweep.ts';
import { createEvidenceActivities } from '../activities/deliver-evidence.ts';
import { createWatchActivities, type WatchActivityDeps } from '../activities/watch.ts';
import { createRotationActivities } from '../activities/rotation.ts';
import { watchTaskQueue } from '../schemas/watch.ts';
import { BUNDLE_CONVERTER_PATHS, cordonDataConverter, type CodecKeys } from '../codec/encryption-codec.ts';
import type { EnvelopeKeys } from '../codec/decision-envelope.ts';
import { PROVIDERS } from '../schemas/credential.ts';
import { coordinationTaskQueue, pacedTaskQueue, providerTaskQueue } from '../schemas/containment.ts';
import type { TemporalTarget } from '../temporal-config/connection.ts';
import { readEnv } from '../schemas/config.ts';
import { activityMetrics } from './metrics.ts';
import { initialActivityRate, parseProviderRates, providerPacer, providerThrottleInterceptor, queueThrottle } from './provider-pacing.ts';
import { createLogger } from '../logging/logger.ts';
import { PROVIDER_CALLS, providerCall } from '../workflows/containment/provider-calls.ts';
import { tracingPlugins } from '../temporal-config/tracing.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** Evaluated once per worker thread and shared by every run, not once per run (workflows/shared-modules.ts); every bundle of WORKFLOWS_PATH takes it. */
export const WORKFLOW_PRELOAD_MODULES = [fileURLToPath(new URL('../workflows/shared-modules.ts', import.meta.url))];

/**
 * The workflow bundle every Cordon worker runs, built at start or handed over prebuilt
 * (CORDON_WORKFLOW_BUNDLE): the shared modules preloaded and the codec's converters in. A bundle built
 * without the preload evaluates every module once per run, not once per worker thread (the sequential
 * benchmark's did, at about a quarter of its workflow-thread CPU).
 *
 * Its inline source map is replaced by an empty one. The SDK requires one, but nothing reads it any more:
 * the sandbox formats stack traces itself, unmapped (workflows/stack-traces.ts), and the 2.4 MB map was
 * parsed again by every workflow thread of every worker (the SDK's SourceMapConsumer, and Node's own
 * source-map cache under tsx).
 */
export async function bundleCordonWorkflows(options: { tracing?: boolean } = {}): Promise<string> {
  const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };
  // The tracing plugin adds its workflow interceptors only to a bundle it builds itself: a prebuilt one must hold them.
  const interceptors = options.tracing ? { workflowInterceptorModules: [createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')] } : {};
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, preloadModules: WORKFLOW_PRELOAD_MODULES, ...BUNDLE_CONVERTER_PATHS, ...interceptors, logger: quiet as never });
  return withEmptySourceMap(code);
}

/** `code` with its inline source map (the SDK's bundler writes one at the end) replaced by an empty map. */
export function withEmptySourceMap(code: string): string {
  const at = code.lastIndexOf('//# sourceMappingURL=data:');
  if (at < 0) throw new Error('the workflow bundle has no inline source map where the SDK writes one: check the @temporalio/worker upgrade');
  const empty = Buffer.from(JSON.stringify({ version: 3, file: 'workflow-bundle.js', sources: [], names: [], mappings: '' })).toString('base64');
  return `${code.slice(0, at)}//# sourceMappingURL=data:application/json;base64,${empty}\n`;
}

/** Workflow runs one worker keeps cached unless CORDON_WORKER_CACHE_SIZE says (README, "Pacing and tuning"). */
export const DEFAULT_CACHED_WORKFLOWS = 120;
/** How often a worker re-paces its provider queues from the calls per activity it has counted. */
const REPACE_EVERY_MS = 5_000;

/** GitHub's documented budget for unauthenticated POST /credentials/revoke. */
export const GITHUB_CREDENTIAL_REVOKES_PER_HOUR = 60;

export interface CordonWorker {
  /** The workflows and every unpaced activity, on the target's task queue. */
  readonly main: Worker;
  run(): Promise<void>;
  shutdown(): void;
}

export async function createCordonWorker(options: {
  target: TemporalTarget;
  codecKeys: CodecKeys;
  /** Checks the signed envelopes of decisions, refusals and cancel requests (docs/trust-model.md); without them none is authenticated. */
  envelopeKeys?: EnvelopeKeys | undefined;
  deps: ActivityDeps;
  /** The drift watch's engine and store (CORDON_WATCH_DB): this worker then also serves the watch's task queue. */
  watch?: Omit<WatchActivityDeps, 'connectors'> | undefined;
  /** A prebuilt bundle (tests bundle once per run); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  connection?: NativeConnection;
  maxCachedWorkflows?: number;
  /** Requests per hour on the paced queue, for every worker together (CORDON_GITHUB_REVOKES_PER_HOUR). */
  pacedPerHour?: number;
  /** Calls per second on each provider's queue, for every worker together; undefined = unpaced. Default: CORDON_PROVIDER_RATES alone (`npm run worker` adds the documented budgets under it). */
  providerRates?: Record<string, number | undefined>;
  /** Task slots, pollers and cache (CORDON_WORKER_*); unset ones are the SDK's defaults. */
  tuning?: WorkerTuning;
}): Promise<CordonWorker> {
  const connection = options.connection ?? (await NativeConnection.connect(options.target.connectionOptions));
  const tuning = options.tuning ?? workerTuningFromEnv(process.env);
  const activities = createActivities(options.deps);
  const dataConverter = cordonDataConverter(options.codecKeys, { worker: true, envelopeKeys: options.envelopeKeys });
  // With CORDON_OTEL_ENDPOINT: workflow, activity and client spans (temporal-config/otlp-tracing.ts).
  const plugins = await tracingPlugins();
  // One bundle for both workers that run workflows (built once, not once each).
  const workflowBundle = options.workflowBundle ?? { code: await bundleCordonWorkflows({ tracing: plugins.length > 0 }) };
  const rates = options.providerRates ?? parseProviderRates(readEnv(process.env, 'CORDON_PROVIDER_RATES') ?? '');
  const log = options.deps.logger ?? createLogger({ base: { component: 'worker' } });
  const onThrottleError = (err: unknown) => log.warn('provider queue throttle failed', { error: err instanceof Error ? err.message : String(err) });
  let throttleConnection: Promise<Connection> | undefined;
  let stopped = false;
  const throttle = queueThrottle(
    () => {
      if (stopped) return Promise.reject(new Error('the worker has stopped'));
      return (throttleConnection ??= Connection.connect(options.target.connectionOptions));
    },
    options.target.namespace,
    onThrottleError,
  );
  const closeThrottle = () => {
    stopped = true;
    clearInterval(sweeper);
    clearInterval(repacer);
    void throttleConnection?.then((c) => c.close()).catch(() => {});
  };
  const main = await Worker.create({
    connection,
    namespace: options.target.namespace,
    taskQueue: options.target.taskQueue,
    workflowBundle,
    activities: { ...activities, ...createSweepActivities(options.deps), ...createEvidenceActivities(options.deps.evidence), ...createRotationActivities(options.deps) },
    // A single run's provider calls run here (local, or eager on this queue): a 429 slows the provider's queue all the same.
    interceptors: { activity: [activityMetrics, providerThrottleInterceptor(throttle, onThrottleError, (ctx, input) => providerQueueOfCall(options.target.taskQueue, ctx.info.activityType, input.args[0]))] },
    dataConverter,
    plugins,
    // The runs a mass containment keeps busy at once (two page runs of up to `concurrency` children each,
    // and their parents) stay cached; at 200 a worker process passed 1 GiB (README, "Pacing and tuning").
    maxCachedWorkflows: options.maxCachedWorkflows ?? tuning.maxCachedWorkflows ?? DEFAULT_CACHED_WORKFLOWS,
    ...slotOptions(tuning),
  });
  const perHour = options.pacedPerHour ?? (readEnv(process.env, 'CORDON_GITHUB_REVOKES_PER_HOUR') ?? GITHUB_CREDENTIAL_REVOKES_PER_HOUR);
  const paced = await Worker.create({
    connection,
    namespace: options.target.namespace,
    taskQueue: pacedTaskQueue(options.target.taskQueue),
    activities: { revokeByValue: activities.revokeByValue },
    interceptors: { activity: [activityMetrics] },
    dataConverter,
    plugins,
    // Enforced by the server for the whole task queue: every worker and every run share this budget.
    maxTaskQueueActivitiesPerSecond: perHour / 3600,
  });
  const coordination = await Worker.create({
    connection,
    namespace: options.target.namespace,
    taskQueue: coordinationTaskQueue(options.target.taskQueue),
    workflowBundle,
    dataConverter,
    plugins,
    // One registry per principal a run touches: a mass containment keeps dozens busy at once. A registry
    // evicted from the cache replays its whole history (thousands of updates) on its next task, which under
    // CPU load outlasted the workflow task timeout; the server then refused its updates ("Workflow Task in
    // failed state") until the retried task completed. Registries are small (a few entries per principal).
    maxCachedWorkflows: 200,
  });
  // Only the worker that holds the watch's store polls its queue: one process owns the SQLite file.
  const watch = options.watch
    ? await Worker.create({
        connection,
        namespace: options.target.namespace,
        taskQueue: watchTaskQueue(options.target.taskQueue),
        activities: createWatchActivities({ connectors: options.deps.connectors, ...options.watch }),
        interceptors: { activity: [activityMetrics] },
        dataConverter,
        plugins,
      })
    : undefined;
  // Every provider's queue is polled, configured or not: a call for a provider this worker has no connector
  // for then fails at once with the no_connector failure that says what to set, instead of waiting on a
  // queue nothing polls until its timeout.
  const providerQueues = PROVIDERS.map((provider) => providerTaskQueue(options.target.taskQueue, provider));
  // A pace an earlier worker left (another CORDON_PROVIDER_RATES, or none now) gives way to this one's.
  const cleared = throttle.clearPaces(providerQueues).catch(onThrottleError);
  const pacer = providerPacer(throttle, Object.fromEntries(PROVIDERS.map((p, i) => [p, providerQueues[i]!])), rates);
  const providerWorkers = await Promise.all(
    PROVIDERS.map((provider, i) => {
      const rate = rates[provider];
      return Worker.create({
        connection,
        namespace: options.target.namespace,
        taskQueue: providerQueues[i]!,
        activities,
        // The pacer outside the throttle: a refusal of its call gate (no call made) retries the activity without throttling the queue.
        interceptors: { activity: [activityMetrics, pacer.interceptor(provider), providerThrottleInterceptor(throttle, onThrottleError)] },
        dataConverter,
        plugins,
        // Enforced by the server for the whole queue: every worker and every run share the provider's budget.
        // The budget is in calls; the queue's rate in activities, re-paced from the calls they make (provider-pacing.ts).
        ...(rate !== undefined ? { maxTaskQueueActivitiesPerSecond: initialActivityRate(provider, rate) } : {}),
        ...slotOptions(tuning),
      });
    }),
  );
  // A throttle whose setter died is lifted by whichever worker sweeps first.
  const sweeper = setInterval(() => void throttle.sweep(providerQueues).catch(onThrottleError), 5_000);
  sweeper.unref();
  const repacer = setInterval(() => void cleared.then(() => pacer.tick()).catch(onThrottleError), REPACE_EVERY_MS);
  repacer.unref();
  const workers = [main, paced, coordination, ...providerWorkers, ...(watch ? [watch] : [])];
  return {
    main,
    run: async () => {
      try {
        await runAll(workers.map((w) => ({ name: w.options.taskQueue, run: () => w.run(), shutdown: () => w.shutdown() })));
      } finally {
        closeThrottle();
      }
    },
    shutdown: () => {
      closeThrottle();
      for (const w of workers) w.shutdown();
    },
  };
}

/** One of the Temporal workers a Cordon worker process runs side by side (one per task queue). */
export interface QueueWorker {
  readonly name: string;
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * Runs the workers side by side until all have stopped. When one fails, the others are shut down too and the
 * failure, naming its task queue, is thrown once they have stopped: a process whose provider queue's worker
 * died would otherwise run on with that queue polled by nobody (seen in P2 at 10,000 refs: the Google and
 * GitHub queues' pollers gone for minutes, their activities waiting, the process up). A process that exits
 * is restarted by its supervisor, and Temporal hands its unfinished tasks to another worker.
 */
export async function runAll(workers: readonly QueueWorker[]): Promise<void> {
  let first: { name: string; err: unknown } | undefined;
  await Promise.all(
    workers.map((w) =>
      w.run().catch((err: unknown) => {
        if (first) return;
        first = { name: w.name, err };
        for (const other of workers) if (other !== w) other.shutdown();
      }),
    ),
  );
  if (first) {
    const cause = first.err instanceof Error ? first.err.message : String(first.err);
    throw new Error(`the worker of task queue ${first.name} failed (${cause}); every other queue's worker was stopped with it`, { cause: first.err });
  }
}

/** The worker's capacity knobs (README, "Tuning"). */
export interface WorkerTuning {
  maxConcurrentActivityTaskExecutions?: number | undefined;
  maxConcurrentWorkflowTaskExecutions?: number | undefined;
  maxCachedWorkflows?: number | undefined;
  workflowTaskPollers?: number | undefined;
  activityTaskPollers?: number | undefined;
}

export function workerTuningFromEnv(env: Record<string, string | undefined>): WorkerTuning {
  return {
    maxConcurrentActivityTaskExecutions: readEnv(env, 'CORDON_WORKER_ACTIVITY_SLOTS'),
    maxConcurrentWorkflowTaskExecutions: readEnv(env, 'CORDON_WORKER_WORKFLOW_SLOTS'),
    maxCachedWorkflows: readEnv(env, 'CORDON_WORKER_CACHE_SIZE'),
    workflowTaskPollers: readEnv(env, 'CORDON_WORKER_WORKFLOW_POLLERS'),
    activityTaskPollers: readEnv(env, 'CORDON_WORKER_ACTIVITY_POLLERS'),
  };
}

function slotOptions(t: WorkerTuning): Partial<WorkerOptions> {
  return {
    ...(t.maxConcurrentActivityTaskExecutions ? { maxConcurrentActivityTaskExecutions: t.maxConcurrentActivityTaskExecutions } : {}),
    ...(t.maxConcurrentWorkflowTaskExecutions ? { maxConcurrentWorkflowTaskExecutions: t.maxConcurrentWorkflowTaskExecutions } : {}),
    ...(t.workflowTaskPollers ? { workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: t.workflowTaskPollers } } : {}),
    ...(t.activityTaskPollers ? { activityTaskPollerBehavior: { type: 'simple-maximum', maximum: t.activityTaskPollers } } : {}),
  } as Partial<WorkerOptions>;
}

/** The provider queue of a provider call made on the run's own queue; none for Cordon's own steps and other activities. */
function providerQueueOfCall(taskQueue: string, activity: string, input: unknown): string | undefined {
  const call = Object.hasOwn(PROVIDER_CALLS, activity) ? providerCall(activity) : undefined;
  return call ? providerTaskQueue(taskQueue, call.provider(input)) : undefined;
}
