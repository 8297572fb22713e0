// `npm run bench:sequential` (also run by `npm run bench`): P3 of issue 14, Cordon against the sequential
// script a small team would write, on N credentials of kinds an admin can re-issue: Google service-account
// keys and GitHub deploy keys of the generated load scenario (emulators/scenarios/load.ts), half each, taken
// as whole principals (bench/sequential-outcomes.ts wholePrincipals says why). Both sides run against the same
// local emulators with the same latency injected on every provider call (the emulators' `latency` fault,
// token endpoints included; BENCH_SEQ_LATENCY_MS, 100 ms: a SaaS API round trip) and no rate limits (the
// load scenario's GitHub budget of 15,000 calls an hour is lifted for both sides):
//   - the script: the official SDKs (googleapis, @octokit/rest), one credential after the other: list the
//     owner's keys to find it → delete it → create one replacement per consumer (its private half written to a
//     file, the script's "vault") → list again to check the old key gone and the new ones there;
//   - Cordon: one mass containment of the same credentials (client/mass.ts) on the tenant reset to the same
//     scenario, on a real worker process (worker/main.ts) and a throwaway Temporal dev server.
// Then, per credential, from the emulators' state and each side's own record (bench/sequential-outcomes.ts):
// old credential gone, verified gone by the side, exactly one live replacement per consumer, nothing else
// minted or ended. Prints both wall times and the ratio (target ≥ 20× at N = 1,000), and the best ratio the CPU
// Cordon's side used allows on this machine's cores (cpuBound); writes JSON under .cordon/bench/.
// Full: N = 1,000 (BENCH_SEQ_N); `--quick`: N = 10.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { google } from 'googleapis';
import { Octokit } from '@octokit/rest';
import { loadScenario, type CallRecord } from '@cordon/emulators';
import { connectClient } from '../client/containments.ts';
import { startMassContainment } from '../client/mass.ts';
import { serviceAccountJwt, CLOUD_SCOPES } from '../connectors/google/auth.ts';
import { signAppJwt } from '../connectors/github/client.ts';
import { generateDeployKeyPair } from '../connectors/github/deploy-key.ts';
import { startLocalTenant } from '../local-tenant/tenant.ts';
import type { MassContainmentResult } from '../schemas/mass.ts';
import { startDevServer } from '../temporal-config/dev-server.ts';
import { bundleCordonWorkflows } from '../worker/worker.ts';
import { killWorkerProcess, startWorkerProcess, workerProcessEnv } from '../test/support/worker-process.ts';
import { checkOutcomes, sameOutcomes, type OutcomeCheck, type SideRecord, type TenantSnapshots } from './sequential-outcomes.ts';
import { childResults, credentialSet, liveKeys, sideRecordOf, workerConnectorEnv, type SetCredential } from './credential-set.ts';
import { REGISTRY_WORKFLOW_TYPE } from '../workflows/replacement-registry.ts';
import { countEventTypes, timelineLines } from './timeline.ts';
import { cpuSeconds, groupProcesses, totalCpuSeconds } from './process-cpu.ts';

