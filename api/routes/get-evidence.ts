// GET /v1/containments/{id}/evidence: the append-only evidence record as JSON (design.md §1), for the
// SOAR's case file, or with `?format=ocsf` as OCSF 1.8.0 events for a SIEM (export/ocsf.ts). Evidence
// never holds a secret (I5): only ids, fingerprints and outcomes.
import { exportRunOf } from '../../export/events.ts';
import { OCSF_VERSION, ocsfEventsOf } from '../../export/ocsf.ts';
import { ContainmentParams, EvidenceExport, EvidenceExportQuery, OcsfEvidenceExport } from '../../schemas/api.ts';
import { evidenceText } from '../../schemas/evidence-text.ts';
import { readContainmentStatus } from '../containment-status.ts';
import { defineRoute } from '../route.ts';

export const getEvidenceRoute = defineRoute({
  method: 'GET',
  url: '/v1/containments/:id/evidence',
  operationId: 'exportEvidence',
  summary: 'Export a containment’s evidence',
  description:
    'Every recorded event in order, typed by `kind` (time, actor, credential, provider, provider request id and the fields of its kind), ' +
    'including refused approval attempts; each carries `prev` and `hash` (SHA-256 chain), and a finished run carries the Ed25519 `seal` of the final digest. ' +
    '`lines` has the sentence each event renders to. With `format=ocsf`, the same run as OCSF 1.8.0 events (Incident Finding, Remediation Activity, ' +
    'Account Change, API Activity, Compliance Finding), each with a stable `metadata.uid`.',
  scope: 'read',
  params: ContainmentParams,
  query: EvidenceExportQuery,
  responses: { 200: { description: 'The evidence record (`format=json`), or its OCSF events (`format=ocsf`).', schema: EvidenceExport.or(OcsfEvidenceExport) } },
  async handle({ params, query, deps, reply }) {
    const s = await readContainmentStatus(deps.client, params.id);
    const exportedAt = new Date().toISOString();
    if (query.format === 'ocsf') {
      reply.header('content-disposition', `attachment; filename="${params.id}-evidence.ocsf.json"`);
      return {
        status: 200,
        body: { workflowId: s.workflowId, incidentId: s.incidentId, ocsfVersion: OCSF_VERSION, exportedAt, events: ocsfEventsOf(exportRunOf(s)) } satisfies OcsfEvidenceExport,
      };
    }
    reply.header('content-disposition', `attachment; filename="${params.id}-evidence.json"`);
    return {
      status: 200,
      body: {
        workflowId: s.workflowId,
        incidentId: s.incidentId,
        outcome: s.outcome,
        ...(s.outcomeReason ? { outcomeReason: s.outcomeReason } : {}),
        startedAt: s.startedAt,
        ...(s.finishedAt ? { finishedAt: s.finishedAt } : {}),
        ...(s.plan ? { planDigest: s.plan.digest } : {}),
        exportedAt,
        evidence: s.evidence,
        lines: s.evidence.map(evidenceText),
        ...(s.evidenceDigest ? { evidenceDigest: s.evidenceDigest } : {}),
        ...(s.seal ? { seal: s.seal } : {}),
      } satisfies EvidenceExport,
    };
  },
});
