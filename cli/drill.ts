// `cordon drill --scenario <name|dir>`: rehearse the runbook and grade it.
//
//   full drill   the local tenant seeded with the scenario, a worker with the real connectors on its
//                own task queue, and the containment workflow on Temporal (TEMPORAL_ADDRESS when set,
//                else an embedded dev server in .cordon/drill/); writes the JSON and HTML reports.
//   --plan-only  the identify step alone through the connectors, then the plan and its digest:
//                nothing is written, so it is safe against a real tenant (`--tenant env` uses the
//                CORDON_<PROVIDER>_* variables; the default `local` uses the local tenant).
//
// Exit codes as `cordon`: 0 pass · 1 error · 2 invalid input · 3 the drill failed its targets.
import { WebClient } from '@slack/web-api';
import { drillSlackSummary } from '../reports/drill-slack.ts';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { codecKeysFromEnv, type CodecKeys } from '../codec/encryption-codec.ts';
import { connectClient } from '../client/containments.ts';
import { connectorsFromEnv } from '../connectors/registry.ts';
import { localTenantDeps } from '../worker/local-tenant.ts';
import { loadScenarioDir, scenarioDir, type Scenario } from '@cordon/emulators';
import { startLocalTenant, type LocalTenant } from '../local-tenant/tenant.ts';
import { planOnly, renderPlan } from '../drills/plan-only.ts';
import { runDrill } from '../drills/run.ts';
import { SHIPPED_DRILLS, WATCH_DRILLS } from '../drills/scenarios.ts';
import { runWatchDrill } from '../drills/watch.ts';
import { openBaselineStore } from '../watch/baseline-store.ts';
import { openWatch } from '../watch/engine.ts';
import { openIpIntel } from '../watch/ip-intel.ts';
import { renderDrillHtml } from '../reports/drill-html.ts';
import { renderDrillText } from '../reports/drill-text.ts';
import { DrillDefinition, type DrillTargetsInput } from '../schemas/drill.ts';
import type { ContainmentStatus } from '../schemas/containment.ts';
import { startDevServer } from '../temporal-config/dev-server.ts';
import { temporalTargetFromEnv, type TemporalTarget } from '../temporal-config/connection.ts';
import { createLogger } from '../logging/logger.ts';
import { createCordonWorker } from '../worker/worker.ts';
import { envIsSet, readEnv } from '../schemas/config.ts';

export const DRILL_USAGE = `cordon drill --scenario <name|dir> [--plan-only [--tenant local|env]] [--json]
             [--out DIR] [--contain-within 15m] [--revoke-within 5m] [--max-approval-wait 5m] [--approve-after 0s]
             [--slack-channel C… [--slack-thread TS]]   post the graded summary to Slack (CORDON_SLACK_BOT_TOKEN)

  <name>  a shipped scenario: ${[...SHIPPED_DRILLS.keys()].join(', ')}
          or a drill of the drift watch: ${[...WATCH_DRILLS.keys()].join(', ')} (plays an attack into the audit log, runs one watch pass)
  <dir>   a scenario directory (scenario.json + <provider>.json) with a drill.json (name, description, refs, mode, targets)
Full drills run against the local tenant and write <out>/<incident>.json and .html (default .cordon/drills/).
--plan-only runs only the identify step and prints the plan and its digest; nothing is changed.
Exit codes: 0 pass · 1 error · 2 invalid input · 3 the drill failed its targets.`;

export class DrillUsageError extends Error {
  override readonly name = 'DrillUsageError';
}

const EXIT = { pass: 0, error: 1, invalid: 2, fail: 3 } as const;

