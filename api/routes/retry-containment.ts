// POST /v1/containments/{id}/retry: start a finished `not_contained` run again, without redoing what it
// did (client/containments.ts retryContainment). Takes the `start` scope: it starts a containment.
import { retryContainment, RetryRefusedError } from '../../client/containments.ts';
import { ContainmentParams, StartedContainment } from '../../schemas/api.ts';
import { ApiError } from '../errors.ts';
import { containmentLinks } from '../../schemas/api.ts';
import { defineRoute } from '../route.ts';

export const retryContainmentRoute = defineRoute({
  method: 'POST',
  url: '/v1/containments/:id/retry',
  operationId: 'retryContainment',
  summary: 'Retry a containment that ended not_contained',
  description:
    'Starts the same containment again as `<id>-retry-<n>` (201), or returns the retry already running (200). What the first run did is not redone: ' +
    'revoked credentials are no longer found, and replacements it issued stay in place. 409 when the run is still going or did not end `not_contained`.',
  scope: 'start',
  params: ContainmentParams,
  responses: {
    201: { description: 'The retry started; follow `statusUrl`.', schema: StartedContainment },
    200: { description: 'A retry of this run is already running: that one.', schema: StartedContainment },
  },
  async handle({ params, caller, deps }) {
    try {
      const started = await retryContainment(deps.client, deps.taskQueue, params.id);
      const links = containmentLinks(started.workflowId);
      deps.logger.info('containment retry', { workflowId: started.workflowId, retryOf: params.id, created: started.created, principal: caller!.principal, key: caller!.name });
      return {
        status: started.created ? 201 : 200,
        headers: { location: links.self },
        body: { workflowId: started.workflowId, runId: started.runId, created: started.created, statusUrl: links.self, links } satisfies StartedContainment,
      };
    } catch (err) {
      if (err instanceof RetryRefusedError) throw new ApiError(409, 'not_retryable', err.message);
      throw err;
    }
  },
});
