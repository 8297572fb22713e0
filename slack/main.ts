// The Slack app process: `tsx slack/main.ts`. HTTP receiver on CORDON_SLACK_PORT (Slack posts slash
// commands and interactivity to /slack/events), or Socket Mode with CORDON_SLACK_SOCKET_MODE=true and
// CORDON_SLACK_APP_TOKEN. Temporal and the payload codec keys come from the same variables as the
// worker (README, "Configuration"): the app encrypts the containment input it starts.
import { codecKeysFromEnv } from '../codec/encryption-codec.ts';
import { envelopeKeysFromEnv } from '../codec/decision-envelope.ts';
import { connectClient } from '../client/containments.ts';
import { createLogger } from '../logging/logger.ts';
import { temporalTargetFromEnv } from '../temporal-config/connection.ts';
import { createSlackApp } from './app.ts';
import { slackSettingsFromEnv } from './config.ts';
import { shutdownTracing } from '../temporal-config/tracing.ts';

const log = createLogger({ base: { component: 'slack-app' } });

try {
  const settings = slackSettingsFromEnv(process.env);
  const target = temporalTargetFromEnv();
  const temporal = await connectClient(target, codecKeysFromEnv(process.env));
  const envelopeKeys = envelopeKeysFromEnv(process.env);
  const app = createSlackApp({
    temporal,
    taskQueue: target.taskQueue,
    signingSecret: settings.signingSecret,
    botToken: settings.botToken,
    slackWebClient: settings.slackApiUrl ? { slackApiUrl: settings.slackApiUrl } : {},
    approvers: settings.approvers,
    breakGlassUsers: settings.breakGlassUsers,
    ...(settings.socketMode ? { socketMode: settings.socketMode } : {}),
    ...(envelopeKeys ? { envelopeKeys } : {}),
    logger: log,
  });
  if (!envelopeKeys) log.warn('CORDON_ENVELOPE_KEYS is not set: decisions from Slack are sent unsigned and count as unauthenticated Temporal-direct calls');
  if (settings.approvers.length === 0) log.warn('CORDON_SLACK_APPROVERS is empty: every approval from Slack will be refused');
  const { port } = await app.start(settings.port);
  log.info('slack app ready', { mode: settings.socketMode ? 'socket' : 'http', ...(port !== undefined ? { port } : {}), approvers: settings.approvers.length });
  process.send?.({ ready: true, port });
  const stop = async () => {
    await app.stop().catch(() => undefined);
    await temporal.connection.close();
    // The spans still buffered (CORDON_OTEL_ENDPOINT) are sent before the process ends.
    await shutdownTracing().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
} catch (err) {
  log.error('slack app failed to start', { error: err });
  process.exitCode = 1;
}
