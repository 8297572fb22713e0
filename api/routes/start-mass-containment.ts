// POST /v1/mass-containments: after a vendor breach, many refs of one incident in one call. Every ref is
// validated with the single-start schema before anything starts; one `massContainment` run then fans
// them out as child containments (direct mode), a bounded number at a time. The id comes from the
// incident and the refs, so a repeated call joins the run (client/mass.ts). With `dry_run` (body or query)
// every ref is planned and nothing is written: the blast radius first.
import { startMassContainment } from '../../client/mass.ts';
import { massContainmentUrl, StartedMassContainment, StartMassContainmentBody, StartMassContainmentQuery } from '../../schemas/api.ts';
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
    'The body is capped at the API’s body limit (1 MiB by default: about 10,000 refs given by id); for more, use `cordon contain --from`.\n\n' +
    '**Dry run** (`"dry_run": true` in the body, or `?dry_run=true`): every ref is identified and planned as its containment would be, ' +
    'and nothing is written to any provider. Its id ends in `-plan`; `statusUrl` then carries the blast radius (`dryRun.blast`: credentials ' +
    'to revoke, consumers replaced, consumers that must re-authorize by hand, integrations broken, principals whose re-authentication ends ' +
    'other credentials and how many, refs not found, refused and failed), and `dryRun.plansUrl` the per-ref plans, a page at a time. ' +
    'The same refs again while it runs join it; once it has finished they plan afresh.',
  scope: 'start',
  query: StartMassContainmentQuery,
  body: StartMassContainmentBody,
  responses: {
    201: { description: 'Started; `statusUrl` is where to follow it.', schema: StartedMassContainment },
    200: { description: 'Already started for the same incident and refs: that run.', schema: StartedMassContainment },
  },
  async handle({ body, query, caller, deps }) {
    const { dry_run: dryRunInBody, ...fields } = body;
    const dryRun = dryRunInBody ?? query.dry_run === 'true';
    const started = await startMassContainment(deps.client, deps.taskQueue, {
      ...fields,
      ...(dryRun ? { dryRun } : {}),
      requester: caller!.principal,
      policy: { ...body.policy, approval: deps.approvalPolicy ?? {} },
    });
    const statusUrl = massContainmentUrl(started.workflowId);
    deps.logger.info('mass containment start', { workflowId: started.workflowId, created: started.created, dryRun, refs: body.credentials.length, principal: caller!.principal, key: caller!.name });
    return {
      status: started.created ? 201 : 200,
      headers: { location: statusUrl },
      body: { workflowId: started.workflowId, created: started.created, total: body.credentials.length, statusUrl } satisfies StartedMassContainment,
    };
  },
});
