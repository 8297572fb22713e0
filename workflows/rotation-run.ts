// One run of the rotation policies (docs/rotation.md), started by the `cordon schedule rotate` Schedule, by
// `cordon rotate`, or by the one-step rotation of a flagged credential: plan each policy (what is due), then start
// one `rotateCredential` child per due credential with a deterministic id per credential, paced per provider. A
// rotation already running (an earlier run's, still waiting for its consumers) is joined, never started twice. The
// run waits for the rotations it started and returns the report; those it found running are reported as such.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, proxyActivities, sleep, startChild, workflowInfo, type ChildWorkflowHandle } from '@temporalio/workflow';
import type { RotationActivities } from '../activities/rotation.ts';
import {
  RotationRunInput,
  ROTATE_CREDENTIAL_WORKFLOW_TYPE,
  type RotateCredentialInput,
  type RotationItem,
  type RotationPlan,
  type RotationPolicy,
  type RotationResult,
  type RotationRunEntry,
  type RotationRunReport,
} from '../schemas/rotation.ts';

const acts = proxyActivities<RotationActivities>({
  // A tenant-wide listing walks every user: far longer than one provider call.
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
});

type Started = { entry: RotationRunEntry; handle?: ChildWorkflowHandle<(i: RotateCredentialInput) => Promise<RotationResult>> };

export async function rotationRun(raw: RotationRunInput): Promise<RotationRunReport> {
  const input = RotationRunInput.parse(raw);
  const startedAt = new Date(Date.now()).toISOString();
  const plans: RotationPlan[] = [];
  for (const policy of input.policies) plans.push(await acts.planRotation({ policy, ...(input.only ? { only: input.only } : {}) }));

  // A credential due under two policies is rotated once, by the first.
  const seen = new Set<string>();
  const due: { item: RotationItem; policy: RotationPolicy }[] = [];
  plans.forEach((plan, i) => {
    for (const item of plan.due) {
      if (seen.has(item.workflowId)) continue;
      seen.add(item.workflowId);
      due.push({ item, policy: input.policies[i]! });
    }
  });
  const entryOf = (item: RotationItem, start: RotationRunEntry['start']): RotationRunEntry => ({
    workflowId: item.workflowId,
    credentialId: `${item.credential.provider}:${item.credential.id}`,
    label: item.credential.label,
    policy: item.policy,
    start,
  });
  if (input.dryRun) {
    return { runId: workflowInfo().workflowId, startedAt, finishedAt: new Date(Date.now()).toISOString(), dryRun: true, plans, entries: due.map(({ item }) => entryOf(item, 'planned')) };
  }

  // Paced per provider: each provider's rotations start one after another at its policy's rate; providers in parallel.
  const byProvider = new Map<string, typeof due>();
  for (const d of due) byProvider.set(d.item.credential.provider, [...(byProvider.get(d.item.credential.provider) ?? []), d]);
  const started: Started[] = [];
  await Promise.all(
    [...byProvider.values()].map(async (list) => {
      for (const [i, { item, policy }] of list.entries()) {
        if (i > 0) await sleep(Math.ceil(60_000 / policy.perMinute));
        try {
          const handle = await startChild<(i: RotateCredentialInput) => Promise<RotationResult>>(ROTATE_CREDENTIAL_WORKFLOW_TYPE, {
            workflowId: item.workflowId,
            args: [{ policy, credential: item.credential, ...(item.ageDays !== undefined ? { ageDays: item.ageDays } : {}), requester: input.requester }],
            // A rotation outlives the run that started it if the run is cancelled: it may be waiting for consumers for days.
            parentClosePolicy: ParentClosePolicy.ABANDON,
          });
          started.push({ entry: entryOf(item, 'started'), handle });
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
          started.push({ entry: entryOf(item, 'already_running') });
        }
      }
    }),
  );
  // A rotation that failed as a workflow (not as a recorded `failed` state) is reported with its error; the run goes on.
  const entries = await Promise.all(
    started.map(async ({ entry, handle }) => {
      if (!handle) return entry;
      try {
        return { ...entry, result: await handle.result() };
      } catch (err) {
        return { ...entry, error: err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err) };
      }
    }),
  );
  return { runId: workflowInfo().workflowId, startedAt, finishedAt: new Date(Date.now()).toISOString(), dryRun: false, plans, entries };
}
