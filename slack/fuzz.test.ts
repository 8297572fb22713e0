// Property-based fuzzing of the Slack app (fast-check): slash commands, button clicks and modal
// submissions, form-encoded and correctly signed as Slack sends them, posted over HTTP on 127.0.0.1 to
// the real Bolt app `createSlackApp` builds. Temporal is a stand-in that records every call; the Web
// API is a stub that records every call. Properties: never a 5xx, no unhandled rejection, no workflow
// started nor decision sent from invalid input, and a mistake answered where Slack expects it: the
// command's ack (ephemeral), the modal's `response_action: errors`, or an ephemeral message for a
// click. FUZZ_RUNS sets the cases (300 in `npm test`, 10,000 in `npm run fuzz`).
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowNotFoundError } from '@temporalio/common';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../logging/logger.ts';
import { ContainmentInput } from '../schemas/containment.ts';
import { ApprovalButtonValue } from '../schemas/slack.ts';
import { createSlackApp, EVENTS_PATH, type CordonSlackApp } from './app.ts';
import { parseCordonCommand } from './command-parser.ts';

const RUNS = Number(process.env.FUZZ_RUNS) || 300;
const SECRET = randomBytes(16).toString('hex');
const APPROVERS = ['W0APPROVER', 'W0SECOND'];
const CHANNEL = 'C0INCIDENT';

/** Temporal stand-in: records calls; nothing exists, starts succeed, updates are refused. */
let temporalCalls: { path: string; args: unknown[] }[] = [];
function standIn(path: string[] = []): unknown {
  return new Proxy(function () {}, {
    get: (_t, key) => (key === 'then' || typeof key === 'symbol' ? undefined : standIn([...path, key])),
    apply: (_t, _this, args: unknown[]) => {
      const p = path.join('.');
      temporalCalls.push({ path: p, args });
      if (p.endsWith('getHandle')) return standIn([...path, '()']);
      if (p.endsWith('list')) return { [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }) };
      if (p.endsWith('describe')) return Promise.reject(new WorkflowNotFoundError('not found', 'x', undefined));
      if (p === 'workflow.start') return Promise.resolve(standIn(['started']));
      return Promise.reject(new Error(`temporal stand-in: ${p} unavailable`));
    },
  });
}

/** Web API stub: every method answers ok; calls are kept (method and parsed body). */
let webCalls: { method: string; body: Record<string, unknown> }[] = [];
let web: Server;
let cordon: CordonSlackApp;
let url: string;
let inflight = 0;
let idle: (() => void)[] = [];
const unhandled: unknown[] = [];
/** Listener errors Bolt caught (app.error): the user was answered with nothing. */
const listenerFailures: string[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  web = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
      const body = (req.headers['content-type'] ?? '').includes('json') ? (JSON.parse(raw || '{}') as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(raw));
      webCalls.push({ method, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, user_id: 'U0CORDON', bot_id: 'B0CORDON', team_id: 'T0ACME', url: 'https://acme.slack.com/', channel: body.channel ?? CHANNEL, ts: `${Date.now() / 1000}`, messages: [], message_ts: '1.1' }));
    });
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  cordon = createSlackApp({
    temporal: standIn() as never,
    taskQueue: 'fuzz',
    signingSecret: SECRET,
    botToken: 'xoxb-fuzz',
    slackWebClient: { slackApiUrl: `http://127.0.0.1:${(web.address() as AddressInfo).port}/api/`, retryConfig: { retries: 0 } },
    approvers: APPROVERS,
    followIntervalMs: 3_600_000,
    logger: createLogger({
      write: (line: string) => {
        if (line.includes('slack listener failed')) listenerFailures.push(line);
        if (process.env.FUZZ_DEBUG) process.stderr.write(line);
      },
    }),
  });
  // Global middleware runs around every listener: the test waits until the listeners are done.
  cordon.app.use(async ({ next }) => {
    inflight++;
    try {
      await next();
    } finally {
      if (--inflight === 0) for (const r of idle.splice(0)) r();
    }
  });
  const { port } = await cordon.start(0);
  url = `http://127.0.0.1:${port}${EVENTS_PATH}`;
});
afterAll(async () => {
  await cordon?.stop();
  await new Promise((r) => web?.close(r));
  process.off('unhandledRejection', onUnhandled);
});

