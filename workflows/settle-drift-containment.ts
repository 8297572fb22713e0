// Settles one containment the drift watch opened as soon as it ends, instead of at the next pass: started by
// the Slack app after a Dismiss cancels the containment, so the dismissal (who, why) is in the watch's store and
// teaches the baseline right away (docs/drift-watch.md, "Verdicts in Slack"). The store belongs to the worker
// that polls the watch's task queue, so the one activity runs there; it waits (by retrying) until the
// containment has ended. Settling twice changes nothing: the next pass finds the link settled.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { WatchActivities } from '../activities/watch.ts';
import { watchTaskQueue, type SettledContainment } from '../schemas/watch.ts';

const acts = () =>
  proxyActivities<WatchActivities>({
    taskQueue: watchTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: '30 seconds',
    // A cancelled containment ends within seconds; one that is slow to stop is waited for up to a day.
    scheduleToCloseTimeout: '1 day',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: ['cordon.not_a_watch_containment'] },
  });

export async function settleDriftContainment(input: { workflowId: string }): Promise<SettledContainment> {
  return acts().settleContainment({ workflowId: input.workflowId });
}
