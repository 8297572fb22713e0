// What `cordon schedule hygiene`, `cordon inventory` and `cordon persistence` do, kept out of
// cli/cordon.ts so the CLI only parses flags and prints. Every sweep runs in the worker (where the
// connectors are); the CLI only talks to Temporal.
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { getStatus } from './containments.ts';
import { HYGIENE_SWEEP_WORKFLOW_TYPE, PERSISTENCE_SWEEP_WORKFLOW_TYPE, HygieneReport, PersistenceReport, type HygieneSweepInput } from '../schemas/sweep.ts';
import { inventoryCsv, inventoryJson } from '../activities/sweeps/export.ts';
import { persistenceSweepsAfter } from '../activities/sweeps/persistence.ts';

export { ensureHygieneSchedule, triggerHygieneSweep, HYGIENE_SCHEDULE_ID } from './schedules.ts';

const runId = () => `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;

/** `cordon inventory [--csv]`: one hygiene sweep now, its report as JSON (default) or CSV. */
export async function runInventory(client: Client, taskQueue: string, options: { csv?: boolean; input?: HygieneSweepInput } = {}): Promise<{ report: HygieneReport; text: string }> {
  const raw = await client.workflow.execute(HYGIENE_SWEEP_WORKFLOW_TYPE, { taskQueue, workflowId: `cordon-inventory-${runId()}`, args: [options.input ?? {}] });
  const report = HygieneReport.parse(raw);
  return { report, text: options.csv ? inventoryCsv(report) : inventoryJson(report) };
}

/**
 * `cordon persistence <containment-workflow-id> [--since ISO]`: after a containment, one sweep per
 * principal it contained; each finding carries the ContainmentInput that would contain it.
 */
export async function runPersistenceSweeps(client: Client, taskQueue: string, containmentWorkflowId: string, options: { exposedSince?: string } = {}): Promise<PersistenceReport[]> {
  const status = await getStatus(client, containmentWorkflowId);
  if (status.outcome === 'running') throw new Error(`${containmentWorkflowId} is still running: sweep for persistence once it has finished`);
  const inputs = persistenceSweepsAfter(status, options.exposedSince ? { exposedSince: options.exposedSince } : {});
  return Promise.all(
    inputs.map(async (input, i) =>
      PersistenceReport.parse(
        await client.workflow.execute(PERSISTENCE_SWEEP_WORKFLOW_TYPE, { taskQueue, workflowId: `${containmentWorkflowId}-persistence-${i + 1}-${runId()}`, args: [input] }),
      ),
    ),
  );
}
