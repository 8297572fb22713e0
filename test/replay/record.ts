// Records the histories that test/replay/replay.test.ts replays: `npx tsx test/replay/record.ts [name…]`
// (all when no name is given). Re-record when a workflow change is meant to be incompatible (and guard
// old runs with patched()). The first three predate the evidence seal: keep them, they prove old runs
// replay without its activity; `direct-sealed` has it. All four predate authenticated channels (their
// decisions went through the update validator); `staged-authenticated` has signed decisions, a refused
// one and a forged refusal signal. `direct-fast-path` took the fast path (patch `cordon-revoke-at-once`:
// the revoke beside the plan); the others replay the plan-first order. `direct-single-run` made its provider
// calls without a queue hop (patch `cordon-single-run-unpaced`: local activities, eager ones on its own queue)
// and minted its replacements while re-authenticating (`cordon-replace-while-reauthenticating`).
// `mass-run`, `mass-page` and `registry` are a mass containment, its first page run (which continued as new)
// and a replacement registry; `drift-watch` one pass of the drift watch that opened a containment.
// `direct-revoke-own-queue` revoked as an activity on its own queue (patch `cordon-single-run-revoke-on-own-queue`),
// where the runs before it revoked as a local activity. `mass-budget-page` is the page run of a mass containment
// started without `childrenPerRun`, which starts children as slots free (patch `mass-history-budget`), in list order;
// `mass-lanes-page` the same with provider lanes (patch `mass-provider-lanes`); `mass-pages-per-provider-run` a paged
// run whose pages ran per provider (patch `mass-pages-per-provider`); `mass-page-all-started-run` and
// `mass-page-all-started-page` (its page 0) a paged run whose page runs reported all their children started,
// the next page starting then (patch `mass-page-all-started`).
// `mass-salesforce-run` and `mass-salesforce-page` (its page 0) are a mass containment of Salesforce grants and
// Google keys on the local tenant, recorded once with the code before patch mass-owner-groups-salesforce (each
// grant its own child): this script does not record them, as today's code would group the grants; keep them.
// `direct-carried-scope` (the Drift grant), `direct-slack-bot` (the Drift bot token by value) and
// `direct-plan-as-scope-arrives` (a Google key) ran on the local tenant with the real connectors: the first two
// carried their re-authentication scope from identify (patch `cordon-carried-scope-beside-revoke`), the third read
// it beside its revoke and planned as soon as it was in (`cordon-plan-as-scope-arrives`). `direct-prepare-sinks`
// (the same key) read its consumers' GitHub Actions secrets' keys ahead, beside the revoke
// (`cordon-prepare-sinks-beside-revoke`); the earlier Google history replays without that read.
// `direct-verify-beside-replacements` (the Drift grant again) read its first verification beside its replacements
// (`cordon-first-verification-beside-replacements`); `direct-carried-scope` replays without that read ahead.
// `mass-owner-child` is the child of a local-tenant mass containment holding every key of one service account:
// it identified, revoked and first verified the keys in one activity each (patch `cordon-batched-provider-calls`);
// `mass-owner-replacements`, the same later, also issued the keys' replacements in one (`cordon-batched-replacements`).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evidenceSignerFromSeed } from '../../activities/evidence-seal.ts';
import { connectClient, decide, DecisionRefusedError, getStatus, startContainment } from '../../client/containments.ts';
import { MemoryConnector } from '../../connectors/memory/connector.ts';
import { DRIFT_LEAKED_VALUE, driftSeed } from '../../connectors/memory/seeds.ts';
import { MemoryTenant } from '../../connectors/memory/tenant.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import { startDevServer, TASK_QUEUE } from '../../temporal-config/dev-server.ts';
import { createCordonWorker } from '../../worker/worker.ts';
import type { ContainmentRequest } from '../../schemas/containment.ts';
import { REPLAY_CODEC_KEYS, REPLAY_ENVELOPE_KEYS } from './fixture.ts';
import { refusalSignal } from '../../workflows/definitions.ts';
import { startMassContainment } from '../../client/mass.ts';
import { vendorTokensSeed } from '../../connectors/memory/seeds.ts';
import { REGISTRY_WORKFLOW_TYPE } from '../../workflows/replacement-registry.ts';
import { loadScenario, loadScenarioDir, scenarioDir } from '@cordon/emulators';
import { canInventory } from '../../connectors/inventory.ts';
import { runWatchOnce } from '../../client/watch.ts';
import { feedAuditLogs } from '../../local-tenant/audit-feed.ts';
import { startLocalTenant } from '../../local-tenant/tenant.ts';
import { attack, baseline } from '../../local-tenant/traffic/drift-replay.ts';
import { openBaselineStore } from '../../watch/baseline-store.ts';
import { openWatch } from '../../watch/engine.ts';
import { openIpIntel } from '../../watch/ip-intel.ts';
import { localTenantDeps } from '../../worker/local-tenant.ts';
import { createLogger } from '../../logging/logger.ts';