async function resolveDrill(scenario: string): Promise<{ drill: DrillDefinition; load: () => Promise<Scenario> }> {
  const shipped = SHIPPED_DRILLS.get(scenario);
  if (shipped && !scenario.includes('/')) return { drill: shipped, load: () => loadScenarioDir(scenarioDir(scenario)) };
  const watchDrill = WATCH_DRILLS.get(scenario);
  if (watchDrill?.watch) return { drill: watchDrill, load: () => loadScenarioDir(scenarioDir(watchDrill.watch!.scenario)) };
  const dir = resolve(scenario);
  if (!existsSync(join(dir, 'scenario.json'))) {
    throw new DrillUsageError(`no shipped drill ${JSON.stringify(scenario)} and no scenario directory there (expected ${join(dir, 'scenario.json')}); shipped: ${[...SHIPPED_DRILLS.keys()].join(', ')}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, 'drill.json'), 'utf8'));
  } catch (err) {
    throw new DrillUsageError(`${join(dir, 'drill.json')}: ${err instanceof Error ? err.message : String(err)}; a scenario directory needs a drill.json with the refs to drill`);
  }
  const parsed = DrillDefinition.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new DrillUsageError(`${join(dir, 'drill.json')}: ${i?.path.join('.') || '(root)'}: ${i?.message}`);
  }
  return { drill: parsed.data, load: () => loadScenarioDir(dir) };
}

async function codecKeys(): Promise<CodecKeys> {
  if (envIsSet(process.env, 'CORDON_CODEC_KEYS')) return codecKeysFromEnv(process.env);
  // A drill's payloads only need to be readable by this process: a throwaway key.
  return { activeKeyId: 'drill', keys: new Map([['drill', randomBytes(32)]]) };
}

export async function drillCommand(argv: string[], io: { out: (s: string) => void; err: (s: string) => void } = { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) }): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' }, 'plan-only': { type: 'boolean' }, tenant: { type: 'string' }, json: { type: 'boolean' }, out: { type: 'string' },
      'contain-within': { type: 'string' }, 'revoke-within': { type: 'string' }, 'max-approval-wait': { type: 'string' }, 'approve-after': { type: 'string' },
      'slack-channel': { type: 'string' }, 'slack-thread': { type: 'string' },
    },
  });
  if (!values.scenario) throw new DrillUsageError('drill needs --scenario <name|dir>');
  if (values['slack-channel'] && !envIsSet(process.env, 'CORDON_SLACK_BOT_TOKEN')) {
    throw new DrillUsageError('--slack-channel needs CORDON_SLACK_BOT_TOKEN (the Cordon Slack app’s bot token) to post the summary');
  }
  const tenantKind = values.tenant ?? 'local';
  if (tenantKind !== 'local' && tenantKind !== 'env') throw new DrillUsageError('--tenant is local or env');
  if (tenantKind === 'env' && !values['plan-only']) throw new DrillUsageError('--tenant env works only with --plan-only: a full drill writes, and runs against the local tenant only');
  const resolved = await resolveDrill(values.scenario);
  const overrides: DrillTargetsInput = { ...resolved.drill.targets };
  if (values['contain-within']) overrides.containWithin = values['contain-within'];
  if (values['revoke-within']) overrides.revokeWithin = values['revoke-within'];
  if (values['max-approval-wait']) overrides.maxApprovalWait = values['max-approval-wait'];
  const parsed = DrillDefinition.safeParse({ ...resolved.drill, targets: overrides, ...(values['approve-after'] ? { approveAfter: values['approve-after'] } : {}) });
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new DrillUsageError(`${i?.path.join('.') || '(input)'}: ${i?.message}`);
  }
  const drill = parsed.data;

  if (values['plan-only'] && drill.watch) throw new DrillUsageError(`${drill.name} is a drill of the drift watch: the watch names the credentials, so there is no plan to show before it runs; run it in full`);
  if (values['plan-only']) {
    let tenant: LocalTenant | undefined;
    try {
      if (tenantKind === 'local') tenant = await startLocalTenant({ scenario: await resolved.load() });
      const result = await planOnly({ connectors: connectorsFromEnv(tenant ? tenant.connectorEnv() : process.env), drill });
      io.out(values.json ? JSON.stringify(result, null, 2) : renderPlan(result));
      return result.plan ? EXIT.pass : EXIT.fail;
    } finally {
      await tenant?.close();
    }
  }

  // Full drill: the local tenant, a worker on its own task queue, Temporal from the environment or embedded.
  const stateDir = join(process.cwd(), '.cordon', 'drill');
  const outDir = resolve(values.out ?? join(process.cwd(), '.cordon', 'drills'));
  const keys = await codecKeys();
  const server = process.env.TEMPORAL_ADDRESS ? undefined : await startDevServer({ dataDir: join(stateDir, 'temporal'), headless: true });
  const base = temporalTargetFromEnv(server ? { ...process.env, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace } : process.env);
  const target: TemporalTarget = { ...base, taskQueue: `cordon-drill-${randomBytes(4).toString('hex')}` };
  const tenant = await startLocalTenant({ scenario: await resolved.load() });
  // Replacements minted in a drill are throwaway: sealed with a one-off key in a temp dir, removed after.
  const sinkDir = await mkdtemp(join(tmpdir(), 'cordon-drill-sink-'));
  const { store: _store, ...deps } = localTenantDeps({
    env: tenant.connectorEnv(),
    sinkDir,
    sinkKey: randomBytes(32),
    logger: createLogger({ level: 'error', base: { component: 'drill-worker' } }),
  });
  // A watch drill runs the watch on this worker, with a throwaway store; its simulated approvers sign their
  // decisions with a throwaway envelope key as this process (a critical verdict's containment counts only
  // authenticated decisions).
  const watchStore = drill.watch ? openBaselineStore(':memory:') : undefined;
  const envelopeKeys = { activeKeyId: 'drill', keys: new Map([['drill', randomBytes(32)]]) };
  const worker = await createCordonWorker({
    target,
    codecKeys: keys,
    envelopeKeys,
    ...(watchStore ? { watch: { store: watchStore, watch: openWatch({ store: watchStore, ipIntel: openIpIntel() }) } } : {}),
    deps,
    // Drills run against the local tenant, which does not enforce GitHub's hourly credential-revocation budget.
    pacedPerHour: 3600,
  });
  const running = worker.run();
  const client = await connectClient(target, keys);
  try {
    if (!values.json) io.err(`drill ${drill.name}: ${drill.refs.length} ref(s), mode ${drill.mode}, on task queue ${target.taskQueue}`);
    const seen = new Set<string>();
    const onStatus = (s: ContainmentStatus) => {
      if (values.json) return;
      for (const p of s.credentials)
        for (const t of p.transitions) {
          const k = `${p.credentialId}:${t.state}`;
          if (!seen.has(k)) seen.add(k), io.err(`  ${t.at.slice(11, 23)} ${p.label}: ${t.state}`);
        }
    };
    const vouch = (approver: string) => ({ keys: envelopeKeys, identity: { authenticatedBy: 'cli' as const, source: 'operator_id' as const, user: approver } });
    const { report } = drill.watch
      ? await runWatchDrill({ client, taskQueue: target.taskQueue, tenant, drill, vouch, onStatus })
      : await runDrill({ client, taskQueue: target.taskQueue, drill, onStatus });
    await mkdir(outDir, { recursive: true });
    const jsonPath = join(outDir, `${report.incidentId}.json`);
    const htmlPath = join(outDir, `${report.incidentId}.html`);
    await writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(htmlPath, renderDrillHtml(report));
    // The short summary goes to the team's Slack thread (the real workspace: CORDON_SLACK_BOT_TOKEN/API_URL).
    let posted: { channel: string; ts: string } | undefined;
    if (values['slack-channel']) {
      const summary = drillSlackSummary(report);
      const slackApiUrl = readEnv(process.env, 'CORDON_SLACK_API_URL');
      const slack = new WebClient(readEnv(process.env, 'CORDON_SLACK_BOT_TOKEN'), { ...(slackApiUrl ? { slackApiUrl } : {}), retryConfig: { retries: 2 } });
      const r = await slack.chat.postMessage({ channel: values['slack-channel'], text: summary.text, blocks: summary.blocks as never, ...(values['slack-thread'] ? { thread_ts: values['slack-thread'] } : {}) });
      posted = { channel: String(r.channel), ts: String(r.ts) };
    }
    if (values.json) io.out(JSON.stringify({ ...report, files: { json: jsonPath, html: htmlPath }, ...(posted ? { slack: posted } : {}) }, null, 2));
    else io.out(`${renderDrillText(report, { color: process.stdout.isTTY })}\n\nReports: ${jsonPath}\n         ${htmlPath}`);
    return report.verdict === 'pass' ? EXIT.pass : EXIT.fail;
  } finally {
    worker.shutdown();
    await running.catch(() => undefined);
    await client.connection.close();
    await tenant.close();
    watchStore?.close();
    await server?.stop();
    await rm(sinkDir, { recursive: true, force: true });
  }
}

/**
 * The whole command: quiet SDK logs, usage errors → exit 2, anything else → exit 1. `cordon drill`
 * dispatches here; `tsx cli/drill.ts …` runs it directly.
 */
export async function runDrillCli(argv: string[]): Promise<number> {
  // Expected activity failures (a provider limit the drill rehearses) are in the report; the SDK need not shout them.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  try {
    return await drillCommand(argv);
  } catch (err) {
    if (err instanceof DrillUsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`cordon drill: ${(err as Error).message}\n\n${DRILL_USAGE}\n`);
      return EXIT.invalid;
    }
    process.stderr.write(`cordon drill: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.error;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runDrillCli(process.argv.slice(2)).then((code) => process.exit(code));
}
