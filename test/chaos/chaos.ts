// The chaos suite (`npm run chaos`; a quick variant runs inside `npm test`, test/e2e/chaos.test.ts).
// Containments of hundreds of credentials across the four emulated providers run on worker processes
// that are SIGKILLed at random moments, while the Temporal dev server is restarted on the same SQLite
// database (SIGTERM and SIGKILL), and staged runs are approved around the restarts. It is judged only
// from what the emulators saw and each run's result:
// - every run finished, with the outcome a calm run of the same credential has (nothing lost);
// - no credential had more than one effective revocation (a second call answered "already gone" is fine);
// - exactly one live replacement per (credential, consumer) the results list, and no other credential
//   came alive: a replacement minted by a killed worker and never delivered (an orphan) was ended.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Client } from '@temporalio/client';
import { connectClient, decide, getStatus, startContainment } from '../../client/containments.ts';
import { canInventory } from '../../connectors/inventory.ts';
import { connectorsFromEnv } from '../../connectors/registry.ts';
import type { ConnectorRegistry } from '../../connectors/types.ts';
import { loadScenario, type Scenario } from '@cordon/emulators';
import { startLocalTenant, type LocalTenant } from '../../local-tenant/tenant.ts';
import type { ContainmentRequest, ContainmentStatus } from '../../schemas/containment.ts';
import type { Credential, CredentialRef, Provider } from '../../schemas/credential.ts';
import { freePort, startDevServer, type DevServer } from '../../temporal-config/dev-server.ts';
import { bundleCordonWorkflows } from '../../worker/worker.ts';
import { killWorkerProcess, startWorkerProcess } from '../support/worker-process.ts';

const PROVIDERS = ['google', 'github', 'salesforce', 'slack'] as const satisfies readonly Provider[];

export interface ChaosOptions {
  /** Containments started (each on one credential), spread evenly over the four providers. */
  containments: number;
  /** Worker processes SIGKILLed over the run (each replaced by a fresh one). */
  kills: number;
  /** Temporal server restarts, in order: SIGTERM (graceful) or SIGKILL. */
  restarts: ('SIGTERM' | 'SIGKILL')[];
  /** Share of runs that wait for an approval (staged mode, or direct with requireForDirect). */
  approvalShare: number;
  /** Worker processes running at once. */
  workers: number;
  /** Containments in flight at once. */
  concurrency: number;
  /** Gives up (and reports the runs still open) after this long. */
  timeoutMs: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  runs: number;
  byProvider: Record<string, number>;
  outcomes: Record<string, number>;
  kills: number;
  restarts: string[];
  approvals: number;
  wallMs: number;
  /** Runs whose credential another run's planned re-authentication had already ended (listed as its collateral). */
  endedByAnotherRun: number;
  /** Slack tokens of users deactivated from the start: not_contained, saying the token cannot authenticate. */
  ownerInactive: number;
  /** Provider calls answered 2xx that ended a credential, beyond the first, per credential. */
  duplicateRevocations: number;
  replacements: number;
  /** Replacements minted at a provider but not kept (a kill between mint and delivery), found ended. */
  orphansEnded: number;
  /** Credentials alive after the run that no result keeps, each named as a possible orphan with its expiry. */
  possibleOrphansNamed: number;
  violations: string[];
}