const out = fileURLToPath(new URL('./histories/', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'cordon-record-'));
const server = await startDevServer({ dataDir: dir, headless: true });
const target = { connectionOptions: { address: server.address }, namespace: server.namespace, taskQueue: TASK_QUEUE };
const tenant = new MemoryTenant();
const worker = await createCordonWorker({
  target,
  codecKeys: REPLAY_CODEC_KEYS,
  envelopeKeys: REPLAY_ENVELOPE_KEYS,
  deps: { connectors: { memory: new MemoryConnector(tenant) }, sink: new LocalEncryptedStore(join(dir, 'sink'), randomBytes(32)), evidenceSigner: evidenceSignerFromSeed(randomBytes(32)) },
});
const running = worker.run();
const client = await connectClient(target, REPLAY_CODEC_KEYS);
const base: ContainmentRequest = { incidentId: 'INC-replay', requester: 'alice', credentials: [{ provider: 'memory', kind: 'oauth_token', leakedValue: DRIFT_LEAKED_VALUE }] };

const only = process.argv.slice(2);

async function record(name: string, req: ContainmentRequest, seed = driftSeed(), drive?: (workflowId: string) => Promise<void>) {
  if (only.length && !only.includes(name)) return;
  tenant.load(seed);
  const { workflowId } = await startContainment(client, TASK_QUEUE, req);
  await drive?.(workflowId);
  await client.workflow.getHandle(workflowId).result();
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const { historyToJSON } = await import('@temporalio/common/lib/proto-utils');
  await writeFile(join(out, `${name}.json`), historyToJSON(history));
  console.log(`recorded ${name}`);
}

async function save(name: string, history: Parameters<typeof import('@temporalio/common/lib/proto-utils').historyToJSON>[0]) {
  const { historyToJSON } = await import('@temporalio/common/lib/proto-utils');
  await writeFile(join(out, `${name}.json`), historyToJSON(history));
  console.log(`recorded ${name}`);
}

/**
 * A mass containment of 5 vendor tokens (one stubborn) in pages of 2, each page run continuing as new after
 * each child: `mass-run` (the run that waits for its pages, then runs them), `mass-page` (the first run of
 * the first page run, which continued as new) and `registry` (a replacement registry its children used).
 */
async function recordMass() {
  if (only.length && !['mass-run', 'mass-page', 'registry'].some((n) => only.includes(n))) return;
  tenant.load(vendorTokensSeed(5, 4));
  const credentials = Array.from({ length: 5 }, (_, i) => ({ provider: 'memory' as const, kind: 'oauth_token' as const, id: `tok-${i}` }));
  const { workflowId } = await startMassContainment(client, TASK_QUEUE, { incidentId: 'INC-replay-mass', requester: 'alice', credentials, childrenPerRun: 1, concurrency: 2 } as never, { pageSize: 2 });
  const mass = client.workflow.getHandle(workflowId);
  await mass.result();
  const massHistory = await mass.fetchHistory();
  await save('mass-run', massHistory);
  const firstPage = massHistory.events?.find((e) => e.childWorkflowExecutionStartedEventAttributes)?.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
  if (!firstPage?.workflowId || !firstPage.runId) throw new Error('the mass run started no page run');
  const pageHistory = await client.workflow.getHandle(firstPage.workflowId, firstPage.runId).fetchHistory();
  if (!pageHistory.events?.some((e) => e.workflowExecutionContinuedAsNewEventAttributes)) throw new Error('the first page run did not continue as new');
  await save('mass-page', pageHistory);
  for await (const r of client.workflow.list({ query: `WorkflowType = '${REGISTRY_WORKFLOW_TYPE}'` })) {
    await save('registry', await client.workflow.getHandle(r.workflowId, r.runId).fetchHistory());
    return;
  }
  throw new Error('no replacement registry ran');
}

/**
 * `mass-budget-page`: the page run of a mass containment of 4 vendor tokens without `childrenPerRun`, recorded
 * before provider lanes (keep it); `mass-lanes-page` the same run recorded with them (patch `mass-provider-lanes`).
 */
