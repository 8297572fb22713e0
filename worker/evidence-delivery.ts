// Starts the `deliverEvidence` workflow for each configured sink when a containment's outcome is
// notified (the `notify` activity's `completed` / `not_contained`). The workflow id is derived from the
// containment and the sink, so a retried notification or a second worker joins the run already
// started: each containment's evidence goes to each sink once (then at least once inside it).
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Notification, Notifier } from '../notifiers/notifier.ts';
import { DELIVER_EVIDENCE_WORKFLOW_TYPE, deliverEvidenceWorkflowId, type DeliverEvidenceInput, type EvidenceSinkName } from '../schemas/evidence-delivery.ts';

export async function startEvidenceDelivery(client: Client, taskQueue: string, containmentId: string, sink: EvidenceSinkName): Promise<string> {
  const workflowId = deliverEvidenceWorkflowId(containmentId, sink);
  try {
    await client.workflow.start(DELIVER_EVIDENCE_WORKFLOW_TYPE, {
      taskQueue,
      workflowId,
      args: [{ containmentId, sink } satisfies DeliverEvidenceInput],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return workflowId;
}

export function evidenceDeliveryNotifier(options: { client: () => Client; taskQueue: string; sinks: readonly EvidenceSinkName[] }): Notifier {
  return {
    async notify(n: Notification) {
      if (n.kind !== 'completed' && n.kind !== 'not_contained') return;
      for (const sink of options.sinks) await startEvidenceDelivery(options.client(), options.taskQueue, n.workflowId, sink);
    },
  };
}
