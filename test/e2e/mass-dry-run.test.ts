// A mass containment's dry run through the HTTP API, against the local tenant (the provider emulators,
// real connectors on the official SDKs, a real Temporal dev server and worker): every ref is planned,
// the blast radius is the sum of the per-ref plans, and the emulators' call log holds no write.
import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { loadScenarioDir, scenarioDir } from '@cordon/emulators';
import { buildApp } from '../../api/app.ts';
import { startMassContainment } from '../../client/mass.ts';
import { ApiKeyring, mintApiKey } from '../../api/keys.ts';
import { createLogger } from '../../logging/logger.ts';
import { dryRunText } from '../../reports/mass-dry-run-text.ts';
import { DryRunPlansPage, ErrorBody, MassContainmentView, StartedMassContainment } from '../../schemas/api.ts';
import type { BlastRadius, DryRunRef } from '../../schemas/mass.ts';
import { localStackPerTest } from '../support/local-stack.ts';

const lab = localStackPerTest();
const starter = mintApiKey({ name: 'soar', principal: 'soar-bot', scopes: ['start', 'read'] });
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const REFS = [
  // ci-deployer's key: its consumers get replacements; re-authenticating ci-deployer also ends its other key.
  { provider: 'google', kind: 'service_account_key', keyId: '5e8d2a1c9b7f4e3d6a0c8b2e1f9d7a5c3b6e4d2f' },
  { provider: 'github', kind: 'deploy_key', id: 'deploy_key:acme-robotics/infra-terraform:7102' },
  // GitHub mints OAuth tokens only through the user's flow: its consumers re-authorize by hand.
  { provider: 'github', kind: 'oauth_token', id: 'oauth_token:7001' },
  // Cordon's own Google key: refused (I6).
  { provider: 'google', kind: 'service_account_key', keyId: '0c4b1e9a7f3d2c8b5a6e1d0f9c8b7a6e5d4c3b2a' },
  { provider: 'github', kind: 'deploy_key', id: 'deploy_key:acme-robotics/infra-terraform:7999' },
];

/** A write to a provider: anything but a read, or the connectors' own auth-token calls. */
const OWN_AUTH = new Set(['oauth2.token', 'oauth2.requestToken', 'apps.createInstallationAccessToken']);
const isWrite = (c: { method: string; operation: string }) => c.method !== 'GET' && !OWN_AUTH.has(c.operation) && !/(^|\.)(list\w*|get\w*|query\w*|graphql)$/i.test(c.operation);

