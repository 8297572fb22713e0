// `npm run bench:mass` (also run by `npm run bench`): P2 of issue 14, mass containment at the providers'
// rate limits. On the generated load scenario (emulators/scenarios/load.ts) and a throwaway Temporal dev
// server, real worker processes (worker/main.ts, as `npm run worker` runs it) contain N credentials spread
// evenly over Google, GitHub, Salesforce and Slack, started as one mass containment (client/mass.ts: the
// refs travel in pages). The emulators enforce the providers' documented budgets with time compressed by
// BENCH_MASS_SCALE (bench/mass-limits.ts); the workers are given the same budgets in calls per second
// (CORDON_PROVIDER_RATES) and pace their queues' activities from the calls they count.
// For one worker process, then two, it reports:
//   - throughput against the bound the budgets allow: the calls the run made that the budgets admitted,
//     each provider's at its budget's rate, the slowest provider binding (target ≥ 90 %);
//   - nothing lost (every ref has a result) and no duplicate revocation (call log) or replacement (results);
//   - rate-limited answers the emulators gave (pacing that holds gives few);
//   - peak RSS of each worker process (sampled from /proc every 500 ms; target < 1 GiB);
//   - the largest history and the largest payload among the mass run, its page runs and a sample of the
//     containments (the refs must never travel in one payload: Temporal refuses those over 2 MB).
// JSON under .cordon/bench/. Full: 10,000 credentials (BENCH_MASS_N); `--quick`: 40 at a higher scale.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { loadScenario, type Scenario } from '@cordon/emulators';
import { connectClient } from '../client/containments.ts';
import { readMassProgress, startMassContainment } from '../client/mass.ts';
import { canInventory } from '../connectors/inventory.ts';
import { connectorsFromEnv } from '../connectors/registry.ts';
import { startLocalTenant, type LocalTenant } from '../local-tenant/tenant.ts';
import { groupByOwner } from '../workflows/mass-owners.ts';
import { providerTaskQueue, type ContainmentStatus } from '../schemas/containment.ts';
import type { CredentialRef } from '../schemas/credential.ts';
import { MASS_PAGE_SIZE, type MassProgressView } from '../schemas/mass.ts';
import { startDevServer } from '../temporal-config/dev-server.ts';
import { bundleCordonWorkflows } from '../worker/worker.ts';
import { killWorkerProcess, startWorkerProcess, workerProcessEnv } from '../test/support/worker-process.ts';
import { groupProcesses, totalCpuSeconds } from './process-cpu.ts';
import { autoScale, BENCH_PROVIDERS, scaledEmulatorLimits, throughputBound, windowUse, workerRatesFor, type RateLimit } from './mass-limits.ts';

const QUICK = process.argv.includes('--quick');
const N = Number(process.env.BENCH_MASS_N ?? (QUICK ? 12 : 10_000));
/**
 * Time compression of the documented budgets (12 makes Slack's 50/minute 10 calls a second), or `auto`:
 * the scale at which the budgets admit BENCH_MASS_LOAD (0.5) of the refs per second the unpaced
 * calibration run reached on this machine, so the budgets bind, not the machine's CPU.
 */