const QUICK = process.argv.includes('--quick');
const N = Number(process.env.BENCH_SEQ_N ?? (QUICK ? 10 : 1000));
const LATENCY_MS = Number(process.env.BENCH_SEQ_LATENCY_MS ?? 100);
/** Cordon's children in flight (the mass containment's `concurrency`, at most 200). */
const CONCURRENCY = Number(process.env.BENCH_SEQ_CONCURRENCY ?? 200);
/** Prints the history of the owner's child whose run took the median time, as a timeline (bench/timeline.ts). */
const TIMELINE = process.env.BENCH_SEQ_TIMELINE === '1';
const TARGET_RATIO = 20;
for (const [name, v, min] of [['BENCH_SEQ_N', N, 2], ['BENCH_SEQ_LATENCY_MS', LATENCY_MS, 0], ['BENCH_SEQ_CONCURRENCY', CONCURRENCY, 1]] as const) {
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be a whole number of at least ${min}, got ${v}`);
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const r2 = (x: number) => Math.round(x * 100) / 100;
const load = () => loadavg().map((x) => r2(x));

// ---- the lab ------------------------------------------------------------------------------------------

const started = Date.now();
const loadAtStart = load();
const dir = await mkdtemp(join(tmpdir(), 'cordon-bench-seq-'));
// A fifth of a provider's load credentials are Google service-account keys (five per account) and a quarter
// GitHub deploy keys; 25 more keeps the number of repositories odd-sized enough that deploy keys spread over
// all of them (a handful each) rather than 25 to a repository.
let perProvider = Math.max(60, Math.ceil(2.5 * N) + 25);
while (Math.ceil(perProvider / 25) % 2 === 0 && perProvider < 5000) perProvider += 25;
const scenario = loadScenario(perProvider);
scenario.github!.rateLimitPerHour = 1_000_000_000;
const keys = { activeKeyId: 'bench', keys: new Map([['bench', randomBytes(32)]]) };
const bundlePath = join(dir, 'workflow-bundle.js');
const [tenant, server] = await Promise.all([
  startLocalTenant({ scenario }),
  startDevServer({ dataDir: join(dir, 'temporal'), headless: true, startTimeoutMs: 120_000 }),
  bundleCordonWorkflows().then((code) => writeFile(bundlePath, code)),
]);
const setupSec = r2((Date.now() - started) / 1000);

/** The scenario again (every credential alive, call log and faults cleared), what is live, then the latency. */
async function prepare(): Promise<{ before: Set<string>; afterSeq: number }> {
  tenant.reset();
  const before = await liveKeys(tenant);
  const afterSeq = tenant.calls().at(-1)?.seq ?? 0;
  if (LATENCY_MS > 0) tenant.injectFault({ type: 'latency', latencyMs: LATENCY_MS });
  return { before, afterSeq };
}

/** The side's provider calls (those after `prepare`), then what is live. */
async function settle(prepared: { before: Set<string>; afterSeq: number }): Promise<{ tenant: TenantSnapshots; calls: CallRecord[] }> {
  const calls = tenant.calls().filter((c) => c.seq > prepared.afterSeq);
  return { calls, tenant: { before: prepared.before, after: await liveKeys(tenant) } };
}

function callSummary(calls: CallRecord[]): { total: number; byOperation: Record<string, number> } {
  const byOperation: Record<string, number> = {};
  for (const c of calls) byOperation[c.operation] = (byOperation[c.operation] ?? 0) + 1;
  return { total: calls.length, byOperation: Object.fromEntries(Object.entries(byOperation).sort((a, b) => b[1] - a[1])) };
}

// ---- the script ---------------------------------------------------------------------------------------

/** The sequential script, as a small team writes it: one credential at a time, list → revoke → create → verify. */
async function theScript(set: SetCredential[]): Promise<SideRecord & { wallMs: number }> {
  const env = tenant.connectorEnv();
  const vault = await mkdtemp(join(dir, 'script-vault-'));
  const t0 = performance.now();
  const creds = JSON.parse(env.CORDON_GOOGLE_CREDENTIALS_JSON!) as { client_email: string; private_key: string; private_key_id: string };
  const auth = serviceAccountJwt({ email: creds.client_email, privateKey: creds.private_key, keyId: creds.private_key_id }, { scopes: CLOUD_SCOPES, tokenUrl: env.CORDON_GOOGLE_TOKEN_URL!, timeoutMs: 30_000 });
  // `as never`: googleapis bundles its own copy of google-auth-library's types (as the connector does).
  const iam = google.iam({ version: 'v1', auth: auth as never, rootUrl: env.CORDON_GOOGLE_ROOT_URL!, retry: false }).projects.serviceAccounts.keys;
  const baseUrl = env.CORDON_GITHUB_API_URL!.replace(/\/$/, '');
  const app = new Octokit({ baseUrl, log: silent, auth: signAppJwt(Number(env.CORDON_GITHUB_APP_ID), env.CORDON_GITHUB_APP_PRIVATE_KEY!) });
  const { data: installation } = await app.apps.createInstallationAccessToken({ installation_id: Number(env.CORDON_GITHUB_INSTALLATION_ID) });
  const gh = new Octokit({ baseUrl, log: silent, auth: installation.token });

  const replacements: SideRecord['replacements'][number][] = [];
  const verifiedGone: string[] = [];
  let n = 0;
  const stash = (consumer: string, secret: string) => writeFile(join(vault, `${consumer}-${++n}`), secret, { mode: 0o600 });
  for (const c of set) {
    if (c.google) {
      const { keyName, parent } = c.google;
      const listed = (await iam.list({ name: parent, keyTypes: ['USER_MANAGED'] })).data.keys ?? [];
      if (!listed.some((k) => k.name === keyName)) throw new Error(`script: ${keyName} not found`);
      await iam.delete({ name: keyName });
      const minted: string[] = [];
      for (const consumer of c.consumers) {
        const { data } = await iam.create({ name: parent, requestBody: { privateKeyType: 'TYPE_GOOGLE_CREDENTIALS_FILE' } });
        await stash(consumer, data.privateKeyData!);
        minted.push(data.name!);
        replacements.push({ credentialId: c.credentialId, consumerId: consumer, replacementId: `google:${data.name}` });
      }
      const after = new Set(((await iam.list({ name: parent, keyTypes: ['USER_MANAGED'] })).data.keys ?? []).map((k) => k.name));
      if (!after.has(keyName) && minted.every((m) => after.has(m))) verifiedGone.push(c.credentialId);
    } else {
      const { owner, repo, keyId } = c.github!;
      const list = () => gh.paginate(gh.repos.listDeployKeys, { owner, repo, per_page: 100 });
      const old = (await list()).find((k) => k.id === keyId);
      if (!old) throw new Error(`script: deploy key ${keyId} of ${owner}/${repo} not found`);
      await gh.repos.deleteDeployKey({ owner, repo, key_id: keyId });
      const minted: number[] = [];
      for (const consumer of c.consumers) {
        const pair = generateDeployKeyPair(consumer);
        const { data } = await gh.repos.createDeployKey({ owner, repo, key: pair.publicKey, title: `${consumer} (replaced)`, read_only: old.read_only });
        await stash(consumer, pair.privateKey);
        minted.push(data.id);
        replacements.push({ credentialId: c.credentialId, consumerId: consumer, replacementId: `github:deploy_key:${owner}/${repo}:${data.id}` });
      }
      const after = new Set((await list()).map((k) => k.id));
      if (!after.has(keyId) && minted.every((m) => after.has(m))) verifiedGone.push(c.credentialId);
    }
  }
  return { replacements, verifiedGone, wallMs: performance.now() - t0 };
}

// ---- Cordon -------------------------------------------------------------------------------------------

interface CordonRun extends SideRecord {
  wallMs: number;
  tally: Record<string, number>;
  notContained: MassContainmentResult['notContained'];
  /** Credentials re-authentication ended besides a run's own target (each counted once per run that ended it). */
  collateralEnded: number;
  /** Where the wall time went: the first child's start after the start call, children's own durations (p50, max), the last one's end. */
  timing: { firstChildStartSec: number; childP50Sec: number; childMaxSec: number; lastChildEndSec: number };
  /**
   * CPU seconds from the start call to the mass run's result: the Temporal dev server and the worker process
   * (undefined off Linux), and this process, which serves the emulators (and waits for the result).
   */
  cpu: { serverSec?: number; workerSec?: number; emulatorsSec: number };
  /** The owners' children's histories: events in all, by type, and the most in one child (each event is a server write). */
  events: { children: number; total: number; maxPerChild: number; byType: Record<string, number> };
  /** The replacement registries' histories (one workflow per principal, every run of it): events in all, by type. */
  registryEvents: { runs: number; total: number; byType: Record<string, number> };
}

/** One mass containment of the set on a fresh worker process; its wall time from the start call to its result. */
async function cordon(set: SetCredential[]): Promise<CordonRun> {
  const taskQueue = `cordon-bench-seq-${randomBytes(3).toString('hex')}`;
  const target = { connectionOptions: { address: server.address }, namespace: server.namespace, taskQueue };
  const env = await workerProcessEnv(target, keys, {
    ...workerConnectorEnv(tenant, set),
    CORDON_WORKFLOW_BUNDLE: bundlePath,
    CORDON_GITHUB_REVOKES_PER_HOUR: '360000',
    CORDON_LOG_LEVEL: 'error',
  });
  let worker: ChildProcess | undefined;
  const client = await connectClient(target, keys);
  try {
    worker = await startWorkerProcess(env);
    const serverPids = await groupProcesses(server.process.pid!, 'temporal');
    const cpuNow = async () => ({ server: await totalCpuSeconds(serverPids), worker: await cpuSeconds(worker!.pid!) });
    const cpuBefore = await cpuNow();
    const ownBefore = process.cpuUsage();
    const t0 = performance.now();
    const startedAt = Date.now();
    const { workflowId } = await startMassContainment(client, taskQueue, { incidentId: `BENCH-SEQ-${randomBytes(3).toString('hex')}`, requester: 'bench', credentials: set.map((c) => c.ref), concurrency: CONCURRENCY });
    const result = (await client.workflow.getHandle(workflowId).result()) as MassContainmentResult;
    const wallMs = performance.now() - t0;
    const own = process.cpuUsage(ownBefore);
    const cpuAfter = await cpuNow();
    const used = (k: 'server' | 'worker') => (cpuBefore[k] === undefined || cpuAfter[k] === undefined ? undefined : r2(cpuAfter[k] - cpuBefore[k]));
    const cpu = { serverSec: used('server'), workerSec: used('worker'), emulatorsSec: r2((own.user + own.system) / 1e6) };
    const children = await childResults(client, workflowId, set.map((c) => c.ref));
    const { replacements, verifiedGone } = sideRecordOf(children.map((c) => c.status));
    const collateralEnded = children.reduce((n, c) => n + c.status.collateral.filter((x) => x.state === 'ended').length, 0);
    const starts = children.map((c) => Date.parse(c.status.startedAt));
    const ends = children.map((c) => Date.parse(c.status.finishedAt ?? c.status.startedAt));
    const ids = children.map((c) => c.workflowId);
    const events = { children: ids.length, total: 0, maxPerChild: 0, byType: {} as Record<string, number> };
    for (let i = 0; i < ids.length; i += 25) {
      for (const { events: history } of await Promise.all(ids.slice(i, i + 25).map((id) => client.workflow.getHandle(id).fetchHistory()))) {
        if (!history) continue;
        countEventTypes(history, events.byType);
        events.total += history.length;
        events.maxPerChild = Math.max(events.maxPerChild, history.length);
      }
    }
    const registryEvents = { runs: 0, total: 0, byType: {} as Record<string, number> };
    for await (const r of client.workflow.list({ query: `WorkflowType = '${REGISTRY_WORKFLOW_TYPE}'` })) {
      const history = (await client.workflow.getHandle(r.workflowId, r.runId).fetchHistory()).events ?? [];
      countEventTypes(history, registryEvents.byType);
      registryEvents.total += history.length;
      registryEvents.runs++;
    }
    const byDuration = ends.map((e, i) => ({ ms: e - starts[i]!, id: ids[i]!, start: starts[i]! })).sort((a, b) => a.ms - b.ms);
    const durations = byDuration.map((d) => d.ms);
    if (TIMELINE) {
      const median = byDuration[Math.floor(byDuration.length / 2)]!;
      const { events } = await client.workflow.getHandle(median.id).fetchHistory();
      console.log(`  timeline of the median owner's containment (${median.ms} ms):\n${timelineLines(events ?? [], median.start).map((l) => `    ${l}`).join('\n')}`);
    }
    const timing = {
      firstChildStartSec: r2((Math.min(...starts) - startedAt) / 1000),
      childP50Sec: r2(durations[Math.floor(durations.length / 2)]! / 1000),
      childMaxSec: r2(durations.at(-1)! / 1000),
      lastChildEndSec: r2((Math.max(...ends) - startedAt) / 1000),
    };
    return { wallMs, replacements, verifiedGone, tally: result.tally, notContained: result.notContained, collateralEnded, timing, cpu, events, registryEvents };
  } finally {
    if (worker) await killWorkerProcess(worker);
    await client.connection.close().catch(() => undefined);
  }
}