async function recordMassBudget(name: 'mass-budget-page' | 'mass-lanes-page') {
  if (only.length && !only.includes(name)) return;
  tenant.load(vendorTokensSeed(4, 4)); // none stubborn (tok-4 does not exist)
  const credentials = Array.from({ length: 4 }, (_, i) => ({ provider: 'memory' as const, kind: 'oauth_token' as const, id: `tok-${i}` }));
  const { workflowId } = await startMassContainment(client, TASK_QUEUE, { incidentId: `INC-replay-${name}`, requester: 'alice', credentials, concurrency: 2 } as never, { pageSize: 4 });
  const mass = client.workflow.getHandle(workflowId);
  await mass.result();
  const page = (await mass.fetchHistory()).events?.find((e) => e.childWorkflowExecutionStartedEventAttributes)?.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
  if (!page?.workflowId) throw new Error('the mass run started no page run');
  const pageHistory = await client.workflow.getHandle(page.workflowId, page.runId ?? undefined).fetchHistory();
  await save(name, pageHistory);
}

/** `mass-pages-per-provider-run`: a paged mass containment of 4 vendor tokens in pages of 2, each page's refs run per provider (patch `mass-pages-per-provider`). */
async function recordMassPagesPerProvider() {
  const name = 'mass-pages-per-provider-run';
  if (only.length && !only.includes(name)) return;
  tenant.load(vendorTokensSeed(4, 4));
  const credentials = Array.from({ length: 4 }, (_, i) => ({ provider: 'memory' as const, kind: 'oauth_token' as const, id: `tok-${i}` }));
  const { workflowId } = await startMassContainment(client, TASK_QUEUE, { incidentId: `INC-replay-${name}`, requester: 'alice', credentials, concurrency: 2 } as never, { pageSize: 2 });
  const mass = client.workflow.getHandle(workflowId);
  await mass.result();
  await save(name, await mass.fetchHistory());
}

/** `mass-page-all-started-run` and `-page`: 3 vendor tokens in pages of 1; each page run signals when all its children have started (patch `mass-page-all-started`). */
async function recordMassPageAllStarted() {
  const name = 'mass-page-all-started-run';
  if (only.length && !only.includes(name)) return;
  tenant.load(vendorTokensSeed(3, 5));
  const credentials = Array.from({ length: 3 }, (_, i) => ({ provider: 'memory' as const, kind: 'oauth_token' as const, id: `tok-${i}` }));
  const { workflowId } = await startMassContainment(client, TASK_QUEUE, { incidentId: `INC-replay-${name}`, requester: 'alice', credentials, concurrency: 2 } as never, { pageSize: 1 });
  const mass = client.workflow.getHandle(workflowId);
  await mass.result();
  await save(name, await mass.fetchHistory());
  await save('mass-page-all-started-page', await client.workflow.getHandle(`${workflowId}-page-0-memory`).fetchHistory());
}

/**
 * `drift-watch`: one pass of the drift watch over the Salesforce emulator's audit log carrying the
 * Salesloft/Drift attack, which flags the Drift token and opens a staged containment (then cancelled).
 */
async function recordDriftWatch() {
  if (only.length && !only.includes('drift-watch')) return;
  const local = await startLocalTenant({ scenario: await loadScenarioDir(scenarioDir('salesloft-drift')) });
  const store = openBaselineStore(':memory:');
  const { store: sink, ...deps } = localTenantDeps({ env: local.connectorEnv(), sinkDir: join(dir, 'watch-sink'), sinkKey: randomBytes(32), logger: createLogger({ level: 'warn' }) });
  void sink;
  const watchTarget = { ...target, taskQueue: 'cordon-replay-watch' };
  const watchWorker = await createCordonWorker({ target: watchTarget, codecKeys: REPLAY_CODEC_KEYS, envelopeKeys: REPLAY_ENVELOPE_KEYS, deps, watch: { watch: openWatch({ store, ipIntel: openIpIntel() }), store } });
  const watchRunning = watchWorker.run();
  try {
    const now = Date.now();
    await feedAuditLogs(local, [...baseline(now), ...attack(now - 20 * 60_000, 400, 'A')]);
    const { workflowId, report } = await runWatchOnce(client, watchTarget.taskQueue, { providers: ['salesforce'], backfill: '30d', approvers: ['maria', 'jordan'] });
    const opened = report.verdicts.flatMap((v) => (v.containment ? [v.containment] : []));
    if (!opened.length) throw new Error('the drift watch pass opened no containment');
    await save('drift-watch', await client.workflow.getHandle(workflowId).fetchHistory());
    for (const id of opened) {
      await client.workflow.getHandle(id).cancel();
      await client.workflow.getHandle(id).result().catch(() => undefined);
    }
  } finally {
    watchWorker.shutdown();
    await watchRunning;
    await local.close();
  }
}

