// Determinism: the committed histories replay against today's workflow code. A change that would
// break running containments fails here; guard it with patched() or re-record on purpose.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { expect, it } from 'vitest';
import { cordonDataConverter } from '../../codec/encryption-codec.ts';
import { WORKFLOWS_PATH } from '../../worker/worker.ts';
import { REPLAY_CODEC_KEYS, REPLAY_ENVELOPE_KEYS } from './fixture.ts';
import { AUTHENTICATED_CHANNELS_PATCH } from '../../workflows/containment/messages.ts';
import { FAST_PATH_PATCH, PLAN_AS_SCOPE_ARRIVES_PATCH, REPLACE_WHILE_REAUTHENTICATING_PATCH } from '../../workflows/contain-credential.ts';
import { PREPARE_SINKS_PATCH } from '../../workflows/containment/replace.ts';
import { VERIFY_BESIDE_REPLACEMENTS_PATCH } from '../../workflows/containment/verify.ts';
import { BATCHED_CALLS_PATCH } from '../../workflows/containment/context.ts';
import { BATCHED_REPLACEMENTS_PATCH } from '../../workflows/containment/contain.ts';
import { SCOPE_READ_WITH_IDENTIFY_PATCH } from '../../workflows/containment/plan.ts';
import { REVOKE_ON_OWN_QUEUE_PATCH, SINGLE_RUN_PATCH } from '../../workflows/containment/context.ts';
import { MASS_HISTORY_BUDGET_PATCH, MASS_PAGE_ALL_STARTED_PATCH, MASS_PAGES_PER_PROVIDER_PATCH, MASS_PROVIDER_LANES_PATCH } from '../../workflows/mass-containment.ts';
import { MASS_SALESFORCE_OWNERS_PATCH } from '../../workflows/mass-owners.ts';

const dir = fileURLToPath(new URL('./histories/', import.meta.url));

/** Replayed as the run it was: signed envelopes name their workflow id, and the workflow checks it. */
function withItsWorkflowId(history: ReturnType<typeof historyFromJSON>): { workflowId: string; history: ReturnType<typeof historyFromJSON> } {
  const workflowId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId;
  if (!workflowId) throw new Error('a recorded history starts with its WorkflowExecutionStarted event, which names the workflow id');
  return { workflowId, history };
}

/** Histories of runs other than `containCredential` (test/replay/record.ts records them after the containments). */
const OTHER_RUNS = ['drift-watch.json', 'mass-budget-page.json', 'mass-lanes-page.json', 'mass-page-all-started-page.json', 'mass-page-all-started-run.json', 'mass-page.json', 'mass-pages-per-provider-run.json', 'mass-run.json', 'registry.json'];
/** A mass containment of Salesforce grants recorded before patch mass-owner-groups-salesforce: one child per grant. */
const SALESFORCE_MASS_RUNS = ['mass-salesforce-page.json', 'mass-salesforce-run.json'];
/** Containments recorded on the local tenant with the real connectors (test/replay/record.ts recordLocalTenantRuns). */
const LOCAL_TENANT_RUNS = ['direct-carried-scope.json', 'direct-plan-as-scope-arrives.json', 'direct-prepare-sinks.json', 'direct-slack-bot.json', 'direct-verify-beside-replacements.json', 'mass-owner-child.json', 'mass-owner-replacements.json'];

