// A paged mass containment's own history replays as it ran: a worker that lost the run from its cache
// (an eviction, a restart) replays it to go on, and a query on it does the same. The real dev server,
// worker and connectors on the local tenant; many small pages per provider, so page runs start, report
// all started and end in many orders.
import { expect, it } from 'vitest';
import { loadScenario } from '@cordon/emulators';
import { Worker } from '@temporalio/worker';
import { startMassContainment } from '../../client/mass.ts';
import { cordonDataConverter } from '../../codec/encryption-codec.ts';
import type { CredentialRef } from '../../schemas/credential.ts';
import type { MassContainmentResult } from '../../schemas/mass.ts';
import { WORKFLOWS_PATH } from '../../worker/worker.ts';
import { localStackPerTest } from '../support/local-stack.ts';
import { keysOfDistinctOwners, refOf } from '../support/distinct-owners.ts';

const lab = localStackPerTest();

it('a paged mass containment over two providers replays its own history without non-determinism; it and its page runs have a 60 s workflow task timeout', { timeout: 300_000 }, async () => {
  const { connectors } = await lab.start(loadScenario(600), { env: { CORDON_GITHUB_REVOKES_PER_HOUR: '360000' } });
  const google = (await keysOfDistinctOwners(connectors, 'google', 'service_account_key', 6)).map(refOf);
  const github = (await keysOfDistinctOwners(connectors, 'github', 'deploy_key', 6)).map(refOf);
  // Interleaved, so every page holds both providers: each page runs as two page runs, one per provider.
  const refs = google.flatMap((g, i) => [g, github[i]!]);
  const { client, target, keys } = lab.worker;
  const { workflowId } = await startMassContainment(client, target.taskQueue, { incidentId: 'INC-mass-replay', requester: 'alice', credentials: refs, concurrency: 2 }, { pageSize: 2 });
  const result = (await client.workflow.getHandle(workflowId).result()) as MassContainmentResult;
  expect(result.tally).toEqual({ contained: refs.length });

  // The run and its page runs have the longer workflow task timeout (their tasks wait behind their children's
  // under load, and a timed-out task is replayed whole elsewhere); the containments keep the default 10 s.
  const taskTimeoutOf = async (id: string) => (await client.workflow.getHandle(id).describe()).raw.executionConfig?.defaultWorkflowTaskTimeout?.seconds?.toString();
  expect(await taskTimeoutOf(workflowId)).toBe('60');
  expect(await taskTimeoutOf(`${workflowId}-page-0-google`)).toBe('60');
  expect(await taskTimeoutOf(`${workflowId}-page-0-github`)).toBe('60');
  expect(await taskTimeoutOf(`${workflowId}-0`)).toBe('10');

  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const pageRuns = (history.events ?? []).filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes).length;
  expect(pageRuns).toBe(12);
  const replays = Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, dataConverter: cordonDataConverter(keys, { worker: true }) }, [{ workflowId, history }]);
  for await (const r of replays) expect(r.error, String(r.error)).toBeUndefined();
});
