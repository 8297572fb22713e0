// The real worker entry point (worker/main.ts) in its own process, as `npm run worker` runs it: for the
// tests that SIGKILL workers (crash, orphans, chaos). Every process started here is SIGKILLed when the
// test process exits, so none outlives its test.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CodecKeys } from '../../codec/encryption-codec.ts';
import type { TemporalTarget } from '../../temporal-config/connection.ts';

const WORKER_MAIN = fileURLToPath(new URL('../../worker/main.ts', import.meta.url));
/** The Node flags `npm run worker` gives the worker (its heap limits), read from its script so both run it alike. */
export const WORKER_NODE_FLAGS = workerNodeFlags(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8'));

function workerNodeFlags(packageJson: string): string[] {
  const script: unknown = (JSON.parse(packageJson) as { scripts?: Record<string, unknown> }).scripts?.worker;
  const words = typeof script === 'string' ? script.split(/\s+/) : [];
  if (words[0] !== 'tsx' || words.at(-1) !== 'worker/main.ts') throw new Error(`package.json's worker script is not "tsx [node flags] worker/main.ts": ${String(script)}`);
  return words.slice(1, -1);
}
const alive = new Set<ChildProcess>();
let exitHook = false;

/**
 * What a worker process needs besides its connectors: where Temporal is, the test codec key, a fresh
 * encrypted credential store, quiet logs. Connector variables and extras go in `extra`.
 */
export async function workerProcessEnv(target: TemporalTarget, keys: CodecKeys, extra: Record<string, string>): Promise<Record<string, string>> {
  return {
    TEMPORAL_ADDRESS: String(target.connectionOptions.address),
    TEMPORAL_NAMESPACE: target.namespace,
    CORDON_TASK_QUEUE: target.taskQueue,
    CORDON_CODEC_KEYS: `${keys.activeKeyId}:${keys.keys.get(keys.activeKeyId)!.toString('base64')}`,
    CORDON_SINK_DIR: await mkdtemp(join(tmpdir(), 'cordon-worker-sink-')),
    CORDON_SINK_KEY: randomBytes(32).toString('base64'),
    CORDON_LOG_LEVEL: 'warn',
    ...extra,
  };
}

/**
 * BENCH_WORKER_CPU_PROFILE_DIR (benchmarks): each worker process writes V8 CPU profiles there, one per
 * thread (main and workflow threads), for Chrome DevTools or `speedscope`. Node refuses `--cpu-prof` in
 * NODE_OPTIONS, so it goes on the worker's own command line. BENCH_WORKER_CPU_PROFILE_INTERVAL_US: the
 * sampling interval (Node's default 1,000 µs makes profiles of hundreds of MB over a long run).
 */
function cpuProfileArgs(): string[] {
  const dir = process.env.BENCH_WORKER_CPU_PROFILE_DIR;
  const interval = process.env.BENCH_WORKER_CPU_PROFILE_INTERVAL_US;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...(interval ? [`--cpu-prof-interval=${interval}`] : [])] : [];
}

/** What each worker process started here wrote (its last 8,000 characters) and the heap limit it reported. */
const seen = new WeakMap<ChildProcess, { output: string; heapLimitMiB?: number }>();
/** The last 8,000 characters a worker process wrote (stdout and stderr). */
export function workerOutput(child: ChildProcess): string {
  return seen.get(child)?.output ?? '';
}
/** The V8 heap limit a worker process reported when it was ready (MiB: old generation and young). */
export function workerHeapLimitMiB(child: ChildProcess): number | undefined {
  return seen.get(child)?.heapLimitMiB;
}

/**
 * Starts a worker process with `env` on top of this one's, and resolves once it says it is ready.
 * `nodeFlags`: instead of the `worker` script's (a worker started some other way than `npm run worker`).
 */
export function startWorkerProcess(env: Record<string, string>, options: { nodeFlags?: string[] } = {}): Promise<ChildProcess> {
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const c of alive) c.kill('SIGKILL');
    });
  }
  // Unpaced unless a test sets the budgets: `npm run worker` defaults to the providers' documented ones.
  const unpaced = { CORDON_PROVIDER_RATES: 'google=none,github=none,salesforce=none,slack=none' };
  const child = fork(WORKER_MAIN, [], { env: { ...unpaced, ...process.env, ...env }, execArgv: [...(options.nodeFlags ?? WORKER_NODE_FLAGS), '--import', 'tsx', ...cpuProfileArgs()], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  alive.add(child);
  child.once('exit', () => alive.delete(child));
  const own: { output: string; heapLimitMiB?: number } = { output: '' };
  seen.set(child, own);
  // BENCH_WORKER_LOG_DIR: every line the worker writes also goes to <dir>/worker-<pid>.log (a long bench's worker, read afterwards).
  const logDir = process.env.BENCH_WORKER_LOG_DIR;
  const keep = (d: Buffer) => {
    own.output = (own.output + d.toString()).slice(-8000);
    if (logDir) appendFileSync(join(logDir, `worker-${child.pid}.log`), d);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return new Promise((resolve, reject) => {
    child.once('message', (m: { heapLimitMiB?: number }) => {
      if (typeof m.heapLimitMiB === 'number') own.heapLimitMiB = m.heapLimitMiB;
      resolve(child);
    });
    child.once('exit', (code, signal) => reject(new Error(`worker exited (${code ?? signal}) before it was ready:\n${own.output}`)));
  });
}

/** SIGKILLs a worker process and waits until it is gone. */
export async function killWorkerProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  if (cpuProfileArgs().length) {
    // Node writes the profile on a clean exit only: the worker shuts down on SIGTERM first.
    child.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 20_000))]);
  }
  child.kill('SIGKILL');
  await gone;
}

/** SIGKILLs every worker process still running (an afterAll). */
export async function killAllWorkerProcesses(): Promise<void> {
  await Promise.all([...alive].map(killWorkerProcess));
}
