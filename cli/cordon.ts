// `cordon`: the command line for responders, drills and scripts. Same schemas as every other way in;
// `--json` for scripts, readable text for people; exit codes scripts can rely on (see USAGE).
import { readFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cancelContainment, connectClient, decide, DecisionRefusedError, followContainment, getStatus, InvalidInputError, retryContainment, RetryRefusedError, startContainment, type Client } from '../client/containments.ts';
import { codecKeysFromEnv, newCodecKeyEntry, type CodecKeys } from '../codec/encryption-codec.ts';
import { envelopeKeysFromEnv, type Vouch } from '../codec/decision-envelope.ts';
import { startCodecServer } from '../codec/server.ts';
import type { ContainmentRequest, ContainmentStatus } from '../schemas/containment.ts';
import { envIsSet, readEnv } from '../schemas/config.ts';
import { temporalTargetFromEnv } from '../temporal-config/connection.ts';
import { SEARCH_ATTRIBUTES } from '../temporal-config/dev-server.ts';
import { renderReport } from './report.ts';
import { EVIDENCE_FORMATS, evidenceCommand } from './evidence.ts';
import { checkConfig, renderConfigCheck } from './config-check.ts';
import { followMassContainment, parseRefsFile, progressLine, progressRecord, readDryRunPage, startMassContainment } from '../client/mass.ts';
import { dryRunText } from '../reports/mass-dry-run-text.ts';
import type { DryRunRef, MassContainmentResult, MassStartRequest } from '../schemas/mass.ts';
import { preflight } from '../connectors/preflight.ts';
import { evidenceLabel, evidenceSummary, evidenceSummaryText, evidenceText } from '../schemas/evidence-text.ts';
import { runEvidenceVerify } from './evidence-verify.ts';
import { buildEvidencePack } from '../schemas/evidence.ts';
import { ensureHygieneSchedule, runInventory, runPersistenceSweeps } from '../client/sweeps.ts';
import { dismissVerdict, ensureWatchSchedule, runWatchOnce, watchReportText } from '../client/watch.ts';
import { DriftWatchInput, type DriftWatchRequest } from '../schemas/watch.ts';
import { detectionFindingOf } from '../export/detection-finding.ts';
import { ROTATE_USAGE, RotateUsageError, rotateCommand, scheduleRotateCommand } from './rotate.ts';
import { flushTracing } from '../temporal-config/tracing.ts';

export const EXIT = { ok: 0, error: 1, invalid: 2, notContained: 3, refused: 4, pending: 5 } as const;

