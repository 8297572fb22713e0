// The drift watch in Slack, end to end: one pass of the `driftWatch` workflow on the real dev server flags the
// Salesloft/Drift pattern in the Salesforce emulator's audit log and opens a staged containment whose thread
// (in the Slack emulator) carries the verdict with its reasons and Contain / Dismiss. Contain goes through the
// same `decide` update as Approve (signed for the clicking user); Dismiss asks for a reason in a modal, cancels
// through the signed cancel path, and the dismissal (who, why) is recorded in the watch's store at once by the
// `settleDriftContainment` workflow. The verdict's Detection Findings reach the NDJSON and signed-webhook sinks.
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioDir, scenarioDir, type SlackEmulator } from '@cordon/emulators';
import { getStatus } from '../../client/containments.ts';
import { runWatchOnce } from '../../client/watch.ts';
import { feedAuditLogs } from '../../local-tenant/audit-feed.ts';
import { createNdjsonFileSink } from '../../notifiers/evidence/ndjson-file.ts';
import { createSignedWebhookSink } from '../../notifiers/evidence/signed-webhook.ts';
import { SlackNotifier } from '../../notifiers/slack/notifier.ts';
import { createVerdictThreads, type VerdictThreads } from '../../notifiers/slack/verdict-thread.ts';
import { verifyWebhook } from '../../notifiers/webhook.ts';
import type { Notifier } from '../../notifiers/notifier.ts';
import { createSlackApp, EVENTS_PATH } from '../../slack/app.ts';
import { openBaselineStore } from '../../watch/baseline-store.ts';
import { openWatch } from '../../watch/engine.ts';
import { openIpIntel } from '../../watch/ip-intel.ts';
import { attack, baseline, TOKEN } from '../../local-tenant/traffic/drift-replay.ts';
import { localStackPerTest } from '../support/local-stack.ts';
import { buttonsOf, eventually, slackRequests } from '../support/slack-requests.ts';

const lab = localStackPerTest();
const CHANNEL = 'C0INCIDENT';
const TEAM = 'T0ACMEMAIN';
const PRIYA = 'W0SALESMGR'; // approver
const SVC = 'W0CORDONAD'; // approver
const MARCO = 'W0SALESREP'; // not an approver
const APPROVERS = [PRIYA, SVC];
const WEBHOOK_SECRET = 'whsec-drift-watch-findings-test';

type Finding = { activity_id: number; status_id: number; comment?: string; metadata: { uid: string; sequence?: number }; finding_info: { uid: string } };

