// Delivers a finished containment's OCSF events to one sink (docs/evidence-export.md). Started by the
// worker when a containment's outcome is notified (worker/evidence-delivery.ts), with a workflow id
// derived from the containment and the sink, so it runs once. The containment's own workflow is not
// changed by it: no new commands there. The one activity reads the containment's status, waits (by
// retrying) until it has finished, and delivers; its retries make delivery at least once, and the
// events' stable ids let receivers drop copies. Only ids pass through history, never the events.
import { proxyActivities } from '@temporalio/workflow';
import type { EvidenceActivities } from '../activities/deliver-evidence.ts';
import { DeliverEvidenceInput } from '../schemas/evidence-delivery.ts';

const acts = proxyActivities<EvidenceActivities>({
  startToCloseTimeout: '5 minutes',
  // A receiver can be down for a while: keep trying for a week, backing off to once every 10 minutes.
  scheduleToCloseTimeout: '7 days',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    nonRetryableErrorTypes: ['cordon.evidence_refused', 'cordon.evidence_sink_not_configured'],
  },
});

export async function deliverEvidence(raw: DeliverEvidenceInput): Promise<{ delivered: number }> {
  return acts.deliverEvidenceToSink(DeliverEvidenceInput.parse(raw));
}
