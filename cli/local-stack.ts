// The local stack that `npm run demo` and `npm run dev` start: the Temporal dev server (SQLite in
// .cordon/), the local tenant, and a worker wired to it. Dev-only keys are created once in
// .cordon/dev-keys.json (mode 600); production sets CORDON_CODEC_KEYS and CORDON_SINK_KEY itself.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { codecKeysFromEnv, newCodecKeyEntry, type CodecKeys } from '../codec/encryption-codec.ts';
import { connectClient } from '../client/containments.ts';
import { connectorsFromEnv } from '../connectors/registry.ts';
import { composeSink } from '../connectors/sinks/from-env.ts';
import { LocalEncryptedStore } from '../connectors/sinks/local-store.ts';
import { loadScenarioDir, scenarioDir, startLocalTenant, type LocalTenant } from '../emulators/tenant.ts';
import type { Notifier } from '../activities/index.ts';
import { startDevServer, TASK_QUEUE, type DevServer } from '../temporal-config/dev-server.ts';
import type { TemporalTarget } from '../temporal-config/connection.ts';
import { createLogger } from '../logging/logger.ts';
import { createCordonWorker, type CordonWorker } from '../worker/worker.ts';

export interface DevKeys {
  codec: CodecKeys;
  sinkKey: Buffer;
}

export async function loadDevKeys(stateDir: string): Promise<DevKeys> {
  const file = join(stateDir, 'dev-keys.json');
  let raw: { codec: string; sink: string };
  try {
    raw = JSON.parse(await readFile(file, 'utf8')) as typeof raw;
  } catch {
    raw = { codec: newCodecKeyEntry('dev'), sink: randomBytes(32).toString('base64') };
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await writeFile(file, JSON.stringify(raw), { mode: 0o600 });
  }
  return { codec: codecKeysFromEnv({ CORDON_CODEC_KEYS: process.env.CORDON_CODEC_KEYS ?? raw.codec }), sinkKey: Buffer.from(process.env.CORDON_SINK_KEY ?? raw.sink, 'base64') };
}

export interface LocalStack {
  server: DevServer;
  target: TemporalTarget;
  client: Client;
  worker: CordonWorker;
  tenant: LocalTenant;
  store: LocalEncryptedStore;
  keys: DevKeys;
  stop(): Promise<void>;
}

export async function startLocalStack(options: {
  stateDir: string;
  /** A shipped scenario (emulators/scenarios/<name>) loaded into the local tenant. */
  scenario: string;
  headless?: boolean;
  port?: number;
  uiPort?: number;
  notifier?: Notifier;
  /** A notifier built from the tenant's connector variables (e.g. Slack pointed at the emulator). */
  notifierFor?: (env: Record<string, string>) => Notifier | undefined;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}): Promise<LocalStack> {
  const keys = await loadDevKeys(options.stateDir);
  const server = await startDevServer({
    dataDir: join(options.stateDir, 'temporal'),
    ...(options.headless !== undefined ? { headless: options.headless } : {}),
    ...(options.port ? { port: options.port } : {}),
    ...(options.uiPort ? { uiPort: options.uiPort } : {}),
  });
  const target: TemporalTarget = { connectionOptions: { address: server.address }, namespace: server.namespace, taskQueue: TASK_QUEUE };
  // The local tenant: the four provider emulators, seeded; the real connectors pointed at them.
  const tenant = await startLocalTenant({ scenario: await loadScenarioDir(scenarioDir(options.scenario)) });
  const connectors = connectorsFromEnv(tenant.connectorEnv());
  const store = new LocalEncryptedStore(join(options.stateDir, 'credentials'), keys.sinkKey);
  const worker = await createCordonWorker({
    target,
    codecKeys: keys.codec,
    deps: {
      connectors,
      sink: composeSink(store, connectors, join(options.stateDir, 'credentials', 'github-index')),
      logger: createLogger({ level: options.logLevel ?? 'warn', base: { component: 'worker' } }),
      ...(() => {
        const notifier = options.notifier ?? options.notifierFor?.(tenant.connectorEnv());
        return notifier ? { notifier } : {};
      })(),
    },
    // The emulators do not enforce GitHub's hourly budget for credential revocation: no need to wait on it.
    pacedPerHour: 3600,
  });
  const running = worker.run();
  const client = await connectClient(target, keys.codec);
  return {
    server,
    target,
    client,
    worker,
    tenant,
    store,
    keys,
    stop: async () => {
      worker.shutdown();
      await running.catch(() => undefined);
      await client.connection.close();
      await tenant.close();
      await server.stop();
    },
  };
}