const USAGE = `cordon — contain stolen SaaS credentials

  cordon contain --provider P --kind K (--id X | --client-id X [--user U] | --key-id X | --fingerprint F | --leaked-value-stdin)
                 --incident ID [--requester NAME] [--severity low|medium|high|critical] [--staged]
                 [--approvers a,b] [--break-glass] [--reason TEXT] [--idempotency-key K] [--no-wait] [--json]
  cordon contain --from refs.ndjson|refs.csv --incident ID [--concurrency N] [--dry-run] [--no-wait] [--json]
                 many refs at once (mass containment: one child run per ref, progress on stderr);
                 --dry-run plans every ref and writes nothing: a table per ref and the total blast radius
  cordon status <workflow-id> [--watch] [--json]
  cordon approve <workflow-id> --stage S --digest D --as APPROVER [--reject --reason TEXT] [--json]
  cordon evidence <workflow-id> [--json | --pack]   (--pack: the signed pack of a finished run, for verify)
  cordon evidence <workflow-id> --format json|ocsf|html   the evidence pack (JSON), its OCSF events (NDJSON), or the auditor's HTML page
  cordon evidence verify <pack.json> [--key PUBLIC_KEY|KEY_ID] [--allow-unsigned] [--json]
                 checks an exported evidence pack offline: every event's hash, the chain, the signature
  cordon cancel <workflow-id> --as NAME [--reason TEXT]   stop a run (it may leave the credential alive)
  cordon retry <workflow-id>                               start a finished not_contained run again (nothing done is redone)
  cordon doctor [--json]             check Temporal, namespace, keys, and each configured connector's access
  cordon drill --scenario <name|dir> [--plan-only [--tenant local|env]] [--json] [--out DIR]
               [--contain-within 15m] [--revoke-within 5m] [--max-approval-wait 5m] [--approve-after 0s]
  cordon schedule hygiene --every 24h          create/update the hygiene-sweep Schedule
  cordon schedule watch --every 5m [--approvers a,b]   create/update the drift-watch Schedule
${ROTATE_USAGE}
  cordon watch --once [--providers a,b] [--backfill 7d] [--approvers a,b] [--no-act] [--json]
                 one drift-watch pass now: read the audit logs, update baselines, open containments for verdicts
  cordon watch dismiss <containment-workflow-id> --as NAME --reason TEXT   cancel the containment a verdict opened;
                 the next pass dismisses the verdict with the reason, and the baseline learns what it was about
  cordon verdicts [--json | --ocsf]            open drift verdicts (reads CORDON_WATCH_DB on this machine);
                 --ocsf: one OCSF Detection Finding (2004) per verdict, as NDJSON
  cordon baseline show <token-key> [--json]    a token's baseline (reads CORDON_WATCH_DB on this machine)
  cordon inventory [--csv]                     sweep now: every credential, flags, blind spots
  cordon persistence <workflow-id> [--since ISO]  what the principal created during the exposure
  cordon config check [--json]       every CORDON_* variable: set, missing (required?) or invalid; never prints a value
  cordon keygen                      print a new CORDON_CODEC_KEYS entry
  cordon codec-server [--port N]     serve /encode and /decode for \`temporal --codec-endpoint\` and the UI
  cordon dev                         run the local stack (same as npm run dev)

Temporal: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, … (README). Keys: CORDON_CODEC_KEYS and CORDON_ENVELOPE_KEYS
(approve and cancel are signed as CORDON_OPERATOR_ID, else the OS user), else the local dev keys in
.cordon/dev/dev-keys.json (CORDON_DEV_DIR for a second stack). A leaked value is read from stdin only, never from arguments.
Exit codes: 0 ok / contained · 1 error · 2 invalid input · 3 not contained, only cut off in the tenant, refused, rejected or cancelled
· 4 decision refused · 5 still waiting (with --no-wait).`;

class UsageError extends Error {}

/** Where `npm run dev` keeps its keys: CORDON_DEV_DIR (a second stack), else .cordon/dev. */
const devStateDir = () => readEnv(process.env, 'CORDON_DEV_DIR') ?? join(process.cwd(), '.cordon', 'dev');

async function codecKeys(): Promise<CodecKeys> {
  if (envIsSet(process.env, 'CORDON_CODEC_KEYS')) return codecKeysFromEnv(process.env);
  try {
    const raw = JSON.parse(await readFile(join(devStateDir(), 'dev-keys.json'), 'utf8')) as { codec: string };
    process.stderr.write(`cordon: CORDON_CODEC_KEYS not set; using the local dev keys in ${devStateDir()}\n`);
    return codecKeysFromEnv({ CORDON_CODEC_KEYS: raw.codec });
  } catch {
    return codecKeysFromEnv(process.env); // throws the message that says what to set
  }
}

/**
 * What the CLI vouches for in the envelopes of its decisions and cancel requests (docs/trust-model.md):
 * CORDON_OPERATOR_ID, else the OS user, signed with CORDON_ENVELOPE_KEYS (else the local dev key).
 * Undefined without a key: the message then counts as an unauthenticated Temporal-direct call.
 */
