// Reading one containment's status for the API: only a Cordon containment is readable here, whatever
// else shares the namespace (client/containments.ts describeContainment), then its status (getStatus:
// from the result once the run has completed, no worker needed; from the `status` query otherwise).
import { describeContainment, getStatus, type Client } from '../client/containments.ts';
import type { ContainmentStatus } from '../schemas/containment.ts';

export async function readContainmentStatus(client: Client, workflowId: string): Promise<ContainmentStatus> {
  await describeContainment(client, workflowId);
  return getStatus(client, workflowId);
}
