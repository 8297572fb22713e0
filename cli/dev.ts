// `npm run dev`: the local stack, kept running — Temporal dev server with its web UI (data kept in
// .cordon/dev), the reference tenant seeded with the Drift scenario, and a worker. Ctrl-C stops it.
import { join } from 'node:path';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { driftSeed } from '../connectors/memory/seeds.ts';
import { freePort } from '../temporal-config/dev-server.ts';
import { startLocalStack } from './local-stack.ts';

Runtime.install({ logger: new DefaultLogger('WARN') });
const port = Number(process.env.CORDON_TEMPORAL_PORT ?? 7233);
const uiPort = Number(process.env.CORDON_TEMPORAL_UI_PORT ?? 8233);
const stack = await startLocalStack({
  stateDir: join(process.cwd(), '.cordon', 'dev'),
  seed: driftSeed(),
  headless: false,
  port: (await isFree(port)) ? port : await freePort(),
  uiPort: (await isFree(uiPort)) ? uiPort : await freePort(),
  logLevel: 'info',
});
process.stdout.write(
  [
    'Cordon local stack is running.',
    `  Temporal      ${stack.server.address} (namespace ${stack.server.namespace}, task queue ${stack.target.taskQueue})`,
    `  Web UI        ${stack.server.uiUrl}`,
    '  Tenant        reference tenant seeded with the Drift scenario (connectors/memory/seeds.ts)',
    '  Worker        running in this process; replacements sealed in .cordon/dev/credentials',
    '',
    'Start a containment from another shell (Temporal-direct; see README):',
    `  temporal workflow start --address ${stack.server.address} --namespace ${stack.server.namespace} \\`,
    `    --task-queue ${stack.target.taskQueue} --type containCredential --workflow-id dev-1 \\`,
    `    --input '{"incidentId":"INC-dev-1","requester":"you","credentials":[{"provider":"memory","kind":"oauth_token","id":"tok-drift-1"}]}'`,
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

const stop = async () => {
  process.stdout.write('\nstopping…\n');
  await stack.stop();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
