// The HTTP API end to end: a real listening server, real fetch, the real Temporal dev server, a real
// worker and the reference tenant. Checks what a SOAR platform relies on: idempotent start, status,
// approvals under the same rules as Slack, auth and scopes, validation that starts nothing, evidence,
// listing by incident, cancel, and signed webhooks that are retried.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainment } from '../../client/containments.ts';
import { buildApp } from '../../api/app.ts';
import { ApiKeyring, mintApiKey } from '../../api/keys.ts';
import { createWebhookNotifier, verifyWebhook } from '../../notifiers/webhook.ts';
import { MemoryConnector } from '../../connectors/memory/connector.ts';
import { DRIFT_LEAKED_VALUE, driftSeed } from '../../connectors/memory/seeds.ts';
import { MemoryTenant } from '../../connectors/memory/tenant.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import { CancelAnswer, ContainmentList, ContainmentView, DecisionAnswer, ErrorBody, EvidenceExport, StartedContainment, WebhookEvent } from '../../schemas/api.ts';
import type { z } from 'zod';
import { createLogger } from '../../logging/logger.ts';
import { startTestWorker, type RunningWorker } from '../support/temporal.ts';

const WEBHOOK_SECRET = randomBytes(32).toString('hex');
const tenant = new MemoryTenant();
const starter = mintApiKey({ name: 'soar', principal: 'soar-bot', scopes: ['start', 'read'] });
const approver = mintApiKey({ name: 'bob-approvals', principal: 'bob', scopes: ['approve', 'read'] });
const reader = mintApiKey({ name: 'auditor', principal: 'auditor', scopes: ['read'] });
const bobStarter = mintApiKey({ name: 'bob-start', principal: 'bob', scopes: ['start', 'read'] });
const logLines: string[] = [];

let w: RunningWorker;
let app: FastifyInstance;
let base: string;

/** A local webhook receiver: records every delivery with its raw body; can refuse the next N. */
const deliveries: { headers: IncomingHttpHeaders; rawBody: string; answered: number }[] = [];
let refuseNext = 0;
let receiver: Server;
let receiverUrl: string;

