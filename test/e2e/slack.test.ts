// Cordon's Slack app end to end: signed HTTP requests sent to the real Bolt HTTP receiver exactly as
// Slack sends them (form-encoded slash commands, `payload=` JSON for block_actions and
// view_submission, X-Slack-Signature v0 + X-Slack-Request-Timestamp); the app's Web API calls and the
// worker's SlackNotifier answered by the Slack emulator; the workflow on the real Temporal dev server.
import { mkdtemp } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/client';
import { containmentWorkflowId, getStatus, startInputOf } from '../../client/containments.ts';
import { MemoryConnector } from '../../connectors/memory/connector.ts';
import { DRIFT_LEAKED_VALUE, driftSeed } from '../../connectors/memory/seeds.ts';
import { MemoryTenant } from '../../connectors/memory/tenant.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import { Scenario, slackSignatureHeaders, type PostedMessage, type SlackEmulator, readScenarioFile } from '@cordon/emulators';
import { startLocalTenant, type LocalTenant } from '../../local-tenant/tenant.ts';
import type { ContainmentStatus } from '../../schemas/containment.ts';
import { createSlackApp, EVENTS_PATH, type CordonSlackApp } from '../../slack/app.ts';
import { SlackNotifier } from '../../notifiers/slack/notifier.ts';
import { startTestWorker, type RunningWorker } from '../support/temporal.ts';
import { buttonsOf, eventually, slackRequests } from '../support/slack-requests.ts';

const CHANNEL = 'C0INCIDENT';
const TEAM = 'T0ACMEMAIN';
const DANA = 'W0SECOWNER'; // security owner: requester, and an approver
const PRIYA = 'W0SALESMGR'; // approver
const SVC = 'W0CORDONAD'; // approver
const MARCO = 'W0SALESREP'; // not an approver
const APPROVERS = [DANA, PRIYA, SVC];

let tenant: LocalTenant;
let slack: SlackEmulator;
let signingSecret: string;
let botToken: string;
const memory = new MemoryTenant();
let store: LocalEncryptedStore;
let w: RunningWorker;
let app: CordonSlackApp;
let base: string;

beforeAll(async () => {
  const section = readScenarioFile('salesloft-drift', 'slack');
  // The worker's notifier reads the thread (conversations.replies) to post each message once across workers.
  section.tokens.find((t: { id: string }) => t.id === 'slack-cordon-bot').scopes.push('channels:history');
  const scenario = Scenario.parse({ name: 'slack-app', slack: section });
  signingSecret = scenario.slack!.signingSecret!;
  botToken = scenario.slack!.tokens.find((t) => t.id === 'slack-cordon-bot')!.value;
  tenant = await startLocalTenant({ scenario });
  slack = tenant.emulators.slack as unknown as SlackEmulator;
  const slackApiUrl = `${tenant.urls.slack}/api/`;
  store = new LocalEncryptedStore(await mkdtemp(join(tmpdir(), 'cordon-slack-sink-')), randomBytes(32));
  w = await startTestWorker({
    connectors: { memory: new MemoryConnector(memory) },
    sink: store,
    notifier: new SlackNotifier({ botToken, slackApiUrl, webClientOptions: { retryConfig: { retries: 0 } }, approvers: APPROVERS, readStatus: (id) => getStatus(w.client, id) }),
  });
  app = createSlackApp({
    temporal: w.client,
    taskQueue: w.target.taskQueue,
    signingSecret,
    botToken,
    slackWebClient: { slackApiUrl, retryConfig: { retries: 0 } },
    approvers: APPROVERS,
    policy: { waveSize: 2, stagedDeadline: '10m' },
    followIntervalMs: 200,
    // Each decision goes signed with the clicking user (docs/trust-model.md); critical runs need it.
    envelopeKeys: w.envelopeKeys,
  });
  const { port } = await app.start(0);
  base = `http://127.0.0.1:${port}${EVENTS_PATH}`;
});
afterAll(async () => {
  await app?.stop();
  await w?.stop();
  await tenant?.close();
});

const incident = () => `INC-${randomBytes(4).toString('hex')}`;

async function signedPost(body: string, options: { secret?: string; timestampSec?: number; url?: string } = {}): Promise<Response> {
  return fetch(options.url ?? base, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignatureHeaders(options.secret ?? signingSecret, body, options.timestampSec) },
    body,
  });
}

