// The activities' side of the replacement registry (workflows/replacement-registry.ts): claims and
// records go through Update-With-Start, so the registry starts on first use and every write is
// acknowledged by the workflow before the activity goes on (design I8).
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FAILURE_TYPES } from '../schemas/failure-types.ts';
import { coordinationTaskQueue } from '../schemas/containment.ts';
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

/**
 * Temporal answers these while the registry is busy or moving: more updates in flight on it than the
 * server allows at once (10 by default), an update aborted by its continue-as-new, a server restarting.
 */
const BUSY = /in-flight updates|update was aborted|RESOURCE_EXHAUSTED|resource ?exhausted|UNAVAILABLE|unavailable|DEADLINE_EXCEEDED/i;

/**
 * Retries a registry call that found the registry busy, for a few seconds with jitter (the updates are
 * idempotent), then leaves as a transient failure, which the workflow retries until its deadline (I9):
 * Cordon's own coordination being busy never ends a containment.
 */
export async function whenFree<T>(what: string, fn: () => Promise<T>, maxAttempts = 12): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const text = err instanceof Error ? `${err.message} ${err.cause instanceof Error ? err.cause.message : ''}` : String(err);
      if (!BUSY.test(text)) throw err;
      if (attempt >= maxAttempts) {
        throw ApplicationFailure.create({ type: FAILURE_TYPES.coordination_busy, message: `the replacement registry stayed busy (${what}); the run will try again`, nonRetryable: false });
      }
      await new Promise((r) => setTimeout(r, Math.min(2_000, 50 * 2 ** attempt) * (0.5 + Math.random())));
    }
  }
}

/** The registry of the worker's own task queue, reached with the activity's Temporal client. */
export function temporalRegistry(): ReplacementRegistry {
  const ctx = () => {
    const c = Context.current();
    return { client: c.client as Client, taskQueue: c.info.taskQueue };
  };
  const withStart = (taskQueue: string) =>
    new WithStartWorkflowOperation(REGISTRY_WORKFLOW_TYPE, {
      // Named after the containments' queue, served on the coordination queue (schemas/containment.ts).
      workflowId: registryWorkflowId(taskQueue),
      taskQueue: coordinationTaskQueue(taskQueue),
      args: [{ entries: [] }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  return {
    async claim(input) {
      const { client, taskQueue } = ctx();
      return whenFree('claim', () => client.workflow.executeUpdateWithStart(claimReplacementUpdate, { args: [input], startWorkflowOperation: withStart(taskQueue) }));
    },
    async record(entry) {
      const { client, taskQueue } = ctx();
      await whenFree('record', () => client.workflow.executeUpdateWithStart(recordReplacementUpdate, { args: [entry], startWorkflowOperation: withStart(taskQueue) }));
    },
    async noteUnlabelledMint(n) {
      const { client, taskQueue } = ctx();
      await whenFree('noteUnlabelledMint', () => client.workflow.executeUpdateWithStart(noteUnlabelledMintUpdate, { args: [n], startWorkflowOperation: withStart(taskQueue) }));
    },
    async runFinished(workflowId) {
      const { client, taskQueue } = ctx();
      await whenFree('runFinished', () => client.workflow.executeUpdateWithStart(runFinishedUpdate, { args: [{ workflowId }], startWorkflowOperation: withStart(taskQueue) }));
    },
    async issuedElsewhere(ids, workflowId) {
      if (!ids.length) return [];
      const { client, taskQueue } = ctx();
      try {
        return await whenFree('issuedElsewhere', () => client.workflow.getHandle(registryWorkflowId(taskQueue)).query(issuedElsewhereQuery, { ids, workflowId }));
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return []; // nothing was ever issued on this queue
        throw err;
      }
    },
  };
}