it('replays every recorded containment history without non-determinism', async () => {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json') && !OTHER_RUNS.includes(f) && !SALESFORCE_MASS_RUNS.includes(f) && !LOCAL_TENANT_RUNS.includes(f)).sort();
  expect(files).toEqual(['direct-contained.json', 'direct-fast-path.json', 'direct-revoke-own-queue.json', 'direct-sealed.json', 'direct-single-run.json', 'not-contained-ladder.json', 'staged-approved.json', 'staged-authenticated.json']);
  // Only direct-fast-path, direct-single-run and direct-revoke-own-queue revoked beside their plan; every other history replays the plan-first order.
  const patchMarker = (id: string) => Buffer.from(`{"id":"${id}","deprecated":false}`).toString('base64');
  const fastMarker = patchMarker(FAST_PATH_PATCH);
  const fastRuns = ['direct-fast-path.json', 'direct-single-run.json', 'direct-revoke-own-queue.json'];
  for (const fast of fastRuns) expect(await readFile(`${dir}${fast}`, 'utf8')).toContain(fastMarker);
  for (const old of files.filter((f) => !fastRuns.includes(f))) expect(await readFile(`${dir}${old}`, 'utf8')).not.toContain(fastMarker);
  // Only the single runs made their provider calls without a queue hop and replaced while re-authenticating.
  const singleRuns = ['direct-single-run.json', 'direct-revoke-own-queue.json'];
  for (const id of [SINGLE_RUN_PATCH, REPLACE_WHILE_REAUTHENTICATING_PATCH]) {
    for (const single of singleRuns) expect(await readFile(`${dir}${single}`, 'utf8')).toContain(patchMarker(id));
    for (const old of files.filter((f) => !singleRuns.includes(f))) expect(await readFile(`${dir}${old}`, 'utf8')).not.toContain(patchMarker(id));
  }
  // direct-single-run revoked as a local activity (a marker); direct-revoke-own-queue scheduled the revoke as an activity.
  const scheduled = (h: string) => (JSON.parse(h) as { events: { activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } }[] }).events.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'revokeCredential');
  const localRun = await readFile(`${dir}direct-single-run.json`, 'utf8');
  const ownQueueRun = await readFile(`${dir}direct-revoke-own-queue.json`, 'utf8');
  expect([localRun.includes(patchMarker(REVOKE_ON_OWN_QUEUE_PATCH)), scheduled(localRun)]).toEqual([false, false]);
  expect([ownQueueRun.includes(patchMarker(REVOKE_ON_OWN_QUEUE_PATCH)), scheduled(ownQueueRun)]).toEqual([true, true]);
  // The first three were recorded before the evidence seal (they replay without its activity); direct-sealed has it.
  const sealed = await readFile(`${dir}direct-sealed.json`, 'utf8');
  expect(sealed).toContain('sealEvidence');
  for (const old of ['direct-contained.json', 'not-contained-ladder.json', 'staged-approved.json']) expect(await readFile(`${dir}${old}`, 'utf8')).not.toContain('sealEvidence');
  // staged-approved took its decisions before authenticated channels (no patch marker); staged-authenticated after.
  const marker = Buffer.from(`{"id":"${AUTHENTICATED_CHANNELS_PATCH}","deprecated":false}`).toString('base64');
  expect(await readFile(`${dir}staged-approved.json`, 'utf8')).not.toContain(marker);
  expect(await readFile(`${dir}staged-authenticated.json`, 'utf8')).toContain(marker);
  expect(await replayAll(files)).toBe(8);
}, 120_000);

it('replays a recorded drift watch pass, a mass containment, one of its page runs (which continued as new) and a replacement registry', async () => {
  const files = (await readdir(dir)).filter((f) => OTHER_RUNS.includes(f)).sort();
  expect(files).toEqual(OTHER_RUNS);
  const types = await Promise.all(files.map(async (f) => JSON.parse(await readFile(`${dir}${f}`, 'utf8')).events[0].workflowExecutionStartedEventAttributes.workflowType.name));
  expect(types).toEqual(['driftWatch', 'massContainment', 'massContainment', 'massContainment', 'massContainment', 'massContainment', 'massContainment', 'massContainment', 'replacementRegistry']);
  // mass-budget-page started its children as slots freed (no childrenPerRun); mass-page, with childrenPerRun, did not.
  const budget = Buffer.from(`{"id":"${MASS_HISTORY_BUDGET_PATCH}","deprecated":false}`).toString('base64');
  expect(await readFile(`${dir}mass-budget-page.json`, 'utf8')).toContain(budget);
  expect(await readFile(`${dir}mass-page.json`, 'utf8')).not.toContain(budget);
  // mass-lanes-page started them in provider lanes; the two recorded before replay the list order.
  const lanes = Buffer.from(`{"id":"${MASS_PROVIDER_LANES_PATCH}","deprecated":false}`).toString('base64');
  expect(await readFile(`${dir}mass-lanes-page.json`, 'utf8')).toContain(lanes);
  for (const old of ['mass-budget-page.json', 'mass-page.json']) expect(await readFile(`${dir}${old}`, 'utf8')).not.toContain(lanes);
  // The page run is the first of a chain (it continued as new), and the mass run waited for its pages by update.
  expect(await readFile(`${dir}mass-page.json`, 'utf8')).toContain('workflowExecutionContinuedAsNewEventAttributes');
  expect(await readFile(`${dir}mass-run.json`, 'utf8')).toContain('addRefPage');
  // The watch pass opened a containment (a child run) for the verdict it found.
  expect(await readFile(`${dir}drift-watch.json`, 'utf8')).toContain('"name": "containCredential"');
  // mass-pages-per-provider-run ran its pages per provider (page runs named -page-<n>-<provider>); mass-run, recorded before, whole pages.
  const perProvider = Buffer.from(`{"id":"${MASS_PAGES_PER_PROVIDER_PATCH}","deprecated":false}`).toString('base64');
  const perProviderRun = await readFile(`${dir}mass-pages-per-provider-run.json`, 'utf8');
  expect(perProviderRun).toContain(perProvider);
  expect(perProviderRun).toMatch(/-page-1-memory/);
  expect(await readFile(`${dir}mass-run.json`, 'utf8')).not.toContain(perProvider);
  // mass-page-all-started-page told its mass run it had started all its children, and the run took the signals; mass-pages-per-provider-run, recorded before, neither.
  const allStarted = Buffer.from(`{"id":"${MASS_PAGE_ALL_STARTED_PATCH}","deprecated":false}`).toString('base64');
  const allStartedPage = await readFile(`${dir}mass-page-all-started-page.json`, 'utf8');
  expect(allStartedPage).toContain(allStarted);
  expect(allStartedPage).toContain('signalExternalWorkflowExecutionInitiatedEventAttributes');
  const allStartedRun = await readFile(`${dir}mass-page-all-started-run.json`, 'utf8');
  expect(allStartedRun).toContain(allStarted);
  expect(allStartedRun).toContain('workflowExecutionSignaledEventAttributes');
  expect(perProviderRun).not.toContain(allStarted);
  expect(await replayAll(files)).toBe(9);
}, 120_000);

