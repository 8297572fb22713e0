// Property-based fuzzing of the start route (fast-check): whatever body, header or content type a
// caller sends, the API never answers 5xx, every refusal has the documented error shape, and a
// containment is started only from a body the schema accepts. FUZZ_RUNS sets the number of cases
// (a few hundred in `npm test`, 10,000 in `npm run fuzz`).
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { createLogger } from '../logging/logger.ts';
import { ErrorBody, StartContainmentBody } from '../schemas/api.ts';
import { buildApp } from './app.ts';
import { ApiKeyring, mintApiKey } from './keys.ts';

const RUNS = Number(process.env.FUZZ_RUNS) || 300;

/** A stand-in for Temporal that records starts: the property is about what reaches it. */
const started: unknown[] = [];
const fakeClient = {
  // The API bounds each request's Temporal calls with a deadline; the stand-in just runs them.
  withDeadline: async <R>(_deadline: number | Date, fn: () => Promise<R>) => fn(),
  workflow: {
    getHandle: () => ({
      describe: async () => {
        throw new WorkflowNotFoundError('not found', 'x', undefined);
      },
    }),
    start: async (_type: string, options: { args: unknown[]; memo?: Record<string, unknown> }) => {
      started.push(options.args[0]);
      return { firstExecutionRunId: `run-${started.length}`, describe: async () => ({ memo: options.memo ?? {} }) };
    },
  },
} as unknown as Client;

const key = mintApiKey({ name: 'soar', principal: 'soar-bot', scopes: ['start'] });
const app = buildApp({ client: fakeClient, taskQueue: 'fuzz', keys: new ApiKeyring([key.entry]), logger: createLogger({ write: (line: string) => void (process.env.FUZZ_DEBUG && process.stderr.write(line)) }) });
afterAll(async () => {
  await app.close();
});

const ids = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('tok-1', 'deploy_key:o/r:1', '', 'x'.repeat(600)));
const ref = fc.record(
  {
    provider: fc.oneof(fc.constantFrom('google', 'github', 'salesforce', 'slack', 'memory'), fc.string({ maxLength: 12 })),
    kind: fc.oneof(fc.constantFrom('oauth_token', 'pat', 'deploy_key', 'service_account_key', 'session'), fc.string({ maxLength: 12 })),
    id: ids,
    clientId: ids,
    keyId: ids,
    user: fc.string({ maxLength: 30 }),
    fingerprint: fc.oneof(fc.stringMatching(/^[0-9a-f]{6,70}$/), fc.string({ maxLength: 20 })),
    leakedValue: fc.oneof(fc.constantFrom('ghp_0123456789abcdefghijABCD', 'xoxb-1234-abcd-efgh', 'short'), fc.string({ maxLength: 60 })),
    extra: fc.jsonValue(),
  },
  { requiredKeys: [] },
);
const nearValid = fc.record(
  {
    incidentId: fc.oneof(fc.constantFrom('INC-1', 'INC 2', '', 'x'.repeat(129)), fc.string({ maxLength: 140 })),
    credentials: fc.oneof(fc.array(ref, { maxLength: 3 }), fc.jsonValue()),
    severity: fc.oneof(fc.constantFrom('low', 'high', 'critical'), fc.string({ maxLength: 10 })),
    mode: fc.oneof(fc.constantFrom('direct', 'staged'), fc.jsonValue()),
    webhookUrl: fc.oneof(fc.webUrl(), fc.constantFrom('https://user:pw@example.com/x', 'ftp://x'), fc.string({ maxLength: 30 })),
    policy: fc.jsonValue(),
    requester: fc.string({ maxLength: 10 }),
  },
  { requiredKeys: [] },
);
// Valid bodies with varied content, so the property also covers what is accepted.
const validBody = fc.record(
  {
    incidentId: fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/),
    credentials: fc.array(
      fc.oneof(
        fc.record({ provider: fc.constant('memory'), kind: fc.constant('oauth_token'), id: fc.stringMatching(/^[a-z0-9-]{1,20}$/) }),
        fc.record({ provider: fc.constant('github'), kind: fc.constant('pat'), leakedValue: fc.stringMatching(/^ghp_[A-Za-z0-9]{20,40}$/) }),
        fc.record({ provider: fc.constant('google'), kind: fc.constant('service_account_key'), keyId: fc.stringMatching(/^[0-9a-f]{40}$/) }),
      ),
      { minLength: 1, maxLength: 3 },
    ),
    severity: fc.constantFrom('low', 'medium', 'high', 'critical'),
  },
  { requiredKeys: ['incidentId', 'credentials'] },
);
const body = fc.oneof(
  { weight: 2, arbitrary: validBody.map((b) => JSON.stringify(b)) },
  { weight: 3, arbitrary: nearValid.map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
);
const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', undefined);
const idempotencyKey = fc.option(fc.oneof(fc.string({ maxLength: 300 }), fc.uuid()), { nil: undefined });

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => void unhandled.push(reason));

it(`the start route never answers 5xx and starts only what the schema accepts (${RUNS} cases)`, async () => {
  let accepted = 0;
  const tally = { cases: 0, refused: 0, s5xx: 0, byStatus: {} as Record<number, number> };
  await fc.assert(
    fc.asyncProperty(body, contentType, idempotencyKey, async (payload, type, idem) => {
      const before = started.length;
      const res = await app.inject({
        method: 'POST',
        url: '/v1/containments',
        payload,
        headers: { authorization: `Bearer ${key.key}`, ...(type ? { 'content-type': type } : {}), ...(idem !== undefined ? { 'idempotency-key': idem } : {}) },
      });
      tally.cases++;
      tally.byStatus[res.statusCode] = (tally.byStatus[res.statusCode] ?? 0) + 1;
      if (res.statusCode >= 500) tally.s5xx++;
      expect(res.statusCode, res.body).toBeLessThan(500);
      if (started.length > before) {
        accepted++;
        expect(res.statusCode).toBe(201);
        expect(StartContainmentBody.safeParse(JSON.parse(payload)).success).toBe(true);
      } else {
        tally.refused++;
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(ErrorBody.parse(JSON.parse(res.body)).error.message.length).toBeGreaterThan(0);
      }
    }),
    { numRuns: RUNS },
  );
  // The generator reaches valid bodies too, or the property would prove little.
  expect(accepted).toBeGreaterThan(0);
  await new Promise((r) => setTimeout(r, 50));
  expect(unhandled).toEqual([]);
  const statuses = Object.entries(tally.byStatus).map(([k, v]) => `${v}×${k}`).join(', ');
  console.log(`fuzz api: ${tally.cases} cases · ${tally.refused} refusals in the error shape · statuses ${statuses} · ${tally.s5xx} 5xx · ${unhandled.length} unhandled rejections · ${accepted} workflows started, each from a schema-valid body, 0 from invalid input`);
}, 300_000);

it('accepts a valid start through the same path (the fuzzer’s oracle is not vacuous)', async () => {
  const before = started.length;
  const res = await app.inject({
    method: 'POST',
    url: '/v1/containments',
    payload: { incidentId: 'INC-fuzz-1', credentials: [{ provider: 'memory', kind: 'oauth_token', id: 'tok-1' }] },
    headers: { authorization: `Bearer ${key.key}` },
  });
  expect(res.statusCode, res.body).toBe(201);
  expect(started.length).toBe(before + 1);
});