/** The signed webhook's test receiver: keeps each POST whose signature verifies. */
async function startWebhookReceiver() {
  const got: { events: Finding[] }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const check = verifyWebhook({ secret: WEBHOOK_SECRET, rawBody: body, signatureHeader: req.headers['cordon-signature'] as string });
      if (check.ok) got.push(JSON.parse(body) as { events: Finding[] });
      res.writeHead(check.ok ? 200 : 401).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/findings`, got, close: () => new Promise((r) => server.close(r)) };
}

describe('drift watch verdicts in Slack', () => {
  it('posts the verdict with its reasons; Contain approves through the approval path; Dismiss needs a reason, cancels and records who and why; findings reach the sinks', async () => {
    const scenario = await loadScenarioDir(scenarioDir('salesloft-drift'));
    // The worker's notifier and the app read the thread (conversations.replies) to find their own posts.
    scenario.slack!.tokens.find((t) => t.id === 'slack-cordon-bot')!.scopes.push('channels:history');
    const store = openBaselineStore(':memory:');
    const watch = openWatch({ store, ipIntel: openIpIntel() });
    const ndjsonPath = join(await mkdtemp(join(tmpdir(), 'cordon-findings-')), 'findings.ndjson');
    const receiver = await startWebhookReceiver();
    // The tenant's Slack URL is known once it runs: the notifier and the verdict threads are made then.
    let notifier: Notifier | undefined;
    let threads: VerdictThreads | undefined;
    await lab.start(scenario, {
      notifier: { notify: (n) => notifier!.notify(n) },
      watch: {
        watch,
        store,
        threads: { open: (v, r) => threads!.open(v, r) },
        findingSinks: [createNdjsonFileSink({ path: ndjsonPath }), createSignedWebhookSink({ url: receiver.url, secret: WEBHOOK_SECRET })],
      },
    });
    const { client, target, envelopeKeys } = lab.worker;
    const slack = lab.tenant.emulators.slack as unknown as SlackEmulator;
    const slackApiUrl = `${lab.tenant.urls.slack}/api/`;
    const botToken = scenario.slack!.tokens.find((t) => t.id === 'slack-cordon-bot')!.value;
    const signingSecret = scenario.slack!.signingSecret!;
    notifier = new SlackNotifier({ botToken, slackApiUrl, webClientOptions: { retryConfig: { retries: 0 } }, approvers: APPROVERS, readStatus: (id) => getStatus(client, id) });
    threads = createVerdictThreads({ botToken, channel: CHANNEL, slackApiUrl, webClientOptions: { retryConfig: { retries: 0 } } });
    const app = createSlackApp({ temporal: client, taskQueue: target.taskQueue, signingSecret, botToken, slackWebClient: { slackApiUrl, retryConfig: { retries: 0 } }, approvers: APPROVERS, envelopeKeys });
    const { port } = await app.start(0);
    const slackIn = slackRequests({ url: `http://127.0.0.1:${port}${EVENTS_PATH}`, signingSecret, team: TEAM });
    try {
      const now = Date.now();
      await feedAuditLogs(lab.tenant, [...baseline(now), ...attack(now - 20 * 60_000, 400, 'S')]);
      const pass = await runWatchOnce(client, target.taskQueue, { providers: ['salesforce'], backfill: '30d', approvers: APPROVERS });
      const opened = pass.report.containments.find((c) => c.tokenKey === TOKEN)!;
      expect(opened).toMatchObject({ state: 'opened', mode: 'staged' });
      const workflowId = opened.workflowId;
      const verdictId = opened.verdictId;

      // The thread: the status message as its root, the verdict with its reasons and the two buttons as a reply.
      const root = await eventually('the thread root', () => slack.messages({ channel: CHANNEL }).find((m) => !m.threadTs && m.text.includes(`DRIFT-${verdictId}`)));
      const replies = () => slack.messages({ channel: CHANNEL, threadTs: root.ts }).filter((m) => m.ts !== root.ts);
      const marked = (key: string) => replies().find((m) => (m.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key === key);
      const post = await eventually('the verdict post', () => marked('verdict'));
      const shown = JSON.stringify(post.blocks);
      expect(shown).toMatch(/score \d+ \(critical\)/);
      expect(shown).toContain('AS14061');
      expect(shown).toContain('python-requests');
      // Each reason says how many audit events are behind it (the verdict keeps the first 50 ids of each).
      expect(shown).toMatch(/\((50\+|\d+) events?, weight \d+\)/);
      expect(buttonsOf(post).map((b) => b.action_id)).toEqual(['cordon_verdict_contain', 'cordon_verdict_dismiss']);

      // The containment's own approval request lands in the same thread.
      const status = await eventually('a pending approval', async () => {
        const s = await getStatus(client, workflowId);
        return s.pendingApprovals.length ? s : undefined;
      }, 60_000);
      const stage = status.pendingApprovals[0]!.stage;
      const approval = await eventually('the approval message in the verdict thread', () => marked(`approval:${stage}`));

      const ephemeral = (user: string) => slack.messages({ channel: CHANNEL, includeEphemeral: true }).filter((m) => m.ephemeralTo === user);
      const refusalTo = async (user: string, action: string) => {
        const before = ephemeral(user).length;
        expect((await slackIn.click(user, post, action)).status).toBe(200);
        return (await eventually(`a refusal to ${user}`, () => ephemeral(user)[before])).text;
      };

      // Contain by someone who may not approve: refused by the workflow's rules, told to them only.
      expect(await refusalTo(MARCO, 'cordon_verdict_contain')).toMatch(/W0SALESREP is not an authorized approver/);
      // Contain by two approvers (a critical verdict's quorum): the waiting stage is approved, as by its Approve button.
      expect((await slackIn.click(PRIYA, post, 'cordon_verdict_contain')).status).toBe(200);
      await eventually('Priya counted', async () => (await getStatus(client, workflowId)).pendingApprovals.find((p) => p.stage === stage)?.approvals.includes(PRIYA));
      expect((await slackIn.click(SVC, post, 'cordon_verdict_contain')).status).toBe(200);
      const decisions = await eventually('the stage approved', async () => {
        const d = (await getStatus(client, workflowId)).evidence.flatMap((e) => (e.kind === 'approval_decided' && e.stage === stage ? [e] : []));
        return d.length === 2 ? d : undefined;
      });
      expect(decisions.map((e) => [e.approver, e.decision, e.approvals])).toEqual([[PRIYA, 'approved', 1], [SVC, 'approved', 2]]);
      for (const e of decisions) expect(e).toMatchObject({ channel: 'slack', authenticatedBy: 'slack_signature' });
      // The stage's approval message is locked with the deciders, as a click on it would.
      const locked = await eventually('the locked approval message', () => {
        const m = replies().find((x) => x.ts === approval.ts);
        return m && buttonsOf(m).length === 0 ? m : undefined;
      });
      expect(JSON.stringify(locked.blocks)).toContain(`<@${SVC}>`);

      // Dismiss by a non-approver: refused before any modal opens.
      const viewsBefore = slack.views().length;
      expect(await refusalTo(MARCO, 'cordon_verdict_dismiss')).toMatch(/only Cordon's approvers .* may dismiss/);
      expect(slack.views().length).toBe(viewsBefore);

      // Dismiss by an approver: a modal that will not take an empty reason.
      expect((await slackIn.click(PRIYA, post, 'cordon_verdict_dismiss')).status).toBe(200);
      const modal = await eventually('the dismiss modal', () => slack.views().slice(viewsBefore)[0]);
      expect(modal.view.callback_id).toBe('cordon_dismiss_verdict');
      const empty = await slackIn.submitView(PRIYA, modal.view, { reason: { value: { type: 'plain_text_input', value: '  ' } } });
      expect(await empty.json()).toMatchObject({ response_action: 'errors', errors: { reason: expect.stringMatching(/Say why this verdict is not an incident/) } });
      expect((await getStatus(client, workflowId)).outcome).toBe('running');

      const reason = 'CHG-42: Drift moved its sync workers to DigitalOcean';
      expect((await slackIn.submitView(PRIYA, modal.view, { reason: { value: { type: 'plain_text_input', value: reason } } })).status).toBe(200);
      // Cancelled through the signed cancel path, with who and why in the containment's evidence.
      const ended = await eventually('the containment cancelled', async () => {
        const s = await getStatus(client, workflowId);
        return s.outcome !== 'running' ? s : undefined;
      }, 60_000);
      expect(ended.outcome).toBe('cancelled');
      expect(ended.evidence.find((e) => e.kind === 'cancel_requested')).toMatchObject({ actor: PRIYA, channel: 'slack', reason: `dismissed: ${reason}`, authenticatedBy: 'slack_signature' });
      // Recorded in the watch's store by its worker, without waiting for a pass: the verdict is dismissed, the baseline taught.
      const dismissal = await eventually('the dismissal in the store', () => store.dismissals(TOKEN)[0], 60_000);
      expect(dismissal).toMatchObject({ verdictId, dismissal: { by: PRIYA, reason: `dismissed: ${reason}` } });
      expect(watch.verdict(TOKEN)?.status).toBe('dismissed');
      expect(store.containmentLink(workflowId)).toMatchObject({ outcome: 'cancelled' });
      // The verdict post is locked with who dismissed it and why; the thread says the dismissal is recorded.
      const lockedPost = await eventually('the locked verdict post', () => {
        const m = marked('verdict');
        return m && buttonsOf(m).length === 0 ? m : undefined;
      });
      expect(JSON.stringify(lockedPost.blocks)).toContain(`Dismissed* by <@${PRIYA}>: ${reason}`);
      await eventually('the dismissal reply', () => replies().find((m) => m.text.includes('Dismissal recorded by the drift watch') && m.text.includes(`<@${PRIYA}>`)));

      // The next pass delivers the Close finding: both sinks hold Create then Close of the one verdict, each once.
      const next = await runWatchOnce(client, target.taskQueue, { providers: ['salesforce'] });
      expect(next.report.findings).toMatchObject({ retrying: 0, failed: 0, pending: 0 });
      const lines = (await readFile(ndjsonPath, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Finding);
      const ofVerdict = lines.filter((f) => f.finding_info.uid === verdictId);
      expect(ofVerdict.map((f) => f.activity_id)).toEqual([1, 3]);
      expect(ofVerdict.map((f) => f.metadata.sequence)).toEqual([1, 2]);
      expect(ofVerdict[1]).toMatchObject({ status_id: 3, comment: `dismissed by ${PRIYA}: dismissed: ${reason}` });
      expect(new Set(lines.map((f) => f.metadata.uid)).size).toBe(lines.length);
      const hooked = receiver.got.flatMap((d) => d.events).filter((f) => f.finding_info.uid === verdictId);
      expect(hooked.map((f) => [f.activity_id, f.metadata.sequence])).toEqual([[1, 1], [3, 2]]);

      // Nothing secret reached Slack.
      const everything = JSON.stringify(slack.messages({ includeEphemeral: true }));
      for (const secret of [botToken, signingSecret, WEBHOOK_SECRET]) expect(everything).not.toContain(secret);
    } finally {
      await app.stop();
      await receiver.close();
    }
  }, 300_000);
});

