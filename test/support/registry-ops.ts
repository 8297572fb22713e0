// What a replacement registry was asked (workflows/replacement-registry.ts), read from its history with the
// client's own data converter (its payloads are encrypted): its updates by name, and the claims and records
// they carried, batches opened.
import type { Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { RegistryBatch, RegistryClaim, RegistryRecord } from '../../schemas/registry.ts';

export interface RegistryOpsSeen {
  /** Every accepted update's name, in order. */
  updates: string[];
  claims: RegistryClaim[];
  records: RegistryRecord[];
  /** The number of claims and records each batch update carried. */
  batchSizes: number[];
  /** The number of claims each update that carried any carried, in order. */
  claimsPerUpdate: number[];
}

export async function registryOps(client: Client, registryId: string): Promise<RegistryOpsSeen> {
  const seen: RegistryOpsSeen = { updates: [], claims: [], records: [], batchSizes: [], claimsPerUpdate: [] };
  const converter = client.options.loadedDataConverter;
  for (const e of (await client.workflow.getHandle(registryId).fetchHistory()).events ?? []) {
    const input = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
    if (!input?.name) continue;
    seen.updates.push(input.name);
    const arg = await decodeFromPayloadsAtIndex<unknown>(converter, 0, input.args?.payloads);
    if (input.name === 'claimReplacement') {
      seen.claims.push(arg as RegistryClaim);
      seen.claimsPerUpdate.push(1);
    }
    if (input.name === 'recordReplacement') seen.records.push(arg as RegistryRecord);
    if (input.name === 'applyRegistryBatch') {
      const { ops } = arg as RegistryBatch;
      seen.batchSizes.push(ops.length);
      for (const op of ops) {
        if ('claim' in op) seen.claims.push(op.claim);
        else seen.records.push(op.record);
      }
      const claims = ops.filter((op) => 'claim' in op).length;
      if (claims) seen.claimsPerUpdate.push(claims);
    }
  }
  return seen;
}
