// The worker's Slack side (issue 5): posts each approval request, escalation and the final report into
// the containment's thread (origin.slackChannel / slackThreadTs, set by the /cordon command), keeps
// the status message current, and locks approval messages that timed out. Runs inside the `notify`
// activity, which Temporal retries: every post carries a key in its Slack message metadata, and the
// thread is read for that key before posting, so a retry does not post twice, whichever worker runs it
// and whether or not this process posted the first time (notification-marks.ts). Memory is a cache only.
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Notification, Notifier } from '../notifier.ts';
import { createLogger, type Logger } from '../../logging/logger.ts';
import type { ContainmentStatus } from '../../schemas/containment.ts';
import { detailsFromNotification } from './approval-details.ts';
import { approvalOutcome } from './approval-outcome.ts';
import { APPROVAL_ACTIONS_BLOCK, approvalRequestBlocks, approvalText, lockedApprovalBlocks, lockedText } from './blocks/approval.ts';
import { escapeText, type Block } from './blocks/block-kit.ts';
import { escalationText, finalReportBlocks, finalReportText, threadStatusBlocks, threadText } from './blocks/containment-thread.ts';
import { lockedVerdictBlocks, VERDICT_ACTIONS_BLOCK } from './blocks/verdict.ts';
import { markId, notificationMetadata, postKey, readMarkedReplies, type MarkedReply } from './notification-marks.ts';
import { threadRequestFromStatus } from './thread-request.ts';

export interface SlackNotifierOptions {
  botToken: string;
  /** The Web API base (`https://slack.com/api/` by default; the emulator's `/api/` in tests). */
  slackApiUrl?: string;
  webClientOptions?: Omit<WebClientOptions, 'slackApiUrl'>;
  /** Reads the containment's status (a Temporal query): adds consumer names, the scope and the final report. */
  readStatus?: (workflowId: string) => Promise<ContainmentStatus>;
  /** Approvers to mention on escalation. */
  approvers?: string[];
  logger?: Logger;
}

interface PostedApproval {
  channel: string;
  ts: string;
  blocks: Block[];
  incidentId: string;
  stage: string;
  locked: boolean;
}

/**
 * The thread's marked replies, read at most once per notify call and only when the cache misses.
 * `undefined` when the token cannot read the thread: posting then relies on the cache alone.
 */
type ThreadView = () => Promise<Map<string, MarkedReply> | undefined>;

export class SlackNotifier implements Notifier {
  readonly #client: WebClient;
  readonly #opts: SlackNotifierOptions;
  readonly #log: Logger;
  /** Cache of approval messages posted or found in the thread, by markId(workflowId, approval key). */
  readonly #approvals = new Map<string, PostedApproval>();
  /** Cache of final reports and escalations posted or found in the thread, by markId. */
  readonly #posted = new Set<string>();
  #botUserId: Promise<string> | undefined;
  readonly #warnedUnreadable = new Set<string>();

  constructor(opts: SlackNotifierOptions) {
    this.#opts = opts;
    this.#log = opts.logger ?? createLogger({ base: { component: 'slack-notifier' } });
    this.#client = new WebClient(opts.botToken, { ...opts.webClientOptions, ...(opts.slackApiUrl ? { slackApiUrl: opts.slackApiUrl } : {}) });
  }

