// Mass containment by pages: the refs reach the run as updates of a page each, never in one payload.
// A list whose single payload Temporal refuses (over 2 MB) is accepted this way; a small paged run
// contains every ref through its page runs, with the same child ids as an inline one, and its
// progress adds up the pages in flight.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { massProgress, startMassContainment } from '../../client/mass.ts';
import { MemoryConnector } from '../../connectors/memory/connector.ts';
import { MemoryTenant } from '../../connectors/memory/tenant.ts';
import { vendorTokensSeed } from '../../connectors/memory/seeds.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import type { CredentialRef } from '../../schemas/credential.ts';
import type { MassContainmentResult, MassProgressView } from '../../schemas/mass.ts';
import { addRefPageUpdate } from '../../workflows/mass-containment.ts';
import { startTestWorker, type RunningWorker } from '../support/temporal.ts';

const N = 23;
const tenant = new MemoryTenant(vendorTokensSeed(N, 7));
let w: RunningWorker;
beforeAll(async () => {
  w = await startTestWorker({ connectors: { memory: new MemoryConnector(tenant) }, sink: new LocalEncryptedStore(await mkdtemp(join(tmpdir(), 'cordon-mass-paged-')), randomBytes(32)) });
});
afterAll(async () => {
  await w?.stop();
});

const incident = () => `INC-paged-${randomBytes(3).toString('hex')}`;

it('takes 5,000 refs too large for one payload, page by page, and rejects a page that does not fit', async () => {
  // 480-character ids: the list is ~2.5 MB as one JSON payload.
  const refs: CredentialRef[] = Array.from({ length: 5_000 }, (_, i) => ({ provider: 'memory', kind: 'oauth_token', id: `big-${String(i).padStart(476, '0')}` }));
  expect(JSON.stringify(refs).length).toBeGreaterThan(2 * 1024 * 1024);
  const incidentId = incident();
  // The same refs in one start payload are refused by the server: the limit is real.
  const refused = await w.client.workflow
    .start('containCredential', { taskQueue: w.target.taskQueue, workflowId: `one-payload-${randomBytes(4).toString('hex')}`, args: [{ incidentId, requester: 'alice', credentials: refs }] })
    .then(() => undefined, (err: Error) => `${err.message}: ${String(err.cause)}`);
  expect(refused).toMatch(/size exceeds limit/i);

  const started = await startMassContainment(w.client, w.target.taskQueue, { incidentId, requester: 'alice', credentials: refs, concurrency: 1 });
  expect(started.created).toBe(true);
  const handle = w.client.workflow.getHandle(started.workflowId);
  try {
    const p = (await handle.query('massProgress')) as MassProgressView;
    expect(p.received).toBe(5_000);
    expect(p.total).toBe(5_000);
    // Every event of the run's history is far below the limit: no payload carried the list.
    const history = await handle.fetchHistory();
    const largest = Math.max(...(history.events ?? []).map((e) => JSON.stringify(e).length));
    expect(largest).toBeLessThan(1024 * 1024);
    expect(history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length).toBe(10);
    // A page of the wrong size, or past the last one, is refused with the reason; nothing is recorded.
    const whyRefused = (page: number, n: number) => handle.executeUpdate(addRefPageUpdate, { args: [{ page, refs: refs.slice(0, n) }] }).then(() => 'accepted', (err: Error) => String(err.cause));
    expect(await whyRefused(10, 1)).toMatch(/page 10 is past the last one \(9\)/);
    expect(await whyRefused(3, 499)).toMatch(/page 3 must hold 500 refs, not 499/);
    expect(await whyRefused(3, 500)).toMatch(/page 3 was already received with other refs/);
    // Starting the same refs again joins the run and sends nothing more.
    const again = await startMassContainment(w.client, w.target.taskQueue, { incidentId, requester: 'alice', credentials: refs, concurrency: 1 });
    expect(again).toEqual({ workflowId: started.workflowId, created: false });
    const after = await handle.fetchHistory();
    expect(after.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length).toBe(10);
  } finally {
    // Its 5,000 children are not this test's subject: the page runs and their children go with the parent.
    await handle.terminate('test done');
  }
});

it('contains every ref through its page runs, child ids by the ref’s place, and reports the one left alive', async () => {
  const refs: CredentialRef[] = Array.from({ length: N }, (_, i) => ({ provider: 'memory', kind: 'oauth_token', id: `tok-${i}` }));
  const started = await startMassContainment(w.client, w.target.taskQueue, { incidentId: incident(), requester: 'alice', credentials: refs, concurrency: 3 }, { pageSize: 5 });
  const handle = w.client.workflow.getHandle(started.workflowId);
  // Progress while it runs never counts more than there is, and it adds up the pages in flight.
  let seenMidway = false;
  for (;;) {
    const desc = await handle.describe();
    if (desc.status.name !== 'RUNNING') break;
    const p = await massProgress(w.client, started.workflowId).catch(() => undefined);
    if (p) {
      expect(p.done).toBeLessThanOrEqual(N);
      if (p.done > 0 && p.done < N && (p.runningPages?.length ?? 0) > 0) seenMidway = true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const result = (await handle.result()) as MassContainmentResult;
  expect(result.total).toBe(N);
  expect(result.tally, JSON.stringify(result.notContained.slice(0, 3))).toEqual({ contained: N - 1, not_contained: 1 });
  expect(result.notContained).toEqual([expect.objectContaining({ index: 7, workflowId: `${started.workflowId}-7`, outcome: 'not_contained' })]);
  expect(seenMidway).toBe(true);
  // Every ref revoked, each by one child (tok-7 comes back, so its child revokes it again and again);
  // one child per ref, named after its place; five page runs.
  const revoked = tenant.calls().filter((c) => c.op === 'revoke' && c.outcome === 'revoked' && /^tok-\d+$/.test(c.credentialId ?? '') && c.credentialId !== 'tok-7');
  expect(revoked.map((c) => c.credentialId).sort()).toEqual(refs.map((r) => r.id).filter((id) => id !== 'tok-7').sort());
  const children = await w.client.workflow.count(`WorkflowType = "containCredential" AND TaskQueue = "${w.target.taskQueue}" AND WorkflowId STARTS_WITH "${started.workflowId}-"`);
  expect(children.count).toBe(N);
  const pages = await w.client.workflow.count(`WorkflowType = "massContainment" AND WorkflowId STARTS_WITH "${started.workflowId}-page-"`);
  expect(pages.count).toBe(5);
});
