// The worker process: `npm run worker`. Everything comes from the environment (README, "Configuration").
import { readFile } from 'node:fs/promises';
import { getHeapStatistics } from 'node:v8';
import { evidenceSignerFromEnv } from '../activities/evidence-seal.ts';
import { webhookNotifierFromEnv } from '../notifiers/webhook.ts';
import { codecKeysFromEnv } from '../codec/encryption-codec.ts';
import { envelopeKeysFromEnv } from '../codec/decision-envelope.ts';
import { connectClient, getStatus } from '../client/containments.ts';
import { connectorsFromEnv } from '../connectors/registry.ts';
import { sinkFromEnv } from './sink.ts';
import { createLogger } from '../logging/logger.ts';
import { envIsSet, readEnv } from '../schemas/config.ts';
import { slackNotifierFromEnv } from '../notifiers/slack/from-env.ts';
import { temporalTargetFromEnv } from '../temporal-config/connection.ts';
import { combineNotifiers } from '../notifiers/combine.ts';
import { createCordonWorker } from './worker.ts';
import { DOCUMENTED_PROVIDER_RATES, parseProviderRates } from './provider-pacing.ts';
import { installMetricsRuntime } from './metrics.ts';
import { evidenceDeliveryNotifier } from './evidence-delivery.ts';
import { evidenceSinksFromEnv } from '../notifiers/evidence/sink.ts';
import { openWatchFromEnv } from '../watch/config.ts';
import { verdictThreadsFromEnv } from '../notifiers/slack/verdict-thread.ts';
import { processTracing, shutdownTracing } from '../temporal-config/tracing.ts';

const log = createLogger({ base: { component: 'worker' } });

try {
  // Before any connection: the Temporal runtime, with its Prometheus endpoint, is made once per process.
  const metricsAddress = readEnv(process.env, 'CORDON_METRICS_ADDRESS');
  if (metricsAddress) installMetricsRuntime(metricsAddress);
  const target = temporalTargetFromEnv();
  const codecKeys = codecKeysFromEnv(process.env);
  const envelopeKeys = envelopeKeysFromEnv(process.env);
  if (!envelopeKeys) log.warn('CORDON_ENVELOPE_KEYS is not set: no decision, refusal or cancel request counts as authenticated (docs/trust-model.md)');
  const connectors = connectorsFromEnv();
  if (Object.keys(connectors).length === 0) {
    throw new Error('no connector is configured: set the CORDON_<PROVIDER>_* variables of at least one provider (README, "Configuration")');
  }
  const evidenceSinks = evidenceSinksFromEnv(process.env, log);
  // The Slack notifier reads the run's status (a query) to show consumers, scope and the final report;
  // evidence delivery reads it too, and starts its delivery workflows with the same client.
  const statusClient = envIsSet(process.env, 'CORDON_SLACK_BOT_TOKEN') || evidenceSinks.length ? await connectClient(target, codecKeys) : undefined;
  const readStatus = statusClient ? (id: string) => getStatus(statusClient, id) : undefined;
  const notifier = combineNotifiers({
    evidence: statusClient && evidenceSinks.length ? evidenceDeliveryNotifier({ client: () => statusClient, taskQueue: target.taskQueue, sinks: evidenceSinks.map((s) => s.name) }) : undefined,
    webhook: webhookNotifierFromEnv(process.env, log),
    slack: slackNotifierFromEnv(process.env, { logger: log, ...(readStatus ? { readStatus } : {}) }),
  });
  const bundlePath = readEnv(process.env, 'CORDON_WORKFLOW_BUNDLE');
  // The tracing interceptors enter the workflow code when it is bundled: a prebuilt bundle has none of them.
  if (bundlePath && (await processTracing())) log.warn('CORDON_WORKFLOW_BUNDLE is a prebuilt bundle: its workflows make no spans (activity spans are still exported); unset it to trace workflows');
  const evidenceSigner = evidenceSignerFromEnv(process.env);
  if (!evidenceSigner) log.warn('CORDON_EVIDENCE_SIGNING_KEY is not set: runs end with their evidence unsigned');
  // The drift watch runs on the one worker given its store (docs/drift-watch.md).
  // Its verdicts open a Slack thread each (CORDON_WATCH_SLACK_CHANNEL) and go to the evidence sinks as Detection Findings.
  const watch = envIsSet(process.env, 'CORDON_WATCH_DB')
    ? { ...openWatchFromEnv(process.env), threads: verdictThreadsFromEnv(process.env, { channel: readEnv(process.env, 'CORDON_WATCH_SLACK_CHANNEL') }), findingSinks: evidenceSinks, logger: log }
    : undefined;
  const worker = await createCordonWorker({
    target,
    // The providers' documented budgets, unless CORDON_PROVIDER_RATES says otherwise (worker/provider-pacing.ts).
    providerRates: { ...DOCUMENTED_PROVIDER_RATES, ...parseProviderRates(readEnv(process.env, 'CORDON_PROVIDER_RATES') ?? '') },
    codecKeys,
    envelopeKeys,
    watch,
    deps: {
      connectors,
      sink: sinkFromEnv(process.env, connectors),
      logger: log,
      ...(notifier ? { notifier } : {}),
      ...(evidenceSigner ? { evidenceSigner } : {}),
      ...(readStatus && evidenceSinks.length ? { evidence: { sinks: evidenceSinks, readStatus, logger: log } } : {}),
    },
    // A prebuilt workflow bundle (the chaos suite restarts workers often); otherwise bundled at start.
    ...(bundlePath ? { workflowBundle: { code: await readFile(bundlePath, 'utf8') } } : {}),
  });
  // The main thread's heap limit; the workflow threads take the same flags. `npm run worker` sets them (README, "Memory").
  const heapLimitMiB = Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
  if (heapLimitMiB > 2048) {
    log.warn('the V8 heap limit is over 2 GiB (V8’s default on a large machine): each heap may then grow to several times what it holds (a worker process passed 1 GiB at 2,000 refs of a mass containment); start it as `npm run worker` does (node --max-old-space-size=1024 --max-semi-space-size=16, README "Memory")', { heapLimitMiB });
  }
  log.info('worker ready', { address: target.connectionOptions.address, namespace: target.namespace, taskQueue: target.taskQueue, connectors: Object.keys(connectors), driftWatch: !!watch, heapLimitMiB, ...(metricsAddress ? { metrics: `http://${metricsAddress}/metrics` } : {}) });
  process.send?.({ ready: true, heapLimitMiB });
  await worker.run();
  await shutdownTracing();
} catch (err) {
  // Failed to start, or one of its queues' workers failed while running (runAll stopped the others).
  log.error('worker stopped on an error', { error: err });
  process.exitCode = 1;
  // Whatever still holds the event loop (the metrics endpoint, a connection) does not keep a stopped worker up.
  setTimeout(() => process.exit(1), 5_000).unref();
}