  async notify(n: Notification): Promise<void> {
    const channel = n.origin?.slackChannel;
    const threadTs = n.origin?.slackThreadTs;
    // Started elsewhere (API, CLI, Temporal-direct): there is no thread to follow. Slack and the drift watch
    // (CORDON_WATCH_SLACK_CHANNEL) open one before the run starts and name it in the input.
    if ((n.origin?.channel !== 'slack' && n.origin?.channel !== 'watch') || !channel || !threadTs) return;
    const status = await this.#status(n.workflowId);
    const thread = this.#threadView(channel, threadTs);

    if (n.kind === 'approval_needed') await this.#postApproval(n, channel, threadTs, status, thread);
    if (n.kind === 'escalation') await this.#markEscalated(n, channel, status, thread);
    // A provider that keeps failing (I9) escalates too: its stage is `provider:…`, and the text says what Cordon waits on.
    if (n.kind === 'escalation' && n.stage?.startsWith('provider:')) {
      await this.#postOnce(n.workflowId, postKey.providerEscalation(n.stage, n.summary), channel, threadTs, thread, `⏳ ${escapeText(n.incidentId)}: ${escapeText(n.summary)}`);
    } else if (n.kind === 'escalation') {
      await this.#postOnce(n.workflowId, postKey.escalation(n.stage ?? ''), channel, threadTs, thread, escalationText(n.incidentId, n.stage ?? '', this.#opts.approvers ?? []));
    }
    if ((n.kind === 'completed' || n.kind === 'not_contained') && n.origin?.channel === 'watch') await this.#lockVerdict(n.workflowId, channel, n.outcome ?? n.kind, thread);
    if (n.kind === 'completed' || n.kind === 'not_contained') {
      await this.#postOnce(n.workflowId, postKey.final(), channel, threadTs, thread, status ? finalReportText(status) : `${n.incidentId}: ${n.summary}`, status ? finalReportBlocks(status) : undefined);
    }
    if (status) {
      await this.#lockFinishedApprovals(n.workflowId, n.incidentId, channel, status, thread);
      await this.#client.chat.update({ channel, ts: threadTs, text: threadText(status, status), blocks: threadStatusBlocks(threadRequestFromStatus(status), status) });
    }
  }

  async #status(workflowId: string): Promise<ContainmentStatus | undefined> {
    if (!this.#opts.readStatus) return undefined;
    try {
      return await this.#opts.readStatus(workflowId);
    } catch (err) {
      // The message still goes out without the extra detail.
      this.#log.warn('could not read the containment status', { workflowId, error: err });
      return undefined;
    }
  }