async function cliVouch(): Promise<Vouch | undefined> {
  let keys = envelopeKeysFromEnv(process.env);
  if (!keys) {
    try {
      const raw = JSON.parse(await readFile(join(devStateDir(), 'dev-keys.json'), 'utf8')) as { envelope?: string };
      keys = raw.envelope ? envelopeKeysFromEnv({ CORDON_ENVELOPE_KEYS: raw.envelope }) : undefined;
    } catch {
      keys = undefined;
    }
  }
  if (!keys) {
    process.stderr.write('cordon: CORDON_ENVELOPE_KEYS not set; this is sent unsigned and counts as an unauthenticated Temporal-direct call\n');
    return undefined;
  }
  const operator = readEnv(process.env, 'CORDON_OPERATOR_ID');
  return { keys, identity: { authenticatedBy: 'cli', ...(operator ? { source: 'operator_id', user: operator } : { source: 'os_user', user: userInfo().username }) } };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

const outcomeExit = (s: ContainmentStatus) => (s.outcome === 'contained' ? EXIT.ok : s.outcome === 'running' ? EXIT.pending : EXIT.notContained);

function follow(client: Client, workflowId: string, json: boolean): Promise<ContainmentStatus> {
  const seen = new Set<string>();
  return followContainment(client, workflowId, (s) => {
    if (!json) {
      for (const p of s.credentials)
        for (const t of p.transitions) {
          const k = `${p.credentialId}:${t.state}`;
          if (!seen.has(k)) process.stderr.write(`  ${t.at.slice(11, 19)} ${p.label}: ${t.state}\n`), seen.add(k);
        }
      for (const a of s.pendingApprovals) {
        const k = `approval:${a.stage}`;
        if (!seen.has(k)) {
          seen.add(k);
          process.stderr.write(`  waiting for approval ${a.stage}: ${a.description}\n    cordon approve ${workflowId} --stage ${a.stage} --digest ${a.digest} --as <approver>\n`);
        }
      }
    }
  });
}

/** `cordon contain --from FILE`: validate every line, start one mass containment, follow its progress. */
async function containFromFile(
  client: Client,
  taskQueue: string,
  values: { from?: string; incident?: string; requester?: string; severity?: string; concurrency?: string; 'no-wait'?: boolean; 'dry-run'?: boolean },
  json: boolean,
  out: (text: string) => void,
): Promise<number> {
  const file = values.from!;
  const refs = parseRefsFile(await readFile(file, 'utf8'), file.endsWith('.csv') ? 'csv' : 'ndjson');
  const request: MassStartRequest = {
    incidentId: values.incident as string,
    requester: values.requester ?? process.env.USER ?? 'cli',
    credentials: refs,
    ...(values.severity ? { severity: values.severity as never } : {}),
    ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}),
    ...(values['dry-run'] ? { dryRun: true } : {}),
  };
  const started = await startMassContainment(client, taskQueue, request);
  const what = values['dry-run'] ? 'dry run of a mass containment' : 'mass containment';
  if (!json) process.stderr.write(`${started.created ? 'started' : 'joined the running'} ${what} ${started.workflowId} (${refs.length} refs)\n`);
  if (values['no-wait']) return out(JSON.stringify({ ...started, total: refs.length })), EXIT.pending;
  const result = await followMassContainment(client, started.workflowId, (p, elapsedMs) => {
    if (!json) process.stderr.write(`\r  ${progressLine(p, elapsedMs)}   `);
    // Scripts get the same progress as one JSON object a line on stderr; stdout keeps the one result.
    else process.stderr.write(`${JSON.stringify(progressRecord(p, elapsedMs))}\n`);
  });
  if (!json) process.stderr.write('\n');
  if (values['dry-run']) return printDryRun(client, started.workflowId, result, json, out);
  if (json) out(JSON.stringify({ workflowId: started.workflowId, ...result }));
  else {
    out(`Mass containment ${started.workflowId}: ${result.total} refs · ${Object.entries(result.tally).map(([k, v]) => `${v} ${k}`).join(' · ')}`);
    for (const n of result.notContained) out(`  ref #${n.index + 1} (${n.workflowId}): ${n.outcome}${n.reason ? ` — ${n.reason}` : ''}`);
  }
  return result.notContained.length ? EXIT.notContained : EXIT.ok;
}

