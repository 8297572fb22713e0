// GET /v1/containments/{id}/evidence: the append-only evidence record as JSON (design.md §1), for the
// SOAR's case file. Evidence never holds a secret (I5): only ids, fingerprints and outcomes.
import { ContainmentParams, EvidenceExport } from '../../schemas/api.ts';
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
    '`lines` has the sentence each event renders to.',
  scope: 'read',
  params: ContainmentParams,
  responses: { 200: { description: 'The evidence record.', schema: EvidenceExport } },
  async handle({ params, deps, reply }) {
    const s = await readContainmentStatus(deps.client, params.id);
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
        exportedAt: new Date().toISOString(),
        evidence: s.evidence,
        lines: s.evidence.map(evidenceText),
        ...(s.evidenceDigest ? { evidenceDigest: s.evidenceDigest } : {}),
        ...(s.seal ? { seal: s.seal } : {}),
      } satisfies EvidenceExport,
    };
  },
});
