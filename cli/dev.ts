// `npm run dev`: the local stack, kept running — Temporal dev server with its web UI (data kept in
// .cordon/dev), the reference tenant seeded with the Drift scenario, and a worker. Ctrl-C stops it.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { freePort } from '../temporal-config/dev-server.ts';
import { startLocalStack, stopOnSignals } from './local-stack.ts';
import { ApiKeyring, mintApiKey } from '../api/keys.ts';
import { buildApp } from '../api/app.ts';
import { getStatus } from '../client/containments.ts';
import { createLogger } from '../logging/logger.ts';
import type { ContainmentStatus } from '../schemas/containment.ts';
import { createSlackApp } from '../slack/app.ts';
import { SlackNotifier } from '../notifiers/slack/notifier.ts';
import { combineNotifiers } from '../notifiers/combine.ts';
import { readEnv } from '../schemas/config.ts';

/** Approvers in the shipped scenarios' Slack sections: the security owner and the sales admin. */
const APPROVERS = ['W0SECOWNER', 'W0SALESMGR'];

// No shutdown signals for the SDK: stopOnSignals below stops the worker, then everything else, once.
Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
/** State (Temporal's database, keys, replacements, the session's API key); CORDON_DEV_DIR for a second stack. */
const stateDir = readEnv(process.env, 'CORDON_DEV_DIR') ?? join(process.cwd(), '.cordon', 'dev');
const port = readEnv(process.env, 'CORDON_TEMPORAL_PORT') ?? 7233;
const uiPort = readEnv(process.env, 'CORDON_TEMPORAL_UI_PORT') ?? 8233;
const scenario = readEnv(process.env, 'CORDON_SCENARIO') ?? 'salesloft-drift';
// The Slack app's outgoing calls and the worker's Slack notifier go to the Slack emulator.
let readStatus: ((id: string) => Promise<ContainmentStatus>) | undefined;
const stack = await startLocalStack({
  // Scenarios without Cordon's Slack app (the generated `load` one) run without it.
  notifierFor: (env) =>
    !env.CORDON_SLACK_BOT_TOKEN
      ? undefined
      : combineNotifiers({
          slack: new SlackNotifier({
            botToken: env.CORDON_SLACK_BOT_TOKEN,
            slackApiUrl: env.CORDON_SLACK_API_URL!,
            readStatus: (id) => readStatus!(id),
            approvers: APPROVERS,
          }),
        }),
  stateDir,
  scenario,
  headless: false,
  port: (await isFree(port)) ? port : await freePort(),
  uiPort: (await isFree(uiPort)) ? uiPort : await freePort(),
  logLevel: 'info',
});
readStatus = (id) => getStatus(stack.client, id);
const env = stack.tenant.connectorEnv();
const slackApp = !(env.CORDON_SLACK_SIGNING_SECRET && env.CORDON_SLACK_BOT_TOKEN)
  ? undefined
  : createSlackApp({
      temporal: stack.client,
      taskQueue: stack.target.taskQueue,
      signingSecret: env.CORDON_SLACK_SIGNING_SECRET,
      botToken: env.CORDON_SLACK_BOT_TOKEN,
      slackWebClient: { slackApiUrl: env.CORDON_SLACK_API_URL!, retryConfig: { retries: 0 } },
      approvers: APPROVERS,
      envelopeKeys: stack.keys.envelope,
      logger: createLogger({ level: 'warn', base: { component: 'slack-app' } }),
    });
const slackPort = slackApp && (await slackApp.start(readEnv(process.env, 'CORDON_SLACK_PORT') ?? 0)).port;
const minted = mintApiKey({ name: 'dev', principal: 'dev-soar', scopes: ['start', 'read', 'approve'] });
const api = buildApp({ client: stack.client, taskQueue: stack.target.taskQueue, keys: new ApiKeyring([minted.entry]), envelopeKeys: stack.keys.envelope, logger: createLogger({ level: 'warn', base: { component: 'api' } }) });
const apiAddress = await api.listen({ port: readEnv(process.env, 'CORDON_API_PORT') ?? 0, host: '127.0.0.1' });
// The session's API key goes to a file only its owner can read, never to the terminal or a log.
const apiKeyFile = join(stateDir, 'api-key');
await writeFile(apiKeyFile, `${minted.key}\n`, { mode: 0o600 });
process.stdout.write(
  [
    'Cordon local stack is running.',
    `  Temporal      ${stack.server.address} (namespace ${stack.server.namespace}, task queue ${stack.target.taskQueue})`,
    `  Web UI        ${stack.server.uiUrl}`,
    `  Tenant        emulators seeded with ${scenario}: ${Object.entries(stack.tenant.urls).map(([p, u]) => `${p} ${u}`).join(', ')}`,
    `  Control API   ${stack.tenant.controlUrl} (GET /calls, POST /faults, POST /reset; emulators/README.md)`,
    `  Worker        running in this process; replacements sealed in ${join(stateDir, 'credentials')}`,
    slackApp
      ? `  Slack app     http://127.0.0.1:${slackPort}/slack/events (signed requests; Web API calls go to the Slack emulator)`
      : '  Slack app     not started: this scenario has no Slack app of Cordon (signing secret and bot token)',
    `  HTTP API      ${apiAddress} (OpenAPI at /openapi.json); this session's key (start, read, approve) is in ${apiKeyFile}`,
    '',
    'Contain the Drift grant from another shell:',
    `  TEMPORAL_ADDRESS=${stack.server.address} npm run cordon -- contain --provider salesforce --kind refresh_token \\`,
    `    --client-id 0H4Hs000000DrftAAA --user drift-integration@acme.com --incident INC-dev-1`,
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n'),
);

async function isFree(p: number): Promise<boolean> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(p, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

stopOnSignals(
  async () => {
    // Each part is stopped even if another fails; the Temporal server last (stack.stop), whatever happened.
    const failures: string[] = [];
    for (const [what, step] of [['HTTP API', () => api.close()], ['Slack app', async () => void (await slackApp?.stop())], ['local stack', () => stack.stop()]] as const)
      await step().catch((err: unknown) => failures.push(`${what}: ${err instanceof Error ? err.message : String(err)}`));
    if (failures.length) throw new Error(failures.join('; '));
  },
  { say: (text) => process.stdout.write(`${text === 'stopping…' ? '\n' : ''}${text}\n`) },
);