/** A finished dry run: its per-ref plans read a page at a time, then the table (or JSON) and the blast radius. */
async function printDryRun(client: Client, workflowId: string, result: MassContainmentResult, json: boolean, out: (text: string) => void): Promise<number> {
  const blast = result.dryRun!.blast;
  const refs: DryRunRef[] = [];
  for (let page = 0, pages = 1; page < pages; page++) {
    const read = await readDryRunPage(client, workflowId, page);
    pages = read.pages;
    refs.push(...read.refs);
  }
  if (json) out(JSON.stringify({ workflowId, dryRun: true, blast, refs }));
  else out(dryRunText(workflowId, blast, refs));
  return EXIT.ok;
}

/** The drift-watch pass the flags ask for; the workflow validates it (schemas/watch.ts) before reading anything. */
function watchInput(values: Record<string, string | boolean | undefined>): DriftWatchRequest {
  const list = (v: string | boolean | undefined) => (typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter(Boolean) : undefined);
  const input: DriftWatchRequest = {
    ...(list(values.providers) ? { providers: list(values.providers) as NonNullable<DriftWatchRequest>['providers'] } : {}),
    ...(typeof values.backfill === 'string' ? { backfill: values.backfill } : {}),
    ...(list(values.approvers) ? { approvers: list(values.approvers) } : {}),
    ...(values['no-act'] ? { act: false } : {}),
  };
  const parsed = DriftWatchInput.safeParse(input);
  if (!parsed.success) {
    throw new InvalidInputError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  return input;
}

/** Commands that talk to Temporal, and what each needs before a connection is opened. */
const TEMPORAL_COMMANDS = ['contain', 'status', 'evidence', 'approve', 'doctor', 'cancel', 'retry', 'schedule', 'inventory', 'persistence', 'watch'];

/** Refuses a malformed command line before anything connects (no Temporal call for invalid arguments). */
function checkUsage(command: string, values: Record<string, string | boolean | undefined>, positionals: string[]): void {
  if (!TEMPORAL_COMMANDS.includes(command)) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  const id = positionals[0];
  if (command === 'contain') {
    if (!values.incident) throw new UsageError('contain needs --incident ID');
    if (!values.from && (!values.provider || !values.kind)) throw new UsageError('contain needs --provider and --kind (or --from FILE)');
    if (values['dry-run'] && !values.from) throw new UsageError('--dry-run works with --from FILE (for one credential, cordon drill --plan-only shows the plan)');
  }
  if (['status', 'evidence', 'retry', 'persistence'].includes(command) && !id) throw new UsageError(`${command} needs a workflow id`);
  if (command === 'evidence' && typeof values.format === 'string' && !(EVIDENCE_FORMATS as readonly string[]).includes(values.format)) throw new UsageError(`--format must be one of ${EVIDENCE_FORMATS.join(', ')}`);
  if (command === 'approve' && (!id || !values.stage || !values.digest || !values.as)) throw new UsageError('approve needs <workflow-id> --stage --digest --as');
  if (command === 'cancel' && (!id || !values.as)) throw new UsageError('cancel needs <workflow-id> --as NAME [--reason TEXT]');
  if (command === 'schedule' && (!['hygiene', 'watch'].includes(id ?? '') || !values.every)) throw new UsageError('schedule needs: hygiene --every 24h, or watch --every 5m');
  if (command === 'watch') {
    if (id === 'dismiss' && (!positionals[1] || !values.as || !values.reason)) throw new UsageError('watch dismiss needs <containment-workflow-id> --as NAME --reason TEXT');
    if (id !== 'dismiss' && (id !== undefined || !values.once)) throw new UsageError('watch needs --once (or use: cordon schedule watch --every 5m)');
  }
  if (command === 'watch' || (command === 'schedule' && id === 'watch')) watchInput(values); // refused before connecting
}

/** `cordon verdicts` and `cordon baseline show`: read the watch's store on this machine, no Temporal connection. */
async function watchStoreCommand(command: string, args: string[], out: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, ocsf: { type: 'boolean' } } });
  if (command === 'baseline' && (positionals[0] !== 'show' || !positionals[1])) throw new UsageError('usage: cordon baseline show <token-key> [--json]');
  if (command === 'verdicts' && positionals.length) throw new UsageError('usage: cordon verdicts [--json]');
  if (!envIsSet(process.env, 'CORDON_WATCH_DB')) throw new UsageError('CORDON_WATCH_DB is not set: point it at the drift watch store of the worker that runs the watch');
  const { openWatchFromEnv } = await import('../watch/config.ts');
  const { watch, store } = openWatchFromEnv(process.env);
  const { openVerdictsWithContainments } = await import('../watch/baseline-store.ts');
  try {
    if (command === 'verdicts') {
      const open = openVerdictsWithContainments(store);
      if (values.ocsf) for (const v of open) out(JSON.stringify(detectionFindingOf(v, v.containment ? { containment: v.containment } : {})));
      else if (values.json) out(JSON.stringify(open));
      else if (!open.length) out('no open verdict');
      else for (const v of open) out(`${v.severity.toUpperCase()} ${v.provider} ${v.tokenKey} (${v.principal}): score ${v.score}, ${v.action}${v.containment ? `, containment ${v.containment}` : ''}\n${v.reasons.map((r) => `  - ${r.text}`).join('\n')}`);
      return EXIT.ok;
    }
    const view = watch.baseline(positionals[1]!);
    if (!view) {
      process.stderr.write(`cordon: no baseline for ${positionals[1]}: the watch has never seen this token (token keys: docs/drift-watch.md)\n`);
      return EXIT.error;
    }
    out(JSON.stringify(view, null, values.json ? undefined : 2));
    return EXIT.ok;
  } finally {
    store.close();
  }
}

