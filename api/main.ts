// The API process. Everything comes from the environment: TEMPORAL_* (where Temporal is),
// CORDON_TASK_QUEUE, CORDON_CODEC_KEYS (the payload codec: the API encrypts what it starts and
// decrypts the status it reads), CORDON_API_KEYS (api/keys.ts), CORDON_API_PORT (default 8787) and
// CORDON_API_HOST (default 127.0.0.1: put a TLS-terminating proxy in front to expose it) and
// CORDON_WEBHOOK_ALLOWED_HOSTS (the same list the worker applies, checked at start) and
// CORDON_ENVELOPE_KEYS (signs decisions and cancel requests with the caller's key; docs/trust-model.md).
import { codecKeysFromEnv } from '../codec/encryption-codec.ts';
import { envelopeKeysFromEnv } from '../codec/decision-envelope.ts';
import { connectClient } from '../client/containments.ts';
import { createLogger } from '../logging/logger.ts';
import { envIsSet, readEnv } from '../schemas/config.ts';
import { openBaselineStore, openVerdictsWithContainments } from '../watch/baseline-store.ts';
import { watchSettingsFromEnv } from '../watch/config.ts';
import { temporalTargetFromEnv } from '../temporal-config/connection.ts';
import { approvalPolicyFromEnv } from './approval-policy.ts';
import { buildApp } from './app.ts';
import { apiKeyringFromEnv } from './keys.ts';
import { parseAllowedHosts } from '../notifiers/webhook.ts';
import { shutdownTracing } from '../temporal-config/tracing.ts';

const log = createLogger({ base: { component: 'api' } });

try {
  const target = temporalTargetFromEnv();
  const keys = apiKeyringFromEnv();
  const client = await connectClient(target, codecKeysFromEnv(process.env));
  const webhookAllowedHosts = parseAllowedHosts(readEnv(process.env, 'CORDON_WEBHOOK_ALLOWED_HOSTS'));
  const approvalPolicy = approvalPolicyFromEnv(process.env);
  const envelopeKeys = envelopeKeysFromEnv(process.env);
  if (!envelopeKeys) log.warn('CORDON_ENVELOPE_KEYS is not set: decisions and cancel requests from the API are sent unsigned and count as unauthenticated Temporal-direct calls');
  // Read only: the watch's one writer is the worker that runs it (docs/drift-watch.md).
  const watchStore = envIsSet(process.env, 'CORDON_WATCH_DB') ? openBaselineStore(watchSettingsFromEnv(process.env).storePath) : undefined;
  const verdicts = watchStore ? () => openVerdictsWithContainments(watchStore) : undefined;
  const app = buildApp({ client, taskQueue: target.taskQueue, keys, logger: log, approvalPolicy, ...(webhookAllowedHosts ? { webhookAllowedHosts } : {}), ...(envelopeKeys ? { envelopeKeys } : {}), ...(verdicts ? { verdicts } : {}) });
  const port = readEnv(process.env, 'CORDON_API_PORT') ?? 8787;
  const host = readEnv(process.env, 'CORDON_API_HOST') ?? '127.0.0.1';
  const address = await app.listen({ port, host });
  log.info('api listening', { address, namespace: target.namespace, taskQueue: target.taskQueue });
  process.send?.({ ready: true, address });
  const stop = async (signal: string) => {
    log.info('api stopping', { signal });
    await app.close();
    await client.connection.close();
    // The spans still buffered (CORDON_OTEL_ENDPOINT) are sent before the process ends.
    await shutdownTracing().catch(() => undefined);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
} catch (err) {
  log.error('api failed to start', { error: err });
  process.exitCode = 1;
}
