// `/cordon status <incident>`: the containments of one incident, found through the CordonIncidentId
// search attribute that every start sets, newest first.
import type { Client } from '@temporalio/client';
import { getStatus } from '../client/containments.ts';
import type { ContainmentStatus } from '../schemas/containment.ts';

export async function containmentsOfIncident(temporal: Client, incidentId: string, limit = 5): Promise<ContainmentStatus[]> {
  // The incident id was validated by the command parser's rules before it gets here (no quotes).
  const ids: string[] = [];
  for await (const wf of temporal.workflow.list({ query: `CordonIncidentId = "${incidentId}"` })) {
    if (!ids.includes(wf.workflowId)) ids.push(wf.workflowId);
    if (ids.length >= limit) break;
  }
  return Promise.all(ids.map((id) => getStatus(temporal, id)));
}