/** `cordon evidence verify <file>`: offline, no Temporal connection. */
async function verifyCommand(args: string[], out: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { key: { type: 'string' }, 'allow-unsigned': { type: 'boolean' }, json: { type: 'boolean' } } });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('evidence verify needs one pack file: cordon evidence verify <pack.json>');
  const code = await runEvidenceVerify(file, { ...(values.key ? { expectKey: values.key } : {}), allowUnsigned: values['allow-unsigned'] === true, json: values.json === true }, out);
  return code === 0 ? EXIT.ok : EXIT.error;
}

/** `connect` lets tests run the command line in-process with a stand-in for Temporal. */
export async function main(argv: string[], deps: { connect?: typeof connectClient } = {}): Promise<number> {
  const [command, ...rest] = argv;
  const out = (text: string) => process.stdout.write(`${text}\n`);
  if (!command || command === 'help' || command === '--help') return out(USAGE), EXIT.ok;

  if (command === 'keygen') return out(newCodecKeyEntry()), EXIT.ok;
  if (command === 'evidence' && rest[0] === 'verify') return verifyCommand(rest.slice(1), out);
  if (command === 'config') {
    const [sub, ...flags] = rest;
    if (sub !== 'check' || flags.some((f) => f !== '--json')) throw new UsageError('usage: cordon config check [--json]');
    const check = checkConfig(process.env);
    out(flags.includes('--json') ? JSON.stringify(check) : renderConfigCheck(check));
    return check.ok ? EXIT.ok : EXIT.error;
  }
  if (command === 'dev') {
    await import('./dev.ts');
    return new Promise<number>(() => undefined); // runs until Ctrl-C
  }
  if (command === 'drill') return (await import('./drill.ts')).runDrillCli(rest);
  if (command === 'verdicts' || command === 'baseline') return watchStoreCommand(command, rest, out);
  if (command === 'rotate' || (command === 'schedule' && rest[0] === 'rotate')) {
    const connect = async () => {
      const target = temporalTargetFromEnv();
      return { client: await (deps.connect ?? connectClient)(target, await codecKeys()), taskQueue: target.taskQueue };
    };
    let opened: Client | undefined;
    const tracked = async () => {
      const c = await connect();
      opened = c.client;
      return c;
    };
    try {
      return command === 'rotate' ? await rotateCommand(rest, tracked, out, cliVouch) : await scheduleRotateCommand(rest.slice(1), tracked, out);
    } catch (err) {
      if (err instanceof RotateUsageError) throw new UsageError(err.message);
      throw err;
    } finally {
      await opened?.connection.close();
    }
  }

  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      provider: { type: 'string' }, kind: { type: 'string' }, id: { type: 'string' }, 'client-id': { type: 'string' }, user: { type: 'string' },
      'key-id': { type: 'string' }, fingerprint: { type: 'string' }, 'leaked-value-stdin': { type: 'boolean' }, incident: { type: 'string' },
      requester: { type: 'string' }, severity: { type: 'string' }, staged: { type: 'boolean' }, approvers: { type: 'string' },
      'break-glass': { type: 'boolean' }, reason: { type: 'string' }, 'idempotency-key': { type: 'string' }, 'no-wait': { type: 'boolean' },
      json: { type: 'boolean' }, pack: { type: 'boolean' }, watch: { type: 'boolean' }, stage: { type: 'string' }, digest: { type: 'string' }, as: { type: 'string' },
      reject: { type: 'boolean' }, port: { type: 'string' }, every: { type: 'string' }, csv: { type: 'boolean' }, since: { type: 'string' },
      from: { type: 'string' }, concurrency: { type: 'string' }, format: { type: 'string' }, 'dry-run': { type: 'boolean' },
      once: { type: 'boolean' }, providers: { type: 'string' }, backfill: { type: 'string' }, 'no-act': { type: 'boolean' },
    },
  });
  const json = values.json ?? false;

  if (command === 'codec-server') {
    const token = readEnv(process.env, 'CORDON_CODEC_SERVER_TOKEN');
    const corsOrigin = readEnv(process.env, 'CORDON_CODEC_CORS_ORIGIN');
    const s = await startCodecServer({ keys: await codecKeys(), port: Number(values.port ?? 8081), ...(token ? { token } : {}), ...(corsOrigin ? { corsOrigin } : {}) });
    out(`codec server on ${s.url} (temporal … --codec-endpoint ${s.url})`);
    return new Promise<number>(() => undefined);
  }

  checkUsage(command, values, positionals);
  const target = temporalTargetFromEnv();
  const client = await (deps.connect ?? connectClient)(target, await codecKeys());
  try {
    switch (command) {
      case 'contain': {
        if (values.from) return await containFromFile(client, target.taskQueue, values, json, out);
        const ref: Record<string, unknown> = { provider: values.provider, kind: values.kind };
        if (values.id) ref.id = values.id;
        if (values['client-id']) ref.clientId = values['client-id'];
        if (values.user) ref.user = values.user;
        if (values['key-id']) ref.keyId = values['key-id'];
        if (values.fingerprint) ref.fingerprint = values.fingerprint;
        if (values['leaked-value-stdin']) ref.leakedValue = await readStdin();
        const request = {
          incidentId: values.incident,
          requester: values.requester ?? process.env.USER ?? 'cli',
          ...(values.severity ? { severity: values.severity } : {}),
          credentials: [ref],
          mode: values.staged ? 'staged' : 'direct',
          ...(values['break-glass'] ? { breakGlass: true } : {}),
          ...(values.reason ? { reason: values.reason } : {}),
          ...(values.approvers ? { policy: { approval: { approvers: values.approvers.split(',').map((a) => a.trim()).filter(Boolean) } } } : {}),
          origin: { channel: 'cli' },
        } as ContainmentRequest;
        const started = await startContainment(client, target.taskQueue, request, values['idempotency-key'] ? { idempotencyKey: values['idempotency-key'] } : {});
        if (!json) process.stderr.write(`${started.created ? 'started' : 'joined the running'} containment ${started.workflowId}\n`);
        if (values['no-wait']) {
          if (json) out(JSON.stringify(started));
          return EXIT.pending;
        }
        const final = await follow(client, started.workflowId, json);
        out(json ? JSON.stringify(final) : renderReport(final, { color: process.stdout.isTTY }));
        return outcomeExit(final);
      }
      case 'status': {
        const id = positionals[0];
        if (!id) throw new UsageError('status needs a workflow id');
        const s = values.watch ? await follow(client, id, json) : await getStatus(client, id);
        out(json ? JSON.stringify(s) : renderReport(s, { color: process.stdout.isTTY }));
        return outcomeExit(s);
      }
      case 'evidence': {
        const id = positionals[0];
        if (!id) throw new UsageError('evidence needs a workflow id');
        if (values.format) {
          out(await evidenceCommand(client, id, values.format));
          return EXIT.ok;
        }
        const s = await getStatus(client, id);
        if (values.pack) out(JSON.stringify(buildEvidencePack(s), null, 2));
        else if (json) out(JSON.stringify({ workflowId: s.workflowId, incidentId: s.incidentId, outcome: s.outcome, evidence: s.evidence, evidenceDigest: s.evidenceDigest, seal: s.seal }, null, 2));
        else {
          for (const e of s.evidence) out(`${e.at}  ${evidenceLabel(e).padEnd(26)} ${e.actor.padEnd(18)} ${evidenceText(e)}`);
          out(evidenceSummaryText(evidenceSummary(s)));
        }
        return EXIT.ok;
      }
      case 'approve': {
        const id = positionals[0];
        if (!id || !values.stage || !values.digest || !values.as) throw new UsageError('approve needs <workflow-id> --stage --digest --as');
        const result = await decide(client, id, {
          stage: values.stage,
          digest: values.digest,
          decision: values.reject ? 'reject' : 'approve',
          approver: values.as,
          channel: 'cli',
          ...(values.reason ? { reason: values.reason } : {}),
        }, await cliVouch());
        out(json ? JSON.stringify(result) : `${values.stage}: ${result.state} (${result.approvals}/${result.quorum})`);
        return EXIT.ok;
      }
      case 'doctor': {
        const checks: { provider: string; check: string; ok: boolean; detail: string; fix?: string }[] = [];
        try {
          await client.workflowService.getSystemInfo({});
          checks.push({ provider: 'temporal', check: 'server', ok: true, detail: `${String(target.connectionOptions.address)} reachable` });
          const sa = await client.connection.operatorService.listSearchAttributes({ namespace: target.namespace });
          const missing = Object.keys(SEARCH_ATTRIBUTES).filter((n) => !(n in (sa.customAttributes ?? {})));
          checks.push({ provider: 'temporal', check: 'namespace', ok: missing.length === 0, detail: missing.length ? `namespace ${target.namespace}: missing search attributes ${missing.join(', ')}` : `namespace ${target.namespace} has Cordon's search attributes`, ...(missing.length ? { fix: 'create them as temporal-config/README.md shows' } : {}) });
        } catch (err) {
          checks.push({ provider: 'temporal', check: 'server', ok: false, detail: `${String(target.connectionOptions.address)}: ${err instanceof Error ? err.message : String(err)}`, fix: 'start it (npm run dev) or set TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE' });
        }
        checks.push({ provider: 'cordon', check: 'codec', ok: true, detail: 'payload encryption key loaded' });
        checks.push(...(await preflight(process.env)));
        if (json) out(JSON.stringify({ ok: checks.every((c) => c.ok), checks }));
        else for (const c of checks) out(`${c.ok ? 'ok  ' : 'FAIL'} ${c.provider.padEnd(10)} ${c.check.padEnd(18)} ${c.detail}${c.fix ? `\n     → ${c.fix}` : ''}`);
        return checks.every((c) => c.ok) ? EXIT.ok : EXIT.error;
      }
      case 'cancel': {
        const id = positionals[0];
        if (!id || !values.as) throw new UsageError('cancel needs <workflow-id> --as NAME [--reason TEXT]');
        await cancelContainment(client, id, { actor: values.as, channel: 'cli', ...(values.reason ? { reason: values.reason } : {}) }, await cliVouch());
        out(json ? JSON.stringify({ workflowId: id, state: 'cancel_requested' }) : `cancel requested for ${id}; the run records what it did and ends cancelled`);
        return EXIT.ok;
      }
      case 'retry': {
        const id = positionals[0];
        if (!id) throw new UsageError('retry needs a workflow id');
        const r = await retryContainment(client, target.taskQueue, id);
        out(json ? JSON.stringify(r) : `${r.created ? 'started' : 'already running:'} ${r.workflowId} (retry of ${r.retryOf}); follow it with: cordon status ${r.workflowId} --watch`);
        return EXIT.ok;
      }
      case 'schedule': {
        if (!values.every) throw new UsageError('schedule needs: hygiene --every 24h, or watch --every 5m');
        const r =
          positionals[0] === 'watch'
            ? await ensureWatchSchedule(client, { taskQueue: target.taskQueue, every: values.every, input: watchInput(values) })
            : await ensureHygieneSchedule(client, { taskQueue: target.taskQueue, every: values.every });
        out(json ? JSON.stringify(r) : `${r.created ? 'created' : 'updated'} schedule ${r.scheduleId}, every ${values.every}`);
        return EXIT.ok;
      }
      case 'watch': {
        if (positionals[0] === 'dismiss') {
          const r = await dismissVerdict(client, positionals[1]!, { actor: values.as!, reason: values.reason! }, await cliVouch());
          out(json ? JSON.stringify(r) : r.text);
          return EXIT.ok;
        }
        const { workflowId, report } = await runWatchOnce(client, target.taskQueue, watchInput(values));
        out(json ? JSON.stringify({ workflowId, ...report }) : watchReportText(report));
        return EXIT.ok;
      }
      case 'inventory': {
        const { text } = await runInventory(client, target.taskQueue, { csv: values.csv ?? false });
        process.stdout.write(text);
        return EXIT.ok;
      }
      case 'persistence': {
        const id = positionals[0];
        if (!id) throw new UsageError('persistence needs a containment workflow id');
        const reports = await runPersistenceSweeps(client, target.taskQueue, id, values.since ? { exposedSince: values.since } : {});
        out(JSON.stringify(reports, null, 2));
        return reports.some((r) => r.findings.length > 0) ? EXIT.notContained : EXIT.ok;
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } finally {
    await client.connection.close();
  }
}

/** Runs the command line: the exit code, and a one-line `cordon: …` message on stderr for every error (never a stack trace). */
export async function runCli(argv: string[], deps: { connect?: typeof connectClient } = {}): Promise<number> {
  try {
    return await main(argv, deps);
  } catch (err: unknown) {
    if (err instanceof InvalidInputError) {
      process.stderr.write(`cordon: invalid input: ${err.message}\n`);
      return EXIT.invalid;
    }
    if (err instanceof UsageError || (err as { code?: string } | null)?.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`cordon: ${(err as Error).message}\n\n${USAGE}\n`);
      return EXIT.invalid;
    }
    if (err instanceof RetryRefusedError) {
      process.stderr.write(`cordon: cannot retry: ${err.message}\n`);
      return EXIT.refused;
    }
    if (err instanceof DecisionRefusedError) {
      process.stderr.write(`cordon: decision refused: ${err.message}\n`);
      return EXIT.refused;
    }
    process.stderr.write(`cordon: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.error;
  }
}

/** True when this file is the program (cordon.sh → tsx cli/cordon.ts), not a module a test imports. */
function isProgram(): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

// The spans of a traced run (CORDON_OTEL_ENDPOINT) are sent before the process exits.
if (isProgram()) runCli(process.argv.slice(2)).then(async (code) => process.exit(await flushTracing().then(() => code, () => code)));