it('plans every ref, writes nothing, and reports a blast radius equal to the sum of the per-ref plans', async () => {
  await lab.start(await loadScenarioDir(scenarioDir('circleci')));
  app = buildApp({ client: lab.worker.client, taskQueue: lab.worker.target.taskQueue, keys: new ApiKeyring([starter.entry]), logger: createLogger({ level: 'error' }) });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${starter.key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const before = lab.tenant.counts();
  const incidentId = `INC-DRY-${randomBytes(3).toString('hex')}`;

  // A bad query value is named.
  const bad = await call('POST', '/v1/mass-containments?dry_run=yes', { incidentId, credentials: REFS });
  expect(bad.status).toBe(400);
  expect(ErrorBody.parse(bad.body).error.issues!.map((i) => i.path)).toEqual(['query.dry_run']);

  const started = await call('POST', '/v1/mass-containments?dry_run=true', { incidentId, credentials: REFS, concurrency: 2 });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const run = StartedMassContainment.parse(started.body);
  expect(run.workflowId).toMatch(/-plan$/);

  let view: MassContainmentView | undefined;
  for (let i = 0; i < 900 && view?.executionStatus !== 'COMPLETED'; i++) {
    const r = await call('GET', run.statusUrl);
    expect(r.status).toBe(200);
    view = MassContainmentView.parse(r.body);
    expect(view.executionStatus).not.toBe('FAILED');
    if (view.executionStatus !== 'COMPLETED') await new Promise((res) => setTimeout(res, 200));
  }
  expect(view).toMatchObject({ total: REFS.length, done: REFS.length, executionStatus: 'COMPLETED', etaSeconds: 0 });
  const blast = view!.dryRun!.blast;

  const page = await call('GET', view!.dryRun!.plansUrl);
  expect(page.status, JSON.stringify(page.body)).toBe(200);
  const plans = DryRunPlansPage.parse(page.body);
  expect(plans).toMatchObject({ page: 0, pages: 1 });
  expect(plans.next).toBeUndefined();
  const byIndex = (i: number) => plans.refs.find((r) => r.index === i)!;
  expect(plans.refs.map((r) => r.status)).toEqual(['planned', 'planned', 'planned', 'refused', 'not_found']);
  expect(byIndex(0).revoke).toEqual([expect.stringMatching(/^google:.*5e8d2a1c9b7f4e3d6a0c8b2e1f9d7a5c3b6e4d2f/)]);
  expect(byIndex(0).replaced.map((r) => r.consumer).sort()).toEqual(['circleci-deploy-api', 'circleci-deploy-web']);
  expect(byIndex(0).reauth).toEqual([expect.objectContaining({ provider: 'google', ends: [expect.stringContaining('a7c3e1f9d5b2084c6e0a9f7d3b1c5e8a2f4d6b0c')] })]);
  expect(byIndex(1).replaced.map((r) => r.consumer)).toEqual(['circleci-infra']);
  expect(byIndex(2).manual.map((m) => m.consumer).sort()).toEqual(['circleci-firmware', 'circleci-web-portal']);
  expect(byIndex(2).manual[0]!.reason).toMatch(/re-authorize/);
  expect(byIndex(2).replaced).toEqual([]);
  expect(byIndex(3).reason).toBeTruthy();
  expect(byIndex(3).revoke).toEqual([]);
  for (const r of plans.refs.filter((x) => x.status === 'planned')) expect(r.digest).toMatch(/^[0-9a-f]{64}$/);

  // The totals are the per-ref plans added up (counted here, not with the engine's own sum).
  const sum = (f: (r: DryRunRef) => number) => plans.refs.reduce((n, r) => n + f(r), 0);
  expect(blast).toEqual({
    refs: REFS.length,
    planned: 3,
    notFound: 1,
    refused: 1,
    failed: 0,
    credentialsToRevoke: sum((r) => r.revoke.length),
    consumersReplaced: sum((r) => r.replaced.length),
    consumersManual: 2,
    integrationsBroken: sum((r) => r.manual.filter((m) => m.kind === 'integration').length),
    reauthPrincipals: sum((r) => r.reauth.length),
    collateralCredentials: sum((r) => r.reauth.reduce((k, t) => k + t.ends.length, 0)),
  } satisfies BlastRadius);
  expect(blast.credentialsToRevoke).toBe(3);
  expect(blast.consumersReplaced).toBeGreaterThanOrEqual(3);
  expect(blast.collateralCredentials).toBeGreaterThanOrEqual(1);

  // Nothing was written: the emulators' call log holds reads (and the connectors' own logins) only, and the tenant is as it was.
  const calls = lab.tenant.calls();
  expect(calls.length).toBeGreaterThan(0);
  expect(calls.filter(isWrite).map((c) => `${c.provider} ${c.method} ${c.path} (${c.operation})`)).toEqual([]);
  expect(lab.tenant.counts()).toEqual(before);
  // And no containment was started.
  expect((await lab.worker.client.workflow.count(`WorkflowType = "containCredential" AND TaskQueue = "${lab.worker.target.taskQueue}"`)).count).toBe(0);

  // The CLI's table says the same.
  const text = dryRunText(run.workflowId, blast, plans.refs);
  expect(text).toContain('nothing was changed');
  expect(text).toMatch(/circleci-firmware.*oauth_token:7001/);
  expect(text).toMatch(new RegExp(`credentials to revoke\\s+${blast.credentialsToRevoke}\\n`));

  // A live run of the same refs is its own run, never the dry run joined.
  const plansOfLive = await call('GET', `/v1/mass-containments/${run.workflowId.replace(/-plan$/, '')}/plans`);
  expect(plansOfLive.status).toBe(404);
}, 300_000);

it('keeps a paged dry run’s plans in its page runs, read a page at a time by following next', async () => {
  await lab.start(await loadScenarioDir(scenarioDir('circleci')));
  app = buildApp({ client: lab.worker.client, taskQueue: lab.worker.target.taskQueue, keys: new ApiKeyring([starter.entry]), logger: createLogger({ level: 'error' }) });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${starter.key}` } });
    return { status: res.status, body: (await res.json()) as any };
  };
  // Pages of 2 refs: 5 refs make 3 pages.
  const started = await startMassContainment(lab.worker.client, lab.worker.target.taskQueue, { incidentId: `INC-DRY-${randomBytes(3).toString('hex')}`, requester: 'responder', credentials: REFS as never, dryRun: true }, { pageSize: 2 });
  const early = await get(`/v1/mass-containments/${started.workflowId}/plans?page=0`);
  if (early.status !== 200) expect(early.body.error.code).toBe('not_ready');
  await lab.worker.client.workflow.getHandle(started.workflowId).result();

  const lines: DryRunRef[] = [];
  let next: string | undefined = `/v1/mass-containments/${started.workflowId}/plans`;
  while (next) {
    const r = await get(next);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const page = DryRunPlansPage.parse(r.body);
    expect(page.pages).toBe(3);
    // The second deploy key of infra-terraform (ref 4) is planned with the first (ref 1), on page 0, as
    // the live run would contain them; page 2 has no ref left and started no page run, and reads empty.
    expect(page.refs.map((l) => l.index)).toEqual([[0, 1, 4], [2, 3], []][page.page]);
    lines.push(...page.refs);
    next = page.next;
  }
  lines.sort((a, b) => a.index - b.index);
  expect(lines.map((l) => l.index)).toEqual([0, 1, 2, 3, 4]);
  expect(lines.map((l) => l.status)).toEqual(['planned', 'planned', 'planned', 'refused', 'not_found']);
  const past = await get(`/v1/mass-containments/${started.workflowId}/plans?page=3`);
  expect(past.status).toBe(409);
  expect(past.body.error.message).toMatch(/no page 3/);

  const view = MassContainmentView.parse((await get(`/v1/mass-containments/${started.workflowId}`)).body);
  expect(view.dryRun!.pages).toBe(3);
  expect(view.dryRun!.blast.credentialsToRevoke).toBe(lines.reduce((n, l) => n + l.revoke.length, 0));
  expect(view.dryRun!.blast.consumersManual).toBe(lines.reduce((n, l) => n + l.manual.length, 0));
  expect(view.dryRun!.blast.refs).toBe(5);
  expect(lab.tenant.calls().filter(isWrite)).toEqual([]);
}, 300_000);
