// The activity of the `deliverEvidence` workflow: read a containment's status, build its OCSF events
// (export/ocsf.ts) and hand them to the named sink (notifiers/evidence/). A containment still running
// fails the attempt with a retryable type, so the workflow's retry policy waits for it to finish.
// Activity names are recorded in history: never rename one.
import { ApplicationFailure } from '@temporalio/common';
import { exportRunOf } from '../export/events.ts';
import { ocsfEventsOf } from '../export/ocsf.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import type { EvidenceSink } from '../notifiers/evidence/sink.ts';
import type { ContainmentStatus } from '../schemas/containment.ts';
import type { DeliverEvidenceInput } from '../schemas/evidence-delivery.ts';

export interface EvidenceDeliveryDeps {
  sinks: readonly EvidenceSink[];
  /** The containment's status (a Temporal query; the worker wires its client in). */
  readStatus(workflowId: string): Promise<ContainmentStatus>;
  logger?: Logger;
}

export function createEvidenceActivities(deps: EvidenceDeliveryDeps | undefined) {
  const log = deps?.logger ?? createLogger({ base: { component: 'evidence-delivery' } });
  return {
    async deliverEvidenceToSink(input: DeliverEvidenceInput): Promise<{ delivered: number }> {
      const sink = deps?.sinks.find((s) => s.name === input.sink);
      if (!deps || !sink) {
        throw ApplicationFailure.create({
          type: 'cordon.evidence_sink_not_configured',
          nonRetryable: true,
          message: `the ${input.sink} evidence sink is not configured on this worker; set its CORDON_EVIDENCE_* variables (docs/evidence-export.md) and start the delivery again`,
        });
      }
      const status = await deps.readStatus(input.containmentId);
      if (status.outcome === 'running') {
        throw ApplicationFailure.create({ type: 'cordon.evidence_run_not_finished', message: `${input.containmentId} is still running; its evidence is delivered when it finishes` });
      }
      const events = ocsfEventsOf(exportRunOf(status));
      await sink.deliver({ workflowId: input.containmentId, events });
      log.info('evidence delivered', { workflowId: input.containmentId, sink: input.sink, events: events.length });
      return { delivered: events.length };
    },
  };
}

export type EvidenceActivities = ReturnType<typeof createEvidenceActivities>;
