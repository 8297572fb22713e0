// `npm run bench`: time-to-contain on one machine. Starts a throwaway Temporal dev server and a
// worker on the reference tenant, runs containments (sequentially, then concurrently) and reports
// the figures drills care about: start → revoked, start → verified dead, and runs per second.
// Numbers, not pass/fail: a benchmark reports, tests assert.
import { mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { connectClient, startContainment } from '../client/containments.ts';
import { MemoryConnector } from '../connectors/memory/connector.ts';
import { MemoryTenant, type MemorySeed } from '../connectors/memory/tenant.ts';
import { LocalEncryptedStore } from '../connectors/sinks/local-store.ts';
import { createLogger } from '../logging/logger.ts';
import type { ContainmentStatus } from '../schemas/containment.ts';
import { startDevServer, TASK_QUEUE } from '../temporal-config/dev-server.ts';
import { createCordonWorker } from '../worker/worker.ts';
import { firstTaskMs } from './timeline.ts';

Runtime.install({ logger: new DefaultLogger('ERROR') });
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 20);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 100);

/**
 * A tenant with `n` independent leaked tokens, each shared by two consumers. One principal per token:
 * containment forces the principal to re-authenticate, which ends every token it holds, so tokens of a
 * shared principal would be dead before their own run.
 */
function seed(n: number): MemorySeed {
  return {
    principals: Array.from({ length: n }, (_, i) => ({ id: `svc-${i}`, displayName: `svc ${i}`, type: 'integration_user' as const, status: 'active' as const })),
    credentials: Array.from({ length: n }, (_, i) => ({
      id: `tok-${i}`,
      kind: 'oauth_token' as const,
      principalId: `svc-${i}`,
      label: `token ${i}`,
      clientId: `app-${i}`,
      createdAt: '2025-01-01T00:00:00Z',
      consumers: [{ id: `c${i}a`, name: 'a', kind: 'integration' as const }, { id: `c${i}b`, name: 'b', kind: 'integration' as const }],
    })),
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (s: ContainmentStatus, state: string) => {
  const t = s.credentials[0]?.transitions.find((x) => x.state === state)?.at;
  return t ? Date.parse(t) - Date.parse(s.startedAt) : NaN;
};

const dir = await mkdtemp(join(tmpdir(), 'cordon-bench-'));
const server = await startDevServer({ dataDir: dir, headless: true });
const keys = { activeKeyId: 'b', keys: new Map([['b', randomBytes(32)]]) };
const target = { connectionOptions: { address: server.address }, namespace: server.namespace, taskQueue: TASK_QUEUE };
const tenant = new MemoryTenant(seed(SEQUENTIAL + CONCURRENT + 1));
const worker = await createCordonWorker({
  target,
  codecKeys: keys,
  deps: { connectors: { memory: new MemoryConnector(tenant) }, sink: new LocalEncryptedStore(join(dir, 'sink'), randomBytes(32)), logger: createLogger({ level: 'error' }) },
});
const running = worker.run();
const client = await connectClient(target, keys);

const workflowIds = new Map<number, string>();
async function contain(i: number): Promise<ContainmentStatus> {
  const { workflowId } = await startContainment(client, TASK_QUEUE, { incidentId: `BENCH-${i}`, requester: 'bench', credentials: [{ provider: 'memory', kind: 'oauth_token', id: `tok-${i}` }] });
  workflowIds.set(i, workflowId);
  return (await client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
}

/** The first workflow task of each run, from its history: evaluating the run's modules and its setup, plus any wait for the workflow thread. */
async function firstTasks(runs: number[]) {
  const times = await Promise.all(runs.map(async (i) => firstTaskMs((await client.workflow.getHandle(workflowIds.get(i)!).fetchHistory()).events ?? [])));
  console.log(`${''.padEnd(24)} first workflow task p50 ${pct(times, 50)} ms p95 ${pct(times, 95)} ms`);
}

/** This process's CPU time (worker and client; the dev server is its own process) and peak RSS over a phase, per run. */
function cpuReport(results: number, since: NodeJS.CpuUsage) {
  const used = process.cpuUsage(since);
  const perRun = (used.user + used.system) / 1000 / results;
  console.log(`${''.padEnd(24)} worker process CPU ${perRun.toFixed(0)} ms per run  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

function report(label: string, results: ContainmentStatus[], wallMs: number) {
  const revoked = results.map((r) => ms(r, 'revoked'));
  const dead = results.map((r) => ms(r, 'verified_dead'));
  const contained = results.filter((r) => r.outcome === 'contained').length;
  console.log(
    `${label.padEnd(24)} runs ${String(results.length).padStart(4)}  contained ${String(contained).padStart(4)}  ` +
      `to revoked p50 ${pct(revoked, 50)} ms p95 ${pct(revoked, 95)} ms  ` +
      `to verified dead p50 ${pct(dead, 50)} ms p95 ${pct(dead, 95)} ms  ` +
      `throughput ${(results.length / (wallMs / 1000)).toFixed(1)} runs/s`,
  );
  // A run that did not contain has no transitions to time: say why, rather than print NaN alone.
  const other = new Map<string, number>();
  for (const r of results) if (r.outcome !== 'contained') other.set(`${r.outcome}: ${r.outcomeReason ?? ''}`, (other.get(`${r.outcome}: ${r.outcomeReason ?? ''}`) ?? 0) + 1);
  for (const [why, n] of other) console.log(`${''.padEnd(24)} not contained ×${n} — ${why}`);
}

try {
  console.log(`Cordon benchmark — Temporal ${server.address}, reference tenant, ${SEQUENTIAL} sequential + ${CONCURRENT} concurrent containments`);
  await contain(0); // warm-up: worker caches, server namespace
  let t0 = Date.now();
  let cpu = process.cpuUsage();
  const seq: ContainmentStatus[] = [];
  for (let i = 1; i <= SEQUENTIAL; i++) seq.push(await contain(i));
  report('sequential', seq, Date.now() - t0);
  cpuReport(seq.length, cpu);
  await firstTasks(Array.from({ length: SEQUENTIAL }, (_, k) => 1 + k));
  t0 = Date.now();
  cpu = process.cpuUsage();
  const conc = await Promise.all(Array.from({ length: CONCURRENT }, (_, k) => contain(SEQUENTIAL + 1 + k)));
  report(`concurrent (${CONCURRENT})`, conc, Date.now() - t0);
  cpuReport(conc.length, cpu);
  await firstTasks(Array.from({ length: CONCURRENT }, (_, k) => SEQUENTIAL + 1 + k));
} finally {
  worker.shutdown();
  await running;
  await client.connection.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
