// GET /v1/mass-containments/{id}: how far a mass containment is (done of total), its tally by outcome,
// and every ref that did not end contained, with the child run to look at.
import { WorkflowNotFoundError } from '@temporalio/common';
import { NotAMassContainmentError, progressRecord, readMassProgress } from '../../client/mass.ts';
import { dryRunPlansUrl, MassContainmentParams, MassContainmentView } from '../../schemas/api.ts';
import { ApiError } from '../errors.ts';
import { defineRoute } from '../route.ts';

export const getMassContainmentRoute = defineRoute({
  method: 'GET',
  url: '/v1/mass-containments/:id',
  operationId: 'getMassContainment',
  summary: 'A mass containment’s progress',
  description:
    'Refs done of total, children by outcome, and every ref not contained with its child containment’s id ' +
    '(readable at GET /v1/containments/{id} for its evidence). `refsPerMinute` is the rate since the run started and ' +
    '`etaSeconds` the time left at that rate (null before the first ref is done). While it runs, `unansweredPages` counts page runs ' +
    'that did not answer this reading (their refs are not counted in it). A dry run carries `dryRun`: its blast radius ' +
    '(the sum of its per-ref plans) and where to read those plans.',
  scope: 'read',
  params: MassContainmentParams,
  responses: { 200: { description: 'Progress, or the final tally once finished.', schema: MassContainmentView } },
  async handle({ params, deps }) {
    try {
      const p = await readMassProgress(deps.client, params.id);
      const { refsPerMinute, etaSeconds } = progressRecord(p, p.elapsedMs);
      return {
        status: 200,
        body: {
          workflowId: params.id,
          incidentId: p.incidentId,
          executionStatus: p.executionStatus,
          total: p.total,
          done: p.done,
          tally: p.tally,
          notContained: p.notContained,
          ...(p.unansweredPages ? { unansweredPages: p.unansweredPages } : {}),
          ...(p.dryRun ? { dryRun: { blast: p.dryRun.blast, plansUrl: dryRunPlansUrl(params.id), pages: p.pages } } : {}),
          refsPerMinute,
          etaSeconds,
        } satisfies MassContainmentView,
      };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || err instanceof NotAMassContainmentError) throw new ApiError(404, 'not_found', `no mass containment ${params.id}`);
      throw err;
    }
  },
});
