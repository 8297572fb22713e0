// The worker's SlackNotifier against the Slack emulator with the real @slack/web-api client: two
// notifier instances stand for two workers (or one worker before and after a restart) running the
// same retried `notify` activity. Each post must reach the thread once.
import { readFileSync } from 'node:fs';
import { chainOf } from '../../schemas/evidence-chain.ts';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import type { Notification } from '../notifier.ts';
import { CallLog, FaultBook, startEmulatorServer, type EmulatorServer } from '../../emulators/core/server.ts';
import { createSlackEmulator, type PostedMessage, type SlackEmulator } from '../../emulators/slack/emulator.ts';
import { SlackScenario } from '../../emulators/slack/scenario.ts';
import type { ContainmentStatus } from '../../schemas/containment.ts';
import { createLogger } from '../../logging/logger.ts';
import { SlackNotifier } from './notifier.ts';

const CHANNEL = 'C0INCIDENT';
const WORKFLOW = 'cordon-contain-INC-7-0123456789abcdef';
const raw = JSON.parse(readFileSync(fileURLToPath(new URL('../../emulators/scenarios/salesloft-drift/slack.json', import.meta.url)), 'utf8')) as { tokens: { id: string; scopes: string[] }[] };
/** The shipped section, with Cordon's bot allowed to read public channel history (channels:history). */
const withHistory = (() => {
  const s = structuredClone(raw);
  s.tokens.find((t) => t.id === 'slack-cordon-bot')!.scopes.push('channels:history');
  return SlackScenario.parse(s);
})();
const withoutHistory = SlackScenario.parse(raw);
const BOT = withHistory.tokens.find((t) => t.id === 'slack-cordon-bot')!.value;

let emulator: SlackEmulator;
let server: EmulatorServer;
const log = new CallLog();
let root: string;

beforeAll(async () => {
  emulator = createSlackEmulator();
  server = await startEmulatorServer({ provider: 'slack', router: emulator.router, errors: emulator.errors, log, faults: new FaultBook() });
  emulator.setBaseUrl(server.url);
});
afterAll(async () => server.close());

async function openThread(section: SlackScenario): Promise<void> {
  emulator.load(section);
  log.clear();
  const posted = await new WebClient(BOT, { slackApiUrl: `${server.url}/api/`, retryConfig: { retries: 0 } }).chat.postMessage({ channel: CHANNEL, text: 'Containment INC-7: starting' });
  root = posted.ts!;
}
beforeEach(() => openThread(withHistory));

const worker = (status?: () => ContainmentStatus, warnings?: string[]) =>
  new SlackNotifier({
    botToken: BOT,
    slackApiUrl: `${server.url}/api/`,
    webClientOptions: { retryConfig: { retries: 0 } },
    approvers: ['W0SALESMGR'],
    ...(status ? { readStatus: async () => status() } : {}),
    logger: createLogger({ write: (line) => void warnings?.push(line) }),
  });

const base = { workflowId: WORKFLOW, incidentId: 'INC-7', origin: { channel: 'slack', slackChannel: CHANNEL, slackThreadTs: '' } };
const note = (n: Omit<Notification, 'workflowId' | 'incidentId' | 'origin'>): Notification => ({ ...base, ...n, origin: { ...base.origin, slackThreadTs: root } });
const approvalNeeded = () =>
  note({
    kind: 'approval_needed',
    summary: 'approval needed for c0-restrict',
    stage: 'c0-restrict',
    digest: 'ab'.repeat(32),
    approval: { description: 'Restrict the Drift token', credentialIds: ['memory:tok-drift-1'], consumerIds: ['drift-chat-sync'], wave: 0, quorum: 1 },
  });
const escalation = () => ({ ...approvalNeeded(), kind: 'escalation' as const, summary: 'no decision on c0-restrict yet' });
const completed = () => note({ kind: 'completed', summary: 'contained' });

const replies = (): PostedMessage[] => emulator.messages({ channel: CHANNEL, threadTs: root }).filter((m) => m.ts !== root);
const hasButtons = (m: PostedMessage) => (m.blocks ?? []).some((b) => (b as { type: string }).type === 'actions');

function status(over: Partial<ContainmentStatus>): ContainmentStatus {
  return {
    workflowId: WORKFLOW,
    incidentId: 'INC-7',
    mode: 'staged',
    stage: 'approval',
    outcome: 'running',
    startedAt: '2026-01-01T00:00:00.000Z',
    collateral: [],
    restrictions: [],
    scope: [],
    credentials: [],
    pendingApprovals: [],
    evidence: [],
    ...over,
  } as ContainmentStatus;
}