beforeAll(async () => {
  const store = new LocalEncryptedStore(await mkdtemp(join(tmpdir(), 'cordon-api-sink-')), randomBytes(32));
  w = await startTestWorker({
    connectors: { memory: new MemoryConnector(tenant) },
    sink: store,
    notifier: createWebhookNotifier({ secret: WEBHOOK_SECRET, logger: createLogger({ write: (line) => void logLines.push(line) }) }),
  });
  app = buildApp({
    client: w.client,
    taskQueue: w.target.taskQueue,
    keys: new ApiKeyring([starter.entry, approver.entry, reader.entry, bobStarter.entry]),
    logger: createLogger({ write: (line) => void logLines.push(line) }),
    // The server's policy: callers of the API cannot name approvers (I7).
    approvalPolicy: { approvers: ['bob'] },
    // Decisions and cancel requests go signed with the caller's key (docs/trust-model.md).
    envelopeKeys: w.envelopeKeys,
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answered = refuseNext > 0 ? 500 : 204;
      if (refuseNext > 0) refuseNext--;
      deliveries.push({ headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8'), answered });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/cordon?token=receiver-side-token`;
});

afterAll(async () => {
  await app?.close();
  await new Promise((r) => receiver?.close(r));
  await w?.stop();
});

const incident = () => `INC-API-${randomBytes(4).toString('hex')}`;
const driftRef = { provider: 'memory', kind: 'oauth_token', leakedValue: DRIFT_LEAKED_VALUE } as const;

interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

async function call<T = unknown>(method: string, path: string, options: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  // Every answer must match what the OpenAPI document promises for it.
  documented(method, path, res.status)?.parse(parsed);
  return { status: res.status, headers: res.headers, body: parsed as T };
}

function documented(method: string, path: string, status: number): z.ZodType | undefined {
  if (status >= 400) return ErrorBody.strict();
  const p = path.split('?')[0]!;
  if (method === 'POST' && p === '/v1/containments') return StartedContainment;
  if (method === 'GET' && p === '/v1/containments') return ContainmentList;
  if (method === 'GET' && p.endsWith('/evidence')) return EvidenceExport;
  if (method === 'POST' && p.endsWith('/approvals')) return DecisionAnswer;
  if (method === 'POST' && p.endsWith('/cancel')) return CancelAnswer;
  if (method === 'GET' && p.startsWith('/v1/containments/')) return ContainmentView;
  return undefined;
}

const start = (body: unknown, key = starter.key, headers: Record<string, string> = {}) => call<StartedContainment>('POST', '/v1/containments', { key, body, headers });
/** The shared Drift token, staged in one wave of three, under the server's approval policy (bob). */
const startStaged = () => start({ incidentId: incident(), credentials: [driftRef], mode: 'staged', policy: { waveSize: 3, stagedDeadline: '10m' } });
const status = (id: string, key = reader.key) => call<ContainmentView>('GET', `/v1/containments/${id}`, { key });

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const waitForPending = (id: string, stage: string) =>
  until(`pending ${stage}`, async () => {
    const s = await status(id);
    if (s.status !== 200) return undefined; // the first workflow task may not have run yet
    if (s.body.outcome !== 'running') throw new Error(`run ended ${s.body.outcome} before asking for ${stage}`);
    return s.body.pendingApprovals.some((p) => p.stage === stage) ? s.body : undefined;
  });

const waitForOutcome = (id: string) =>
  until(`outcome of ${id}`, async () => {
    const s = await status(id);
    return s.status === 200 && s.body.outcome !== 'running' ? s.body : undefined;
  });

/** Workflows of this test's task queue and incident, as Temporal's visibility store counts them. */
const countFor = async (incidentId: string) => (await w.client.workflow.count(`TaskQueue = '${w.target.taskQueue}' AND CordonIncidentId = '${incidentId}'`)).count;
const countOnQueue = async () => (await w.client.workflow.count(`TaskQueue = '${w.target.taskQueue}'`)).count;

describe('start and status', () => {
  it('starts once for the same Idempotency-Key, and returns the same containment to the retry', async () => {
    tenant.load(driftSeed({ faults: { ignoreRevoke: {}, writeLatencyMs: 200 } }));
    const inc = incident();
    const key = `retry-${randomBytes(6).toString('hex')}`;
    const first = await start({ incidentId: inc, credentials: [driftRef] }, starter.key, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(first.body.created).toBe(true);
    expect(first.body.statusUrl).toBe(`/v1/containments/${first.body.workflowId}`);
    expect(first.headers.get('location')).toBe(first.body.statusUrl);
    const retry = await start({ incidentId: inc, credentials: [driftRef] }, starter.key, { 'idempotency-key': key });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ workflowId: first.body.workflowId, runId: first.body.runId, created: false });
    // Without a key, the incident and credential decide: a second identical start joins too.
    const unkeyed = await start({ incidentId: inc, credentials: [driftRef] });
    const unkeyedAgain = await start({ incidentId: inc, credentials: [driftRef] });
    expect(unkeyed.body.created).toBe(true);
    expect(unkeyedAgain.body).toMatchObject({ workflowId: unkeyed.body.workflowId, created: false });
    // Keys are scoped to the caller's principal: another caller's equal key is another containment.
    const otherCaller = await start({ incidentId: inc, credentials: [driftRef] }, bobStarter.key, { 'idempotency-key': key });
    expect(otherCaller.body.created).toBe(true);
    expect(otherCaller.body.workflowId).not.toBe(first.body.workflowId);
    const done = await waitForOutcome(first.body.workflowId);
    expect(done.outcome).toBe('contained');
    await waitForOutcome(unkeyed.body.workflowId);
    await waitForOutcome(otherCaller.body.workflowId);
    // Five calls, three workflows in Temporal.
    expect(await until('visibility', async () => ((await countFor(inc)) === 3 ? 3 : undefined))).toBe(3);
  });

  it('refuses an Idempotency-Key reused for a different request (other credentials, other incident) with 422, and starts nothing', async () => {
    tenant.load(driftSeed());
    const inc = incident();
    const key = `reuse-${randomBytes(6).toString('hex')}`;
    const first = await start({ incidentId: inc, credentials: [driftRef] }, starter.key, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    // Same request, its defaults written out: the same containment.
    const same = await start({ incidentId: inc, severity: 'high', mode: 'direct', credentials: [driftRef] }, starter.key, { 'idempotency-key': key });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ workflowId: first.body.workflowId, created: false });
    const otherInc = incident();
    for (const [name, body] of [
      ['other credentials', { incidentId: inc, credentials: [{ provider: 'memory', kind: 'oauth_token', id: 'tok-alice-1' }] }],
      ['another leaked value', { incidentId: inc, credentials: [{ ...driftRef, leakedValue: `${DRIFT_LEAKED_VALUE}x` }] }],
      ['other incident', { incidentId: otherInc, credentials: [driftRef] }],
    ] as const) {
      const reused = await call<ErrorBody>('POST', '/v1/containments', { key: starter.key, body, headers: { 'idempotency-key': key } });
      expect(reused.status, name).toBe(422);
      expect(reused.body.error.code, name).toBe('idempotency_key_reused');
      expect(reused.body.error.message, name).toMatch(/new Idempotency-Key/);
      expect(JSON.stringify(reused.body), name).not.toContain(DRIFT_LEAKED_VALUE);
    }
    await waitForOutcome(first.body.workflowId);
    await new Promise((r) => setTimeout(r, 500));
    expect(await until('visibility', async () => ((await countFor(inc)) >= 1 ? countFor(inc) : undefined))).toBe(1);
    expect(await countFor(otherInc)).toBe(0);
  });

  it('serves a containment of a 128-character incident id on every route: start, status, evidence, cancel', async () => {
    tenant.load(driftSeed());
    // The longest incident id allowed, with `:` that the links percent-encode.
    const inc = `INC:${randomBytes(8).toString('hex')}:${'x'.repeat(107)}`;
    expect(inc).toHaveLength(128);
    const started = await start({ incidentId: inc, credentials: [driftRef], mode: 'staged', policy: { stagedDeadline: '10m' } });
    expect(started.status).toBe(201);
    const id = started.body.workflowId;
    expect(id.length).toBeGreaterThan(128);
    await waitForPending(id, 'c0-restrict');
    const viaLink = await call<ContainmentView>('GET', started.body.statusUrl, { key: reader.key });
    expect(viaLink.status).toBe(200);
    expect(viaLink.body.incidentId).toBe(inc);
    const evidence = await call<EvidenceExport>('GET', started.body.links.evidence, { key: reader.key });
    expect(evidence.status).toBe(200);
    expect(evidence.body).toMatchObject({ workflowId: id, incidentId: inc });
    const cancel = await call<CancelAnswer>('POST', `/v1/containments/${id}/cancel`, { key: approver.key });
    expect(cancel.status).toBe(202);
    expect((await waitForOutcome(id)).outcome).toBe('cancelled');
    // A parameter far past any containment id is refused in the error shape, not fastify's.
    const huge = await status(`cordon-contain-${'a'.repeat(1000)}`);
    expect(huge.status).toBe(414);
    expect((huge.body as unknown as ErrorBody).error.code).toBe('uri_too_long');
  });

  it('shows each credential’s state with timestamps and the pending approvals with their digest', async () => {
    tenant.load(driftSeed());
    const started = await startStaged();
    expect(started.status).toBe(201);
    const s = await waitForPending(started.body.workflowId, 'c0-restrict');
    expect(s.plan!.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(s.pendingApprovals).toEqual([expect.objectContaining({ stage: 'c0-restrict', digest: s.plan!.digest, quorum: 1, approvals: [] })]);
    const cred = s.credentials.find((c) => c.credentialId === 'memory:tok-drift-1')!;
    expect(cred.state).toBe('identified');
    expect(Date.parse(cred.transitions[0]!.at)).not.toBeNaN();
    expect(s.links.evidence).toBe(`/v1/containments/${started.body.workflowId}/evidence`);
    // The leaked value never comes back out of the API (I5).
    expect(JSON.stringify(s)).not.toContain(DRIFT_LEAKED_VALUE);
    await call('POST', `/v1/containments/${started.body.workflowId}/cancel`, { key: approver.key });
    await waitForOutcome(started.body.workflowId);
  });

  it('answers 404 for an unknown containment and 400 for a malformed id', async () => {
    const unknown = await status('cordon-contain-INC-none-0000000000000000');
    expect(unknown.status).toBe(404);
    expect((unknown.body as unknown as ErrorBody).error.code).toBe('not_found');
    const malformed = await status('not-a-containment');
    expect(malformed.status).toBe(400);
    expect((malformed.body as unknown as ErrorBody).error.issues?.[0]?.path).toBe('params.id');
  });
});

describe('approvals through the API', () => {
  it('completes a staged run with the approver key’s principal, under the same rules as Slack', async () => {
    tenant.load(driftSeed());
    const started = await startStaged();
    const id = started.body.workflowId;
    let s = await waitForPending(id, 'c0-restrict');
    const digest = s.plan!.digest;
    const approvals = `/v1/containments/${id}/approvals`;

    // The body cannot name the approver; the starter's key lacks the approve scope; a stale digest is refused.
    const named = await call<ErrorBody>('POST', approvals, { key: approver.key, body: { stage: 'c0-restrict', digest, decision: 'approve', approver: 'mallory' } });
    expect(named.status).toBe(400);
    expect(named.body.error.issues?.map((i) => i.path)).toContain('body');
    expect(named.body.error.message).toMatch(/approver/);
    const unscoped = await call<ErrorBody>('POST', approvals, { key: starter.key, body: { stage: 'c0-restrict', digest, decision: 'approve' } });
    expect(unscoped.status).toBe(403);
    const stale = await call<ErrorBody>('POST', approvals, { key: approver.key, body: { stage: 'c0-restrict', digest: 'f'.repeat(64), decision: 'approve' } });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'decision_refused' });
    expect(stale.body.error.message).toMatch(/stale plan digest/);
    expect(tenant.calls().filter((c) => c.op === 'restrict')).toHaveLength(0);

    const restrict = await call('POST', approvals, { key: approver.key, body: { stage: 'c0-restrict', digest, decision: 'approve' } });
    expect(restrict.status).toBe(200);
    expect(restrict.body).toEqual({ stage: 'c0-restrict', state: 'approved', approvals: 1, quorum: 1, approver: 'bob' });
    // A double click: the stage is decided, the second decision is refused.
    const again = await call<ErrorBody>('POST', approvals, { key: approver.key, body: { stage: 'c0-restrict', digest, decision: 'approve' } });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/no approval is pending/);

    s = await waitForPending(id, 'c0-wave-1');
    expect((await call('POST', approvals, { key: approver.key, body: { stage: 'c0-wave-1', digest, decision: 'approve', reason: 'consumers ready' } })).status).toBe(200);
    const done = await waitForOutcome(id);
    expect(done.outcome).toBe('contained');
    expect(tenant.credential('tok-drift-1')?.status).toBe('revoked');

    // The outcome is set before the seal, the run's last step: read the export once the run has completed.
    await w.client.workflow.getHandle(id).result();
    const evidence = await call<EvidenceExport>('GET', `/v1/containments/${id}/evidence`, { key: reader.key });
    const decided = evidence.body.evidence.flatMap((e) => (e.kind === 'approval_refused' || (e.kind === 'approval_decided' && e.decision === 'approved') ? [e] : []));
    expect(decided.map((e) => [e.stage, e.approver, e.kind])).toEqual([
      ['c0-restrict', 'bob', 'approval_refused'],
      ['c0-restrict', 'bob', 'approval_decided'],
      ['c0-restrict', 'bob', 'approval_refused'],
      ['c0-wave-1', 'bob', 'approval_decided'],
    ]);
    // Authenticated by the API key: its name and principal are in the evidence, accepted and refused alike.
    for (const e of decided) expect(e).toMatchObject({ channel: 'api', authenticatedBy: 'api_key', identity: { authenticatedBy: 'api_key', apiKeyName: 'bob-approvals', principal: 'bob' } });
    expect(evidence.body.lines.filter((l) => l.includes('via api (API key bob-approvals, principal bob)'))).toHaveLength(4);
    // The requester is the starting key's principal, not anything in the body.
    expect(evidence.body.evidence[0]).toMatchObject({ kind: 'started', actor: 'soar-bot' });
    // The export carries the chain, its seal and the rendered lines.
    expect(evidence.body.lines).toHaveLength(evidence.body.evidence.length);
    expect(evidence.body.seal).toMatchObject({ digest: evidence.body.evidenceDigest });
  });

  it('takes the requester from the starting key, so that principal cannot approve its own containment', async () => {
    tenant.load(driftSeed());
    const started = await start(
      { incidentId: incident(), credentials: [driftRef], mode: 'staged', policy: { waveSize: 3, stagedDeadline: '10m' } },
      bobStarter.key,
    );
    const s = await waitForPending(started.body.workflowId, 'c0-restrict');
    const self = await call<ErrorBody>('POST', `/v1/containments/${started.body.workflowId}/approvals`, {
      key: approver.key,
      body: { stage: 'c0-restrict', digest: s.plan!.digest, decision: 'approve' },
    });
    expect(self.status).toBe(409);
    expect(self.body.error.message).toMatch(/bob requested this containment and cannot approve it/);
    // A start body may not name the requester either.
    const named = await call<ErrorBody>('POST', '/v1/containments', { key: starter.key, body: { incidentId: incident(), requester: 'carol', credentials: [driftRef] } });
    expect(named.status).toBe(400);
    expect(named.body.error.message).toMatch(/requester/);
    const cancelled = await call('POST', `/v1/containments/${started.body.workflowId}/cancel`, { key: approver.key });
    expect(cancelled.status).toBe(202);
    expect((await waitForOutcome(started.body.workflowId)).outcome).toBe('cancelled');
  });
});