const SCALE_SETTING = process.env.BENCH_MASS_SCALE ?? 'auto';
const LOAD = Number(process.env.BENCH_MASS_LOAD ?? (QUICK ? 1 : 0.5));
/** The share of each budget the workers' queues are paced at (1: the budget itself). */
const HEADROOM = Number(process.env.BENCH_MASS_HEADROOM ?? 1);
const WORKER_COUNTS = (process.env.BENCH_MASS_WORKERS ?? (QUICK ? '1' : '1,2')).split(',').map(Number);
/** Children in flight per page run (two page runs at once). */
const CONCURRENCY = Number(process.env.BENCH_MASS_CONCURRENCY ?? 100);
const CALIBRATION_PER_PROVIDER = Number(process.env.BENCH_MASS_CALIBRATION ?? (QUICK ? 1 : 8));
const HISTORY_SAMPLE = 40;
/** BENCH_MASS_TIMELINE=1: every 10 s, each provider's running children and page runs and its activity backlog (where a provider's budget went unused). */
const TIMELINE = process.env.BENCH_MASS_TIMELINE === '1';
for (const [name, v] of Object.entries({ BENCH_MASS_N: N, BENCH_MASS_LOAD: LOAD, BENCH_MASS_HEADROOM: HEADROOM, BENCH_MASS_CONCURRENCY: CONCURRENCY, BENCH_MASS_CALIBRATION: CALIBRATION_PER_PROVIDER })) {
  if (!(v > 0)) throw new Error(`${name} must be a number above 0, got ${v}`);
}
if (SCALE_SETTING !== 'auto' && !(Number(SCALE_SETTING) > 0)) throw new Error(`BENCH_MASS_SCALE must be auto or a number above 0, got ${SCALE_SETTING}`);
if (WORKER_COUNTS.some((w) => !Number.isInteger(w) || w < 1)) throw new Error(`BENCH_MASS_WORKERS must be worker-process counts like 1,2, got ${process.env.BENCH_MASS_WORKERS}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r2 = (x: number) => Math.round(x * 100) / 100;

// ---- the lab ---------------------------------------------------------------------------------------

const started = Date.now();
const dir = await mkdtemp(join(tmpdir(), 'cordon-bench-mass-'));
// Not every load credential is a ref the bench can take (GitHub's inventory lists about three quarters of
// the scenario's credentials, 1,888 of 2,516: the rest are kinds it cannot list; Slack: only active users'
// tokens), hence the margin.
const perProvider = Math.ceil((1.4 * N) / BENCH_PROVIDERS.length) + CALIBRATION_PER_PROVIDER + 8;
const scenario = loadScenario(perProvider);
// GitHub's documented budget (5,000 calls an hour for an App installation) is applied below, compressed by the
// scale like the others (tenant.setRateLimit). The load scenario's own hourly budget (15,000, in real time) is
// lifted: at 10,000 refs it ran out after about 9,300 and stopped GitHub's queue until the hour's reset.
scenario.github!.rateLimitPerHour = 1_000_000_000;
const tenant = await startLocalTenant({ scenario });
const server = await startDevServer({ dataDir: join(dir, 'temporal'), headless: true, startTimeoutMs: 120_000 });
const keys = { activeKeyId: 'bench', keys: new Map([['bench', randomBytes(32)]]) };
const bundlePath = join(dir, 'workflow-bundle.js');
await writeFile(bundlePath, await bundleCordonWorkflows());
/** The emulators' budgets: set once the scale is known (after the calibration run when it is `auto`). */
let limits: RateLimit[] = [];

/**
 * The refs, one list per provider in the order the inventory gives: never Cordon's own credential or the
 * last admin path; Slack tokens by their leaked value (Slack lists no tokens), of active users only (a
 * deactivated user's token cannot be contained, by design, and would only measure that).
 */
async function refsByProvider(s: Scenario): Promise<Record<string, CredentialRef[]>> {
  const connectors = connectorsFromEnv(tenant.connectorEnv());
  const out: Record<string, CredentialRef[]> = { google: [], github: [], salesforce: [], slack: [] };
  for (const p of ['google', 'github', 'salesforce'] as const) {
    const c = connectors[p];
    if (!c || !canInventory(c)) throw new Error(`bench: the ${p} connector cannot list credentials`);
    for (const cred of (await c.inventory()).credentials) if (!cred.selfOrLastAdmin) out[p]!.push({ provider: p, kind: cred.kind, id: cred.id } as CredentialRef);
  }
  for (const t of s.slack?.tokens ?? []) {
    if (t.cordonOwn || s.slack?.users.find((u) => u.id === t.userId)?.status !== 'active') continue;
    out.slack!.push({ provider: 'slack', kind: 'oauth_token', leakedValue: t.value } as CredentialRef);
  }
  return out;
}

/** `n` refs from `from`, interleaved by provider so every provider is busy all along; taken from each list's end or start. */
function pick(lists: Record<string, CredentialRef[]>, n: number, fromEnd: boolean): CredentialRef[] {
  const per = Math.ceil(n / BENCH_PROVIDERS.length);
  const chosen = BENCH_PROVIDERS.map((p) => (fromEnd ? lists[p]!.slice(-per) : lists[p]!.slice(0, per)));
  for (const [i, p] of BENCH_PROVIDERS.entries()) if (chosen[i]!.length < per) throw new Error(`bench: the load scenario has ${chosen[i]!.length} ${p} credentials to contain, ${per} needed`);
  const out: CredentialRef[] = [];
  for (let i = 0; i < per; i++) for (const list of chosen) out.push(list[i]!);
  return out.slice(0, n);
}

// ---- one run ------------------------------------------------------------------------------------------

interface RunFigures {
  workers: number;
  refs: number;
  wallSec: number;
  perSecond: number;
  bound: { seconds: number; binding: string | undefined; perSecond: number };
  ofBound: number;
  outcomes: Record<string, number>;
  lost: number;
  admittedCalls: Record<string, number>;
  rateLimitedAnswers: Record<string, number>;
  duplicateRevocations: string[];
  duplicateReplacements: string[];
  peakRssMiB: number[];
  largestHistory: { workflowId: string; runId: string; bytes: number; events: number };
  largestPayload: { workflowId: string; bytes: number };
  /** Every run of every page run (continue-as-new included): how many, and the largest. */
  pageRuns: { runs: number; largestBytes: number; largestEvents: number };
  /** Admitted provider calls per ref of that provider, by operation. */
  callsPerRef: Record<string, { total: number; byOperation: Record<string, number> }>;
  /** The binding provider's admitted calls per budget window, as a share of its budget (where the run left budget unused). */
  bindingWindows: number[];
  /** Providers that answered 429: their calls (admitted and refused) in each of their windows that held a refusal, as windowStartSec → [calls, refused]. */
  refusingWindows: Record<string, Record<string, [number, number]>>;
  /** Each provider's last admitted call, in seconds from the start (which provider the run's tail waited on). */
  lastCallSec: Record<string, number>;
  /** Histories the bench could not read whole: one page of them was past the client's 4 MB message limit. */
  historiesTooLargeToRead: { workflowId: string; runId: string; atLeastBytes: number }[];
  /** The replacement registries that ran (one per principal and queue; the calibration run's too), and when any of them continued as new (seconds after the start). */
  registries: { count: number; continuedAtSec: number[] };
  /** With BENCH_MASS_TIMELINE=1: per provider, samples every 10 s of [seconds, running children, running page runs, activity backlog]. */
  timeline?: Record<string, [number, number, number, number][]>;
  /** With the timeline: every 10 s, the CPU the worker processes and the dev server used since the last sample (% of one core). */
  cpuTimeline?: [number, number, number][];
  notContainedSample: { workflowId: string; outcome: string; reason?: string }[];
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function runMass(label: string, client: Client, refs: CredentialRef[], workers: number, providerRates: string, paced: boolean): Promise<{ figures: RunFigures; callsPerActivity: Record<string, number> }> {
  tenant.reset(); // the scenario again: every credential alive, call log and budgets cleared
  if (paced) for (const l of limits) tenant.setRateLimit(l);
  const taskQueue = `cordon-bench-mass-${randomBytes(3).toString('hex')}`;
  const target = { connectionOptions: { address: server.address }, namespace: server.namespace, taskQueue };
  const env = await workerProcessEnv(target, keys, {
    ...tenant.connectorEnv(),
    CORDON_WORKFLOW_BUNDLE: bundlePath,
    CORDON_GITHUB_REVOKES_PER_HOUR: '360000',
    CORDON_PROVIDER_RATES: providerRates,
    // Salesforce sends no Retry-After: wait out the (compressed) window rather than the real minute.
    CORDON_SALESFORCE_RATE_LIMIT_BACKOFF_MS: String(1000 * (limits.find((l) => l.provider === 'salesforce')?.windowSec ?? 60)),
    CORDON_LOG_LEVEL: 'error',
    // Node options for the worker processes only (e.g. a V8 heap limit), not for this process, which runs the emulators.
    ...(process.env.BENCH_WORKER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS } : {}),
  });
  const children: ChildProcess[] = [];
  const peak: number[] = [];
  let sampling = true;
  try {
    for (let i = 0; i < workers; i++) {
      children.push(await startWorkerProcess(env));
      peak.push(0);
    }
    const sampler = (async () => {
      while (sampling) {
        for (const [i, c] of children.entries()) peak[i] = Math.max(peak[i]!, (await rssMiB(c.pid!)) || 0);
        await sleep(500);
      }
    })();
    const t0 = Date.now();
    const { workflowId } = await startMassContainment(client, taskQueue, { incidentId: `BENCH-MASS-${label}-${randomBytes(2).toString('hex')}`, requester: 'bench', credentials: refs, concurrency: CONCURRENCY });
    const timeline: NonNullable<RunFigures['timeline']> = {};
    const cpuTimeline: NonNullable<RunFigures['cpuTimeline']> = [];
    const serverPids = TIMELINE ? await groupProcesses(server.process.pid!, 'temporal') : [];
    const watcher = TIMELINE
      ? Promise.all([watchProviders(client, taskQueue, workflowId, refs, t0, timeline, () => sampling), watchCpu(children.map((c) => c.pid!), serverPids, t0, cpuTimeline, () => sampling)])
      : Promise.resolve();
    let progress: MassProgressView & { executionStatus: string };
    let lastLine = 0;
    /** Since when the mass run has not answered its progress query (a query times out while the worker replays it under load). */
    let unreadableSince: number | undefined;
    let kept = false;
    for (;;) {
      const read = await readMassProgress(client, workflowId).catch(async (err: unknown) => {
        unreadableSince ??= Date.now();
        console.log(`    ${label}: the mass run did not answer its progress query (${String(err).split('\n')[0]})`);
        if (!kept) {
          kept = true;
          await keepFailedHistory(client, workflowId).catch(() => undefined);
        }
        // Non-determinism never heals: give up on it at once; a slow worker gets five minutes.
        if (/Nondeterminism|TMPRL1100/.test(String(err)) || Date.now() - unreadableSince > 300_000) throw err;
        return undefined;
      });
      if (!read) {
        await sleep(5000);
        continue;
      }
      unreadableSince = undefined;
      progress = read;
      if (progress.executionStatus !== 'RUNNING') break;
      if (Date.now() - lastLine > 10_000) {
        lastLine = Date.now();
        console.log(`    ${label}: ${progress.done}/${refs.length} after ${Math.round((Date.now() - t0) / 1000)} s`);
      }
      await sleep(1000);
    }
    const wallSec = (Date.now() - t0) / 1000;
    sampling = false;
    await sampler;
    await watcher;
    if (progress.executionStatus !== 'COMPLETED') throw new Error(`bench: the mass containment ended ${progress.executionStatus}`);

    // Calls the budgets admitted (no fault), and the rate-limited answers, per provider.
    const calls = tenant.calls();
    const admittedCalls: Record<string, number> = {};
    const rateLimitedAnswers: Record<string, number> = {};
    const byOperation: Record<string, Record<string, number>> = {};
    for (const c of calls) {
      const bucket = c.fault === 'rate_limited' ? rateLimitedAnswers : admittedCalls;
      bucket[c.provider] = (bucket[c.provider] ?? 0) + 1;
      if (c.fault === 'rate_limited') continue;
      // Operation names carry no ids for most providers; strip any that do, so the breakdown groups. A query names its object.
      const op = c.operation === 'query' && c.target ? `query ${c.target}` : c.operation.replace(/\s.*$/, '');
      (byOperation[c.provider] ??= {})[op] = (byOperation[c.provider]![op] ?? 0) + 1;
    }
    const refsOf = (p: string) => refs.filter((r) => r.provider === p).length || 1;
    const callsPerRef = Object.fromEntries(
      Object.entries(byOperation).map(([p, ops]) => [p, { total: r2((admittedCalls[p] ?? 0) / refsOf(p)), byOperation: Object.fromEntries(Object.entries(ops).sort((a, b) => b[1] - a[1]).map(([o, n]) => [o, r2(n / refsOf(p))])) }]),
    );
    // Revocation effects: per credential, revoking writes the provider answered 2xx (a second "already gone" is fine).
    const effective = new Map<string, number>();
    for (const c of calls) {
      if (c.status >= 300 || c.fault || !c.target || !/revoke|delete|remove/i.test(c.operation)) continue;
      const key = `${c.provider}:${c.operation}:${c.target}`;
      effective.set(key, (effective.get(key) ?? 0) + 1);
    }
    const duplicateRevocations = [...effective].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);

    // Every child's result: replacements per (credential, consumer), and the activities on each provider queue.
    // One child per owner, named after the owner's first ref (workflows/mass-owners.ts); it holds the owner's refs.
    const groups = groupByOwner(refs);
    const refsHeld = new Map(groups.map((g) => [`${workflowId}-${g[0]}`, g.length]));
    const childIds = [...refsHeld.keys()];
    const duplicateReplacements: string[] = [];
    /** Refs whose child's result was read. */
    let resultsRead = 0;
    const activities: Record<string, number> = {};
    const sampleEvery = Math.max(1, Math.floor(childIds.length / HISTORY_SAMPLE));
    const histories: string[] = [workflowId, ...childIds.filter((_, i) => i % sampleEvery === 0)];
    for (let i = 0; i < childIds.length; i += 25) {
      await Promise.all(
        childIds.slice(i, i + 25).map(async (id) => {
          const s = (await client.workflow.getHandle(id).result().catch(() => undefined)) as ContainmentStatus | undefined;
          if (!s) return;
          resultsRead += refsHeld.get(id)!;
          for (const c of [...s.credentials, ...s.collateral]) {
            const seen = new Set<string>();
            for (const r of c.replacements) {
              if (seen.has(r.consumerId)) duplicateReplacements.push(`${id}: ${c.credentialId} for ${r.consumerId}`);
              seen.add(r.consumerId);
            }
          }
        }),
      );
    }
    // History and payload sizes: the mass run, every run of its page runs (each continue-as-new is a run), a sample of the containments.
    // A page's refs run per provider (`<id>-page-<n>-<provider>`); runs recorded before that ran a page as one (`<id>-page-<n>`).
    const pageIds = Array.from({ length: Math.ceil(refs.length / MASS_PAGE_SIZE) }, (_, p) => [`${workflowId}-page-${p}`, ...BENCH_PROVIDERS.map((x) => `${workflowId}-page-${p}-${x}`)]).flat();
    const runsOf = async (id: string) => {
      const out: { id: string; runId: string }[] = [];
      for await (const e of client.workflow.list({ query: `WorkflowId = '${id}'` })) out.push({ id, runId: e.runId });
      return out;
    };
    const pageRunIds = (await Promise.all(pageIds.map(runsOf))).flat();
    let largestHistory = { workflowId: '', runId: '', bytes: 0, events: 0 };
    let largestPayload = { workflowId: '', bytes: 0 };
    const pageRuns = { runs: pageRunIds.length, largestBytes: 0, largestEvents: 0 };
    const pageRunSet = new Set(pageRunIds.map((r) => r.runId));
    const tooLarge: RunFigures['historiesTooLargeToRead'] = [];
    for (const { id, runId } of [...histories.map((id) => ({ id, runId: '' })), ...pageRunIds]) {
      const h = await client.workflow
        .getHandle(id, runId || undefined)
        .fetchHistory()
        .catch((err: unknown) => {
          // One page of a history past the client's 4 MB gRPC message limit: the history is at least that large. Recorded, not fatal.
          const over = /larger than max \((\d+) vs/.exec(String(err))?.[1];
          if (!over) throw err;
          tooLarge.push({ workflowId: id, runId, atLeastBytes: Number(over) });
          return undefined;
        });
      if (!h) continue;
      const bytes = proto.temporal.api.history.v1.History.encode(h).finish().length;
      const events = h.events?.length ?? 0;
      if (bytes > largestHistory.bytes) largestHistory = { workflowId: id, runId, bytes, events };
      if (pageRunSet.has(runId) && bytes > pageRuns.largestBytes) Object.assign(pageRuns, { largestBytes: bytes, largestEvents: events });
      const p = largestPayloadBytes(h);
      if (p > largestPayload.bytes) largestPayload = { workflowId: id, bytes: p };
      if (!paced) {
        for (const e of h.events ?? []) {
          const q = e.activityTaskScheduledEventAttributes?.taskQueue?.name;
          const provider = BENCH_PROVIDERS.find((x) => q === providerTaskQueue(taskQueue, x));
          if (provider) activities[provider] = (activities[provider] ?? 0) + 1;
        }
      }
    }
    const bound = throughputBound(admittedCalls, limits);
    /** These calls counted in each provider's budget windows over the run. */
    const perWindow = (cs: typeof calls) => windowUse(cs.map((c) => ({ provider: c.provider, atMs: Date.parse(c.at) })), limits, t0, t0 + wallSec * 1000);
    const used = perWindow(calls.filter((c) => !c.fault));
    const bindingLimit = limits.find((l) => l.provider === bound.binding);
    const bindingWindows = bindingLimit ? used[bindingLimit.provider]!.map((n) => r2(n / bindingLimit.limit)) : [];
    const allCalls = perWindow(calls);
    const refused = perWindow(calls.filter((c) => c.fault === 'rate_limited'));
    const refusingWindows: RunFigures['refusingWindows'] = {};
    for (const l of limits) {
      refused[l.provider]!.forEach((n, i) => {
        if (n > 0) (refusingWindows[l.provider] ??= {})[String(i * l.windowSec)] = [allCalls[l.provider]![i]!, n];
      });
    }
    const lastCallSec: Record<string, number> = {};
    for (const c of calls) if (!c.fault) lastCallSec[c.provider] = Math.max(lastCallSec[c.provider] ?? 0, r2((Date.parse(c.at) - t0) / 1000));
    const outcomes = progress.tally;
    const finished = Object.values(outcomes).reduce((a, b) => a + b, 0);
    // The replacement registries every child asks (one per principal), and when any continued as new: a registry's
    // continue-as-new holds its updates back, which would show as a stall of the children that wait on it.
    const registryStarts = new Map<string, number[]>();
    for await (const e of client.workflow.list({ query: `WorkflowType = 'replacementRegistry'` })) {
      registryStarts.set(e.workflowId, [...(registryStarts.get(e.workflowId) ?? []), r2((e.startTime.getTime() - t0) / 1000)]);
    }
    const registries = { count: registryStarts.size, continuedAtSec: [...registryStarts.values()].flatMap((starts) => starts.sort((a, b) => a - b).slice(1)).sort((a, b) => a - b) };
    const figures: RunFigures = {
      workers,
      refs: refs.length,
      wallSec: r2(wallSec),
      perSecond: r2(refs.length / wallSec),
      bound: { seconds: r2(bound.seconds), binding: bound.binding, perSecond: bound.seconds ? r2(refs.length / bound.seconds) : Infinity },
      ofBound: r2(bound.seconds / wallSec),
      outcomes,
      lost: refs.length - Math.min(finished, resultsRead),
      admittedCalls,
      rateLimitedAnswers,
      duplicateRevocations,
      duplicateReplacements,
      peakRssMiB: peak.map((x) => Math.round(x)),
      largestHistory,
      largestPayload,
      historiesTooLargeToRead: tooLarge,
      registries,
      pageRuns,
      callsPerRef,
      bindingWindows,
      refusingWindows,
      lastCallSec,
      // Every ref left alive or failed (a defect to explain), then a few of the expected ones (cut off from the tenant, alive for their owners).
      notContainedSample: [...progress.notContained.filter((r) => r.outcome !== 'contained_in_tenant').slice(0, 50), ...progress.notContained.filter((r) => r.outcome === 'contained_in_tenant').slice(0, 3)],
      ...(TIMELINE ? { timeline, cpuTimeline } : {}),
    };
    // Calls per activity, per provider: from the calibration run, where every child's history is read.
    const callsPerActivity = Object.fromEntries(BENCH_PROVIDERS.map((p) => [p, (admittedCalls[p] ?? 0) / Math.max(1, activities[p] ?? 0)]));
    return { figures, callsPerActivity };
  } finally {
    sampling = false;
    await Promise.all(children.map(killWorkerProcess));
  }
}

/**
 * Samples, every 10 s while `going()`, each provider's running containments of this mass run (told from their
 * ids: one child per owner, named after its first ref), its running page runs (`<id>-page-<n>-<provider>`) and
 * the backlog of its provider task queue (the server's approximate count).
 */
async function watchProviders(client: Client, taskQueue: string, massId: string, refs: CredentialRef[], t0: number, into: NonNullable<RunFigures['timeline']>, going: () => boolean): Promise<void> {
  const providerOfChild = new Map(groupByOwner(refs).map((g) => [`${massId}-${g[0]}`, refs[g[0]!]!.provider]));
  while (going()) {
    const at = Date.now();
    const children: Record<string, number> = {};
    const pages: Record<string, number> = {};
    try {
      for await (const e of client.workflow.list({ query: `ExecutionStatus = 'Running'` })) {
        const child = providerOfChild.get(e.workflowId);
        if (child) children[child] = (children[child] ?? 0) + 1;
        const page = /-page-\d+-(\w+)$/.exec(e.workflowId)?.[1];
        if (page && e.workflowId.startsWith(massId)) pages[page] = (pages[page] ?? 0) + 1;
      }
      for (const p of BENCH_PROVIDERS) {
        const d = await client.workflowService.describeTaskQueue({
          namespace: client.options.namespace,
          taskQueue: { name: providerTaskQueue(taskQueue, p) },
          taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
          reportStats: true,
        });
        const backlog = Number(d.stats?.approximateBacklogCount ?? 0);
        (into[p] ??= []).push([Math.round((at - t0) / 1000), children[p] ?? 0, pages[p] ?? 0, backlog]);
      }
    } catch {
      // A sample the server could not answer under load is skipped; the run goes on.
    }
    await sleep(Math.max(0, 10_000 - (Date.now() - at)));
  }
}

/** Samples, every 10 s while `going()`, the CPU the worker processes and the dev server used since the last sample. */
async function watchCpu(workerPids: number[], serverPids: number[], t0: number, into: NonNullable<RunFigures['cpuTimeline']>, going: () => boolean): Promise<void> {
  const read = async () => ({ at: Date.now(), worker: await totalCpuSeconds(workerPids), server: await totalCpuSeconds(serverPids) });
  let last = await read();
  while (going()) {
    await sleep(Math.max(0, 10_000 - (Date.now() - last.at)));
    const now = await read();
    const pct = (a?: number, b?: number) => (a === undefined || b === undefined ? NaN : Math.round(((b - a) / ((now.at - last.at) / 1000)) * 100));
    into.push([Math.round((now.at - t0) / 1000), pct(last.worker, now.worker), pct(last.server, now.server)]);
    last = now;
  }
}

/**
 * BENCH_MASS_KEEP_FAILED=<dir>: the first time the mass run cannot be read (a query failed: timed out, or on
 * non-determinism), its history and this run's throwaway codec key are written there, to replay it before the
 * server goes (Worker.runReplayHistories with cordonDataConverter and that key).
 */
async function keepFailedHistory(client: Client, workflowId: string): Promise<void> {
  const to = process.env.BENCH_MASS_KEEP_FAILED;
  if (!to) return;
  await mkdir(to, { recursive: true });
  const h = await client.workflow.getHandle(workflowId).fetchHistory();
  await writeFile(join(to, `${workflowId}.json`), historyToJSON(h));
  await writeFile(join(to, `${workflowId}.key`), keys.keys.get('bench')!.toString('hex'));
  console.log(`    kept the mass run's history and the bench's codec key in ${to}`);
}

/** The worker knobs this run's workers inherit (CORDON_WORKER_*), for the JSON. */
function tuningFromEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter(([k, v]) => k.startsWith('CORDON_WORKER_') && v !== undefined)) as Record<string, string>;
}

/** The largest payload (its data, in bytes) anywhere in a history's events. */
function largestPayloadBytes(h: proto.temporal.api.history.v1.IHistory): number {
  let max = 0;
  const walk = (v: unknown, depth: number): void => {
    if (!v || typeof v !== 'object' || depth > 12) return;
    if (v instanceof Uint8Array) return;
    const o = v as Record<string, unknown>;
    if (o.data instanceof Uint8Array && 'metadata' in o) max = Math.max(max, o.data.length);
    for (const x of Object.values(o)) walk(x, depth + 1);
  };
  for (const e of h.events ?? []) walk(e, 0);
  return max;
}

// ---- the benchmark -----------------------------------------------------------------------------------

const client = await connectClient({ connectionOptions: { address: server.address }, namespace: server.namespace, taskQueue: 'unused' }, keys);
const out: Record<string, unknown> = {};
try {
  console.log(`Cordon P2 benchmark (issue 14) — mass containment of ${N} credentials over ${BENCH_PROVIDERS.length} providers on the local emulators${QUICK ? ' (--quick)' : ''}`);
  const lists = await refsByProvider(scenario);
  // Calibration: a few credentials per provider, unpaced, one worker: the calls one activity makes on each
  // provider's queue, the calls per ref, and what this machine does when nothing paces it.
  const calibration = await runMass('calibration', client, pick(lists, CALIBRATION_PER_PROVIDER * BENCH_PROVIDERS.length, false), 1, BENCH_PROVIDERS.map((p) => `${p}=none`).join(','), false);
  const perRef = Object.fromEntries(Object.entries(calibration.figures.callsPerRef).map(([p, c]) => [p, c.total]));
  const scale = SCALE_SETTING === 'auto' ? autoScale(calibration.figures.perSecond * LOAD, perRef) : Number(SCALE_SETTING);
  // Each window holds every call of two refs: one activity can make most of a ref's calls at once (a
  // Salesforce identify pages through its queries), so a window sized to the average activity overflows.
  limits = scaledEmulatorLimits(scale, 10, Object.fromEntries(Object.entries(perRef).map(([p, k]) => [p, Math.ceil(2 * k)])));
  const rates = workerRatesFor(limits, HEADROOM);
  console.log(
    `  calibration (unpaced, ${calibration.figures.refs} refs): ${calibration.figures.perSecond} refs/s; calls per ref ${Object.entries(calibration.figures.callsPerRef).map(([p, c]) => `${p} ${c.total} (${Object.entries(c.byOperation).slice(0, 4).map(([o, n]) => `${o} ${n}`).join(', ')}…)`).join('; ')}\n` +
      `  budgets at ${r2(scale)}× the documented rates${SCALE_SETTING === 'auto' ? ` (auto: ${LOAD} of the unpaced rate)` : ''}: ${limits.map((l) => `${l.provider} ${l.limit}/${l.windowSec} s`).join(', ')} → CORDON_PROVIDER_RATES=${rates} calls/s (${HEADROOM} of each budget); calls per activity unpaced ${Object.entries(calibration.callsPerActivity).map(([p, k]) => `${p} ${r2(k)}`).join(', ')}`,
  );
  const refs = pick(lists, N, true);
  const runs: RunFigures[] = [];
  for (const w of WORKER_COUNTS) {
    const { figures } = await runMass(`${w}w`, client, refs, w, rates, true);
    runs.push(figures);
    console.log(
      `  ${w} worker process${w > 1 ? 'es' : ''}: ${figures.refs} refs in ${figures.wallSec} s (${figures.perSecond}/s), bound ${figures.bound.seconds} s (${figures.bound.binding}) → ${Math.round(figures.ofBound * 100)} % of the bound; ` +
        `outcomes ${JSON.stringify(figures.outcomes)}, lost ${figures.lost}, duplicate revocations ${figures.duplicateRevocations.length}, duplicate replacements ${figures.duplicateReplacements.length}, ` +
        `429s ${JSON.stringify(figures.rateLimitedAnswers)}, peak RSS ${figures.peakRssMiB.join(' + ')} MiB, largest history ${Math.round(figures.largestHistory.bytes / 1024)} KiB (${figures.largestHistory.events} events), largest payload ${Math.round(figures.largestPayload.bytes / 1024)} KiB\n` +
        `    ${figures.bound.binding}'s budget used, window by window: ${figures.bindingWindows.map((x) => `${Math.round(x * 100)}`).join(' ')} (%); last call of each provider at ${Object.entries(figures.lastCallSec).map(([p, t]) => `${p} ${t} s`).join(', ')}` +
        Object.entries(figures.refusingWindows)
          .map(([p, ws]) => `\n    ${p}'s windows with a 429 (start s: calls/refused, budget ${limits.find((l) => l.provider === p)?.limit}): ${Object.entries(ws).map(([at, [n, r]]) => `${at}: ${n}/${r}`).join(', ')}`)
          .join('') +
        `\n    replacement registries: ${figures.registries.count}, continued as new at (s): ${figures.registries.continuedAtSec.join(' ') || 'never'}` +
        figures.historiesTooLargeToRead.map((h) => `\n    history too large to read: ${h.workflowId} ${h.runId} (a page of it ≥ ${Math.round(h.atLeastBytes / 1024)} KiB)`).join('') +
        figures.notContainedSample
          .filter((r) => r.outcome !== 'contained_in_tenant')
          .map((r) => `\n    ${r.outcome}: ${r.workflowId}: ${r.reason ?? '(no reason given)'}`)
          .join('') +
        Object.entries(figures.timeline ?? {})
          .map(([p, samples]) => `\n    ${p} every 10 s (running children/page runs/activity backlog): ${samples.map(([, c, g, b]) => `${c}/${g}/${b}`).join(' ')}`)
          .join('') +
        (figures.cpuTimeline ? `\n    CPU every 10 s, % of one core (worker processes/dev server): ${figures.cpuTimeline.map(([, w, s]) => `${w}/${s}`).join(' ')}` : ''),
    );
  }

  console.log('\nP2 ratios (targets: ≥ 90 % of the bound, nothing lost, no duplicates, peak worker RSS < 1 GiB, no payload near 2 MB)');
  console.log(['workers', 'refs', 'wall s', 'bound s', 'of bound', 'refs/s', 'lost', 'dup rev', 'dup repl', '429s', 'peak RSS MiB', 'max hist KiB', 'max payload KiB'].map((h, i) => (i ? h.padStart(i > 9 ? 16 : 10) : h.padEnd(8))).join(''));
  for (const r of runs) {
    const cells = [r.refs, r.wallSec, r.bound.seconds, `${Math.round(r.ofBound * 100)} %`, r.perSecond, r.lost, r.duplicateRevocations.length, r.duplicateReplacements.length, Object.values(r.rateLimitedAnswers).reduce((a, b) => a + b, 0), Math.max(...r.peakRssMiB), Math.round(r.largestHistory.bytes / 1024), Math.round(r.largestPayload.bytes / 1024)];
    console.log([String(r.workers).padEnd(8), ...cells.map((c, i) => String(c).padStart(i > 8 ? 16 : 10))].join(''));
  }
  if (runs.length === 2) {
    const limited = runs.map((r) => Object.values(r.rateLimitedAnswers).reduce((a, b) => a + b, 0));
    // Where the budgets bind, a second process cannot add throughput; where the machine binds (far below the bound), it can.
    console.log(`  two worker processes ÷ one: ${r2(runs[1]!.perSecond / runs[0]!.perSecond)}× the throughput, ${limited[1]} rate-limited answers with two against ${limited[0]} with one (pacing holds across processes when the two do not add up)`);
  }
  Object.assign(out, { scale, load: LOAD, headroom: HEADROOM, limits, calibration: { callsPerActivity: calibration.callsPerActivity, unpaced: calibration.figures }, providerRates: rates, runs });

  const dirOut = join(process.cwd(), '.cordon', 'bench');
  await mkdir(dirOut, { recursive: true });
  const file = join(dirOut, `mass-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const cpus = (await import('node:os')).cpus().length;
  await writeFile(file, JSON.stringify({ benchmark: 'p2-mass', issue: 14, quick: QUICK, n: N, concurrency: CONCURRENCY, tuning: tuningFromEnv(), machine: { cpus, node: process.version, platform: process.platform, loadAverage: loadavg().map(r2) }, durationSec: Math.round((Date.now() - started) / 1000), ...out }, null, 2));
  console.log(`\nfigures written to ${file} (${Math.round((Date.now() - started) / 1000)} s in all)`);
} finally {
  await client.connection.close().catch(() => undefined);
  await tenant.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
