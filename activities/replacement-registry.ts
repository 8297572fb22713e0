// The activities' side of the replacement registry (workflows/replacement-registry.ts): claims and
// records go through Update-With-Start, so the registry starts on first use and every write is
// acknowledged by the workflow before the activity goes on (design I8).
import { Context } from '@temporalio/activity';
import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  claimReplacementUpdate,
  issuedElsewhereQuery,
  noteUnlabelledMintUpdate,
  recordReplacementUpdate,
  REGISTRY_WORKFLOW_TYPE,
  registryWorkflowId,
  runFinishedUpdate,
  type ClaimInput,
  type RegistryEntry,
} from '../workflows/replacement-registry.ts';

export interface ReplacementRegistry {
  /** Who owns the replacement for (credential, consumer): the caller, unless another run claimed it first. */
  claim(c: ClaimInput): Promise<RegistryEntry>;
  record(e: Required<Omit<RegistryEntry, 'at' | 'ownerFinishedAt' | 'mintsNotedAt'>>): Promise<void>;
  /** Durably notes, before the mint, that the owner is about to mint a replacement the provider cannot label. */
  noteUnlabelledMint(n: { credentialId: string; consumerId: string; workflowId: string }): Promise<void>;
  /** The run ended: its claims stop binding runs that start later. */
  runFinished(workflowId: string): Promise<void>;
  /** Of `ids`, the ones another run issued as replacements: never ended by this run. */
  issuedElsewhere(ids: string[], workflowId: string): Promise<RegistryEntry[]>;
}

/** The registry of the worker's own task queue, reached with the activity's Temporal client. */
export function temporalRegistry(): ReplacementRegistry {
  const ctx = () => {
    const c = Context.current();
    return { client: c.client as Client, taskQueue: c.info.taskQueue };
  };
  const withStart = (taskQueue: string) =>
    new WithStartWorkflowOperation(REGISTRY_WORKFLOW_TYPE, {
      workflowId: registryWorkflowId(taskQueue),
      taskQueue,
      args: [{ entries: [] }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  return {
    async claim(input) {
      const { client, taskQueue } = ctx();
      return client.workflow.executeUpdateWithStart(claimReplacementUpdate, { args: [input], startWorkflowOperation: withStart(taskQueue) });
    },
    async record(entry) {
      const { client, taskQueue } = ctx();
      await client.workflow.executeUpdateWithStart(recordReplacementUpdate, { args: [entry], startWorkflowOperation: withStart(taskQueue) });
    },
    async noteUnlabelledMint(n) {
      const { client, taskQueue } = ctx();
      await client.workflow.executeUpdateWithStart(noteUnlabelledMintUpdate, { args: [n], startWorkflowOperation: withStart(taskQueue) });
    },
    async runFinished(workflowId) {
      const { client, taskQueue } = ctx();
      await client.workflow.executeUpdateWithStart(runFinishedUpdate, { args: [{ workflowId }], startWorkflowOperation: withStart(taskQueue) });
    },
    async issuedElsewhere(ids, workflowId) {
      if (!ids.length) return [];
      const { client, taskQueue } = ctx();
      try {
        return await client.workflow.getHandle(registryWorkflowId(taskQueue)).query(issuedElsewhereQuery, { ids, workflowId });
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return []; // nothing was ever issued on this queue
        throw err;
      }
    },
  };
}