interface Lab {
  dir: string;
  tenant: LocalTenant;
  scenario: Scenario;
  connectors: ConnectorRegistry;
  server: DevServer;
  port: number;
  bundlePath: string;
  env: Record<string, string>;
  client: Client;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Every active credential the connectors can see: the tenant-wide inventory the hygiene sweep uses, plus
 * what each given principal holds (sessions and tokens an inventory does not list, e.g. Salesforce sessions).
 */
async function inventory(connectors: ConnectorRegistry, principals: readonly Credential[] = []): Promise<Map<string, Credential>> {
  const all = new Map<string, Credential>();
  for (const p of PROVIDERS) {
    const c = connectors[p];
    if (!c || !canInventory(c)) continue;
    for (const cred of (await c.inventory()).credentials) all.set(`${p}:${cred.id}`, cred);
  }
  const seen = new Set<string>();
  for (const holder of principals) {
    const key = `${holder.provider}:${holder.principal.type}:${holder.principal.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const listed = await connectors[holder.provider]!.listActive(holder.principal).catch(() => []);
    for (const cred of listed) all.set(`${holder.provider}:${cred.id}`, cred);
  }
  return all;
}

/** The worker processes of a chaos run: SIGKILLed at random, replaced by fresh ones. */
class WorkerPool {
  readonly #children = new Set<ChildProcess>();
  constructor(private readonly env: Record<string, string>, private readonly log: (l: string) => void) {}

  async start(): Promise<void> {
    const child = await startWorkerProcess(this.env);
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
  }

  /** SIGKILLs one running worker, chosen at random; returns whether there was one. */
  async killOne(): Promise<boolean> {
    const list = [...this.#children];
    const victim = list[Math.floor(Math.random() * list.length)];
    if (!victim) return false;
    await killWorkerProcess(victim);
    this.log(`  killed worker ${victim.pid}`);
    return true;
  }

  get size(): number {
    return this.#children.size;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#children].map(killWorkerProcess));
  }
}

async function openLab(perProvider: number): Promise<Lab> {
  const dir = await mkdtemp(join(tmpdir(), 'cordon-chaos-'));
  const scenario = loadScenario(perProvider);
  const tenant = await startLocalTenant({ scenario });
  const connectors = connectorsFromEnv(tenant.connectorEnv());
  const port = await freePort();
  const server = await startDevServer({ dataDir: join(dir, 'temporal'), port, headless: true, startTimeoutMs: 90_000 });
  const bundlePath = join(dir, 'workflow-bundle.js');
  await writeFile(bundlePath, await bundleCordonWorkflows());
  const key = randomBytes(32);
  const taskQueue = `cordon-chaos-${randomBytes(3).toString('hex')}`;
  const env = {
    ...tenant.connectorEnv(),
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    CORDON_TASK_QUEUE: taskQueue,
    CORDON_CODEC_KEYS: `chaos:${key.toString('base64')}`,
    CORDON_SINK_DIR: join(dir, 'sink'),
    CORDON_SINK_KEY: randomBytes(32).toString('base64'),
    CORDON_WORKFLOW_BUNDLE: bundlePath,
    CORDON_GITHUB_REVOKES_PER_HOUR: '36000',
    CORDON_LOG_LEVEL: 'error',
  };
  const client = await connectClient({ connectionOptions: { address: server.address }, namespace: server.namespace, taskQueue }, { activeKeyId: 'chaos', keys: new Map([['chaos', key]]) });
  return { dir, tenant, scenario, connectors, server, port, bundlePath, env, client };
}

/** Stops the server (SIGTERM through its supervisor, or SIGKILL of its whole process group) and starts it again on the same database and port. */
async function restartServer(lab: Lab, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (signal === 'SIGTERM') await lab.server.stop();
  else {
    const exited = new Promise((r) => lab.server.process.once('exit', r));
    try {
      process.kill(-lab.server.process.pid!, 'SIGKILL');
    } catch {
      lab.server.process.kill('SIGKILL');
    }
    await exited;
  }
  await sleep(1000);
  lab.server = await startDevServer({ dataDir: join(lab.dir, 'temporal'), port: lab.port, headless: true, startTimeoutMs: 90_000 });
}

interface Target {
  ref: CredentialRef;
  /** Who holds it, when the inventory knows (their other credentials are checked before and after). */
  holder?: Credential;
  shared: boolean;
  /** The token's owner is deactivated in the scenario from the start. */
  ownerInactive?: boolean;
}

/**
 * The refs to contain: `n` spread over the providers, never Cordon's own or the last admin path. Slack
 * tokens are known by their leaked value (Slack lists no tokens), the others by the id the inventory shows.
 */
function pickTargets(listed: Map<string, Credential>, scenario: Scenario, n: number): Target[] {
  const per = Math.ceil(n / PROVIDERS.length);
  const pools: Record<Provider, Target[]> = { google: [], github: [], salesforce: [], slack: [], memory: [] };
  for (const c of listed.values()) {
    if (c.selfOrLastAdmin || c.provider === 'slack') continue;
    pools[c.provider].push({ ref: { provider: c.provider, kind: c.kind, id: c.id } as CredentialRef, holder: c, shared: c.consumers.length > 1 });
  }
  for (const t of scenario.slack?.tokens ?? []) {
    if (t.cordonOwn) continue;
    // A token of a user the scenario deactivated cannot authenticate (Slack: account_inactive) and Slack has no
    // admin call that ends one token: the run must say so and end not_contained, never claim it contained.
    const ownerInactive = scenario.slack?.users.find((u) => u.id === t.userId)?.status !== 'active';
    pools.slack.push({ ref: { provider: 'slack', kind: 'oauth_token', leakedValue: t.value } as CredentialRef, shared: (t.consumers?.length ?? 0) > 1, ...(ownerInactive ? { ownerInactive } : {}) });
  }
  const perProvider: Target[][] = PROVIDERS.map((p) => {
    // An even stride over the provider's list covers every kind the scenario has.
    const pool = pools[p];
    const stride = Math.max(1, Math.floor(pool.length / per));
    const out: Target[] = [];
    for (let i = 0; i < pool.length && out.length < per; i += stride) out.push(pool[i]!);
    return out;
  });
  // Interleaved, so every provider is in flight all along (and in any prefix of the run).
  const picked: Target[] = [];
  for (let i = 0; i < per; i++) for (const list of perProvider) if (list[i]) picked.push(list[i]!);
  return picked.slice(0, n);
}

function requestFor(t: Target, i: number, approval: boolean): ContainmentRequest {
  return {
    incidentId: `INC-chaos-${i}`,
    requester: 'chaos',
    credentials: [t.ref],
    ...(approval ? { mode: t.shared ? 'staged' : 'direct', policy: { approval: { approvers: ['lead@chaos.example'], requireForDirect: true }, waveSize: 100 } } : {}),
  } as ContainmentRequest;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? ((l: string) => console.log(l));
  const t0 = Date.now();
  const perProvider = Math.max(40, Math.ceil((options.containments / PROVIDERS.length) * 2.5));
  const lab = await openLab(perProvider);
  const pool = new WorkerPool(lab.env, log);
  const report: ChaosReport = { runs: 0, byProvider: {}, outcomes: {}, kills: 0, restarts: [], approvals: 0, wallMs: 0, duplicateRevocations: 0, replacements: 0, orphansEnded: 0, possibleOrphansNamed: 0, endedByAnotherRun: 0, ownerInactive: 0, violations: [] };
  try {
    const refs = pickTargets(await inventory(lab.connectors), lab.scenario, options.containments);
    const holders = refs.flatMap((t) => (t.holder ? [t.holder] : []));
    const before = await inventory(lab.connectors, holders);
    log(`chaos: ${refs.length} containments over ${before.size} credentials, ${options.workers} workers, ${options.kills} kills, restarts ${options.restarts.join(', ') || 'none'}`);
    for (let i = 0; i < options.workers; i++) await pool.start();

    // Chaos events at random points of the run's progress (share of runs started), a second apart at least:
    // kills anywhere, the server restarts spread between them.
    const events: { at: number; what: 'kill' | 'SIGTERM' | 'SIGKILL' }[] = [
      ...Array.from({ length: options.kills }, () => ({ at: 0.02 + Math.random() * 0.85, what: 'kill' as const })),
      ...options.restarts.map((what, k) => ({ at: (0.8 * (k + 1)) / (options.restarts.length + 1), what })),
    ].sort((a, b) => a.at - b.at);
    // Runs start a few at a time; results are awaited through every kill and restart.
    const ids = new Map<string, { ref: Target; approval: boolean; result?: ContainmentStatus }>();
    let next = 0;
    const open = () => [...ids.values()].filter((r) => !r.result).length;
    const startSome = async () => {
      // The last fifth waits until every chaos event has happened, so none falls after the work is done.
      const limit = events.length ? Math.floor(refs.length * 0.8) : refs.length;
      while (next < limit && open() < options.concurrency) {
        const ref = refs[next]!;
        const approval = Math.random() < options.approvalShare;
        const req = requestFor(ref, next, approval);
        try {
          const { workflowId } = await startContainment(lab.client, lab.env.CORDON_TASK_QUEUE!, req);
          ids.set(workflowId, { ref, approval });
          next++;
        } catch {
          return; // the server is restarting: try again on the next tick
        }
      }
    };
    const collect = async () => {
      for (const [id, run] of ids) {
        if (run.result) continue;
        try {
          const desc = await lab.client.workflow.getHandle(id).describe();
          if (desc.status.name === 'RUNNING') {
            if (run.approval) {
              const s = await getStatus(lab.client, id);
              for (const p of s.pendingApprovals) {
                const counted = await decide(lab.client, id, { stage: p.stage, digest: p.digest, decision: 'approve', approver: 'lead@chaos.example', channel: 'cli' }).then(() => true, () => false);
                if (counted) report.approvals++;
              }
            }
            continue;
          }
          run.result = (await lab.client.workflow.getHandle(id).result()) as ContainmentStatus;
        } catch {
          // unreachable for now (restart, no worker): the next tick tries again
        }
      }
    };

    const deadline = t0 + options.timeoutMs;
    let lastEvent = 0;
    while (Date.now() < deadline) {
      await startSome();
      await collect();
      const done = [...ids.values()].filter((r) => r.result).length;
      if (done === refs.length) break;
      if (events.length && (next / refs.length >= events[0]!.at || open() === 0) && Date.now() - lastEvent > 1000) {
        const e = events.shift()!.what;
        if (e === 'kill') {
          if (await pool.killOne()) report.kills++;
          await pool.start();
        } else {
          log(`  restarting the Temporal server (${e}) with ${open()} runs open`);
          await restartServer(lab, e);
          report.restarts.push(e);
        }
        lastEvent = Date.now();
      }
      // Keep the pool at size, whatever happened to its processes.
      while (pool.size < options.workers) await pool.start();
      await sleep(250);
    }
    // Judge.
    const finished = [...ids.entries()].filter(([, r]) => r.result);
    report.runs = finished.length;
    if (events.length) report.violations.push(`${events.length} chaos events never happened (the runs finished first)`);
    if (finished.length < refs.length) report.violations.push(`${refs.length - finished.length} of ${refs.length} runs did not finish within ${options.timeoutMs} ms`);
    const after = await inventory(lab.connectors, holders);
    const endedAsCollateral = new Set(finished.flatMap(([, r]) => r.result!.collateral.filter((c) => c.state === 'ended').map((c) => c.credentialId)));
    const kept = new Set<string>();
    const possibleOrphans: Partial<Record<Provider, number>> = {};
    for (const [id, run] of finished) {
      const s = run.result!;
      report.byProvider[run.ref.ref.provider] = (report.byProvider[run.ref.ref.provider] ?? 0) + 1;
      report.outcomes[s.outcome] = (report.outcomes[s.outcome] ?? 0) + 1;
      const ok = s.outcome === 'contained' || s.outcome === 'contained_in_tenant';
      // Two refs of one principal: the first run's planned re-authentication (I8) may end the second's
      // credential before that run identifies it. Fine when another result lists it as ended collateral.
      const refKey = `${run.ref.ref.provider}:${run.ref.ref.id ?? ''}`;
      if (!ok && /no live credential matches/.test(s.outcomeReason ?? '') && endedAsCollateral.has(refKey) && !after.has(refKey)) report.endedByAnotherRun++;
      else if (run.ref.ownerInactive && s.outcome === 'not_contained' && /account_inactive/.test(s.outcomeReason ?? '')) report.ownerInactive++;
      else if (run.ref.ownerInactive) report.violations.push(`${id} (slack token of a deactivated user): ${s.outcome}, expected not_contained naming account_inactive: ${s.outcomeReason ?? ''}`);
      else if (!ok) report.violations.push(`${id} (${run.ref.ref.provider} ${run.ref.ref.kind} ${run.ref.ref.id ?? 'by value'}): ${s.outcome}: ${s.outcomeReason ?? ''}`);
      for (const c of [...s.credentials, ...s.collateral]) {
        const perConsumer = new Map<string, number>();
        for (const r of c.replacements) {
          perConsumer.set(r.consumerId, (perConsumer.get(r.consumerId) ?? 0) + 1);
          kept.add(`${run.ref.ref.provider}:${r.replacementId}`);
          if (r.note?.includes('possible orphan')) possibleOrphans[run.ref.ref.provider] = (possibleOrphans[run.ref.ref.provider] ?? 0) + 1;
          report.replacements++;
        }
        for (const [consumer, n] of perConsumer) if (n > 1) report.violations.push(`${id}: ${n} replacements for consumer ${consumer} of ${c.credentialId}`);
      }
    }
    // Every replacement a result lists is alive; nothing else came alive (orphans were ended).
    for (const k of kept) if (!after.has(k)) report.violations.push(`replacement ${k} is listed in a result but not alive`);
    // A mint the provider cannot label (a Salesforce session, a GitHub installation token) that an interrupted
    // attempt may have made is named in its replacement's note with its expiry: tolerated up to that count.
    const unlisted = [...after.keys()].filter((k) => !before.has(k) && !kept.has(k));
    for (const p of PROVIDERS) {
      const alive = unlisted.filter((k) => k.startsWith(`${p}:`));
      const named = possibleOrphans[p] ?? 0;
      report.possibleOrphansNamed += Math.min(alive.length, named);
      for (const k of alive.slice(named)) report.violations.push(`${k} came alive during the run and no result lists it (an orphan left alive)`);
    }
    // Revocation effects from the call log: per credential, writes answered 2xx by a revoking operation.
    const effective = new Map<string, number>();
    for (const c of lab.tenant.calls()) {
      // `target` is what the call acted on (`credential` is the caller's own token).
      if (c.status >= 300 || !c.target || !/revoke|delete|remove/i.test(c.operation)) continue;
      const key = `${c.provider}:${c.operation}:${c.target}`;
      effective.set(key, (effective.get(key) ?? 0) + 1);
    }
    for (const [key, n] of effective) if (n > 1) {
      report.duplicateRevocations += n - 1;
      report.violations.push(`${key} ended ${n} times`);
    }
    // Orphans: replacement mints the provider answered (Google keys, GitHub deploy keys: calls that mint only
    // replacements) beyond the replacements kept. None came alive (checked above), so each was ended.
    const mints = lab.tenant.calls().filter((c) => c.status < 300 && /^projects\.serviceAccounts\.keys\.(create|upload)$|^repos\.createDeployKey$/.test(c.operation)).length;
    const keptMinted = [...kept].filter((k) => k.startsWith('google:') || k.startsWith('github:deploy_key:')).length;
    report.orphansEnded = Math.max(0, mints - keptMinted);
  } finally {
    report.wallMs = Date.now() - t0;
    await pool.stopAll();
    await lab.client.connection.close().catch(() => undefined);
    await lab.server.stop();
    await lab.tenant.close();
    await rm(lab.dir, { recursive: true, force: true });
  }
  return report;
}

export function formatReport(r: ChaosReport): string {
  return [
    `chaos: ${r.runs} runs (${Object.entries(r.byProvider).map(([p, n]) => `${p} ${n}`).join(', ')}) in ${(r.wallMs / 1000).toFixed(0)} s`,
    `  outcomes: ${Object.entries(r.outcomes).map(([o, n]) => `${o} ${n}`).join(', ')}${r.endedByAnotherRun ? ` (${r.endedByAnotherRun} not_contained because another run's re-authentication had already ended the credential, as its result lists)` : ''}${r.ownerInactive ? ` (${r.ownerInactive} not_contained: a Slack token of a user deactivated from the start, which cannot authenticate and which Slack has no call to end)` : ''}`,
    `  worker SIGKILLs ${r.kills}, server restarts ${r.restarts.length} (${r.restarts.join(', ')}), approvals sent ${r.approvals}`,
    `  replacements kept ${r.replacements}, orphans ended ${r.orphansEnded}, possible orphans named with their expiry ${r.possibleOrphansNamed}, duplicate revocations ${r.duplicateRevocations}`,
    `  violations: ${r.violations.length}${r.violations.length ? `\n    ${r.violations.slice(0, 20).join('\n    ')}` : ''}`,
  ].join('\n');
}

/** `npm run chaos`: the full run. CHAOS_CONTAINMENTS, CHAOS_KILLS, CHAOS_CONCURRENCY, CHAOS_TIMEOUT_MS override it. */
export const FULL_CHAOS: ChaosOptions = {
  containments: Number(process.env.CHAOS_CONTAINMENTS ?? 1000),
  kills: Number(process.env.CHAOS_KILLS ?? 24),
  restarts: ['SIGTERM', 'SIGKILL', 'SIGTERM', 'SIGKILL'],
  approvalShare: 0.1,
  workers: 2,
  concurrency: Number(process.env.CHAOS_CONCURRENCY ?? 40),
  timeoutMs: Number(process.env.CHAOS_TIMEOUT_MS ?? 60 * 60_000),
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await runChaos(FULL_CHAOS);
  console.log(formatReport(report));
  process.exit(report.violations.length ? 1 : 0);
}