describe('authentication and scopes', () => {
  it('refuses a missing key, a wrong key and a key without the scope, and starts nothing', async () => {
    const inc = incident();
    const body = { incidentId: inc, credentials: [driftRef] };
    const missing = await call<ErrorBody>('POST', '/v1/containments', { body });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(missing.body.error.code).toBe('unauthenticated');
    const wrong = await start(body, `cordon_${randomBytes(32).toString('base64url')}`);
    expect(wrong.status).toBe(401);
    const tampered = await start(body, `${starter.key.slice(0, -1)}${starter.key.endsWith('A') ? 'B' : 'A'}`);
    expect(tampered.status).toBe(401);
    const readOnly = await start(body, reader.key);
    expect(readOnly.status).toBe(403);
    expect((readOnly.body as unknown as ErrorBody).error).toMatchObject({ code: 'forbidden' });
    const noRead = await call('GET', `/v1/containments?incident=${inc}`, { key: 'not-even-close' });
    expect(noRead.status).toBe(401);
    expect((await call('GET', `/v1/containments?incident=${inc}`, { key: approver.key })).status).toBe(200);
    expect(await countFor(inc)).toBe(0);
    // And the key itself is never logged.
    expect(logLines.join('\n')).not.toContain(starter.key);
  });
});

describe('validation', () => {
  it('answers every malformed request with a 400 naming the field, and starts nothing', async () => {
    const inc = incident();
    const ok = { incidentId: inc, credentials: [driftRef] };
    const before = await countOnQueue();
    const cases: { name: string; body?: unknown; raw?: string; headers?: Record<string, string>; status?: number; path?: string; code?: string }[] = [
      { name: 'empty object', body: {}, path: 'body.incidentId' },
      { name: 'bad incident id', body: { ...ok, incidentId: 'bad id!' }, path: 'body.incidentId' },
      { name: 'no credentials', body: { ...ok, credentials: [] }, path: 'body.credentials' },
      { name: 'ref without identifier', body: { ...ok, credentials: [{ provider: 'memory', kind: 'oauth_token' }] }, path: 'body.credentials.0.id' },
      { name: 'unknown provider', body: { ...ok, credentials: [{ provider: 'dropbox', kind: 'oauth_token', id: 'x' }] }, path: 'body.credentials.0.provider' },
      { name: 'short leaked value', body: { ...ok, credentials: [{ provider: 'memory', kind: 'pat', leakedValue: 'abc' }] }, path: 'body.credentials.0.leakedValue' },
      { name: 'unknown mode', body: { ...ok, mode: 'yolo' }, path: 'body.mode' },
      { name: 'severity as number', body: { ...ok, severity: 5 }, path: 'body.severity' },
      { name: 'non-http webhook', body: { ...ok, webhookUrl: 'ftp://example.com/x' }, path: 'body.webhookUrl' },
      { name: 'webhook with a password', body: { ...ok, webhookUrl: 'https://soar:hunter2@soar.example.com/hook' }, path: 'body.webhookUrl' },
      { name: 'wave size 0', body: { ...ok, policy: { waveSize: 0 } }, path: 'body.policy.waveSize' },
      { name: 'bad duration', body: { ...ok, policy: { stagedDeadline: 'soon' } }, path: 'body.policy.stagedDeadline' },
      { name: 'unknown field', body: { ...ok, priority: 'p1' }, path: 'body' },
      { name: 'origin from the body', body: { ...ok, origin: { channel: 'slack' } }, path: 'body' },
      // A caller naming its own approvers, or making staged waves approve themselves on timeout.
      { name: 'approvers from the body', body: { ...ok, policy: { approval: { approvers: ['mallory'] } } }, path: 'body.policy' },
      { name: 'timeout policy from the body', body: { ...ok, policy: { approval: { escalateAfter: '0ms', onTimeout: { low: 'proceed', medium: 'proceed', high: 'proceed', critical: 'proceed' } } } }, path: 'body.policy' },
      { name: 'break-glass from the body', body: { ...ok, breakGlass: true }, path: 'body' },
      { name: 'array body', body: [ok], path: 'body' },
      { name: 'short idempotency key', body: ok, headers: { 'idempotency-key': 'abc' }, path: 'headers.idempotency-key' },
      { name: 'invalid JSON', raw: '{"incidentId": ', headers: { 'content-type': 'application/json' }, code: 'bad_request' },
      { name: 'no body', raw: undefined, headers: {}, path: 'body' },
      { name: 'text body', raw: JSON.stringify(ok), headers: { 'content-type': 'text/plain' }, status: 415, code: 'unsupported_media_type' },
      { name: 'UTF-16 body', raw: JSON.stringify(ok), headers: { 'content-type': 'application/json; charset=utf-16' }, status: 415, code: 'unsupported_media_type' },
      { name: 'too large', raw: JSON.stringify({ ...ok, reason: 'x'.repeat(2 * 1024 * 1024) }), headers: { 'content-type': 'application/json' }, status: 413, code: 'body_too_large' },
    ];
    for (const c of cases) {
      const res = await call<ErrorBody>('POST', '/v1/containments', { key: starter.key, ...(c.body !== undefined ? { body: c.body } : { raw: c.raw! }), headers: c.headers ?? {} });
      expect(res.status, c.name).toBe(c.status ?? 400);
      expect(res.body.error.code, c.name).toBe(c.code ?? 'invalid_input');
      expect(res.body.error.message.length, c.name).toBeGreaterThan(0);
      if (c.path) expect(res.body.error.issues?.map((i) => i.path), c.name).toContain(c.path);
    }
    // A method the path does not take: 405 naming those it does.
    const put = await call<ErrorBody>('PUT', '/v1/containments', { key: starter.key, body: ok });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
    expect(put.body.error.code).toBe('method_not_allowed');
    // A malformed list query and approval body too.
    expect((await call('GET', '/v1/containments?incident=bad%20id', { key: reader.key })).status).toBe(400);
    expect((await call('GET', '/v1/containments', { key: reader.key })).status).toBe(400);
    expect((await call('POST', '/v1/containments/cordon-contain-x/approvals', { key: approver.key, body: { stage: 'c0-restrict', decision: 'maybe' } })).status).toBe(400);
    // Let visibility catch up with anything that might have started, then count.
    await new Promise((r) => setTimeout(r, 500));
    expect(await countFor(inc)).toBe(0);
    expect(await countOnQueue()).toBe(before);
  });
});

