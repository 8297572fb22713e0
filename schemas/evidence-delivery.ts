// Delivery of a finished containment's OCSF events to a sink (docs/evidence-export.md): the input of the
// `deliverEvidence` workflow, one run per containment and sink, and its deterministic workflow id so a
// repeated start (a retried notification, a second worker) joins the run instead of delivering twice.
import { z } from 'zod';

export const EVIDENCE_SINK_NAMES = ['ndjson', 'splunk-hec', 'webhook'] as const;
export const EvidenceSinkName = z.enum(EVIDENCE_SINK_NAMES);
export type EvidenceSinkName = z.infer<typeof EvidenceSinkName>;

export const DeliverEvidenceInput = z
  .object({
    containmentId: z.string().min(1).max(256),
    sink: EvidenceSinkName,
  })
  .strict();
export type DeliverEvidenceInput = z.infer<typeof DeliverEvidenceInput>;

export const DELIVER_EVIDENCE_WORKFLOW_TYPE = 'deliverEvidence';

export const deliverEvidenceWorkflowId = (containmentId: string, sink: EvidenceSinkName) => `cordon-evidence-${sink}-${containmentId}`;
