// POST /v1/rotations: the one-call rotation of a credential the "unrotated since incident" flag lists
// (docs/rotation.md). It starts a rotation run limited to that credential, under the one-step policy (staged, hold
// and escalate after 7 days); the run's report is its Temporal result. Takes the `start` scope: it mints and revokes.
import { rotateFlagged } from '../../client/unrotated.ts';
import { StartedRotation, StartRotationBody } from '../../schemas/rotation.ts';
import { defineRoute } from '../route.ts';

export const startRotationRoute = defineRoute({
  method: 'POST',
  url: '/v1/rotations',
  operationId: 'startRotation',
  summary: 'Rotate one credential now (the one-call rotation of a flagged credential)',
  description:
    'Starts a rotation run for `credentialId` (`<provider>:<id>`, as `cordon rotate unrotated` lists it), whatever its age: one replacement per consumer, ' +
    'a wait for each consumer to switch, then the old credential is revoked; held and escalated after 7 days without the switch. A credential an admin ' +
    'cannot mint (it needs its owner) is reported as skipped, with the reason, in the run report (`cordon rotate report <workflowId>`).',
  scope: 'start',
  body: StartRotationBody,
  responses: {
    202: { description: 'The rotation run started.', schema: StartedRotation },
  },
  async handle({ body, caller, deps }) {
    const { workflowId } = await rotateFlagged(deps.client, deps.taskQueue, body.credentialId, { requester: caller!.principal });
    deps.logger.info('rotation started', { workflowId, credential: body.credentialId, principal: caller!.principal, key: caller!.name });
    return { status: 202, body: { workflowId, credentialId: body.credentialId } satisfies StartedRotation };
  },
});