/** Local-tenant runs (the real connectors against the emulators): the name, the shipped scenario and the ref. */
const LOCAL_TENANT_RUNS: [string, string, ContainmentRequest['credentials'][number]][] = [
  // The Drift grant: identify reads the integration user's grants and sessions, the re-authentication scope with them.
  ['direct-carried-scope', 'salesloft-drift', { provider: 'salesforce', kind: 'refresh_token', clientId: '0H4Hs000000DrftAAA', user: 'drift-integration@acme.com' }],
  // The Drift bot token by value: a bot's re-authentication is not possible, which identify says.
  ['direct-slack-bot', 'salesloft-drift', { provider: 'slack', kind: 'oauth_token', leakedValue: 'xoxb-emulated-drift-bot-acme-main-0001' }],
  // A Google service-account key: its delete ends only itself, so the scope is read beside it and the plan follows.
  ['direct-plan-as-scope-arrives', 'circleci', { provider: 'google', kind: 'service_account_key', keyId: '5e8d2a1c9b7f4e3d6a0c8b2e1f9d7a5c3b6e4d2f' }],
  // The Drift grant again, its first verification read beside its replacements (cordon-first-verification-beside-replacements).
  ['direct-verify-beside-replacements', 'salesloft-drift', { provider: 'salesforce', kind: 'refresh_token', clientId: '0H4Hs000000DrftAAA', user: 'drift-integration@acme.com' }],
  // The same key, its consumers' GitHub Actions secrets read ahead beside the revoke.
  ['direct-prepare-sinks', 'circleci', { provider: 'google', kind: 'service_account_key', keyId: '5e8d2a1c9b7f4e3d6a0c8b2e1f9d7a5c3b6e4d2f' }],
];

/**
 * Containments on the local tenant, where identification carries the re-authentication scope (patch
 * cordon-carried-scope-beside-revoke) or reads it beside the revoke (cordon-plan-as-scope-arrives): the
 * memory connector carries no scope, so these need the real connectors.
 */
async function recordLocalTenantRuns() {
  for (const [name, scenario, ref] of LOCAL_TENANT_RUNS) {
    if (only.length && !only.includes(name)) continue;
    const local = await startLocalTenant({ scenario: await loadScenarioDir(scenarioDir(scenario)) });
    const deps = localTenantDeps({ env: local.connectorEnv(), sinkDir: join(dir, `${name}-sink`), sinkKey: randomBytes(32), logger: createLogger({ level: 'warn' }) });
    const localTarget = { ...target, taskQueue: `cordon-replay-${name}` };
    const localWorker = await createCordonWorker({ target: localTarget, codecKeys: REPLAY_CODEC_KEYS, envelopeKeys: REPLAY_ENVELOPE_KEYS, deps });
    const localRunning = localWorker.run();
    try {
      const { workflowId } = await startContainment(client, localTarget.taskQueue, { incidentId: `INC-replay-${name}`, requester: 'alice', credentials: [ref] });
      const result = await client.workflow.getHandle(workflowId).result();
      if (result.outcome !== 'contained') throw new Error(`${name} ended ${result.outcome}: ${result.outcomeReason}`);
      await save(name, await client.workflow.getHandle(workflowId).fetchHistory());
    } finally {
      localWorker.shutdown();
      await localRunning;
      await local.close();
    }
  }
}

/**
 * `mass-owner-replacements`: a mass containment of every key of one service account of the load scenario; its one
 * child's history. `mass-owner-child` was recorded the same way before patch cordon-batched-replacements (one
 * replacement activity per consumer): this script no longer records it, as today's code would batch them; keep it.
 */
