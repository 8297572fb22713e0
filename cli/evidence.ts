// `cordon evidence <workflow-id> [--format json|ocsf|html]`: a containment's evidence for people, SIEMs
// and auditors. `json` is the evidence pack (schemas/evidence.ts, checkable with `cordon evidence
// verify`) once the run is sealed, else the run's evidence as recorded; `ocsf` is its OCSF events, one a
// line (export/ocsf.ts); `html` is the auditor's page (reports/evidence-html.ts) with the JSON inside.
import type { Client } from '../client/containments.ts';
import { getStatus } from '../client/containments.ts';
import { exportRunOf } from '../export/events.ts';
import { ocsfEventsOf } from '../export/ocsf.ts';
import { renderEvidenceHtml } from '../reports/evidence-html.ts';
import type { ContainmentStatus } from '../schemas/containment.ts';
import { buildEvidencePack } from '../schemas/evidence.ts';

export const EVIDENCE_FORMATS = ['json', 'ocsf', 'html'] as const;
export type EvidenceFormat = (typeof EVIDENCE_FORMATS)[number];

export function parseEvidenceFormat(value: string | undefined): EvidenceFormat {
  const format = value ?? 'json';
  if (!(EVIDENCE_FORMATS as readonly string[]).includes(format)) throw new Error(`--format must be one of ${EVIDENCE_FORMATS.join(', ')} (got ${JSON.stringify(format)})`);
  return format as EvidenceFormat;
}

/** The JSON of a run's evidence: its sealed pack when it has one, else what was recorded. */
export function evidenceJson(s: ContainmentStatus): string {
  const sealed = s.outcome !== 'running' && s.seal && s.evidenceDigest && s.evidence.every((e) => e.kind !== 'legacy');
  if (sealed) return JSON.stringify(buildEvidencePack(s), null, 2);
  return JSON.stringify({ workflowId: s.workflowId, incidentId: s.incidentId, outcome: s.outcome, ...(s.evidenceDigest ? { digest: s.evidenceDigest } : {}), evidence: s.evidence }, null, 2);
}

export function renderEvidence(s: ContainmentStatus, format: EvidenceFormat): string {
  if (format === 'json') return evidenceJson(s);
  if (format === 'ocsf') return ocsfEventsOf(exportRunOf(s)).map((e) => JSON.stringify(e)).join('\n');
  return renderEvidenceHtml(exportRunOf(s), evidenceJson(s));
}

export async function evidenceCommand(client: Client, workflowId: string, format: string | undefined): Promise<string> {
  return renderEvidence(await getStatus(client, workflowId), parseEvidenceFormat(format));
}