function slashBody(user: string, text: string): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: TEAM,
    team_domain: 'acme',
    channel_id: CHANNEL,
    channel_name: 'incident-response',
    user_id: user,
    user_name: user.toLowerCase(),
    command: '/cordon',
    text,
    api_app_id: 'A0CORDON01',
    is_enterprise_install: 'false',
    response_url: `https://hooks.slack.com/commands/${TEAM}/1/abc`,
    trigger_id: `${Date.now()}.1.${randomBytes(4).toString('hex')}`,
  }).toString();
}

const slash = (user: string, text: string, options?: { secret?: string; timestampSec?: number; url?: string }) => signedPost(slashBody(user, text), options);

/** A click on a button of `shown` (the message as the clicker's Slack client shows it). */
const click = (user: string, shown: PostedMessage, actionId: 'cordon_approve' | 'cordon_reject' | 'cordon_retry'): Promise<Response> => slackRequests({ url: base, signingSecret, team: TEAM }).click(user, shown, actionId);

const submitView = (user: string, view: Record<string, unknown>, values: Record<string, Record<string, unknown>>): Promise<Response> => slackRequests({ url: base, signingSecret, team: TEAM }).submitView(user, view, values);

const rootOf = (incidentId: string) => slack.messages({ channel: CHANNEL }).find((m) => !m.threadTs && m.text.includes(incidentId));
const replies = (root: PostedMessage) => slack.messages({ channel: CHANNEL, threadTs: root.ts }).filter((m) => m.ts !== root.ts);
const approvalMessage = (root: PostedMessage, stage: string) =>
  replies(root).find((m) => m.text.includes(`stage ${stage}`) || m.previous.some((p) => p.text.includes(`stage ${stage}`)));
const ephemeralTo = (user: string, since: number) => slack.messages({ channel: CHANNEL, includeEphemeral: true }).filter((m) => m.ephemeralTo === user).slice(since);
const ephemeralCount = (user: string) => ephemeralTo(user, 0).length;
const blockText = (m: PostedMessage) => JSON.stringify(m.blocks ?? []);
const workflowIdOf = (m: PostedMessage) => (JSON.parse(buttonsOf(m)[0]!.value) as { workflowId: string }).workflowId;

/** Clicks and waits for the ephemeral refusal the clicker gets; returns its text. */
async function refusedClick(user: string, shown: PostedMessage, actionId: 'cordon_approve' | 'cordon_reject' | 'cordon_retry' = 'cordon_approve'): Promise<string> {
  const before = ephemeralCount(user);
  const res = await click(user, shown, actionId);
  expect(res.status).toBe(200);
  const [msg] = await eventually(`an ephemeral refusal to ${user}`, () => {
    const e = ephemeralTo(user, before);
    return e.length ? e : undefined;
  });
  return msg!.text;
}