const settled = () => (inflight === 0 ? Promise.resolve() : new Promise<void>((r) => idle.push(r)));

async function post(body: string): Promise<{ status: number; text: string }> {
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature }, body });
  const text = await res.text();
  await new Promise((r) => setImmediate(r));
  await settled();
  return { status: res.status, text };
}

const word = fc.oneof(
  fc.constantFrom('contain', 'status', 'help', 'memory', 'github', 'google', 'tok-1', 'INC-1', '--incident', '--shared', '--severity', 'critical', '--kind', 'pat', '--reason', '"why not"', '--break-glass', '--bogus', 'ghp_0123456789abcdefghijABCDEFGHIJ012345', '"', '—', 'x'.repeat(200)),
  fc.string({ maxLength: 15 }),
);
const commandText = fc.oneof(
  fc.array(word, { maxLength: 8 }).map((w) => w.join(' ')),
  fc.tuple(fc.constantFrom('memory', 'github', 'nope'), fc.stringMatching(/^(id|client|user|key|fp)=[a-z0-9-]{1,12}$/), fc.stringMatching(/^[A-Za-z0-9 -]{0,12}$/), fc.constantFrom('', '--shared', '--severity high', '--break-glass', '--kind oauth_token')).map(([p, r, i, x]) => `contain ${p} ${r} --incident ${i} ${x}`),
  fc.string({ maxLength: 100 }),
);
const user = fc.constantFrom('W0APPROVER', 'W0REQUESTER', 'W0SECOND', '');
const digest = fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.string({ maxLength: 70 }));
const buttonValueRaw = fc.oneof(
  fc.record({ workflowId: fc.constantFrom('INC-1-memory-abc', 'x'.repeat(512)), stage: fc.constantFrom('restrict', 'wave-1'), digest: fc.constant('ab'.repeat(32)) }).map((v) => JSON.stringify(v)),
  fc.record({ workflowId: fc.oneof(fc.constant('INC-1-memory-abc'), fc.string({ maxLength: 20 })), stage: fc.oneof(fc.constantFrom('restrict', 'wave-1'), fc.string({ maxLength: 10 })), digest }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 60 }),
);
const message = fc.option(fc.record({ ts: fc.oneof(fc.constant('1700000000.000100'), fc.string({ maxLength: 10 }), fc.constant('9'.repeat(65))), thread_ts: fc.option(fc.oneof(fc.constant('1700000000.000001'), fc.string({ maxLength: 3 })), { nil: undefined }), text: fc.string({ maxLength: 20 }), blocks: fc.constant([]) }, { requiredKeys: ['ts'] }), { nil: undefined });
const blockAction = fc.record({
  actionId: fc.constantFrom('cordon_approve', 'cordon_reject', 'cordon_retry'),
  value: fc.option(buttonValueRaw, { nil: undefined }),
  user,
  channel: fc.option(fc.constantFrom(CHANNEL, 'C0OTHER'), { nil: undefined }),
  message,
});
const inputState = (v: fc.Arbitrary<string>) => fc.oneof(fc.record({ type: fc.constant('plain_text_input'), value: fc.option(v, { nil: null }) }), fc.record({ type: fc.constant('static_select'), selected_option: fc.option(fc.record({ value: v }), { nil: null }) }));
const viewSubmission = fc.record({
  callbackId: fc.constantFrom('cordon_contain', 'cordon_reject_reason'),
  user,
  privateMetadata: fc.oneof(fc.constant(JSON.stringify({ channel: CHANNEL })), buttonValueRaw, fc.record({ workflowId: fc.constant('INC-1-memory-abc'), stage: fc.constant('restrict'), digest: fc.constant('a'.repeat(64)), channel: fc.constant(CHANNEL), messageTs: fc.constant('1.2') }).map((v) => JSON.stringify(v))),
  values: fc.dictionary(fc.constantFrom('provider', 'ref', 'incident', 'severity', 'kind', 'reason', 'shared', 'other'), inputState(fc.oneof(word, fc.constantFrom('memory', 'tok-1', 'INC-9', 'high', 'because', 'ghp_0123456789abcdefghijABCDEFGHIJ012345'))), { maxKeys: 7 }),
});

