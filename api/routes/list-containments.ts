// GET /v1/containments?incident=…: the containments of one incident, through the CordonIncidentId
// search attribute (workflows/search-attributes.ts). Visibility is eventually consistent: a run
// started a moment ago may take a moment to appear.
import { ContainmentList, ListContainmentsQuery } from '../../schemas/api.ts';
import { INCIDENT_ID, OUTCOME, STAGE } from '../../workflows/search-attributes.ts';
import { WORKFLOW_TYPE } from '../../workflows/definitions.ts';
import { containmentLinks } from '../../schemas/api.ts';
import { defineRoute } from '../route.ts';

export const listContainmentsRoute = defineRoute({
  method: 'GET',
  url: '/v1/containments',
  operationId: 'listContainments',
  summary: 'List the containments of an incident',
  description: 'Newest first, at most `limit` (default 20, at most 100). Outcome and stage are the search attributes the workflow last recorded.',
  scope: 'read',
  query: ListContainmentsQuery,
  responses: { 200: { description: 'The incident’s containments.', schema: ContainmentList } },
  async handle({ query, deps }) {
    // The incident id is restricted to [A-Za-z0-9._:-] by its schema, so it cannot break out of the quotes.
    const visibilityQuery = `WorkflowType = '${WORKFLOW_TYPE}' AND ${INCIDENT_ID.name} = '${query.incident}'`;
    const containments: ContainmentList['containments'] = [];
    for await (const wf of deps.client.workflow.list({ query: visibilityQuery, pageSize: query.limit })) {
      const outcome = wf.typedSearchAttributes.get(OUTCOME);
      const stage = wf.typedSearchAttributes.get(STAGE);
      containments.push({
        workflowId: wf.workflowId,
        runId: wf.runId,
        incidentId: query.incident,
        executionStatus: wf.status.name,
        ...(outcome ? { outcome } : {}),
        ...(stage ? { stage } : {}),
        startedAt: wf.startTime.toISOString(),
        ...(wf.closeTime ? { closedAt: wf.closeTime.toISOString() } : {}),
        statusUrl: containmentLinks(wf.workflowId).self,
      });
      if (containments.length >= query.limit) break;
    }
    return { status: 200, body: { incidentId: query.incident, containments } satisfies ContainmentList };
  },
});
