// GET /v1/containments?incident=…: the containments of one incident (client/containments.ts
// listContainments). Visibility is eventually consistent: a run started a moment ago may take a moment
// to appear.
import { ContainmentList, ListContainmentsQuery } from '../../schemas/api.ts';
import { listContainments } from '../../client/containments.ts';
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
    const containments = await listContainments(deps.client, query.incident, query.limit);
    return { status: 200, body: { incidentId: query.incident, containments } satisfies ContainmentList };
  },
});