describe('webhook hosts', () => {
  it('refuses at start a webhook host outside CORDON_WEBHOOK_ALLOWED_HOSTS, and starts nothing', async () => {
    const guarded = buildApp({ client: w.client, taskQueue: w.target.taskQueue, keys: new ApiKeyring([starter.entry]), logger: createLogger({ write: () => undefined }), webhookAllowedHosts: ['soar.example.com'] });
    try {
      const inc = incident();
      const res = await guarded.inject({
        method: 'POST',
        url: '/v1/containments',
        headers: { authorization: `Bearer ${starter.key}` },
        payload: { incidentId: inc, credentials: [driftRef], webhookUrl: 'http://169.254.169.254/latest/meta-data' },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json<ErrorBody>().error.issues).toEqual([{ path: 'body.webhookUrl', message: expect.stringContaining('soar.example.com') }]);
      await new Promise((r) => setTimeout(r, 300));
      expect(await countFor(inc)).toBe(0);
    } finally {
      await guarded.close();
    }
  });
});

describe('evidence, list and cancel', () => {
  it('exports the evidence and lists the incident’s containments as the run left them', async () => {
    tenant.load(driftSeed());
    const inc = incident();
    const a = await start({ incidentId: inc, credentials: [driftRef] });
    expect((await waitForOutcome(a.body.workflowId)).outcome).toBe('contained');
    const b = await start({ incidentId: inc, credentials: [{ provider: 'memory', kind: 'oauth_token', id: 'tok-alice-1' }] });
    expect(b.body.workflowId).not.toBe(a.body.workflowId);
    expect((await waitForOutcome(b.body.workflowId)).outcome).toBe('contained');

    const evidence = await call<EvidenceExport>('GET', `/v1/containments/${a.body.workflowId}/evidence`, { key: reader.key });
    expect(evidence.status).toBe(200);
    expect(evidence.headers.get('content-disposition')).toContain('evidence.json');
    expect(evidence.body).toMatchObject({ workflowId: a.body.workflowId, incidentId: inc, outcome: 'contained' });
    const kinds = evidence.body.evidence.map((e) => e.kind);
    expect(kinds[0]).toBe('started');
    expect(kinds).toContain('revoked');
    const replaced = (id: string) => evidence.body.evidence.filter((e) => e.kind === 'replaced' && e.credentialId === id);
    expect(replaced('memory:tok-drift-1')).toHaveLength(3);
    // Re-authentication ended the integration user's other token, as planned, and re-supplied its consumer (I8).
    expect(replaced('memory:tok-other-app')).toHaveLength(1);
    expect(evidence.body.evidence.some((e) => e.kind === 'verified' && e.verdict === 'dead')).toBe(true);
    expect(evidence.body.evidence.at(-1)).toMatchObject({ kind: 'finished', outcome: 'contained' });
    expect(evidence.body.evidence.map((e) => e.seq)).toEqual(evidence.body.evidence.map((_, i) => i));
    // Revocation before any replacement, as the evidence records it (I1).
    expect(kinds.indexOf('revoked')).toBeLessThan(kinds.indexOf('replaced'));
    expect(JSON.stringify(evidence.body)).not.toContain(DRIFT_LEAKED_VALUE);

    const list = await until('both in the list', async () => {
      const r = await call<ContainmentList>('GET', `/v1/containments?incident=${inc}`, { key: reader.key });
      return r.body.containments.length === 2 && r.body.containments.every((c) => c.executionStatus === 'COMPLETED') ? r.body : undefined;
    });
    expect(list.containments.map((c) => c.workflowId).sort()).toEqual([a.body.workflowId, b.body.workflowId].sort());
    for (const c of list.containments) expect(c).toMatchObject({ incidentId: inc, outcome: 'contained', stage: 'done', statusUrl: `/v1/containments/${c.workflowId}` });
    const limited = await call<ContainmentList>('GET', `/v1/containments?incident=${inc}&limit=1`, { key: reader.key });
    expect(limited.body.containments).toHaveLength(1);
    const other = await call<ContainmentList>('GET', `/v1/containments?incident=${incident()}`, { key: reader.key });
    expect(other.body.containments).toEqual([]);
  });

  it('cancels a staged run waiting for approval: it ends cancelled and revokes nothing', async () => {
    tenant.load(driftSeed());
    const started = await start({ incidentId: incident(), credentials: [driftRef], mode: 'staged', policy: { stagedDeadline: '10m' } });
    const id = started.body.workflowId;
    await waitForPending(id, 'c0-restrict');
    expect((await call('POST', `/v1/containments/${id}/cancel`, { key: starter.key })).status).toBe(403);
    const cancel = await call('POST', `/v1/containments/${id}/cancel`, { key: approver.key });
    expect(cancel.status).toBe(202);
    expect(cancel.body).toMatchObject({ workflowId: id, state: 'cancel_requested' });
    const done = await waitForOutcome(id);
    expect(done.outcome).toBe('cancelled');
    expect(done.pendingApprovals).toEqual([]);
    // Who stopped it is in the evidence, as the key's principal.
    const evidence = await call<EvidenceExport>('GET', `/v1/containments/${id}/evidence`, { key: approver.key });
    expect(evidence.body.evidence.find((e) => e.kind === 'cancel_requested')).toMatchObject({ actor: 'bob', channel: 'api', authenticatedBy: 'api_key', identity: { apiKeyName: 'bob-approvals', principal: 'bob' } });
    expect(tenant.credential('tok-drift-1')?.status).toBe('active');
    expect(tenant.calls().filter((c) => c.op === 'revoke' || c.op === 'restrict' || c.op === 'issue')).toEqual([]);
    await w.client.workflow.getHandle(id).result(); // the status says cancelled a moment before the run closes
    const again = await call('POST', `/v1/containments/${id}/cancel`, { key: approver.key });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ state: 'already_closed' });
    // Approving a closed containment is refused as closed, not as a missing one.
    const late = await call<ErrorBody>('POST', `/v1/containments/${id}/approvals`, { key: approver.key, body: { stage: 'c0-restrict', digest: done.plan!.digest, decision: 'approve' } });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('containment_closed');
  });
});

