// POST /v1/mass-containments: after a vendor breach, many refs of one incident in one call. Every ref is
// validated with the single-start schema before anything starts; one `massContainment` run then fans
// them out as child containments (direct mode), a bounded number at a time. The id comes from the
// incident and the refs, so a repeated call joins the run (client/mass.ts).
import { startMassContainment } from '../../client/mass.ts';
import { massContainmentUrl, StartedMassContainment, StartMassContainmentBody } from '../../schemas/api.ts';
import { defineRoute } from '../route.ts';

export const startMassContainmentRoute = defineRoute({
  method: 'POST',
  url: '/v1/mass-containments',
  operationId: 'startMassContainment',
  summary: 'Contain many credentials of one incident (idempotent)',
  description:
    'Starts one mass containment: each credential ref is contained by its own child run in direct mode, `concurrency` at a time, ' +
    'each paced by its provider’s limits. The requester is the API key’s principal; approvals and timeouts are the server’s. ' +
    'The same incident and refs again return the existing run with 200 and `created: false`. Follow it at `statusUrl`. ' +
    'The body is capped at the API’s body limit (1 MiB by default: about 10,000 refs given by id); for more, use `cordon contain --from`.',
  scope: 'start',
  body: StartMassContainmentBody,
  responses: {
    201: { description: 'Started; `statusUrl` is where to follow it.', schema: StartedMassContainment },
    200: { description: 'Already started for the same incident and refs: that run.', schema: StartedMassContainment },
  },
  async handle({ body, caller, deps }) {
    const started = await startMassContainment(deps.client, deps.taskQueue, {
      ...body,
      requester: caller!.principal,
      policy: { ...body.policy, approval: deps.approvalPolicy ?? {} },
    });
    const statusUrl = massContainmentUrl(started.workflowId);
    deps.logger.info('mass containment start', { workflowId: started.workflowId, created: started.created, refs: body.credentials.length, principal: caller!.principal, key: caller!.name });
    return {
      status: started.created ? 201 : 200,
      headers: { location: statusUrl },
      body: { workflowId: started.workflowId, created: started.created, total: body.credentials.length, statusUrl } satisfies StartedMassContainment,
    };
  },
});
