// GET /v1/mass-containments/{id}/plans?page=N: a finished dry run's per-ref plans, one page (up to 500
// refs) at a time, read from that page's own run so no answer carries thousands of plans.
import { WorkflowNotFoundError } from '@temporalio/common';
import { DryRunPageUnavailableError, NotAMassContainmentError, readDryRunPage } from '../../client/mass.ts';
import { DryRunPlansPage, DryRunPlansQuery, dryRunPlansUrl, MassContainmentParams } from '../../schemas/api.ts';
import { ApiError } from '../errors.ts';
import { defineRoute } from '../route.ts';

export const getDryRunPlansRoute = defineRoute({
  method: 'GET',
  url: '/v1/mass-containments/:id/plans',
  operationId: 'getDryRunPlans',
  summary: 'A dry run’s per-ref plans, a page at a time',
  description:
    'For each ref, in the order given: planned, not_found, refused (self-lockout) or failed, with why; the credentials its containment ' +
    'would end, the consumers that would get a replacement and those that must re-authorize by hand, the principals whose ' +
    're-authentication would end other credentials, and the plan digest. The dry run’s `dryRun.blast` is the sum of these lines.',
  scope: 'read',
  params: MassContainmentParams,
  query: DryRunPlansQuery,
  responses: { 200: { description: 'One page of plans; `next` is the following page’s URL.', schema: DryRunPlansPage } },
  async handle({ params, query, deps }) {
    try {
      const { page, pages, refs } = await readDryRunPage(deps.client, params.id, query.page);
      const next = page + 1 < pages ? { next: dryRunPlansUrl(params.id, page + 1) } : {};
      return { status: 200, body: { workflowId: params.id, page, pages, refs, ...next } satisfies DryRunPlansPage };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || err instanceof NotAMassContainmentError) throw new ApiError(404, 'not_found', `no dry run ${params.id}`);
      if (err instanceof DryRunPageUnavailableError) throw new ApiError(409, 'not_ready', err.message);
      throw err;
    }
  },
});