async function recordMassOwnerChild() {
  const name = 'mass-owner-replacements';
  if (only.length && !only.includes(name)) return;
  const local = await startLocalTenant({ scenario: loadScenario(120) });
  const deps = localTenantDeps({ env: local.connectorEnv(), sinkDir: join(dir, `${name}-sink`), sinkKey: randomBytes(32), logger: createLogger({ level: 'warn' }) });
  const localTarget = { ...target, taskQueue: `cordon-replay-${name}` };
  const localWorker = await createCordonWorker({ target: localTarget, codecKeys: REPLAY_CODEC_KEYS, envelopeKeys: REPLAY_ENVELOPE_KEYS, deps });
  const localRunning = localWorker.run();
  try {
    const google = deps.connectors.google;
    if (!google || !canInventory(google)) throw new Error('the google connector cannot list credentials');
    const keys = (await google.inventory()).credentials.filter((k) => k.kind === 'service_account_key' && !k.selfOrLastAdmin);
    const byAccount = new Map<string, typeof keys>();
    for (const k of keys) byAccount.set(k.principal.id, [...(byAccount.get(k.principal.id) ?? []), k]);
    const owner = [...byAccount.values()].find((ks) => ks.length >= 3);
    if (!owner) throw new Error('no service account with three keys in the load scenario');
    const refs = owner.map((k) => ({ provider: 'google' as const, kind: 'service_account_key' as const, id: k.id }));
    const { workflowId } = await startMassContainment(client, localTarget.taskQueue, { incidentId: `INC-replay-${name}`, requester: 'alice', credentials: refs, concurrency: 5 });
    const result = await client.workflow.getHandle(workflowId).result();
    if (JSON.stringify(result.tally) !== JSON.stringify({ contained: refs.length })) throw new Error(`${name}: ${JSON.stringify(result.tally)}`);
    await save(name, await client.workflow.getHandle(`${workflowId}-0`).fetchHistory());
  } finally {
    localWorker.shutdown();
    await localRunning;
    await local.close();
  }
}

async function approveAll(workflowId: string) {
  for (;;) {
    const s = await getStatus(client, workflowId);
    if (s.outcome !== 'running') return;
    const p = s.pendingApprovals[0];
    if (p) await decide(client, workflowId, { stage: p.stage, digest: p.digest, decision: 'approve', approver: 'bob', channel: 'api' });
    else await new Promise((r) => setTimeout(r, 100));
  }
}

/** Critical: an unauthenticated decision refused, then two signed ones (API and CLI) per stage; and a forged refusal signal. */
async function approveAuthenticated(workflowId: string) {
  await client.workflow.getHandle(workflowId).signal(refusalSignal, { stage: 'c0-restrict', approver: 'carol', channel: 'slack', reason: 'forged' });
  const decided = new Set<string>();
  for (;;) {
    const s = await getStatus(client, workflowId);
    if (s.outcome !== 'running') return;
    const p = s.pendingApprovals[0];
    if (!p || decided.has(p.stage)) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    const decision = { stage: p.stage, digest: p.digest, decision: 'approve' as const };
    await decide(client, workflowId, { ...decision, approver: 'bob', channel: 'temporal' }).catch((err: unknown) => {
      if (!(err instanceof DecisionRefusedError)) throw err;
    });
    await decide(client, workflowId, { ...decision, approver: 'bob', channel: 'api' }, { keys: REPLAY_ENVELOPE_KEYS, identity: { authenticatedBy: 'api_key', apiKeyName: 'soar', principal: 'bob' } });
    await decide(client, workflowId, { ...decision, approver: 'carol', channel: 'cli' }, { keys: REPLAY_ENVELOPE_KEYS, identity: { authenticatedBy: 'cli', source: 'operator_id', user: 'carol' } });
    decided.add(p.stage);
  }
}

try {
  await record('direct-contained', { ...base, incidentId: 'INC-replay-direct' });
  await record('direct-sealed', { ...base, incidentId: 'INC-replay-sealed' });
  await record('direct-fast-path', { ...base, incidentId: 'INC-replay-fast' });
  await record('direct-single-run', { ...base, incidentId: 'INC-replay-single-run' });
  await record('direct-revoke-own-queue', { ...base, incidentId: 'INC-replay-revoke-own-queue' });
  await record('not-contained-ladder', { ...base, incidentId: 'INC-replay-ladder' }, driftSeed({ faults: { ignoreRevoke: { 'tok-drift-1': 'never' }, writeLatencyMs: 0 } }));
  await record(
    'staged-approved',
    { ...base, incidentId: 'INC-replay-staged', mode: 'staged', policy: { waveSize: 2, approval: { approvers: ['bob'] } } as never },
    driftSeed(),
    approveAll,
  );
  await record(
    'staged-authenticated',
    { ...base, incidentId: 'INC-replay-authenticated', mode: 'staged', severity: 'critical', policy: { waveSize: 2, approval: { approvers: ['bob', 'carol'] } } as never },
    driftSeed(),
    approveAuthenticated,
  );
  await recordMass();
  await recordMassBudget('mass-lanes-page');
  await recordMassPagesPerProvider();
  await recordMassPageAllStarted();
  await recordDriftWatch();
  await recordLocalTenantRuns();
  await recordMassOwnerChild();
} finally {
  worker.shutdown();
  await running;
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