const tally = { cases: 0, commands: 0, clicks: 0, submissions: 0, refusals: 0, s5xx: 0, started: 0, updates: 0 };
const startsOf = () => temporalCalls.filter((c) => c.path === 'workflow.start');
const updatesOf = () => temporalCalls.filter((c) => /executeUpdate|startUpdate|signal/.test(c.path));
const ephemerals = () => webCalls.filter((c) => c.method === 'chat.postEphemeral');

function reset() {
  temporalCalls = [];
  webCalls = [];
  listenerFailures.length = 0;
}

it(`signed slash commands, clicks and modal submissions never get a 5xx and start nothing from invalid input (${RUNS} cases)`, async () => {
  const cases = fc.oneof({ weight: 2, arbitrary: fc.record({ kind: fc.constant('command' as const), text: commandText, user }) }, { weight: 2, arbitrary: fc.record({ kind: fc.constant('click' as const), click: blockAction }) }, { weight: 1, arbitrary: fc.record({ kind: fc.constant('submission' as const), view: viewSubmission }) });
  await fc.assert(
    fc.asyncProperty(cases, async (c) => {
      reset();
      tally.cases++;
      let res: { status: number; text: string };
      if (c.kind === 'command') {
        tally.commands++;
        res = await post(new URLSearchParams({ command: '/cordon', text: c.text, user_id: c.user, channel_id: CHANNEL, team_id: 'T0ACME', trigger_id: '1.2.3', response_url: 'https://hooks.slack.com/commands/T0ACME/1/x' }).toString());
        const parsed = parseCordonCommand(c.text, { requester: c.user, approvers: APPROVERS });
        if (!parsed.ok) {
          // The mistake is the ack itself: an ephemeral response with the parser's reason.
          tally.refusals++;
          expect(JSON.parse(res.text)).toEqual({ response_type: 'ephemeral', text: parsed.error });
          expect(startsOf()).toEqual([]);
        } else if (parsed.command.kind !== 'contain') expect(startsOf()).toEqual([]);
      } else if (c.kind === 'click') {
        tally.clicks++;
        const k = c.click;
        const payload = {
          type: 'block_actions',
          user: { id: k.user, username: 'u', team_id: 'T0ACME' },
          team: { id: 'T0ACME', domain: 'acme' },
          api_app_id: 'A0CORDON',
          trigger_id: '1.2.3',
          ...(k.channel ? { channel: { id: k.channel, name: 'incident' } } : {}),
          ...(k.message ? { message: k.message, container: { type: 'message', message_ts: k.message.ts, channel_id: k.channel } } : {}),
          actions: [{ type: 'button', action_id: k.actionId, block_id: 'b', ...(k.value !== undefined ? { value: k.value } : {}), action_ts: '1.1' }],
        };
        res = await post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
        expect(startsOf()).toEqual([]); // a click never starts a containment by itself (retry needs a readable run)
        if (k.actionId !== 'cordon_retry') {
          let valid = false;
          try {
            valid = ApprovalButtonValue.safeParse(JSON.parse(k.value ?? '')).success;
          } catch {
            valid = false;
          }
          if (!valid) {
            expect(updatesOf()).toEqual([]);
            if (k.channel && k.message) {
              tally.refusals++;
              expect(ephemerals().map((e) => e.body.text)).toEqual(['This button does not belong to a Cordon approval; nothing changed.']);
            }
          } else if (k.channel && k.message && k.actionId === 'cordon_approve') {
            // Sent to the workflow, whose validator decides; the stand-in refuses, and the clicker is told.
            expect(updatesOf().length).toBeGreaterThan(0);
            expect(ephemerals()).toHaveLength(1);
          }
        } else if (k.channel && k.message) {
          // A retry answers the clicker either way (refused, or the run is not readable here).
          expect(ephemerals().length).toBeGreaterThan(0);
        }
      } else {
        tally.submissions++;
        const v = c.view;
        const state = { values: Object.fromEntries(Object.entries(v.values).map(([block, s]) => [block, { value: s }])) };
        const payload = { type: 'view_submission', user: { id: v.user, username: 'u', team_id: 'T0ACME' }, team: { id: 'T0ACME', domain: 'acme' }, api_app_id: 'A0CORDON', trigger_id: '1.2.3', view: { id: 'V1', type: 'modal', callback_id: v.callbackId, private_metadata: v.privateMetadata, state, hash: 'h', team_id: 'T0ACME', app_id: 'A0CORDON', bot_id: 'B0CORDON', blocks: [] } };
        res = await post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
        if (res.text) {
          const ack = JSON.parse(res.text) as { response_action?: string; errors?: Record<string, string> };
          if (ack.response_action === 'errors') {
            tally.refusals++;
            expect(Object.values(ack.errors ?? {}).every((e) => typeof e === 'string' && e.length > 0)).toBe(true);
            expect(startsOf()).toEqual([]);
            expect(updatesOf()).toEqual([]);
          }
        }
      }
      expect(listenerFailures, 'a listener failed: the user got no answer').toEqual([]);
      if (res.status >= 500) tally.s5xx++;
      expect(res.status, res.text).toBeLessThan(500);
      expect(res.status, res.text).toBe(200);
      // Whatever was started carries a request the schema accepts.
      for (const s of startsOf()) expect(ContainmentInput.safeParse((s.args[1] as { args: unknown[] }).args[0]).success).toBe(true);
      tally.started += startsOf().length;
      tally.updates += updatesOf().length;
    }),
    { numRuns: RUNS },
  );
  await new Promise((r) => setTimeout(r, 50));
  expect(unhandled).toEqual([]);
  console.log(`fuzz slack: ${tally.cases} cases (${tally.commands} slash commands, ${tally.clicks} clicks, ${tally.submissions} view submissions) · ${tally.refusals} refusals answered ephemerally or as form errors · ${tally.s5xx} 5xx · ${unhandled.length} unhandled rejections · ${tally.started} workflows started (each from a schema-valid request) · ${tally.updates} decisions sent to the workflow validator`);
}, 900_000);