describe('webhooks', () => {
  const forWorkflow = (id: string) => deliveries.filter((d) => (JSON.parse(d.rawBody) as WebhookEvent).workflowId === id);

  it('delivers signed approval-needed and completion webhooks that verify, and a tampered one does not', async () => {
    tenant.load(driftSeed());
    const started = await start({
      incidentId: incident(),
      credentials: [driftRef],
      mode: 'staged',
      webhookUrl: receiverUrl,
      policy: { waveSize: 3, stagedDeadline: '10m' },
    });
    const id = started.body.workflowId;
    const s = await waitForPending(id, 'c0-restrict');
    const asked = await until('approval_needed webhook', async () => forWorkflow(id).find((d) => d.headers['cordon-event'] === 'approval_needed'));
    const event = WebhookEvent.parse(JSON.parse(asked.rawBody));
    expect(event).toMatchObject({ type: 'approval_needed', workflowId: id, stage: 'c0-restrict', digest: s.plan!.digest, statusPath: `/v1/containments/${id}` });
    expect(event.approval?.credentialIds).toEqual(['memory:tok-drift-1']);
    const signature = asked.headers['cordon-signature'] as string;
    expect(verifyWebhook({ secret: WEBHOOK_SECRET, rawBody: asked.rawBody, signatureHeader: signature })).toMatchObject({ ok: true });
    // Tampered body, wrong secret, stale timestamp, no header: all refused.
    const tampered = asked.rawBody.replace('c0-restrict', 'c0-wave-1');
    expect(tampered).not.toBe(asked.rawBody);
    expect(verifyWebhook({ secret: WEBHOOK_SECRET, rawBody: tampered, signatureHeader: signature })).toEqual({ ok: false, reason: 'signature does not match' });
    expect(verifyWebhook({ secret: 'x'.repeat(64), rawBody: asked.rawBody, signatureHeader: signature }).ok).toBe(false);
    expect(verifyWebhook({ secret: WEBHOOK_SECRET, rawBody: asked.rawBody, signatureHeader: signature, nowSeconds: Math.floor(Date.now() / 1000) + 3600 }).ok).toBe(false);
    expect(verifyWebhook({ secret: WEBHOOK_SECRET, rawBody: asked.rawBody, signatureHeader: undefined }).ok).toBe(false);

    const approvals = `/v1/containments/${id}/approvals`;
    await call('POST', approvals, { key: approver.key, body: { stage: 'c0-restrict', digest: s.plan!.digest, decision: 'approve' } });
    await waitForPending(id, 'c0-wave-1');
    await call('POST', approvals, { key: approver.key, body: { stage: 'c0-wave-1', digest: s.plan!.digest, decision: 'approve' } });
    expect((await waitForOutcome(id)).outcome).toBe('contained');
    const completed = await until('completed webhook', async () => forWorkflow(id).find((d) => d.headers['cordon-event'] === 'completed'));
    expect(verifyWebhook({ secret: WEBHOOK_SECRET, rawBody: completed.rawBody, signatureHeader: completed.headers['cordon-signature'] as string }).ok).toBe(true);
    expect(JSON.parse(completed.rawBody)).toMatchObject({ type: 'completed', outcome: 'contained', workflowId: id });
    expect(forWorkflow(id).map((d) => d.headers['cordon-event'])).toEqual(['approval_needed', 'approval_needed', 'completed']);
    for (const d of forWorkflow(id)) expect(d.rawBody).not.toContain(DRIFT_LEAKED_VALUE);
  });

  it('retries a refused delivery with the same delivery id until the receiver takes it', async () => {
    tenant.load(driftSeed());
    refuseNext = 1;
    const started = await start({ incidentId: incident(), credentials: [driftRef], webhookUrl: receiverUrl });
    expect((await waitForOutcome(started.body.workflowId)).outcome).toBe('contained');
    const attempts = await until('a second attempt', async () => {
      const got = forWorkflow(started.body.workflowId);
      return got.length >= 2 ? got : undefined;
    });
    expect(attempts.map((a) => a.answered)).toEqual([500, 204]);
    expect(new Set(attempts.map((a) => a.headers['cordon-delivery'])).size).toBe(1);
    for (const a of attempts) expect(verifyWebhook({ secret: WEBHOOK_SECRET, rawBody: a.rawBody, signatureHeader: a.headers['cordon-signature'] as string }).ok).toBe(true);
    // The receiver's token in the URL never reaches the log.
    expect(logLines.join('\n')).not.toContain('receiver-side-token');
  });
});

