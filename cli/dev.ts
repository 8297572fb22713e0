// `npm run dev`: the local stack, kept running — Temporal dev server with its web UI (data kept in
// .cordon/dev), the reference tenant seeded with the Drift scenario, and a worker. Ctrl-C stops it.
import { join } from 'node:path';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { freePort } from '../temporal-config/dev-server.ts';
import { startLocalStack } from './local-stack.ts';

Runtime.install({ logger: new DefaultLogger('WARN') });
const port = Number(process.env.CORDON_TEMPORAL_PORT ?? 7233);
const uiPort = Number(process.env.CORDON_TEMPORAL_UI_PORT ?? 8233);
const stack = await startLocalStack({
  stateDir: join(process.cwd(), '.cordon', 'dev'),
  scenario: process.env.CORDON_SCENARIO ?? 'salesloft-drift',
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
    `  Tenant        emulators seeded with ${process.env.CORDON_SCENARIO ?? 'salesloft-drift'}: ${Object.entries(stack.tenant.urls).map(([p, u]) => `${p} ${u}`).join(', ')}`,
    `  Control API   ${stack.tenant.controlUrl} (GET /calls, POST /faults, POST /reset; emulators/README.md)`,
    '  Worker        running in this process; replacements sealed in .cordon/dev/credentials',
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

const stop = async () => {
  process.stdout.write('\nstopping…\n');
  await stack.stop();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
