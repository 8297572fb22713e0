// One pass of the drift watch (docs/drift-watch.md), started by the `cordon schedule watch` Schedule or by
// `cordon watch --once`: read every provider's audit log from its checkpoint (in parallel; a provider that
// cannot be read is a gap in the report, never a failed pass), then open one containment per verdict that
// calls for one. A containment is a child run with a deterministic id per verdict, left running when the pass
// ends: a repeated or overlapping pass joins it instead of opening a second one for the same token.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ActivityFailure, ParentClosePolicy, patched, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { WatchActivities } from '../activities/watch.ts';
import { durationMs, type ContainmentRequest, type ContainmentStatus } from '../schemas/containment.ts';
import { describeRef } from '../schemas/credential.ts';
import { DriftWatchInput, summarizeVerdict, type FindingDelivery, watchTaskQueue, type DriftWatchReport, type DriftWatchRequest, type OpenedContainment, type ProviderPass } from '../schemas/watch.ts';
import type { Verdict } from '../schemas/verdict.ts';

const watchActivities = () =>
  proxyActivities<WatchActivities>({
    // Only the worker that holds the baseline store polls it.
    taskQueue: watchTaskQueue(workflowInfo().taskQueue),
    // A provider's pages: a long read on a big tenant; heartbeats say it is alive.
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '2 minutes',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6 },
  });

/** Passes recorded before these steps replay without them (docs/drift-watch.md). */
export const VERDICT_THREAD_PATCH = 'cordon-watch-verdict-thread';
export const FINDING_DELIVERY_PATCH = 'cordon-watch-finding-delivery';

/** Deterministic per verdict: one containment per verdict, whoever opens it and however often. */
export const driftContainmentId = (verdictId: string) => `cordon-contain-drift-${verdictId}`;

export async function driftWatch(raw: DriftWatchRequest = {}): Promise<DriftWatchReport> {
  const input = DriftWatchInput.parse(raw ?? {});
  const acts = watchActivities();
  const startedAt = new Date(Date.now()).toISOString();
  const providers = input.providers ?? (await acts.watchProviders());
  const ingest = { received: 0, accepted: 0, malformed: 0, duplicate: 0, outOfOrder: 0, late: 0 };
  const passes: ProviderPass[] = [];
  const seen = new Map<string, Verdict>();
  await Promise.all(
    providers.map(async (provider) => {
      try {
        const r = await acts.watchProvider({ provider, maxPages: input.maxPages, startAt: new Date(Date.now() - durationMs(input.backfill)).toISOString() });
        passes.push(r.pass);
        for (const k of Object.keys(ingest) as (keyof typeof ingest)[]) ingest[k] += r.ingest[k];
        for (const v of r.verdicts) seen.set(v.tokenKey, v);
      } catch (err) {
        const cause = err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
        passes.push({ provider, pages: 0, records: 0, events: 0, duplicates: 0, malformed: 0, late: 0, error: cause });
      }
    }),
  );

  const containments: OpenedContainment[] = [];
  if (input.act) {
    for (const target of await acts.verdictsToAct()) {
      const { verdict } = target;
      seen.set(verdict.tokenKey, verdict);
      const mode = verdict.action === 'direct' ? 'direct' : 'staged';
      // The verdict's first containment, then -2, -3… when it changed after the last one ended (it did not hold).
      const workflowId = driftContainmentId(verdict.id) + (target.opened ? `-${target.opened + 1}` : '');
      if ('unmappable' in target) {
        containments.push({ verdictId: verdict.id, tokenKey: verdict.tokenKey, workflowId, mode, state: 'not_mappable', note: target.unmappable });
        continue;
      }
      const incidentId = `DRIFT-${verdict.id}`.slice(0, 100);
      const thread = patched(VERDICT_THREAD_PATCH) ? await verdictThread(acts, verdict, target.ref, { incidentId, workflowId, mode, requester: input.requester }) : null;
      const request: ContainmentRequest = {
        incidentId,
        requester: input.requester,
        severity: verdict.severity,
        credentials: [target.ref],
        mode,
        policy: { approval: { approvers: input.approvers } },
        reason: `Drift watch, score ${verdict.score}: ${verdict.reasons.map((r) => r.text).join('; ')}`.slice(0, 2000),
        origin: { channel: 'watch', ...(thread ?? {}) },
      };
      let state: OpenedContainment['state'] = 'opened';
      try {
        await startChild<(r: ContainmentRequest) => Promise<ContainmentStatus>>('containCredential', {
          workflowId,
          args: [request],
          // The containment outlives this pass: it waits for its approval however long that takes.
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        state = 'already_open';
      }
      await acts.noteContainment({ verdictId: verdict.id, tokenKey: verdict.tokenKey, workflowId });
      containments.push({ verdictId: verdict.id, tokenKey: verdict.tokenKey, workflowId, mode, state });
    }
  }
  // Findings go to the evidence sinks after the pass's own work; a sink that fails never fails the pass.
  let findings: FindingDelivery | undefined;
  if (patched(FINDING_DELIVERY_PATCH)) findings = await acts.deliverFindings().catch(() => undefined);
  const opened = new Map(containments.filter((c) => c.state !== 'not_mappable').map((c) => [c.verdictId, c.workflowId]));
  return {
    startedAt,
    finishedAt: new Date(Date.now()).toISOString(),
    providers: passes.sort((a, b) => a.provider.localeCompare(b.provider)),
    ingest,
    verdicts: [...seen.values()].map((v) => summarizeVerdict(v, opened.get(v.id))),
    containments,
    ...(findings ? { findings } : {}),
  };
}

/** The containment's Slack thread, opened with the verdict; a Slack that cannot be reached leaves the containment without one. */
async function verdictThread(acts: ReturnType<typeof watchActivities>, verdict: Verdict, ref: ContainmentRequest['credentials'][number], c: { incidentId: string; workflowId: string; mode: 'staged' | 'direct'; requester: string }) {
  try {
    return await acts.openVerdictThread({
      tokenKey: verdict.tokenKey,
      verdictId: verdict.id,
      request: { incidentId: c.incidentId, requester: c.requester, mode: c.mode, severity: verdict.severity, refs: [describeRef(ref)], workflowId: c.workflowId },
    });
  } catch {
    return null;
  }
}