it('a valid /cordon contain reaches the start with a schema-valid request (the oracle is not vacuous)', async () => {
  reset();
  const res = await post(new URLSearchParams({ command: '/cordon', text: 'contain memory id=tok-1 --incident INC-fuzz-1', user_id: 'W0REQUESTER', channel_id: CHANNEL, team_id: 'T0ACME', trigger_id: '1.2.3', response_url: 'https://hooks.slack.com/x' }).toString());
  expect(res.status).toBe(200);
  expect(startsOf(), JSON.stringify({ res, temporal: temporalCalls.map((c) => c.path), web: webCalls })).toHaveLength(1);
});

it('a Reject click whose message ts does not fit the modal metadata is answered ephemerally, not dropped by a listener error', async () => {
  reset();
  const value = JSON.stringify({ workflowId: 'INC-1-memory-abc', stage: 'restrict', digest: 'ab'.repeat(32) });
  const payload = {
    type: 'block_actions',
    user: { id: 'W0APPROVER', username: 'u', team_id: 'T0ACME' },
    team: { id: 'T0ACME', domain: 'acme' },
    api_app_id: 'A0CORDON',
    trigger_id: '1.2.3',
    channel: { id: CHANNEL, name: 'incident' },
    message: { ts: '9'.repeat(65), text: '', blocks: [] },
    actions: [{ type: 'button', action_id: 'cordon_reject', block_id: 'b', value, action_ts: '1.1' }],
  };
  const res = await post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  expect(res.status).toBe(200);
  expect(listenerFailures).toEqual([]);
  expect(ephemerals().map((e) => e.body.text)).toEqual([expect.stringMatching(/cannot be rejected from here/)]);
  expect(webCalls.filter((c) => c.method === 'views.open')).toEqual([]);
});