describe('posting once across workers and restarts', () => {
  it('two workers given the same notifications post the approval request, the escalation and the final report once', async () => {
    const a = worker();
    const b = worker();
    await a.notify(approvalNeeded());
    await b.notify(approvalNeeded()); // the retry lands on the other worker
    expect(replies()).toHaveLength(1);
    const [approval] = replies();
    expect(approval!.metadata).toEqual({ event_type: 'cordon_notification', event_payload: { workflow_id: WORKFLOW, key: 'approval:c0-restrict' } });

    // Worker b never posted the approval, yet finds it to mark it overdue, and posts the escalation once.
    await b.notify(escalation());
    await a.notify(escalation());
    await b.notify(escalation());
    const afterEscalation = replies();
    expect(afterEscalation).toHaveLength(2);
    expect(afterEscalation[0]!.ts).toBe(approval!.ts);
    expect(JSON.stringify(afterEscalation[0]!.blocks)).toContain('Still waiting');
    expect(afterEscalation[1]!.text).toMatch(/^⏰ No decision yet/);
    expect(afterEscalation[1]!.metadata).toEqual({ event_type: 'cordon_notification', event_payload: { workflow_id: WORKFLOW, key: 'escalation:c0-restrict' } });

    await a.notify(completed());
    await b.notify(completed());
    // A third process (a restarted worker, empty memory) retries everything: nothing new is posted.
    const restarted = worker();
    for (const n of [approvalNeeded(), escalation(), completed()]) await restarted.notify(n);
    expect(replies().map((m) => m.text)).toEqual([afterEscalation[0]!.text, afterEscalation[1]!.text, 'INC-7: contained']);
    expect(replies().map((m) => String(m.metadata?.event_payload.key))).toEqual(['approval:c0-restrict', 'escalation:c0-restrict', 'final']);
    expect(log.list({ operation: 'chat.postMessage' })).toHaveLength(4); // the root, then three replies
  });

  it('posts each distinct provider escalation once, keyed by a hash of its summary', async () => {
    const provider = (summary: string) => note({ kind: 'escalation', summary, stage: 'provider:memory' });
    await worker().notify(provider('memory keeps failing: revoke (attempt 5)'));
    await worker().notify(provider('memory keeps failing: revoke (attempt 5)'));
    await worker().notify(provider('memory keeps failing: verify (attempt 5)'));
    expect(replies().map((m) => m.text)).toEqual(['⏳ INC-7: memory keeps failing: revoke (attempt 5)', '⏳ INC-7: memory keeps failing: verify (attempt 5)']);
    const keys = replies().map((m) => String(m.metadata?.event_payload.key));
    for (const k of keys) expect(k).toMatch(/^escalation:provider:memory:[0-9a-f]{16}$/);
    expect(JSON.stringify(replies().map((m) => m.metadata))).not.toContain('keeps failing');
  });

  it('a restarted worker locks the approval message the previous one posted when the stage times out', async () => {
    const pending = status({ pendingApprovals: [{ stage: 'c0-restrict', digest: 'ab'.repeat(32), description: 'Restrict the Drift token', credentialIds: ['memory:tok-drift-1'], consumerIds: ['drift-chat-sync'], wave: 0, quorum: 1, approvals: [] } as never] });
    await worker(() => pending).notify(approvalNeeded());
    expect(hasButtons(replies()[0]!)).toBe(true);
    const finished = status({ outcome: 'contained', stage: 'done', evidence: chainOf([{ kind: 'approval_defaulted', actor: 'policy', stage: 'c0-restrict', onTimeout: 'proceed', severity: 'high' }]) });
    const restarted = worker(() => finished);
    await restarted.notify(completed());
    const [locked, report] = replies();
    expect(hasButtons(locked!)).toBe(false);
    expect(locked!.text).toBe('INC-7 c0-restrict: ⏱️ Timed out: no decision in time: the severity policy proceeded');
    expect(report!.text).toMatch(/^INC-7: contained/);
    await restarted.notify(completed());
    await worker(() => finished).notify(completed());
    expect(replies()).toHaveLength(2);
  });

  it('ignores a marked reply another app posted: only its own bot’s posts count', async () => {
    const other = new WebClient(withHistory.tokens.find((t) => t.id === 'slack-drift-bot-main')!.value, { slackApiUrl: `${server.url}/api/`, retryConfig: { retries: 0 } });
    await other.chat.postMessage({ channel: CHANNEL, thread_ts: root, text: 'decoy', metadata: { event_type: 'cordon_notification', event_payload: { workflow_id: WORKFLOW, key: 'approval:c0-restrict' } } });
    await worker().notify(approvalNeeded());
    expect(replies().map((m) => m.text)).toEqual(['decoy', 'Approval needed for INC-7, stage c0-restrict']);
  });

  it('without channels:history it warns once and falls back to its own memory', async () => {
    await openThread(withoutHistory);
    const warnings: string[] = [];
    const a = worker(undefined, warnings);
    await a.notify(approvalNeeded());
    await a.notify(approvalNeeded());
    await a.notify(completed());
    expect(replies()).toHaveLength(2);
    expect(warnings.filter((w) => w.includes('cannot read the Slack thread'))).toHaveLength(1);
    expect(warnings.find((w) => w.includes('cannot read the Slack thread'))).toContain('missing_scope');
  });
});
