// POST /v1/containments/{id}/approvals: approve or reject a pending approval, bound to the plan
// digest, under exactly the rules Slack uses (client/containments.ts decide → the workflow's update
// validator, I7). The approver is the API key's principal; the body cannot name one.
import { decide, DecisionRefusedError, describeContainment } from '../../client/containments.ts';
import { ApprovalBody, ContainmentParams, DecisionAnswer } from '../../schemas/api.ts';
import { ApiError } from '../errors.ts';
import { defineRoute, vouchFor } from '../route.ts';

export const decideApprovalRoute = defineRoute({
  method: 'POST',
  url: '/v1/containments/:id/approvals',
  operationId: 'decideApproval',
  summary: 'Approve or reject a pending approval',
  description:
    'Names the stage and the plan digest it decides (GET the containment for both). The approver is the API key’s principal. ' +
    'Refused (409, `decision_refused`, recorded in the evidence) when the digest is stale, the principal is not an authorized approver, ' +
    'the principal requested the containment (unless break-glass), it already approved, or the stage was already decided. ' +
    'The decision goes to the workflow signed with the key’s name and principal, so the evidence records it as authenticated by `api_key`.',
  scope: 'approve',
  params: ContainmentParams,
  body: ApprovalBody,
  responses: { 200: { description: 'The decision counted; `state` is pending until the quorum is reached.', schema: DecisionAnswer } },
  async handle({ params, body, caller, deps }) {
    const { running, status } = await describeContainment(deps.client, params.id);
    if (!running) {
      throw new ApiError(409, 'containment_closed', `the containment has ended (${status.toLowerCase()}); nothing is waiting for a decision`);
    }
    const approver = caller!.principal;
    try {
      const result = await decide(deps.client, params.id, { ...body, approver, channel: 'api' }, vouchFor(deps, caller!));
      deps.logger.info('approval decided', { workflowId: params.id, stage: body.stage, decision: body.decision, approver, state: result.state });
      return { status: 200, body: { ...result, approver } satisfies DecisionAnswer };
    } catch (err) {
      if (err instanceof DecisionRefusedError) {
        deps.logger.warn('approval refused', { workflowId: params.id, stage: body.stage, approver, reason: err.message });
        throw new ApiError(409, 'decision_refused', err.message);
      }
      throw err;
    }
  },
});
