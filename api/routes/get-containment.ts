// GET /v1/containments/{id}: each credential's state with the time it was reached, and the pending
// approvals with the plan digest an approval must name (I7).
import { ContainmentParams, ContainmentView } from '../../schemas/api.ts';
import { readContainmentStatus } from '../containment-status.ts';
import { containmentLinks } from '../../schemas/api.ts';
import { defineRoute } from '../route.ts';

export const getContainmentRoute = defineRoute({
  method: 'GET',
  url: '/v1/containments/:id',
  operationId: 'getContainment',
  summary: 'A containment’s status',
  description:
    'Stage, outcome, the plan and its digest, each credential’s state transitions with timestamps (the time-to-contain figures), ' +
    'and the approvals waiting for a decision with the digest to approve. The evidence has its own export.',
  scope: 'read',
  params: ContainmentParams,
  responses: { 200: { description: 'The containment’s current status.', schema: ContainmentView } },
  async handle({ params, deps }) {
    const { evidence, ...status } = await readContainmentStatus(deps.client, params.id);
    // A run cancelled while it waited leaves its last approval in the list; once ended, nothing is pending.
    const pendingApprovals = status.outcome === 'running' ? status.pendingApprovals : [];
    return { status: 200, body: { ...status, pendingApprovals, evidenceCount: evidence.length, links: containmentLinks(params.id) } satisfies ContainmentView };
  },
});