// ---- the benchmark ------------------------------------------------------------------------------------

/**
 * CPU ms an RSA-2048 key pair takes on this machine, the mean of `n`: what each Google replacement Cordon uploads
 * costs its worker. The mean, not the median: the search for primes varies several-fold from key to key.
 */
function keyPairMs(n = 24): number {
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) generateKeyPairSync('rsa', { modulusLength: 2048 });
  const used = process.cpuUsage(before);
  return r2((used.user + used.system) / 1000 / n);
}

/**
 * The least wall time this machine allows Cordon's side at the CPU it used (all of it on every core), and the
 * ratio that would give: what bounds P3 when the CPU, not the latency, sets the pace.
 */
function cpuBound(run: CordonRun, scriptMs: number, uploads: number, pairMs: number) {
  const cores = cpus().length;
  const totalSec = r2((run.cpu.workerSec ?? 0) + (run.cpu.serverSec ?? 0) + run.cpu.emulatorsSec);
  const leastWallSec = r2(totalSec / cores);
  return { totalSec, cores, leastWallSec, bestRatio: r2(scriptMs / 1000 / leastWallSec), keyPairs: uploads, keyPairMs: pairMs, keyPairSec: r2((uploads * pairMs) / 1000) };
}

function outcomeLine(name: string, o: OutcomeCheck): string {
  return `  ${name.padEnd(7)} ${o.revoked}/${o.credentials} revoked, ${o.verified} verified gone by itself, ${o.replaced}/${o.consumers} consumers on exactly one live replacement, ${o.minted} credentials minted, ${o.problems.length} problems`;
}

