// The local stack that `npm run demo` and `npm run dev` start: the Temporal dev server (SQLite in
// .cordon/), the local tenant, and a worker wired to it. Dev-only keys are created once in
// .cordon/dev-keys.json (mode 600); production sets CORDON_CODEC_KEYS, CORDON_SINK_KEY,
// CORDON_EVIDENCE_SIGNING_KEY and CORDON_ENVELOPE_KEYS itself.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clientOn, type Client } from '../client/containments.ts';
import { evidenceSignerFromSeed } from '../activities/evidence-seal.ts';
import { codecKeysFromEnv, newCodecKeyEntry, type CodecKeys } from '../codec/encryption-codec.ts';
import { envelopeKeysFromEnv, newEnvelopeKeyEntry, type EnvelopeKeys } from '../codec/decision-envelope.ts';
import { NativeConnection } from '@temporalio/worker';
import { localTenantDeps } from '../worker/local-tenant.ts';
import { LocalEncryptedStore } from '../connectors/sinks/local-store.ts';
import { loadScenarioByName, type Scenario } from '@cordon/emulators';
import { startLocalTenant, type LocalTenant } from '../local-tenant/tenant.ts';
import type { Notifier } from '../notifiers/notifier.ts';
import { startDevServer, TASK_QUEUE, type DevServer } from '../temporal-config/dev-server.ts';
import type { TemporalTarget } from '../temporal-config/connection.ts';
import { createLogger } from '../logging/logger.ts';
import { createCordonWorker, type CordonWorker } from '../worker/worker.ts';
import { readEnv } from '../schemas/config.ts';

export interface DevKeys {
  codec: CodecKeys;
  sinkKey: Buffer;
  /** The Ed25519 seed that signs each run's evidence digest: the local stack always signs. */
  evidenceKey: Buffer;
  /** Signs and checks decision envelopes: the local stack's Slack app, API and CLI authenticate their decisions. */
  envelope: EnvelopeKeys;
}

export async function loadDevKeys(stateDir: string): Promise<DevKeys> {
  const file = join(stateDir, 'dev-keys.json');
  let raw: { codec: string; sink: string; evidence?: string; envelope?: string };
  try {
    raw = JSON.parse(await readFile(file, 'utf8')) as typeof raw;
  } catch {
    raw = { codec: newCodecKeyEntry('dev'), sink: randomBytes(32).toString('base64') };
  }
  // A state directory from before evidence was signed, or before envelopes, gets its keys now.
  if (!raw.evidence || !raw.envelope) {
    raw.evidence ??= randomBytes(32).toString('base64');
    raw.envelope ??= newEnvelopeKeyEntry('dev');
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await writeFile(file, JSON.stringify(raw), { mode: 0o600 });
  }
  return {
    codec: codecKeysFromEnv({ CORDON_CODEC_KEYS: process.env.CORDON_CODEC_KEYS ?? raw.codec }),
    sinkKey: Buffer.from(readEnv(process.env, 'CORDON_SINK_KEY') ?? raw.sink, 'base64'),
    evidenceKey: Buffer.from(readEnv(process.env, 'CORDON_EVIDENCE_SIGNING_KEY') ?? raw.evidence, 'base64'),
    envelope: envelopeKeysFromEnv({ CORDON_ENVELOPE_KEYS: process.env.CORDON_ENVELOPE_KEYS ?? raw.envelope })!,
  };
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
  /** A shipped scenario (emulators/scenarios/<name>) or a generated one (`load`) loaded into the local tenant. */
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
  // The scenario first: an unknown name is refused before anything is started.
  const scenario = await loadScenarioByName(options.scenario);
  const server = await startDevServer({
    dataDir: join(options.stateDir, 'temporal'),
    ...(options.headless !== undefined ? { headless: options.headless } : {}),
    ...(options.port ? { port: options.port } : {}),
    ...(options.uiPort ? { uiPort: options.uiPort } : {}),
  });
  const target: TemporalTarget = { connectionOptions: { address: server.address }, namespace: server.namespace, taskQueue: TASK_QUEUE };
  let tenant: LocalTenant | undefined;
  try {
    return await startOn(server, target, keys, scenario, options, (t) => (tenant = t));
  } catch (err) {
    // Nothing started stays running when the rest cannot start.
    await tenant?.close().catch(() => undefined);
    await server.stop();
    throw err;
  }
}