/** The run's result; the command acks before it starts the run, so wait for the run to exist. */
async function result(workflowId: string): Promise<ContainmentStatus> {
  await eventually(`workflow ${workflowId}`, () => w.client.workflow.getHandle(workflowId).describe().then(() => true, () => false));
  return (await w.client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
}

describe('a staged containment driven entirely through Slack', () => {
  it('starts from /cordon contain, takes approvals by button, refuses bad clicks into the evidence, locks and reports in one thread', async () => {
    memory.load(driftSeed());
    const inc = incident();
    const res = await slash(DANA, `contain memory id=tok-drift-1 --incident ${inc} --shared`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { text: string }).text).toMatch(/Starting the containment/);

    const root = await eventually('the thread root', () => rootOf(inc));
    const restrict = await eventually('the restrict approval', () => approvalMessage(root, 'c0-restrict'));
    const workflowId = workflowIdOf(restrict);
    // The message shows exactly what will happen: credential, wave, plan digest.
    const status = await getStatus(w.client, workflowId);
    expect(status.mode).toBe('staged');
    expect(blockText(restrict)).toContain('memory:tok-drift-1');
    expect(blockText(restrict)).toContain(status.plan!.digest);
    expect(buttonsOf(restrict).map((b) => b.action_id)).toEqual(['cordon_approve', 'cordon_reject']);

    // Unauthorized approver and self-approval: refused, told ephemerally, message untouched.
    expect(await refusedClick(MARCO, restrict)).toMatch(/W0SALESREP is not an authorized approver/);
    expect(await refusedClick(DANA, restrict)).toMatch(/requested this containment and cannot approve it/);
    // A button whose digest is not the pending plan's (an old message, or a tampered value).
    const stale = { ...restrict, blocks: JSON.parse(JSON.stringify(restrict.blocks).replaceAll(status.plan!.digest, 'f'.repeat(64))) as unknown[] };
    expect(await refusedClick(SVC, stale)).toMatch(/stale plan digest ffffffffffff/);
    expect(approvalMessage(root, 'c0-restrict')!.previous).toHaveLength(0);
    expect(memory.calls().filter((c) => c.op === 'restrict')).toHaveLength(0);

    // Priya approves: the message is locked, buttons gone, decider shown.
    expect((await click(PRIYA, restrict, 'cordon_approve')).status).toBe(200);
    const locked = await eventually('the locked restrict message', () => {
      const m = approvalMessage(root, 'c0-restrict');
      return m && buttonsOf(m).length === 0 ? m : undefined;
    });
    expect(blockText(locked)).toContain(`Approved* by <@${PRIYA}>`);
    expect(locked.text).toContain('Approved by');

    // Wave 1: a double click (two requests at once from the same person) counts once.
    const wave1 = await eventually('the wave 1 approval', () => approvalMessage(root, 'c0-wave-1'));
    expect(blockText(wave1)).toContain('Drift chat sync');
    const svcBefore = ephemeralCount(SVC);
    const [a, b] = await Promise.all([click(SVC, wave1, 'cordon_approve'), click(SVC, wave1, 'cordon_approve')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const doubleRefusal = await eventually('the double-click refusal', () => ephemeralTo(SVC, svcBefore)[0]);
    expect(doubleRefusal.text).toMatch(/already approved|no approval is pending/);

    // A late click on the restrict message its Slack client still showed with buttons.
    const wave2 = await eventually('the wave 2 approval', () => approvalMessage(root, 'c0-wave-2'));
    expect(await refusedClick(DANA, restrict)).toMatch(/no approval is pending for stage "c0-restrict"/);
    const restrictNow = approvalMessage(root, 'c0-restrict')!;
    expect(blockText(restrictNow)).toContain(`<@${PRIYA}>`); // still shows the real decider

    expect((await click(PRIYA, wave2, 'cordon_approve')).status).toBe(200);
    const final = await result(workflowId);
    expect(final.outcome).toBe('contained');
    expect(memory.credential('tok-drift-1')?.status).toBe('revoked');

    // Approvals and refusals in the evidence, with who and through Slack.
    const approved = final.evidence.flatMap((e) => (e.kind === 'approval_decided' && e.decision === 'approved' ? [e] : []));
    expect(approved.map((e) => e.approver)).toEqual([PRIYA, SVC, PRIYA]);
    // Authenticated by Slack's request signature: the clicking user and workspace, accepted and refused alike.
    const bySlack = (e: { approver: string }) => ({ channel: 'slack', authenticatedBy: 'slack_signature', identity: { authenticatedBy: 'slack_signature', slackUserId: e.approver, slackTeamId: TEAM, slackTransport: 'signed_request' } });
    for (const e of approved) expect(e).toMatchObject(bySlack(e));
    const refused = final.evidence.flatMap((e) => (e.kind === 'approval_refused' ? [e] : []));
    expect(refused.map((e) => `${e.stage}:${e.approver}`)).toEqual([`c0-restrict:${MARCO}`, `c0-restrict:${DANA}`, `c0-restrict:${SVC}`, `c0-wave-1:${SVC}`, `c0-restrict:${DANA}`]);
    for (const e of refused) expect(e).toMatchObject(bySlack(e));

    // One thread: the root is the status message (edited in place to the outcome, scope included),
    // the replies are the three approvals then the final report, nothing else.
    const rootNow = await eventually('the root showing contained', () => {
      const m = rootOf(inc);
      return m && blockText(m).includes('Containment ' + inc + ': contained') ? m : undefined;
    });
    expect(rootNow.previous.length).toBeGreaterThan(1);
    expect(rootNow.previous.some((p) => JSON.stringify(p.blocks).includes('Scope'))).toBe(true);
    expect(blockText(rootNow)).toContain('shared by 3 consumers');
    const thread = await eventually('the final report', () => {
      const r = replies(root);
      return r.length >= 4 ? r : undefined;
    });
    expect(thread).toHaveLength(4);
    expect(thread.slice(0, 3).map((m) => m.text)).toEqual([
      `${inc} c0-restrict: ✅ Approved by <@${PRIYA}>`,
      `${inc} c0-wave-1: ✅ Approved by <@${SVC}>`,
      `${inc} c0-wave-2: ✅ Approved by <@${PRIYA}>`,
    ]);
    expect(thread.slice(0, 3).every((m) => buttonsOf(m).length === 0)).toBe(true);
    expect(thread[3]!.text).toBe(`${inc}: contained`);
    // Each worker post is marked in its metadata (workflow id and post key, nothing else): a retried notify finds it.
    expect(thread.map((m) => m.metadata)).toEqual(
      ['approval:c0-restrict', 'approval:c0-wave-1', 'approval:c0-wave-2', 'final'].map((key) => ({ event_type: 'cordon_notification', event_payload: { workflow_id: workflowId, key } })),
    );
    expect(blockText(thread[3]!)).toContain('replacements');

    // No secret anywhere in Slack: not the leaked value, replacements, the bot token or the signing secret.
    const everything = JSON.stringify(slack.messages({ includeEphemeral: true }));
    const needles = [DRIFT_LEAKED_VALUE, botToken, signingSecret];
    for (const r of final.credentials.flatMap((c) => c.replacements)) needles.push((await store.open(`${workflowId}|memory:tok-drift-1|${r.consumerId}`))!.reveal());
    expect(needles).toHaveLength(6);
    for (const n of needles) expect(everything).not.toContain(n);
  });

  it('rejects with a reason from the modal: the message is locked with the reason, the run fails closed', async () => {
    memory.load(driftSeed());
    const inc = incident();
    expect((await slash(DANA, `contain memory id=tok-drift-1 --incident ${inc} --shared --severity medium`)).status).toBe(200);
    const root = await eventually('the thread root', () => rootOf(inc));
    const restrict = await eventually('the restrict approval', () => approvalMessage(root, 'c0-restrict'));
    const viewsBefore = slack.views().length;
    expect((await click(PRIYA, restrict, 'cordon_reject')).status).toBe(200);
    const opened = await eventually('the reject modal', () => slack.views().slice(viewsBefore)[0]);
    expect(opened.view.callback_id).toBe('cordon_reject_reason');

    // An empty reason is refused in the modal itself, under the reason field.
    const empty = await submitView(PRIYA, opened.view, { reason: { value: { type: 'plain_text_input', value: '' } } });
    expect(await empty.json()).toMatchObject({ response_action: 'errors', errors: { reason: expect.stringMatching(/Say why/) } });

    const ok = await submitView(PRIYA, opened.view, { reason: { value: { type: 'plain_text_input', value: 'consumer list is wrong' } } });
    expect(ok.status).toBe(200);
    const locked = await eventually('the locked message', () => {
      const m = approvalMessage(root, 'c0-restrict');
      return m && buttonsOf(m).length === 0 ? m : undefined;
    });
    expect(blockText(locked)).toContain(`Rejected* by <@${PRIYA}>: consumer list is wrong`);
    expect(blockText(locked)).toContain('memory:tok-drift-1'); // still shows what was rejected
    const final = await result(workflowIdOf(restrict));
    expect(final.evidence.some((e) => e.kind === 'staged_fail_closed' && e.rejectedBy.includes(PRIYA))).toBe(true);
  });
});

describe('quorum, timeouts and the end of a run', () => {
  it('keeps the buttons until the quorum is reached, then locks showing every decider; a cancelled run closes what is left', async () => {
    memory.load(driftSeed());
    const inc = incident();
    expect((await slash(DANA, `contain memory id=tok-drift-1 --incident ${inc} --shared --severity critical`)).status).toBe(200);
    const root = await eventually('the thread root', () => rootOf(inc));
    const restrict = await eventually('the restrict approval', () => approvalMessage(root, 'c0-restrict'));
    expect(blockText(restrict)).toContain('0/2');
    expect((await click(PRIYA, restrict, 'cordon_approve')).status).toBe(200);
    const half = await eventually('one approval of two shown', () => {
      const m = approvalMessage(root, 'c0-restrict');
      return m && blockText(m).includes(`1/2: <@${PRIYA}>`) ? m : undefined;
    });
    expect(buttonsOf(half).map((b) => b.action_id)).toEqual(['cordon_approve', 'cordon_reject']);
    expect(memory.calls().filter((c) => c.op === 'restrict')).toHaveLength(0);
    expect((await click(SVC, half, 'cordon_approve')).status).toBe(200);
    const locked = await eventually('the locked message', () => {
      const m = approvalMessage(root, 'c0-restrict');
      return m && buttonsOf(m).length === 0 ? m : undefined;
    });
    expect(blockText(locked)).toContain(`Approved* by <@${PRIYA}>, <@${SVC}>`);

    // Cancelled while wave 1 waits: the worker's notifier locks the wave 1 message as closed.
    const wave1 = await eventually('the wave 1 approval', () => approvalMessage(root, 'c0-wave-1'));
    await w.client.workflow.getHandle(workflowIdOf(wave1)).cancel();
    const closed = await eventually('the closed wave 1 message', () => {
      const m = approvalMessage(root, 'c0-wave-1');
      return m && buttonsOf(m).length === 0 ? m : undefined;
    });
    expect(blockText(closed)).toContain('Closed');
    await eventually('the final report', () => replies(root).find((m) => m.text.startsWith(`${inc}: cancelled`)));
  });

  it('escalates in the thread, then locks a timed-out approval with what the policy did', async () => {
    const quick = createSlackApp({
      temporal: w.client,
      taskQueue: w.target.taskQueue,
      signingSecret,
      botToken,
      slackWebClient: { slackApiUrl: `${tenant.urls.slack}/api/`, retryConfig: { retries: 0 } },
      approvers: APPROVERS,
      policy: { waveSize: 3, approval: { escalateAfter: '1s', defaultAfter: '1s', onTimeout: { low: 'hold', medium: 'hold', high: 'proceed', critical: 'hold' } } },
      followIntervalMs: 200,
    });
    const { port } = await quick.start(0);
    try {
      memory.load(driftSeed());
      const inc = incident();
      expect((await slash(DANA, `contain memory id=tok-drift-1 --incident ${inc} --shared`, { url: `http://127.0.0.1:${port}${EVENTS_PATH}` })).status).toBe(200);
      const root = await eventually('the thread root', () => rootOf(inc));
      const restrict = await eventually('the restrict approval', () => approvalMessage(root, 'c0-restrict'));
      const final = await result(workflowIdOf(restrict));
      expect(final.outcome).toBe('contained');
      const thread = await eventually('the final report', () => (replies(root).some((m) => m.text === `${inc}: contained`) ? replies(root) : undefined));
      expect(thread.filter((m) => m.text.startsWith('⏰ No decision yet'))).toHaveLength(2);
      expect(thread.find((m) => m.text.startsWith('⏰'))!.text).toContain(`<@${PRIYA}>`);
      const timedOut = await eventually('both approvals locked', () => {
        const both = ['c0-restrict', 'c0-wave-1'].map((s) => approvalMessage(root, s));
        return both.every((m) => m && buttonsOf(m).length === 0) ? both : undefined;
      });
      for (const m of timedOut) {
        expect(blockText(m!)).toContain('Timed out*: no decision in time: the severity policy proceeded');
        // Before it timed out, the message said it was overdue and kept its buttons.
        expect(m!.previous.some((p) => JSON.stringify(p.blocks).includes('Still waiting') && JSON.stringify(p.blocks).includes('cordon_approve'))).toBe(true);
      }
    } finally {
      await quick.stop();
    }
  });
});

describe('Retry from the final report of a not_contained run', () => {
  it('shows Retry; an unauthorized click starts nothing; an approver’s click starts <id>-retry-1, followed and contained in the same thread', async () => {
    // The provider acknowledges every revocation and ignores it: re-revoke and the whole ladder fail.
    memory.load(driftSeed({ faults: { ignoreRevoke: { 'tok-drift-1': 'never' }, writeLatencyMs: 0 } }));
    const inc = incident();
    expect((await slash(DANA, `contain memory id=tok-drift-1 --incident ${inc}`)).status).toBe(200);
    const id = containmentWorkflowId({ incidentId: inc, credentials: [{ provider: 'memory', kind: 'oauth_token', id: 'tok-drift-1' }] });
    const retryId = `${id}-retry-1`;
    expect((await result(id)).outcome).toBe('not_contained');
    const root = await eventually('the thread root', () => rootOf(inc));
    const report = await eventually('the not_contained report', () => replies(root).find((m) => m.text.startsWith(`${inc}: not_contained`)));
    // The Retry button carries the workflow id, nothing else.
    expect(buttonsOf(report).map((b) => [b.action_id, b.value])).toEqual([['cordon_retry', id]]);

    // Marco is neither the requester nor an approver: told so, nothing started, the report keeps its button.
    expect(await refusedClick(MARCO, report, 'cordon_retry')).toMatch(/only the requester of .* or an approver .* may retry/);
    await new Promise((r) => setTimeout(r, 300));
    await expect(w.client.workflow.getHandle(retryId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(buttonsOf(replies(root).find((m) => m.ts === report.ts)!)).toHaveLength(1);

    // The provider is fixed (the seed reloaded, revocation works; writes slow enough to click during the run).
    memory.load(driftSeed({ faults: { ignoreRevoke: {}, writeLatencyMs: 1500 } }));
    expect((await click(PRIYA, report, 'cordon_retry')).status).toBe(200);
    const started = await eventually('the retry-started message', () => replies(root).find((m) => m.text.startsWith('Retry started:')));
    expect(started.text).toContain(`Retry started: ${retryId} (retry of ${id}), by <@${PRIYA}>`);
    // The report says what took over, without its button; a click on the copy still shown says it is running.
    await eventually('the report without its button', () => {
      const m = replies(root).find((x) => x.ts === report.ts);
      return m && buttonsOf(m).length === 0 && blockText(m).includes(`Retried as \`${retryId}\``) ? m : undefined;
    });
    expect(await refusedClick(DANA, report, 'cordon_retry')).toMatch(new RegExp(`already running: ${retryId}`));

    // The retry carries the thread (origin copied from the input), so the worker's notifier posts into it.
    expect((await startInputOf(w.client, retryId)).origin).toEqual({ channel: 'slack', slackChannel: CHANNEL, slackThreadTs: root.ts });
    const retried = await result(retryId);
    expect(retried.outcome).toBe('contained');
    expect(memory.credential('tok-drift-1')?.status).toBe('revoked');
    expect(retried.evidence.find((e) => e.kind === 'started')).toMatchObject({ actor: DANA, retryOf: id });
    await eventually('the retry’s final report in the same thread', () => replies(root).find((m) => m.text === `${inc}: contained`));
    const rootNow = await eventually('the status message showing the retry contained', () => {
      const m = rootOf(inc);
      return m && blockText(m).includes(`Containment ${inc}: contained`) && blockText(m).includes(`Retry* of \`${id}\``) ? m : undefined;
    });
    expect(blockText(rootNow)).toContain(retryId);
    expect(replies(root).map((m) => m.text.split(' (')[0])).toEqual([`${inc}: not_contained`, `Retry started: ${retryId}`, `${inc}: contained`]);

    // A stale button after the retry contained it: nothing left to retry, no retry-2.
    expect(await refusedClick(DANA, report, 'cordon_retry')).toMatch(new RegExp(`already retried as ${retryId}, which ended contained`));
    await expect(w.client.workflow.getHandle(`${id}-retry-2`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);

    const everything = JSON.stringify(slack.messages({ includeEphemeral: true }));
    for (const n of [DRIFT_LEAKED_VALUE, botToken, signingSecret]) expect(everything).not.toContain(n);
  });
});

describe('request security', () => {
  it('refuses a forged signature, a stale timestamp and a future one with 401 and starts nothing', async () => {
    memory.load(driftSeed());
    const inc = incident();
    const text = `contain memory id=tok-drift-1 --incident ${inc}`;
    const forged = await slash(DANA, text, { secret: 'not-the-signing-secret' });
    expect(forged.status).toBe(401);
    // Correctly signed, but 6 minutes old: outside Slack's 5-minute replay window.
    const replayed = await slash(DANA, text, { timestampSec: Math.floor(Date.now() / 1000) - 360 });
    expect(replayed.status).toBe(401);
    // Correctly signed, but dated 6 minutes ahead: the window is two-sided (Bolt checks only the past).
    const ahead = await slash(DANA, text, { timestampSec: Math.floor(Date.now() / 1000) + 360 });
    expect(ahead.status).toBe(401);
    // Within the window ahead (a clock 2 minutes fast) is still fine: checked with the fresh request below.
    // The same request, fresh, is accepted: the two refusals were about signature and time only.
    await new Promise((r) => setTimeout(r, 500));
    const id = containmentWorkflowId({ incidentId: inc, credentials: [{ provider: 'memory', kind: 'oauth_token', id: 'tok-drift-1' }] });
    await expect(w.client.workflow.getHandle(id).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(rootOf(inc)).toBeUndefined();
    const fresh = await slash(DANA, text);
    expect(fresh.status).toBe(200);
    expect((await result(id)).outcome).toBe('contained');
  });

  it('refuses a pasted leaked value without echoing it, and names what was wrong in other mistakes', async () => {
    const inc = incident();
    const leaked = await slash(DANA, `contain memory ${DRIFT_LEAKED_VALUE} --incident ${inc}`);
    const body = (await leaked.json()) as { text: string; response_type: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toMatch(/looks like a raw credential/);
    expect(JSON.stringify(body)).not.toContain(DRIFT_LEAKED_VALUE);
    const bad = (await (await slash(DANA, `contain memory id=tok-drift-1 --incident "bad id!" --severity urgent`)).json()) as { text: string };
    expect(bad.text).toMatch(/--severity: `urgent` is not a severity/);
    await new Promise((r) => setTimeout(r, 300));
    expect(rootOf(inc)).toBeUndefined();
  });

  it('refuses break-glass from someone not named for it, and starts nothing', async () => {
    const inc = incident();
    const r = await slash(DANA, `contain memory id=tok-drift-1 --incident ${inc} --break-glass`);
    expect(r.status).toBe(200);
    const told = await eventually('the refusal', () =>
      slack.messages({ channel: CHANNEL, includeEphemeral: true }).find((m) => m.ephemeralTo === DANA && m.text.includes(`Nothing was started for ${inc}`)),
    );
    expect(told.text).toMatch(/not allowed to declare break-glass/);
    const id = containmentWorkflowId({ incidentId: inc, credentials: [{ provider: 'memory', kind: 'oauth_token', id: 'tok-drift-1' }] });
    await expect(w.client.workflow.getHandle(id).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});

describe('the contain modal and /cordon status', () => {
  it('opens the form, shows field errors, starts a direct containment from it, and reports status', async () => {
    memory.load(driftSeed());
    const viewsBefore = slack.views().length;
    expect((await slash(DANA, 'contain')).status).toBe(200);
    const opened = await eventually('the contain modal', () => slack.views().slice(viewsBefore)[0]);
    expect(opened.view.callback_id).toBe('cordon_contain');
    const inc = incident();
    const values = (incidentId: string, ref: string) => ({
      provider: { value: { type: 'static_select', selected_option: { value: 'memory' } } },
      ref: { value: { type: 'plain_text_input', value: ref } },
      incident: { value: { type: 'plain_text_input', value: incidentId } },
      severity: { value: { type: 'static_select', selected_option: { value: 'high' } } },
      shared: { value: { type: 'checkboxes', selected_options: [] } },
      kind: { value: { type: 'static_select', selected_option: null } },
      reason: { value: { type: 'plain_text_input', value: null } },
    });
    const wrong = await submitView(DANA, opened.view, values('no spaces allowed', 'nonsense'));
    const errors = ((await wrong.json()) as { errors: Record<string, string> }).errors;
    expect(errors.ref).toMatch(/`nonsense` is not a ref form/);
    const wrongIncident = await submitView(DANA, opened.view, values('no spaces allowed', 'id=tok-drift-1'));
    expect(((await wrongIncident.json()) as { errors: Record<string, string> }).errors.incident).toMatch(/an incident id is letters/);
    const pasted = await submitView(DANA, opened.view, values(inc, DRIFT_LEAKED_VALUE));
    expect(((await pasted.json()) as { errors: Record<string, string> }).errors.ref).toMatch(/raw credential/);

    expect((await submitView(DANA, opened.view, values(inc, 'id=tok-drift-1'))).status).toBe(200);
    const root = await eventually('the thread root', () => rootOf(inc));
    const id = containmentWorkflowId({ incidentId: inc, credentials: [{ provider: 'memory', kind: 'oauth_token', id: 'tok-drift-1' }] });
    expect((await result(id)).outcome).toBe('contained');
    await eventually('the final report', () => replies(root).find((m) => m.text === `${inc}: contained`));

    const before = ephemeralCount(DANA);
    expect((await slash(DANA, `status ${inc}`)).status).toBe(200);
    const reply = await eventually('the status reply', () => ephemeralTo(DANA, before)[0]);
    expect(blockText(reply)).toContain('verified dead');
    expect(blockText(reply)).toContain(id);

    // The same incident and credential again: joins (I4), no second thread, the user is told.
    const again = ephemeralCount(DANA);
    expect((await slash(DANA, `contain memory id=tok-drift-1 --incident ${inc}`)).status).toBe(200);
    const joined = await eventually('the already-exists reply', () => ephemeralTo(DANA, again)[0]);
    expect(joined.text).toMatch(new RegExp(`already exists \\(workflow ${id}\\)`));
    expect(slack.messages({ channel: CHANNEL }).filter((m) => !m.threadTs && m.text.includes(inc))).toHaveLength(1);
  });
});

/**
 * Slack's side of Socket Mode, as small as the protocol allows: `apps.connections.open` hands out a
 * WebSocket URL, the socket says `hello`, then delivers envelopes and reads the app's acks
 * (https://api.slack.com/apis/socket-mode). RFC 6455 framing by hand: no server library is installed.
 */
async function startSocketModeSlack(): Promise<{ apiUrl: string; deliver(envelope: Record<string, unknown>): Promise<Record<string, unknown>>; close(): Promise<void> }> {
  let socket: Socket | undefined;
  let connected!: () => void;
  const ready = new Promise<void>((r) => (connected = r));
  const waiting = new Map<string, (ack: Record<string, unknown>) => void>();
  const frame = (opcode: number, data: Buffer) => {
    const len = data.length;
    const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff]);
    socket?.write(Buffer.concat([head, data]));
  };
  let pending = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      if (pending.length < 2) return;
      const opcode = pending[0]! & 0x0f;
      let len = pending[1]! & 0x7f;
      let offset = 2;
      if (len === 126) {
        len = pending.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        len = Number(pending.readBigUInt64BE(2));
        offset = 10;
      }
      if (pending.length < offset + 4 + len) return;
      const mask = pending.subarray(offset, offset + 4);
      const data = Buffer.from(pending.subarray(offset + 4, offset + 4 + len).map((b, i) => b ^ mask[i % 4]!));
      pending = pending.subarray(offset + 4 + len);
      if (opcode === 0x1) {
        const message = JSON.parse(data.toString('utf8')) as { envelope_id?: string; payload?: Record<string, unknown> };
        if (message.envelope_id) waiting.get(message.envelope_id)?.({ ...message });
      } else if (opcode === 0x9) frame(0xa, data);
      else if (opcode === 0x8) frame(0x8, data.subarray(0, 2)); // echo the close code; the client closes TCP
    }
  };
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    const port = (server.address() as AddressInfo).port;
    if (req.url === '/api/apps.connections.open' && req.headers.authorization === 'Bearer xapp-1-A0CORDON01-1-socket') res.end(JSON.stringify({ ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=t1` }));
    else if (req.url === '/api/auth.test') res.end(JSON.stringify({ ok: true, user_id: 'U0CORDONBT', bot_id: 'B0CORDONBT', team_id: TEAM }));
    else res.end(JSON.stringify({ ok: false, error: req.url?.startsWith('/api/apps.connections.open') ? 'invalid_auth' : 'unknown_method' }));
  });
  server.on('upgrade', (req, s: Socket) => {
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    s.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket = s;
    s.on('data', onData);
    s.on('error', () => undefined);
    frame(0x1, Buffer.from(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'local', approximate_connection_time: 18060 }, connection_info: { app_id: 'A0CORDON01' } })));
    connected();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`,
    async deliver(envelope) {
      await ready;
      const acked = new Promise<Record<string, unknown>>((r) => waiting.set(String(envelope.envelope_id), r));
      frame(0x1, Buffer.from(JSON.stringify(envelope)));
      return acked;
    },
    async close() {
      socket?.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('Socket Mode', () => {
  it('is chosen by configuration: the same /cordon listener answers over the WebSocket, no HTTP receiver', async () => {
    const fake = await startSocketModeSlack();
    const socketApp = createSlackApp({
      temporal: w.client,
      taskQueue: w.target.taskQueue,
      signingSecret,
      botToken,
      slackWebClient: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
      approvers: APPROVERS,
      socketMode: { appToken: 'xapp-1-A0CORDON01-1-socket' },
    });
    try {
      expect(await socketApp.start()).toEqual({});
      const command = Object.fromEntries(new URLSearchParams(slashBody(DANA, 'help')));
      const ack = await fake.deliver({ envelope_id: 'env-1', type: 'slash_commands', accepts_response_payload: true, payload: command });
      expect(ack.payload).toMatchObject({ response_type: 'ephemeral', text: 'How to use /cordon' });
      const refused = await fake.deliver({ envelope_id: 'env-2', type: 'slash_commands', accepts_response_payload: true, payload: { ...command, text: `contain memory ${DRIFT_LEAKED_VALUE} --incident INC-1` } });
      expect(JSON.stringify(refused)).toMatch(/looks like a raw credential/);
      expect(JSON.stringify(refused)).not.toContain(DRIFT_LEAKED_VALUE);
    } finally {
      await socketApp.stop();
      await fake.close();
    }
  });
});
