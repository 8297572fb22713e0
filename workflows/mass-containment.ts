// Mass containment (design.md §6): after a vendor breach, thousands of credential refs fan out as
// child `containCredential` runs, a bounded number at a time; each child is paced by its provider's
// rate limits through its activities' retries (Retry-After), not by this parent. The parent
// continues as new every `childrenPerRun` children so its history stays bounded.
import { ApplicationFailure, continueAsNew, defineQuery, executeChild, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ContainmentRequest, ContainmentStatus } from '../schemas/containment.ts';
import { MassContainmentInput, type MassContainmentRequest, type MassContainmentResult } from '../schemas/mass.ts';
import { FAILURE_TYPES } from '../schemas/failure-types.ts';
import { undecodableReason } from '../schemas/undecodable.ts';
import { INCIDENT_ID, OUTCOME } from './search-attributes.ts';

export const massProgressQuery = defineQuery<MassContainmentResult & { done: number }>('massProgress');

export async function massContainment(request: MassContainmentRequest): Promise<MassContainmentResult> {
  const input = parseMassInput(request);
  const parentId = workflowInfo().workflowId; // the same across continue-as-new
  const tally: Record<string, number> = { ...input.tally };
  const notContained = [...input.notContained];
  let done = input.offset;
  setHandler(massProgressQuery, () => ({ incidentId: input.incidentId, total: input.credentials.length, tally, notContained, done }));
  upsertSearchAttributes([{ key: INCIDENT_ID, value: input.incidentId }, { key: OUTCOME, value: 'running' }]);

  const end = Math.min(input.credentials.length, input.offset + input.childrenPerRun);
  const running = new Set<Promise<void>>();
  for (let index = input.offset; index < end; index++) {
    const ref = input.credentials[index]!;
    const child: ContainmentRequest = { incidentId: input.incidentId, requester: input.requester, severity: input.severity, credentials: [ref], mode: 'direct', policy: input.policy, origin: { channel: 'api' } };
    // A deterministic child id: a retried parent (or a continued one) never contains the same ref twice.
    const workflowId = `${parentId}-${index}`;
    const p: Promise<void> = executeChild<(r: ContainmentRequest) => Promise<ContainmentStatus>>('containCredential', { workflowId, args: [child] })
      .then((s) => {
        // A child's result this worker could not decode (codec/payload-converter.ts) counts as failed, with why.
        const unreadable = undecodableReason(s);
        const outcome = unreadable ? 'failed' : s.outcome;
        tally[outcome] = (tally[outcome] ?? 0) + 1;
        if (unreadable) notContained.push({ index, workflowId, outcome: 'failed', reason: `the child's result could not be decoded: ${unreadable}` });
        else if (s.outcome !== 'contained') notContained.push({ index, workflowId, outcome: s.outcome, ...(s.outcomeReason ? { reason: s.outcomeReason } : {}) });
      })
      .catch((err: unknown) => {
        tally.failed = (tally.failed ?? 0) + 1;
        notContained.push({ index, workflowId, outcome: 'failed', reason: err instanceof Error ? err.message : String(err) });
      })
      .finally(() => {
        done++;
        running.delete(p);
      });
    running.add(p);
    if (running.size >= input.concurrency) await Promise.race(running);
  }
  await Promise.all(running);
  if (end < input.credentials.length) {
    await continueAsNew<typeof massContainment>({ ...request, offset: end, tally, notContained });
  }
  const result = { incidentId: input.incidentId, total: input.credentials.length, tally, notContained };
  upsertSearchAttributes([{ key: OUTCOME, value: notContained.length ? 'not_contained' : 'contained' }]);
  return result;
}

/** Invalid input (a raw Temporal start can send anything) fails the run at once rather than its workflow tasks forever. */
function parseMassInput(request: MassContainmentRequest): ReturnType<typeof MassContainmentInput.parse> {
  const undecodable = undecodableReason(request);
  const parsed = undecodable ? undefined : MassContainmentInput.safeParse(request);
  if (parsed?.success) return parsed.data;
  const issue = parsed?.error.issues[0];
  const why = undecodable ? `the payload could not be decoded: ${undecodable}` : `${issue?.path.join('.') || '(input)'}: ${issue?.message}`;
  throw ApplicationFailure.create({ type: FAILURE_TYPES.invalid_input, nonRetryable: true, message: `invalid mass containment input: ${why}` });
}