describe('when Temporal cannot answer', () => {
  it('answers 504 within the deadline, hiding internals, instead of hanging', async () => {
    // A task queue no worker polls: the start is accepted, the status query cannot be answered.
    const lonely = buildApp({
      client: w.client,
      taskQueue: `${w.target.taskQueue}-no-worker`,
      keys: new ApiKeyring([starter.entry]),
      logger: createLogger({ write: () => undefined }),
      limits: { temporalDeadlineMs: 1500 },
    });
    try {
      // Started straight through the client: the tight deadline is for the status call, not for a start on a loaded machine.
      const { workflowId } = await startContainment(w.client, `${w.target.taskQueue}-no-worker`, { incidentId: incident(), requester: 'alice', credentials: [driftRef] });
      const t0 = Date.now();
      const res = await lonely.inject({ method: 'GET', url: `/v1/containments/${workflowId}`, headers: { authorization: `Bearer ${starter.key}` } });
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(res.statusCode).toBe(504);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json()).toEqual({ error: { code: 'temporal_timeout', message: expect.stringMatching(/^Temporal did not answer in time/) } });
      await w.client.workflow.getHandle(workflowId).terminate('test cleanup');
    } finally {
      await lonely.close();
    }
  });
});

describe('the request log', () => {
  it('holds no 5xx from any of the calls above, and no body or key', () => {
    const lines = logLines.map((l) => JSON.parse(l) as { msg: string; status?: number });
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThan(50);
    expect(requests.filter((l) => (l.status ?? 0) >= 500)).toEqual([]);
    const text = logLines.join('\n');
    for (const secret of [DRIFT_LEAKED_VALUE, starter.key, approver.key, reader.key, WEBHOOK_SECRET]) expect(text).not.toContain(secret);
  });
});