it('replays a mass containment of Salesforce grants recorded before Salesforce users were owners: one child per grant, pages as they came', async () => {
  // Refs (pages of 4): grants a and b of one integration user and keys 1 and 2 of one Google service account
  // on page 0, the user's grant c and key 3 on page 1. The run moved key 3 to page 0 (patch mass-owner-pages)
  // and gave the three keys one child (mass-owner-groups), each grant a child of its own. Today's code would
  // also move grant c, leaving page 1 empty, and give a and b one child: the replay proves the patch keeps the
  // recorded layout. (That run showed the defect: b's child found its grant already revoked by a's
  // re-authentication of the user, and read not_contained.)
  const marker = Buffer.from(`{"id":"${MASS_SALESFORCE_OWNERS_PATCH}","deprecated":false}`).toString('base64');
  for (const f of SALESFORCE_MASS_RUNS) expect(await readFile(`${dir}${f}`, 'utf8')).not.toContain(marker);
  const page = JSON.parse(await readFile(`${dir}mass-salesforce-page.json`, 'utf8')) as { events: Record<string, { workflowType?: { name?: string } }>[] };
  expect(page.events.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name === 'containCredential')).toHaveLength(3);
  expect(await replayAll(SALESFORCE_MASS_RUNS)).toBe(2);
}, 120_000);

it('replays local-tenant containments: a carried re-authentication scope beside the revoke, a Slack bot without a scope activity, a Google key planned as its scope came in, with its sinks read ahead, a grant verified beside its replacements, and mass children that batched their calls (and then their replacements) per provider', async () => {
  const files = (await readdir(dir)).filter((f) => LOCAL_TENANT_RUNS.includes(f)).sort();
  expect(files).toEqual(LOCAL_TENANT_RUNS);
  const marker = (id: string) => Buffer.from(`{"id":"${id}","deprecated":false}`).toString('base64');
  const text = Object.fromEntries(await Promise.all(files.map(async (f) => [f, await readFile(`${dir}${f}`, 'utf8')] as const)));
  const scheduled = (f: string) => (JSON.parse(text[f]!) as { events: { activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } }[] }).events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
  for (const f of ['direct-carried-scope.json', 'direct-slack-bot.json']) expect(text[f]).toContain(marker(SCOPE_READ_WITH_IDENTIFY_PATCH));
  expect(text['direct-plan-as-scope-arrives.json']).not.toContain(marker(SCOPE_READ_WITH_IDENTIFY_PATCH));
  expect(text['direct-plan-as-scope-arrives.json']).toContain(marker(PLAN_AS_SCOPE_ARRIVES_PATCH));
  // The revoke was the first thing scheduled; the scope step followed it (none for the bot), then the plan.
  expect(scheduled('direct-carried-scope.json').slice(0, 3)).toEqual(['revokeCredential', 'scopeReauth', 'planContainment']);
  expect(scheduled('direct-slack-bot.json').slice(0, 2)).toEqual(['revokeCredential', 'planContainment']);
  expect(scheduled('direct-slack-bot.json')).not.toContain('scopeReauth');
  expect(scheduled('direct-plan-as-scope-arrives.json').slice(0, 3)).toEqual(['revokeCredential', 'scopeReauth', 'planContainment']);
  // The key recorded before its consumers' sinks were read ahead replays without that read; the one after, with it.
  expect(text['direct-plan-as-scope-arrives.json']).not.toContain(marker(PREPARE_SINKS_PATCH));
  expect(scheduled('direct-plan-as-scope-arrives.json')).not.toContain('prepareSinks');
  expect(text['direct-prepare-sinks.json']).toContain(marker(PREPARE_SINKS_PATCH));
  expect(scheduled('direct-prepare-sinks.json').slice(0, 4)).toEqual(['revokeCredential', 'scopeReauth', 'prepareSinks', 'planContainment']);
  // A mass child with every key of one service account identified, revoked and first verified them in one activity each.
  expect(text['mass-owner-child.json']).toContain(marker(BATCHED_CALLS_PATCH));
  for (const name of ['identifyScopes', 'revokeCredentials', 'verifyCredentials']) expect(scheduled('mass-owner-child.json').filter((n) => n === name)).toHaveLength(1);
  for (const name of ['identifyScope', 'revokeCredential', 'verifyCredential']) expect(scheduled('mass-owner-child.json')).not.toContain(name);
  for (const f of files.filter((x) => !x.startsWith('mass-owner-'))) expect(text[f]).not.toContain(marker(BATCHED_CALLS_PATCH));
  // The child recorded before replacements were batched issued one per consumer; the one after, all in one activity.
  expect(text['mass-owner-child.json']).not.toContain(marker(BATCHED_REPLACEMENTS_PATCH));
  expect(scheduled('mass-owner-child.json')).not.toContain('issueReplacements');
  expect(text['mass-owner-replacements.json']).toContain(marker(BATCHED_REPLACEMENTS_PATCH));
  expect(scheduled('mass-owner-replacements.json').filter((n) => n === 'issueReplacements')).toHaveLength(1);
  expect(scheduled('mass-owner-replacements.json')).not.toContain('issueReplacement');
  // The Drift grant recorded before its verification was read beside its replacements replays without that; the one after, with it.
  expect(text['direct-carried-scope.json']).not.toContain(marker(VERIFY_BESIDE_REPLACEMENTS_PATCH));
  expect(text['direct-verify-beside-replacements.json']).toContain(marker(VERIFY_BESIDE_REPLACEMENTS_PATCH));
  const events = (JSON.parse(text['direct-verify-beside-replacements.json']!) as { events: { eventId: string; activityTaskScheduledEventAttributes?: { activityType?: { name?: string } }; activityTaskCompletedEventAttributes?: { scheduledEventId?: string } }[] }).events;
  const replacements = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'issueReplacement').map((e) => e.eventId);
  const verification = events.findIndex((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'verifyCredential');
  const lastReplacementDone = events.findLastIndex((e) => replacements.includes(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? ''));
  expect(verification).toBeGreaterThan(0);
  expect(verification).toBeLessThan(lastReplacementDone);
  expect(await replayAll(files)).toBe(7);
}, 120_000);

