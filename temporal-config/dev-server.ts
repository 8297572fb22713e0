// How Cordon runs the Temporal CLI dev server: a SQLite file in a data folder, loopback only,
// Cordon's namespace with a long retention, and Cordon's search attributes registered. Used by
// `npm run dev`, `npm run demo` and the e2e tests (each test run: free ports, throwaway database).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { readEnv } from '../schemas/config.ts';

const run = promisify(execFile);

export const DEFAULT_NAMESPACE = 'cordon';
/** Runs the server so that it stops when this process ends, however it ends (supervise.mjs). */
const SUPERVISOR = fileURLToPath(new URL('./supervise.mjs', import.meta.url));
/** Servers started by this process and not yet exited: stopped on its way out. */
const running = new Set<ChildProcess>();
let exitHook = false;
export const TASK_QUEUE = 'cordon-containment';

/**
 * Custom search attributes (not encrypted by the payload codec: never a secret or a prefix of
 * one in here). They make runs findable with `temporal workflow list --query`.
 */
export const SEARCH_ATTRIBUTES = {
  CordonIncidentId: 'Keyword',
  CordonProviders: 'KeywordList',
  CordonStage: 'Keyword',
  CordonOutcome: 'Keyword',
} as const;

export interface DevServer {
  address: string;
  namespace: string;
  uiUrl: string | undefined;
  temporalPath: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Path of the pinned temporal CLI (builds it on first use; temporal-config/ensure-temporal.sh). */
export async function ensureTemporalCli(): Promise<string> {
  const script = fileURLToPath(new URL('./ensure-temporal.sh', import.meta.url));
  const { stdout } = await run('bash', [script], { maxBuffer: 1 << 20, timeout: 30 * 60_000 });
  const path = stdout.trim().split('\n').pop();
  if (!path) throw new Error('temporal-config/ensure-temporal.sh printed no path');
  return path;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The SQLite pragmas the dev server runs with: `CORDON_TEMPORAL_SQLITE_PRAGMAS` (comma-separated, `none` for
 * SQLite's defaults), else write-ahead logging with `synchronous=normal`. Every workflow task and activity
 * completion is a transaction; SQLite's default (a rollback journal synced on every commit) made each one
 * wait for the disk, about 10-20 ms to a single run's revoke on this project's machine. In WAL mode with
 * `synchronous=normal` a committed transaction survives the server process being killed (the chaos suite
 * SIGKILLs it); only an operating-system crash or power loss can lose the last ones (SQLite docs, "WAL mode").
 */
export function sqlitePragmas(env: NodeJS.ProcessEnv = process.env): string[] {
  const set = readEnv(env, 'CORDON_TEMPORAL_SQLITE_PRAGMAS') ?? 'journal_mode=wal,synchronous=normal';
  return set.toLowerCase() === 'none' ? [] : set.split(',');
}

export async function startDevServer(options: {
  dataDir: string;
  namespace?: string;
  port?: number;
  uiPort?: number;
  headless?: boolean;
  /** Where the Temporal UI sends payloads to be decrypted for people allowed to see them. */
  codecEndpoint?: string;
  startTimeoutMs?: number;
  onLog?: (line: string) => void;
}): Promise<DevServer> {
  const temporalPath = await ensureTemporalCli();
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const port = options.port ?? (await freePort());
  const headless = options.headless ?? false;
  const uiPort = headless ? undefined : (options.uiPort ?? (await freePort()));
  await mkdir(options.dataDir, { recursive: true });
  const args = [
    'server', 'start-dev',
    '--db-filename', join(options.dataDir, 'temporal.sqlite'),
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--log-level', 'warn',
    '--namespace', namespace,
    ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    // Updates with validators are Cordon's approval mechanism; both flags are on in 1.29 by default,
    // set explicitly so a different server build does not silently refuse them.
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    // One partition per task queue: the paced queue's server-side rate limit (worker/worker.ts) is then one
    // limiter, not one per partition that could each let a request through at once.
    '--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1',
    '--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1',
    // Latency on a containment's critical path: the workflow task that schedules an activity hands it straight
    // to the same worker (eager activity dispatch), and a client sharing the worker's connection may get the
    // first workflow task in its start response (eager workflow start). Both are off by default in the server.
    '--dynamic-config-value', 'system.enableActivityEagerExecution=true',
    '--dynamic-config-value', 'system.enableEagerWorkflowStart=true',
  ];
  for (const pragma of sqlitePragmas()) args.push('--sqlite-pragma', pragma);
  if (headless) args.push('--headless');
  else args.push('--ui-port', String(uiPort), '--ui-ip', '127.0.0.1');
  if (options.codecEndpoint) args.push('--ui-codec-endpoint', options.codecEndpoint);
  // The server runs under supervise.mjs, which stops it once our end of its stdin pipe closes: when
  // this process exits, crashes or is killed with SIGKILL, the server goes with it. Its own process
  // group keeps a terminal's Ctrl-C from reaching it directly, so whoever started it can stop the
  // worker first and then the server (stop() below), not race the two.
  const child = spawn(process.execPath, [SUPERVISOR, temporalPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  child.stdin?.on('error', () => undefined);
  running.add(child);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const c of running) c.kill('SIGTERM');
    });
  }
  /** The supervisor and the server (its process group); the supervisor alone if the group is gone. */
  const killAll = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      child.kill(signal);
    }
  };
  const tail: string[] = [];
  const onData = (buf: Buffer) => {
    for (const line of buf.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      options.onLog?.(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exited: number | null = null;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code ?? -1;
      running.delete(child);
      resolve();
    }),
  );

  const address = `127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  // The SDK's own launcher allows 5 s, too tight on a loaded 2-core machine: poll health instead.
  for (;;) {
    if (exited !== null) throw new Error(`temporal dev server exited with ${exited} while starting:\n${tail.join('\n')}`);
    try {
      await run(temporalPath, ['operator', 'cluster', 'health', '--address', address], { timeout: 5_000 });
      break;
    } catch {
      if (Date.now() > deadline) {
        killAll('SIGKILL');
        throw new Error(`temporal dev server not healthy on ${address} after ${options.startTimeoutMs ?? 60_000} ms:\n${tail.join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    await ensureNamespace(temporalPath, address, namespace);
  } catch (err) {
    killAll('SIGKILL');
    throw err;
  }
  // Idempotent, and safe to call concurrently: every caller waits for the same exit.
  const stop = async () => {
    if (exited !== null) return;
    child.kill('SIGTERM'); // the supervisor passes it on, and SIGKILLs the server after its grace period
    const timer = setTimeout(() => killAll('SIGKILL'), 10_000);
    await exit;
    clearTimeout(timer);
  };
  return { address, namespace, uiUrl: uiPort ? `http://127.0.0.1:${uiPort}` : undefined, temporalPath, process: child, stop };
}

/**
 * Gives Cordon's namespace a 30-day retention (namespaces created at launch keep closed runs only
 * 24 h) and registers any missing search attribute: with an existing database, `--search-attribute`
 * at launch does nothing. Idempotent.
 */
export async function ensureNamespace(temporalPath: string, address: string, namespace: string): Promise<void> {
  const base = ['--address', address, '--namespace', namespace];
  await run(temporalPath, ['operator', 'namespace', 'update', '--retention', '720h', ...base], { timeout: 20_000 });
  const { stdout } = await run(temporalPath, ['operator', 'search-attribute', 'list', '-o', 'json', ...base], { timeout: 10_000 });
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) {
    if (stdout.includes(`"${name}"`)) continue;
    await run(temporalPath, ['operator', 'search-attribute', 'create', '--name', name, '--type', type, ...base], { timeout: 20_000 });
  }
}