  /** Who this bot is (auth.test, once per process): only its own marked replies count. */
  async #me(): Promise<string> {
    this.#botUserId ??= this.#client.auth.test().then(
      (r) => r.user_id!,
      (err: unknown) => {
        this.#botUserId = undefined;
        throw err;
      },
    );
    return this.#botUserId;
  }

  #threadView(channel: string, threadTs: string): ThreadView {
    let read: Promise<Map<string, MarkedReply> | undefined> | undefined;
    return () =>
      (read ??= (async () => {
        const result = await readMarkedReplies(this.#client, channel, threadTs, await this.#me());
        if ('replies' in result) return result.replies;
        // Without channels:history (groups:history for a private channel) the thread cannot be read:
        // posts are then only deduplicated by this process's cache, as before.
        if (!this.#warnedUnreadable.has(result.unreadable)) {
          this.#warnedUnreadable.add(result.unreadable);
          this.#log.warn('cannot read the Slack thread: a retried notification on another worker may post twice', { channel, error: result.unreadable });
        }
        return undefined;
      })().catch((err: unknown) => {
        read = undefined;
        throw err;
      }));
  }

  /** An approval message found in the thread (posted by any worker), cached like one this worker posted. */
  #adopt(reply: MarkedReply, channel: string, incidentId: string): PostedApproval {
    const stage = reply.key.slice('approval:'.length);
    // A message without its buttons was locked already (by the app after a click, or by a worker).
    const a: PostedApproval = { channel, ts: reply.ts, blocks: reply.blocks, incidentId, stage, locked: !reply.blocks.some((b) => b.block_id === APPROVAL_ACTIONS_BLOCK) };
    this.#approvals.set(markId(reply.workflowId, reply.key), a);
    return a;
  }

  async #findApproval(workflowId: string, stage: string, channel: string, incidentId: string, thread: ThreadView): Promise<PostedApproval | undefined> {
    const id = markId(workflowId, postKey.approval(stage));
    const cached = this.#approvals.get(id);
    if (cached) return cached;
    const reply = (await thread())?.get(id);
    return reply ? this.#adopt(reply, channel, incidentId) : undefined;
  }

  async #postApproval(n: Notification, channel: string, threadTs: string, status: ContainmentStatus | undefined, thread: ThreadView): Promise<void> {
    const key = postKey.approval(n.stage ?? '');
    if (this.#approvals.has(markId(n.workflowId, key))) return;
    const details = detailsFromNotification(n, status);
    if (!details) {
      this.#log.warn('approval notification without stage details', { workflowId: n.workflowId, stage: n.stage });
      return;
    }
    if (await this.#findApproval(n.workflowId, details.stage, channel, n.incidentId, thread)) {
      this.#log.info('approval message already in the thread', { workflowId: n.workflowId, stage: details.stage, channel });
      return;
    }
    const blocks = approvalRequestBlocks(details);
    const posted = await this.#client.chat.postMessage({ channel, thread_ts: threadTs, text: approvalText(details), blocks, metadata: notificationMetadata(n.workflowId, key) });
    this.#approvals.set(markId(n.workflowId, key), { channel, ts: posted.ts!, blocks, incidentId: n.incidentId, stage: details.stage, locked: false });
    this.#log.info('approval message posted', { workflowId: n.workflowId, stage: details.stage, channel });
  }

  /** The approval message says it is overdue, buttons kept: it can still be decided until the policy default. */
  async #markEscalated(n: Notification, channel: string, status: ContainmentStatus | undefined, thread: ThreadView): Promise<void> {
    const details = detailsFromNotification(n, status);
    if (!details) return;
    const a = await this.#findApproval(n.workflowId, details.stage, channel, n.incidentId, thread);
    if (!a || a.locked) return;
    const blocks = approvalRequestBlocks({ ...details, escalated: true });
    await this.#client.chat.update({ channel: a.channel, ts: a.ts, text: approvalText(details), blocks });
    a.blocks = blocks;
  }

  /** The drift verdict's Contain / Dismiss go once the containment has ended: nothing is left to decide. */
  async #lockVerdict(workflowId: string, channel: string, outcome: string, thread: ThreadView): Promise<void> {
    const reply = (await thread())?.get(markId(workflowId, postKey.verdict()));
    if (!reply || !reply.blocks.some((b) => b.block_id === VERDICT_ACTIONS_BLOCK)) return;
    await this.#client.chat.update({ channel, ts: reply.ts, text: `Drift verdict: containment ended ${outcome}`, blocks: lockedVerdictBlocks(reply.blocks, { state: 'ended', outcome }) });
  }

  async #postOnce(workflowId: string, key: string, channel: string, threadTs: string, thread: ThreadView, text: string, blocks?: Block[]): Promise<void> {
    const id = markId(workflowId, key);
    if (this.#posted.has(id)) return;
    if (!(await thread())?.has(id)) {
      await this.#client.chat.postMessage({ channel, thread_ts: threadTs, text, ...(blocks ? { blocks } : {}), metadata: notificationMetadata(workflowId, key) });
    }
    this.#posted.add(id);
  }

  /**
   * A stage that left the pending list without a click (timeout default, deadline, end of the run)
   * still shows its buttons: lock it with what happened. A click-decided stage was locked by the app
   * already; locking it again writes the same decision.
   */
  async #lockFinishedApprovals(workflowId: string, incidentId: string, channel: string, status: ContainmentStatus, thread: ThreadView): Promise<void> {
    // Approval messages another worker (or this one before a restart) posted: read from the thread when
    // the status names a stage not cached here, or the run is over (its last chance to be locked).
    const stages = new Set([...status.pendingApprovals.map((p) => p.stage), ...status.evidence.flatMap((e) => (e.kind === 'approval_requested' ? [e.stage] : []))]);
    if (status.outcome !== 'running' || [...stages].some((s) => !this.#approvals.has(markId(workflowId, postKey.approval(s))))) {
      for (const reply of (await thread())?.values() ?? []) {
        if (reply.workflowId === workflowId && reply.key.startsWith('approval:') && !this.#approvals.has(markId(workflowId, reply.key))) this.#adopt(reply, channel, incidentId);
      }
    }
    for (const [key, a] of this.#approvals) {
      if (a.locked || !key.startsWith(`${workflowId}|approval:`)) continue;
      // A finished run (cancelled, failed) decides nothing more, whatever its last pending list says.
      const stillPending = status.outcome === 'running' && status.pendingApprovals.some((p) => p.stage === a.stage);
      const outcome = approvalOutcome(status.evidence, a.stage, stillPending);
      if (outcome.state === 'pending') continue;
      await this.#client.chat.update({ channel: a.channel, ts: a.ts, text: lockedText(a, outcome), blocks: lockedApprovalBlocks(a.blocks, outcome) });
      a.locked = true;
    }
  }
}
