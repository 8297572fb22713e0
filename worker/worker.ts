// Building Cordon's worker: the containment workflows plus the activities wired to the configured
// connectors and credential sink, with the payload codec on every payload.
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { createActivities, type ActivityDeps } from '../activities/index.ts';
import { createSweepActivities } from '../activities/sweep.ts';
import { cordonDataConverter, type CodecKeys } from '../codec/encryption-codec.ts';
import type { TemporalTarget } from '../temporal-config/connection.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export async function createCordonWorker(options: {
  target: TemporalTarget;
  codecKeys: CodecKeys;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests bundle once per run); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  connection?: NativeConnection;
  maxCachedWorkflows?: number;
}): Promise<Worker> {
  const connection = options.connection ?? (await NativeConnection.connect(options.target.connectionOptions));
  return Worker.create({
    connection,
    namespace: options.target.namespace,
    taskQueue: options.target.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: { ...createActivities(options.deps), ...createSweepActivities(options.deps) },
    dataConverter: cordonDataConverter(options.codecKeys),
    // ~1 MB per cached run (temporal-notes.md); enough for a mass containment's children on one machine.
    maxCachedWorkflows: options.maxCachedWorkflows ?? 200,
  });
}
