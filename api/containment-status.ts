// Reading one containment's status for the API: from the result once the run has completed (no
// worker needed), from the `status` query while it runs or after it was cancelled or terminated.
import type { Client } from '@temporalio/client';
import { getStatus, handleOf } from '../client/containments.ts';
import type { ContainmentStatus } from '../schemas/containment.ts';
import { WORKFLOW_TYPE } from '../workflows/definitions.ts';
import { ApiError } from './errors.ts';

export async function readContainmentStatus(client: Client, workflowId: string): Promise<ContainmentStatus> {
  const description = await handleOf(client, workflowId).describe();
  // Only Cordon containments are readable here, whatever else shares the namespace.
  if (description.type !== WORKFLOW_TYPE) throw new ApiError(404, 'not_found', `${workflowId} is not a Cordon containment`);
  if (description.status.name === 'COMPLETED') return (await handleOf(client, workflowId).result()) as ContainmentStatus;
  return getStatus(client, workflowId);
}