try {
  const pairMs = keyPairMs();
  const set = await credentialSet(tenant, N);
  const owners = new Set(set.map((c) => c.principal)).size;
  const consumers = set.reduce((k, c) => k + c.consumers.length, 0);
  console.log(
    `Cordon P3 benchmark (issue 14): ${set.length} credentials (${set.filter((c) => c.provider === 'google').length} Google service-account keys, ${set.filter((c) => c.provider === 'github').length} GitHub deploy keys; ` +
      `${owners} owners, ${consumers} consumers) on the local emulators, ${LATENCY_MS} ms per provider call on both sides, no rate limits${QUICK ? ' (--quick)' : ''}; setup ${setupSec} s`,
  );

  const scriptPrepared = await prepare();
  const script = await theScript(set);
  const scriptAfter = await settle(scriptPrepared);
  const scriptCalls = callSummary(scriptAfter.calls);
  const scriptCheck = checkOutcomes(set, script, scriptAfter.tenant);
  console.log(`  script: ${r2(script.wallMs / 1000)} s, ${scriptCalls.total} provider calls (${r2(script.wallMs / set.length)} ms per credential)`);

  const cordonPrepared = await prepare();
  const loadBeforeCordon = load();
  const run = await cordon(set);
  const cordonAfter = await settle(cordonPrepared);
  const cordonCalls = callSummary(cordonAfter.calls);
  const cordonCheck = checkOutcomes(set, run, cordonAfter.tenant);
  console.log(
    `  Cordon: ${r2(run.wallMs / 1000)} s, ${cordonCalls.total} provider calls, concurrency ${CONCURRENCY}; outcomes ${JSON.stringify(run.tally)}; ` +
      `${run.collateralEnded} credentials ended by re-authentication besides a run's own target`,
  );
  console.log(
    `          first containment started after ${run.timing.firstChildStartSec} s, one containment took ${run.timing.childP50Sec} s (p50) to ${run.timing.childMaxSec} s, ` +
      `the last ended at ${run.timing.lastChildEndSec} s`,
  );
  const perCredentialMs = (sec?: number) => (sec === undefined ? 'n/a' : `${Math.round((sec * 1000) / set.length)} ms`);
  console.log(
    `          CPU from the start call to the result: Temporal server ${run.cpu.serverSec ?? 'n/a'} s (${perCredentialMs(run.cpu.serverSec)} a credential), ` +
      `worker ${run.cpu.workerSec ?? 'n/a'} s (${perCredentialMs(run.cpu.workerSec)} a credential)`,
  );
  const bound = cpuBound(run, script.wallMs, cordonCalls.byOperation['projects.serviceAccounts.keys.upload'] ?? 0, pairMs);
  console.log(
    `          all CPU: worker, server and emulators ${bound.totalSec} s on ${bound.cores} cores, so at least ${bound.leastWallSec} s of wall time (at most ${bound.bestRatio}× against the script) at this CPU; ` +
      `of the worker's, about ${bound.keyPairSec} s generating the ${bound.keyPairs} RSA-2048 key pairs its Google keys.upload calls need (${bound.keyPairMs} ms each here; the script's keys.create has the emulator make them)`,
  );
  const perChild = (n = 0) => r2(n / Math.max(1, run.events.children));
  console.log(
    `          history events per owner's child: ${perChild(run.events.total)} (max ${run.events.maxPerChild}); ` +
      Object.entries(run.events.byType).sort((a, b) => b[1] - a[1]).map(([t, n]) => `${t} ${perChild(n)}`).join(', '),
  );
  console.log(
    `          replacement registries: ${run.registryEvents.runs} runs, ${run.registryEvents.total} history events (${r2(run.registryEvents.total / set.length)} a credential); ` +
      Object.entries(run.registryEvents.byType).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([t, n]) => `${t} ${n}`).join(', '),
  );

  const ratio = r2(script.wallMs / run.wallMs);
  const same = sameOutcomes(scriptCheck, cordonCheck);
  console.log(`\nP3: script ÷ Cordon = ${ratio}× (target ≥ ${TARGET_RATIO}× at N = 1,000) — ${ratio >= TARGET_RATIO ? 'met' : 'not met'}`);
  console.log(outcomeLine('script', scriptCheck));
  console.log(outcomeLine('Cordon', cordonCheck));
  console.log(`  same outcomes: ${same ? 'yes' : 'no'}`);
  for (const [name, c] of [['script', scriptCheck], ['Cordon', cordonCheck]] as const) {
    for (const p of c.problems.slice(0, 10)) console.log(`    ${name}: ${p}`);
    if (c.problems.length > 10) console.log(`    ${name}: … ${c.problems.length - 10} more`);
  }
  for (const nc of run.notContained.slice(0, 5)) console.log(`    Cordon not contained: ${set[nc.index]?.credentialId} (${nc.workflowId}) — ${nc.outcome}: ${nc.reason ?? ''}`);
  const top = (s: ReturnType<typeof callSummary>) => Object.entries(s.byOperation).slice(0, 6).map(([op, k]) => `${op} ${k}`).join(', ');
  console.log(`  provider calls — script: ${top(scriptCalls)}; Cordon: ${top(cordonCalls)}`);
  console.log(`  load average (1/5/15 min): ${loadAtStart.join(' ')} at the start, ${loadBeforeCordon.join(' ')} before Cordon's run, ${load().join(' ')} at the end; ${cpus().length} CPUs`);

  const out = join(process.cwd(), '.cordon', 'bench');
  await mkdir(out, { recursive: true });
  const file = join(out, `sequential-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(
    file,
    JSON.stringify(
      {
        benchmark: 'p3-sequential',
        issue: 14,
        quick: QUICK,
        n: set.length,
        owners,
        consumers,
        latencyMs: LATENCY_MS,
        rateLimits: 'none (the load scenario GitHub budget lifted on both sides)',
        concurrency: CONCURRENCY,
        machine: { cpus: cpus().length, node: process.version, platform: process.platform, loadAverage: { start: loadAtStart, beforeCordon: loadBeforeCordon, end: load() } },
        durationSec: Math.round((Date.now() - started) / 1000),
        ratio,
        targetRatio: TARGET_RATIO,
        sameOutcomes: same,
        script: { wallSec: r2(script.wallMs / 1000), calls: scriptCalls, outcomes: scriptCheck },
        cordon: { wallSec: r2(run.wallMs / 1000), calls: cordonCalls, tally: run.tally, notContained: run.notContained, collateralEnded: run.collateralEnded, timing: run.timing, cpu: run.cpu, cpuBound: bound, events: run.events, registryEvents: run.registryEvents, outcomes: cordonCheck },
      },
      null,
      2,
    ),
  );
  console.log(`\nfigures written to ${file} (${Math.round((Date.now() - started) / 1000)} s in all)`);
} finally {
  await tenant.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