async function startOn(
  server: DevServer,
  target: TemporalTarget,
  keys: DevKeys,
  scenario: Scenario,
  options: Parameters<typeof startLocalStack>[0],
  started: (tenant: LocalTenant) => void,
): Promise<LocalStack> {
  // The local tenant: the four provider emulators, seeded; the real connectors pointed at them.
  const tenant = await startLocalTenant({ scenario });
  started(tenant);
  const notifier = options.notifier ?? options.notifierFor?.(tenant.connectorEnv());
  const { store, ...deps } = localTenantDeps({
    env: tenant.connectorEnv(),
    sinkDir: join(options.stateDir, 'credentials'),
    sinkKey: keys.sinkKey,
    logger: createLogger({ level: options.logLevel ?? 'warn', base: { component: 'worker' } }),
    evidenceSigner: evidenceSignerFromSeed(keys.evidenceKey),
    ...(notifier ? { notifier } : {}),
  });
  // One connection for the worker and the client: a start from this process may then carry its first
  // workflow task straight back to this worker (eager workflow start; `npm run demo` asks for it).
  const connection = await NativeConnection.connect(target.connectionOptions);
  const worker = await createCordonWorker({
    target,
    connection,
    codecKeys: keys.codec,
    envelopeKeys: keys.envelope,
    deps,
    // The emulators do not enforce GitHub's hourly budget for credential revocation: no need to wait on it.
    pacedPerHour: 3600,
  }).catch(async (err: unknown) => {
    await connection.close();
    throw err;
  });
  const running = worker.run();
  running.catch(() => undefined); // awaited in stop(); a failed worker must not crash the process meanwhile
  const client = await clientOn(connection, target, keys.codec);
  let stopping: Promise<void> | undefined;
  return {
    server,
    target,
    client,
    worker,
    tenant,
    store,
    keys,
    // Idempotent: a second call (a second signal, a finally after a signal) waits for the first.
    stop: () =>
      (stopping ??= (async () => {
        try {
          // The worker first, while the server is still up. Only a running worker can be told to shut down
          // (the SDK throws IllegalStateError once it drains, e.g. after its Runtime caught a signal itself).
          if (worker.main.getState() === 'RUNNING') worker.shutdown();
          const drained = await Promise.race([running.then(() => true, () => true), sleep(STOP_WORKER_WITHIN_MS).then(() => false)]);
          if (!drained) process.stderr.write(`the worker did not stop within ${STOP_WORKER_WITHIN_MS / 1000} s; stopping the rest\n`);
          await client.connection.close().catch(() => undefined);
          await tenant.close();
        } finally {
          await server.stop();
        }
      })()),
  };
}

const STOP_WORKER_WITHIN_MS = 15_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Stops the stack on SIGINT, SIGTERM and SIGHUP, and when a process that started this one goes away, then
 * exits. `npm run dev` is npm → sh → tsx → node: killing npm (or npx) passes nothing on and leaves tsx and
 * us running, so every ancestor is watched (Linux, /proc), not only the parent (everywhere: re-parenting). A second signal exits at once: the Temporal server still goes with this process (supervise.mjs).
 * Pair it with `Runtime.install({ shutdownSignals: [] })`, so that the worker is shut down here, once.
 */
export function stopOnSignals(stop: () => Promise<void>, options: { say?: (text: string) => void; exitCode?: (signal: string) => number } = {}): void {
  const say = options.say ?? ((text: string) => process.stderr.write(`${text}\n`));
  let stopping = 0;
  const onSignal = (signal: string) => {
    if (stopping) {
      // A terminal's Ctrl-C reaches every process of the group and tsx may pass it on too: one press can
      // arrive twice. Only a later one means "now".
      if (Date.now() - stopping < 1_000) return;
      say(`${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = Date.now();
    say(signal === 'parent gone' ? 'the process that started Cordon is gone: stopping…' : 'stopping…');
    stop().then(
      () => {
        say('stopped.');
        process.exit(options.exitCode?.(signal) ?? 0);
      },
      (err: unknown) => {
        say(`could not stop cleanly: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => onSignal(signal));
  const parent = process.ppid;
  const ancestors = ancestry(parent);
  setInterval(() => {
    if (stopping) return;
    if (process.ppid !== parent || ancestors.some((a) => startTimeOf(a.pid) !== a.start)) onSignal('parent gone');
  }, 500).unref();
}

/** This process's ancestors below init, each with its start time (a reused pid is a different process). */
function ancestry(from: number): { pid: number; start: string }[] {
  const chain: { pid: number; start: string }[] = [];
  for (let pid = from; pid > 1 && chain.length < 64; ) {
    const stat = statOf(pid);
    if (!stat) break;
    chain.push({ pid, start: stat.start });
    pid = stat.ppid;
  }
  return chain;
}

function startTimeOf(pid: number): string | undefined {
  return statOf(pid)?.start;
}

/** /proc/<pid>/stat's ppid and start time; the command name (field 2) may hold spaces and parentheses. */
function statOf(pid: number): { ppid: number; start: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), start: fields[19]! };
  } catch {
    return undefined;
  }
}
