// Mass containment through the HTTP API: a SOAR platform hands over many refs of one incident in one
// call, follows the run's progress, and gets the tally and every ref not contained. Real server, real
// fetch, real Temporal dev server and worker, the reference tenant.
import { mkdtemp } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { startInputOf } from '../../client/containments.ts';
import { ApiKeyring, mintApiKey } from '../../api/keys.ts';
import { MemoryConnector } from '../../connectors/memory/connector.ts';
import { MemoryTenant } from '../../connectors/memory/tenant.ts';
import { vendorTokensSeed } from '../../connectors/memory/seeds.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import { createLogger } from '../../logging/logger.ts';
import { ErrorBody, MassContainmentView, StartedMassContainment } from '../../schemas/api.ts';
import { startTestWorker, type RunningWorker } from '../support/temporal.ts';

const N = 12;

const tenant = new MemoryTenant(vendorTokensSeed(N, 5));
const starter = mintApiKey({ name: 'soar', principal: 'soar-bot', scopes: ['start', 'read'] });
const reader = mintApiKey({ name: 'auditor', principal: 'auditor', scopes: ['read'] });
let w: RunningWorker;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  w = await startTestWorker({ connectors: { memory: new MemoryConnector(tenant) }, sink: new LocalEncryptedStore(await mkdtemp(join(tmpdir(), 'cordon-api-mass-')), randomBytes(32)) });
  app = buildApp({ client: w.client, taskQueue: w.target.taskQueue, keys: new ApiKeyring([starter.entry, reader.entry]), logger: createLogger({ level: 'error' }) });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app?.close();
  await w?.stop();
});

async function call(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const refs = () => Array.from({ length: N }, (_, i) => ({ provider: 'memory', kind: 'oauth_token', id: `tok-${i}` }));
// Mass runs started by callers: a paged run's page runs (…-page-N) are its own children.
const massRuns = async () => {
  const all = (await w.client.workflow.count(`WorkflowType = "massContainment" AND TaskQueue = "${w.target.taskQueue}"`)).count;
  const pages = (await w.client.workflow.count(`WorkflowType = "massContainment" AND TaskQueue = "${w.target.taskQueue}" AND WorkflowId STARTS_WITH "cordon-mass-" AND ExecutionStatus != "Terminated" AND TemporalNamespaceDivision IS NULL AND ParentWorkflowId IS NOT NULL`)).count;
  return all - pages;
};

it('refuses a body with one bad ref among many, naming it, and starts nothing', async () => {
  const credentials: unknown[] = refs();
  credentials[7] = { provider: 'memory', kind: 'oauth_token' }; // no identifier
  const refused = await call('POST', '/v1/mass-containments', starter.key, { incidentId: 'INC-MASS-BAD', credentials });
  expect(refused.status).toBe(400);
  ErrorBody.strict().parse(refused.body);
  expect(refused.body.error.issues.map((i: { path: string }) => i.path)).toContain('body.credentials.7.id');
  // A read-only key may not start one.
  expect((await call('POST', '/v1/mass-containments', reader.key, { incidentId: 'INC-MASS-RO', credentials: refs() })).status).toBe(403);
  expect(await massRuns()).toBe(0);
});

it('contains every ref through one mass run, reports the tally and the one that stayed alive, and joins a repeated start', async () => {
  const incidentId = `INC-MASS-${randomBytes(3).toString('hex')}`;
  const t0 = Date.now();
  const started = await call('POST', '/v1/mass-containments', starter.key, { incidentId, credentials: refs(), concurrency: 4 });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const body = StartedMassContainment.parse(started.body);
  expect(body).toMatchObject({ created: true, total: N });

  let view: MassContainmentView | undefined;
  for (let i = 0; i < 600 && view?.executionStatus !== 'COMPLETED'; i++) {
    const r = await call('GET', body.statusUrl, reader.key);
    expect(r.status).toBe(200);
    view = MassContainmentView.parse(r.body);
    expect(view.done).toBeLessThanOrEqual(N);
    // Mid-run, a rate and a time left follow from the refs done so far.
    if (view.done > 0 && view.done < N) expect(view.refsPerMinute > 0 && view.etaSeconds! > 0, JSON.stringify(view)).toBe(true);
    if (view.executionStatus !== 'COMPLETED') await new Promise((r) => setTimeout(r, 200));
  }
  expect(view).toMatchObject({ incidentId, total: N, done: N, executionStatus: 'COMPLETED' });
  expect(view!.tally).toEqual({ contained: N - 1, not_contained: 1 });
  // The rate is the run's own (N refs over its life, which is inside this test's wall time), and nothing is left to wait for.
  const wallMinutes = (Date.now() - t0) / 60_000;
  expect(view!.refsPerMinute).toBeGreaterThanOrEqual(Math.floor((N / wallMinutes) * 10) / 10 - 0.1);
  expect(view!.etaSeconds).toBe(0);
  expect(view!.notContained).toEqual([expect.objectContaining({ index: 5, workflowId: `${body.workflowId}-5`, outcome: 'not_contained' })]);
  // Every ref was revoked by its own child (the stubborn one answers "revoked" and lives on), with the API key's principal as requester.
  const revoked = tenant.calls().filter((c) => c.op === 'revoke' && c.outcome === 'revoked' && /^tok-\d+$/.test(c.credentialId ?? ''));
  expect(new Set(revoked.map((c) => c.credentialId)).size).toBe(N);
  expect((await startInputOf(w.client, `${body.workflowId}-0`)).requester).toBe('soar-bot');

  // The same incident and refs again: the same run, nothing started twice.
  const again = await call('POST', '/v1/mass-containments', starter.key, { incidentId, credentials: refs(), concurrency: 4 });
  expect(again.status).toBe(200);
  expect(StartedMassContainment.parse(again.body)).toMatchObject({ workflowId: body.workflowId, created: false });
  expect(await massRuns()).toBe(1);
});

it('answers 404 for an unknown mass containment and 400 for an id that is not one', async () => {
  expect((await call('GET', '/v1/mass-containments/cordon-mass-INC-NONE-0000', reader.key)).status).toBe(404);
  const wrong = await call('GET', '/v1/mass-containments/cordon-contain-INC-1-abc', reader.key);
  expect(wrong.status).toBe(400);
  expect(wrong.body.error.issues[0].path).toBe('params.id');
});
