// Mass containment from a file of refs (`cordon contain --from refs.ndjson|refs.csv`): every line is
// validated with the same schema as a single start before anything starts, then one `massContainment`
// run fans the refs out as child containments. Its id is derived from the incident and the refs, so a
// repeated start joins the run.
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { CredentialRef } from '../schemas/credential.ts';
import { MASS_PAGE_SIZE, MASS_WORKFLOW_TASK_TIMEOUT, MassStartInput, type DryRunRef, type MassContainmentRequest, type MassContainmentResult, type MassProgressView, type MassStartRequest } from '../schemas/mass.ts';
import { addRefPageUpdate, massProgressQuery } from '../workflows/mass-containment.ts';
import { INCIDENT_ID } from '../workflows/search-attributes.ts';
import { InvalidInputError } from './containments.ts';

const CSV_COLUMNS = ['provider', 'kind', 'id', 'clientId', 'user', 'keyId', 'fingerprint'] as const;

/**
 * Refs from NDJSON (one CredentialRef per line) or CSV (a header naming some of provider, kind, id,
 * clientId, user, keyId, fingerprint; leaked values belong in NDJSON, never in a spreadsheet). Every bad
 * line is reported with its number and field; nothing is returned unless all lines are valid.
 */
export function parseRefsFile(text: string, format: 'ndjson' | 'csv'): CredentialRef[] {
  const lines = text.split(/\r?\n/).map((l, i) => ({ l: l.trim(), n: i + 1 })).filter((x) => x.l && !x.l.startsWith('#'));
  const issues: { path: string; message: string }[] = [];
  const refs: CredentialRef[] = [];
  let rows: { n: number; value: unknown }[];
  if (format === 'csv') {
    const [header, ...body] = lines;
    const cols = (header?.l ?? '').split(',').map((c) => c.trim());
    const unknown = cols.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
    if (!header || unknown.length) throw new InvalidInputError([{ path: 'line 1', message: `the CSV header must name columns among ${CSV_COLUMNS.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}` }]);
    rows = body.map(({ l, n }) => ({ n, value: Object.fromEntries(l.split(',').map((v, i) => [cols[i], v.trim()]).filter(([k, v]) => k && v)) }));
  } else {
    rows = lines.map(({ l, n }) => {
      try {
        return { n, value: JSON.parse(l) as unknown };
      } catch {
        issues.push({ path: `line ${n}`, message: 'not a JSON object' });
        return { n, value: undefined };
      }
    });
  }
  for (const { n, value } of rows) {
    if (value === undefined) continue;
    const r = CredentialRef.safeParse(value);
    if (r.success) refs.push(r.data);
    else for (const i of r.error.issues) issues.push({ path: `line ${n}${i.path.length ? `: ${i.path.join('.')}` : ''}`, message: i.message });
  }
  if (!issues.length && !refs.length) issues.push({ path: 'file', message: 'no credential refs in the file' });
  if (issues.length) throw new InvalidInputError(issues.slice(0, 20));
  return refs;
}

export function massWorkflowId(incidentId: string, refs: CredentialRef[], options: { dryRun?: boolean } = {}): string {
  const basis = refs.map((r) => [r.provider, r.kind, r.id, r.clientId, r.user, r.keyId, r.fingerprint ?? ''].join('|')).join('\n');
  // A dry run's id ends in `-plan` (a live run's ends in hex digits): the live run never joins a dry run.
  return `cordon-mass-${incidentId}-${createHash('sha256').update(basis).digest('hex').slice(0, 16)}${options.dryRun ? '-plan' : ''}`;
}

/** Whether a mass containment id is a dry run's (massWorkflowId). */
export const isDryRunId = (workflowId: string) => workflowId.endsWith('-plan');

/**
 * Starts (or joins) a mass containment, however many refs: the run is started with their number only,
 * then the refs follow as pages of MASS_PAGE_SIZE (each one update), so no payload carries them all
 * (Temporal refuses payloads over 2 MB). A joined run that still lacks pages gets them again: a client
 * that died mid-upload resumes by starting the same refs again.
 */
