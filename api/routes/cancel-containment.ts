// POST /v1/containments/{id}/cancel: ask the run to stop. The workflow records what it did before
// and ends `cancelled` (see workflows/contain-credential.ts). Stopping a containment can leave a
// stolen credential alive, so it takes the `approve` scope, not `start`.
import { cancelContainment, describeContainment } from '../../client/containments.ts';
import { CancelAnswer, ContainmentParams } from '../../schemas/api.ts';
import { containmentLinks } from '../../schemas/api.ts';
import { defineRoute, vouchFor } from '../route.ts';

export const cancelContainmentRoute = defineRoute({
  method: 'POST',
  url: '/v1/containments/:id/cancel',
  operationId: 'cancelContainment',
  summary: 'Cancel a running containment',
  description:
    'Requests cancellation; the run records it and ends with outcome `cancelled` (202). Cancelling a finished containment changes nothing (200, `already_closed`). ' +
    'Needs the `approve` scope: a cancelled containment may leave the credential alive.',
  scope: 'approve',
  params: ContainmentParams,
  responses: {
    202: { description: 'Cancellation requested; follow `statusUrl` until the outcome is `cancelled`.', schema: CancelAnswer },
    200: { description: 'The containment had already ended; nothing was changed.', schema: CancelAnswer },
  },
  async handle({ params, caller, deps }) {
    const { running } = await describeContainment(deps.client, params.id);
    const statusUrl = containmentLinks(params.id).self;
    if (!running) return { status: 200, body: { workflowId: params.id, state: 'already_closed', statusUrl } satisfies CancelAnswer };
    await cancelContainment(deps.client, params.id, { actor: caller!.principal, channel: 'api' }, vouchFor(deps, caller!));
    deps.logger.warn('containment cancel requested', { workflowId: params.id, principal: caller!.principal, key: caller!.name });
    return { status: 202, body: { workflowId: params.id, state: 'cancel_requested', statusUrl } satisfies CancelAnswer };
  },
});
