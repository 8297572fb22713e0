// `cordon rotate …` and `cordon schedule rotate …` (docs/rotation.md), kept out of cli/cordon.ts: flags in, the
// client's calls, text or JSON out. Policies come from a JSON file ({"policies": [...]}) checked by the zod schema,
// whose errors name the field.
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Client } from '../client/containments.ts';
import type { Vouch } from '../codec/decision-envelope.ts';
import { decideRotation, ensureRotationSchedule, rotationRunReport, runRotation, startRotation } from '../client/rotation.ts';
import { findUnrotated, rotateFlagged } from '../client/unrotated.ts';
import { parseRotationPolicies } from '../schemas/rotation.ts';
import { renderRotationHtml } from '../reports/rotation-html.ts';
import { rotationReportText } from '../reports/rotation-text.ts';

export const ROTATE_USAGE = `  cordon rotate --policies rotation.json [--dry-run] [--no-wait] [--html report.html] [--json]
                 rotate what the policies say is due now (--dry-run: the plan only, nothing written)
  cordon rotate report <run-workflow-id> [--html report.html] [--json]   a run's report once it has ended
  cordon rotate unrotated [--json]             the "unrotated since incident" flag: credentials older than a past
                 containment that share its principal or app
  cordon rotate unrotated --rotate <provider:credential-id> [--policies rotation.json]   rotate one flagged credential
  cordon rotate approve <rotation-workflow-id> --as APPROVER [--reject --reason TEXT]
  cordon schedule rotate --every 24h --policies rotation.json   create/update the rotation Schedule`;

export class RotateUsageError extends Error {}

async function policiesFrom(file: string | undefined) {
  if (!file) throw new RotateUsageError('give the policies: --policies rotation.json ({"policies": [...]}, see docs/rotation.md)');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new RotateUsageError(`--policies ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return parseRotationPolicies(raw).policies;
  } catch (err) {
    throw new RotateUsageError(`--policies ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const OPTIONS = {
  policies: { type: 'string' }, 'dry-run': { type: 'boolean' }, 'no-wait': { type: 'boolean' }, html: { type: 'string' }, json: { type: 'boolean' },
  rotate: { type: 'string' }, as: { type: 'string' }, reject: { type: 'boolean' }, reason: { type: 'string' }, every: { type: 'string' },
} as const;

/** `cordon rotate …`; `connect` opens the Temporal client only once the flags are known good. */
export async function rotateCommand(args: string[], connect: () => Promise<{ client: Client; taskQueue: string }>, out: (text: string) => void, vouch: () => Promise<Vouch | undefined> = async () => undefined): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: OPTIONS });
  const json = values.json ?? false;
  const sub = positionals[0];
  if (sub === 'approve') {
    if (!positionals[1] || !values.as) throw new RotateUsageError('rotate approve needs <rotation-workflow-id> --as APPROVER');
    const { client } = await connect();
    // Signed like the CLI's containment decisions: the approver must be the identity the CLI vouches for.
    const decision = { approver: values.as, decision: values.reject ? ('reject' as const) : ('approve' as const), channel: 'cli', ...(values.reason ? { reason: values.reason } : {}) };
    const state = await decideRotation(client, positionals[1], decision, await vouch());
    out(json ? JSON.stringify({ workflowId: positionals[1], state }) : `${positionals[1]}: ${state}`);
    return 0;
  }
  if (sub === 'unrotated') {
    const policy = values.policies ? (await policiesFrom(values.policies))[0] : undefined;
    const { client, taskQueue } = await connect();
    if (values.rotate) {
      const { workflowId } = await rotateFlagged(client, taskQueue, values.rotate, policy ? { policy } : {});
      out(json ? JSON.stringify({ workflowId }) : `started rotation run ${workflowId} for ${values.rotate}; its report: cordon rotate report ${workflowId}`);
      return 0;
    }
    const found = await findUnrotated(client, taskQueue);
    if (json) out(JSON.stringify(found));
    else {
      out(`${found.flags.length} credential(s) unrotated since ${found.incidents.length} past incident(s)`);
      for (const f of found.flags) out(`  ${f.credential.provider}:${f.credential.id}\n    ${f.detail}\n    rotate: cordon rotate unrotated --rotate '${f.credential.provider}:${f.credential.id}'`);
      for (const u of found.unknownAge) out(`  age unknown (no creation time on record): ${u.label} [${u.credentialId}], related to ${u.incidentId}`);
    }
    return 0;
  }
  if (sub === 'report') {
    if (!positionals[1]) throw new RotateUsageError('rotate report needs <run-workflow-id>');
    const { client } = await connect();
    const report = await rotationRunReport(client, positionals[1]);
    if (values.html) await writeFile(values.html, renderRotationHtml(report));
    out(json ? JSON.stringify(report) : rotationReportText(report));
    return report.entries.some((e) => e.result && e.result.state !== 'rotated') ? 3 : 0;
  }
  if (sub) throw new RotateUsageError(`unknown rotate command ${sub}`);
  const policies = await policiesFrom(values.policies);
  const { client, taskQueue } = await connect();
  const input = { policies, dryRun: values['dry-run'] ?? false, requester: process.env.CORDON_OPERATOR_ID ?? process.env.USER ?? 'cli' };
  if (values['no-wait'] && !input.dryRun) {
    const { workflowId } = await startRotation(client, taskQueue, input);
    out(json ? JSON.stringify({ workflowId }) : `started rotation run ${workflowId}; its report: cordon rotate report ${workflowId}`);
    return 5;
  }
  const { report } = await runRotation(client, taskQueue, input);
  if (values.html) await writeFile(values.html, renderRotationHtml(report));
  out(json ? JSON.stringify(report) : rotationReportText(report));
  return report.entries.some((e) => e.result && e.result.state !== 'rotated') ? 3 : 0;
}

/** `cordon schedule rotate --every 24h --policies rotation.json`. */
export async function scheduleRotateCommand(args: string[], connect: () => Promise<{ client: Client; taskQueue: string }>, out: (text: string) => void): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS });
  if (!values.every) throw new RotateUsageError('schedule rotate needs --every (e.g. 24h) and --policies rotation.json');
  const policies = await policiesFrom(values.policies);
  const { client, taskQueue } = await connect();
  const r = await ensureRotationSchedule(client, { taskQueue, every: values.every, policies });
  out(values.json ? JSON.stringify(r) : `${r.created ? 'created' : 'updated'} schedule ${r.scheduleId}, every ${values.every}, ${policies.length} polic${policies.length === 1 ? 'y' : 'ies'}`);
  return 0;
}