export async function startMassContainment(client: Client, taskQueue: string, request: MassStartRequest, options: { pageSize?: number } = {}): Promise<{ workflowId: string; created: boolean }> {
  const parsed = MassStartInput.safeParse(request);
  if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  const { credentials, ...rest } = parsed.data;
  const workflowId = massWorkflowId(parsed.data.incidentId, credentials, { dryRun: parsed.data.dryRun });
  const pageSize = options.pageSize ?? MASS_PAGE_SIZE;
  const start: MassContainmentRequest = { ...rest, paged: { total: credentials.length, pageSize } };
  let created = true;
  try {
    await client.workflow.start('massContainment', {
      args: [start],
      taskQueue,
      workflowId,
      // A finished run is joined too, not started again: the same incident and refs are one mass containment.
      // A dry run is planned again once the last one has finished: the tenant may have changed since.
      workflowIdReusePolicy: parsed.data.dryRun ? 'ALLOW_DUPLICATE' : 'REJECT_DUPLICATE',
      workflowTaskTimeout: MASS_WORKFLOW_TASK_TIMEOUT,
      typedSearchAttributes: new TypedSearchAttributes([{ key: INCIDENT_ID, value: parsed.data.incidentId }]),
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    created = false;
  }
  await sendRefPages(client, workflowId, credentials, pageSize, created);
  return { workflowId, created };
}

async function sendRefPages(client: Client, workflowId: string, refs: CredentialRef[], pageSize: number, created: boolean): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  if (!created) {
    // A finished run, or one that holds every ref already, needs nothing more.
    if ((await handle.describe()).status.name !== 'RUNNING') return;
    const p = await handle.query(massProgressQuery);
    if (p.received === undefined || p.received === p.total) return;
  }
  for (let page = 0; page * pageSize < refs.length; page++) {
    try {
      await handle.executeUpdate(addRefPageUpdate, { args: [{ page, refs: refs.slice(page * pageSize, (page + 1) * pageSize) }] });
    } catch (err) {
      // The run's validator said why (a page that does not fit the run, e.g. other refs under the same id).
      if (err instanceof WorkflowUpdateFailedError) throw new InvalidInputError([{ path: `page ${page}`, message: err.cause?.message ?? err.message }]);
      throw err;
    }
  }
}

export type MassProgress = MassProgressView;

/** The id is not a mass containment's (another workflow type shares the namespace). */
export class NotAMassContainmentError extends Error {
  override readonly name = 'NotAMassContainmentError';
}

/**
 * A mass containment's progress and Temporal status. A completed run is read from its result (no worker
 * needed); a running one answers its progress query. Throws WorkflowNotFoundError for an unknown id.
 */
export async function readMassProgress(client: Client, workflowId: string): Promise<MassProgress & { executionStatus: string; elapsedMs: number; pages: number }> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  if (description.type !== 'massContainment') throw new NotAMassContainmentError(`${workflowId} is not a Cordon mass containment`);
  const executionStatus = description.status.name;
  const elapsedMs = elapsedOf(description);
  const pagesOf = (p: MassContainmentResult) => (p.dryRun?.pageSize ? Math.ceil(p.total / p.dryRun.pageSize) : 1);
  if (executionStatus === 'COMPLETED') {
    const result = (await handle.result()) as MassContainmentResult;
    return { ...result, done: result.total, executionStatus, elapsedMs, pages: pagesOf(result) };
  }
  const progress = await massProgress(client, workflowId);
  return { ...progress, executionStatus, elapsedMs, pages: pagesOf(progress) };
}

/** The page does not exist, or its plans are not ready yet (the dry run is still planning it). */
export class DryRunPageUnavailableError extends Error {
  override readonly name = 'DryRunPageUnavailableError';
}

/**
 * One page of a finished dry run's per-ref lines: a paged dry run keeps only the totals, each page run
 * its own refs' lines (workflows/mass-containment.ts), so no answer carries thousands of plans.
 */
export async function readDryRunPage(client: Client, workflowId: string, page: number): Promise<{ page: number; pages: number; refs: DryRunRef[] }> {
  if (!isDryRunId(workflowId)) throw new NotAMassContainmentError(`${workflowId} is not a dry run: its id ends in -plan`);
  const run = await readMassProgress(client, workflowId);
  if (run.executionStatus !== 'COMPLETED') throw new DryRunPageUnavailableError(`dry run ${workflowId} is ${run.executionStatus.toLowerCase()}: its plans are readable once it has completed`);
  if (page >= run.pages) throw new DryRunPageUnavailableError(`dry run ${workflowId} has ${run.pages} page(s) (0 to ${run.pages - 1}); there is no page ${page}`);
  // A page run plans the refs its page holds, an owner's refs from later pages included; a page whose every ref
  // went to its owner's earlier page started no run and has no lines.
  const result = run.dryRun?.refs
    ? run
    : ((await client.workflow
        .getHandle(`${workflowId}-page-${page}`)
        .result()
        .catch((err: unknown) => {
          if (err instanceof WorkflowNotFoundError) return {};
          throw err;
        })) as Partial<MassContainmentResult>);
  return { page, pages: run.pages, refs: result.dryRun?.refs ?? [] };
}