/** Replays the histories in `files`, expecting each to replay cleanly; returns how many did. */
async function replayAll(files: string[], options: Pick<ReplayWorkerOptions, 'plugins'> = {}): Promise<number> {
  const histories = await Promise.all(
    files.map(async (f) => withItsWorkflowId(historyFromJSON(JSON.parse(await readFile(`${dir}${f}`, 'utf8'))))),
  );
  const results = Worker.runReplayHistories(
    { workflowsPath: WORKFLOWS_PATH, dataConverter: cordonDataConverter(REPLAY_CODEC_KEYS, { worker: true, envelopeKeys: REPLAY_ENVELOPE_KEYS }), ...options },
    histories,
  );
  let replayed = 0;
  for await (const r of results) {
    expect(r.error, `${r.workflowId}: ${String(r.error)}`).toBeUndefined();
    replayed++;
  }
  return replayed;
}

it('replays every recorded history with the tracing interceptors in the workflow code (CORDON_OTEL_ENDPOINT set)', async () => {
  // The plugin the worker takes when tracing is on (temporal-config/otlp-tracing.ts), its spans kept in memory.
  const plugin = new OpenTelemetryPlugin({ resource: new Resource({ 'service.name': 'cordon-replay' }), spanProcessor: new SimpleSpanProcessor(new InMemorySpanExporter()) });
  // Bundled from WORKFLOWS_PATH, the workflow code gets the interceptors: the runs below replay with them.
  expect(plugin.configureReplayWorker({ workflowsPath: WORKFLOWS_PATH }).interceptors?.workflowModules).toEqual([expect.stringMatching(/interceptors-opentelemetry.*workflow-interceptors/)]);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  expect(await replayAll(files, { plugins: [plugin] })).toBe(files.length);
}, 180_000);

it('replays signed decisions only with the envelope key they were signed with (keep retired keys on the worker)', async () => {
  const replay = withItsWorkflowId(historyFromJSON(JSON.parse(await readFile(`${dir}staged-authenticated.json`, 'utf8'))));
  expect(replay.workflowId).toMatch(/^cordon-contain-INC-replay-authenticated-/);
  // Without the key the signed decisions count as unauthenticated, which the critical run refuses: the run diverges.
  const errors: unknown[] = [];
  for await (const r of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, dataConverter: cordonDataConverter(REPLAY_CODEC_KEYS, { worker: true }) }, [replay])) errors.push(r.error);
  expect(errors).toHaveLength(1);
  const [error] = errors;
  expect(error).toBeDefined();
}, 120_000);