/**
 * How long the run has been going (or went, once closed): the rate is the run's own, since its start,
 * so a client that joins or re-attaches later sees the same rate and ETA as the one that started it.
 */
function elapsedOf(description: { startTime: Date; closeTime?: Date }): number {
  return Math.max(0, (description.closeTime ?? new Date()).getTime() - description.startTime.getTime());
}

/**
 * A running mass containment's progress: its own, plus that of its page runs in flight (a paged run
 * counts a page once the page has finished).
 */
export async function massProgress(client: Client, workflowId: string, retryAfterMs = 250): Promise<MassProgress> {
  const own = await client.workflow.getHandle(workflowId).query(massProgressQuery);
  const tally = { ...own.tally };
  const notContained = [...own.notContained];
  let done = own.done;
  let unansweredPages = 0;
  for (const pageId of own.runningPages ?? []) {
    // A page that finished between the two reads answers its final count, which its parent has not merged yet.
    // One that does not answer (a query timed out on a loaded worker, a run continuing as new) is asked once more;
    // still silent, its refs are left out of this reading, which says so.
    const ask = () => client.workflow.getHandle(pageId).query(massProgressQuery);
    const page = await ask().catch(async () => {
      await new Promise((r) => setTimeout(r, retryAfterMs));
      return ask().catch(() => undefined);
    });
    if (!page) {
      unansweredPages++;
      continue;
    }
    done += page.done;
    for (const [outcome, n] of Object.entries(page.tally)) tally[outcome] = (tally[outcome] ?? 0) + n;
    notContained.push(...page.notContained);
  }
  return { ...own, tally, notContained, done, ...(unansweredPages ? { unansweredPages } : {}) };
}

/** Where a mass containment stands, without rates: done of total, contained, not contained, waiting. */
export function massStatusLine(p: MassProgress): string {
  const r = progressRecord(p, 0);
  return `${r.done}/${r.total} done · ${r.contained} contained · ${r.notContained} not contained · ${r.waiting} waiting`;
}

export interface ProgressRecord {
  total: number;
  done: number;
  contained: number;
  notContained: number;
  waiting: number;
  perSecond: number;
  /** Refs finished per minute since the run started. */
  refsPerMinute: number;
  /** Seconds until every ref is done at that rate; null before the first ref is done. 0 once all are. */
  etaSeconds: number | null;
}

/** Progress as numbers (`cordon contain --from --json`, GET /v1/mass-containments/{id}): counts, rate and ETA. */
export function progressRecord(p: MassProgress, elapsedMs: number): ProgressRecord {
  const perSecond = elapsedMs > 0 ? (p.done / elapsedMs) * 1000 : 0;
  const waiting = p.total - p.done;
  const etaSeconds = waiting === 0 ? 0 : perSecond > 0 ? Math.ceil(waiting / perSecond) : null;
  return { total: p.total, done: p.done, contained: p.tally.contained ?? 0, notContained: p.notContained.length, waiting, perSecond, refsPerMinute: Math.round(perSecond * 60 * 10) / 10, etaSeconds };
}

/** 75 → "1m 15s", 3700 → "1h 1m": an ETA people read at a glance. */
export function formatEta(seconds: number | null): string {
  if (seconds === null) return '—';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h ? `${h}h ${m}m` : m ? `${m}m ${s}s` : `${s}s`;
}

/** One progress line: done / total, contained, not contained, waiting, rate (refs/min) and ETA. */
export function progressLine(p: MassProgress, elapsedMs: number): string {
  const r = progressRecord(p, elapsedMs);
  return `${r.done}/${r.total} done · ${r.contained} contained · ${r.notContained} not contained · ${r.waiting} waiting · ${r.refsPerMinute.toFixed(1)} refs/min · ETA ${formatEta(r.etaSeconds)}`;
}

/**
 * Waits for a mass containment to finish, handing its progress and the time since the run started to
 * `onProgress` about once a second; returns its result.
 */
export async function followMassContainment(client: Client, workflowId: string, onProgress: (p: MassProgress, elapsedMs: number) => void, everyMs = 1000): Promise<MassContainmentResult> {
  const handle = client.workflow.getHandle(workflowId);
  // A live view never goes back: a reading that left a silent page run out (fewer done than the last) shows the last one again.
  let shown: MassProgress | undefined;
  for (;;) {
    const desc = await handle.describe();
    if (desc.status.name !== 'RUNNING') break;
    const p = await massProgress(client, workflowId).catch(() => undefined);
    if (p && p.done >= (shown?.done ?? 0)) shown = p;
    if (shown) onProgress(shown, elapsedOf(desc));
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return (await handle.result()) as MassContainmentResult;
}
