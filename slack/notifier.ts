// The worker's Slack side (issue 5): posts each approval request, escalation and the final report into
// the containment's thread (origin.slackChannel / slackThreadTs, set by the /cordon command), keeps
// the status message current, and locks approval messages that timed out. Runs inside the `notify`
// activity, which Temporal retries: every post is keyed so a retry does not post twice.
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Notification, Notifier } from '../activities/index.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import type { ContainmentStatus } from '../schemas/containment.ts';
import { detailsFromNotification } from './approval-details.ts';
import { approvalOutcome } from './approval-outcome.ts';
import { approvalRequestBlocks, approvalText, lockedApprovalBlocks, lockedText } from './blocks/approval.ts';
import { escapeText, type Block } from './blocks/block-kit.ts';
import { escalationText, finalReportBlocks, finalReportText, threadStatusBlocks, threadText } from './blocks/containment-thread.ts';
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

export class SlackNotifier implements Notifier {
  readonly #client: WebClient;
  readonly #opts: SlackNotifierOptions;
  readonly #log: Logger;
  /** Approval messages this worker posted, by `workflowId|stage`: a retried activity finds its post. */
  readonly #approvals = new Map<string, PostedApproval>();
  /** Final reports and escalations already posted, by `workflowId|kind|stage`. */
  readonly #posted = new Set<string>();

  constructor(opts: SlackNotifierOptions) {
    this.#opts = opts;
    this.#log = opts.logger ?? createLogger({ base: { component: 'slack-notifier' } });
    this.#client = new WebClient(opts.botToken, { ...opts.webClientOptions, ...(opts.slackApiUrl ? { slackApiUrl: opts.slackApiUrl } : {}) });
  }

  async notify(n: Notification): Promise<void> {
    const channel = n.origin?.slackChannel;
    const threadTs = n.origin?.slackThreadTs;
    // Started elsewhere (API, CLI, Temporal-direct): there is no thread to follow.
    if (n.origin?.channel !== 'slack' || !channel || !threadTs) return;
    const status = await this.#status(n.workflowId);

    if (n.kind === 'approval_needed') await this.#postApproval(n, channel, threadTs, status);
    if (n.kind === 'escalation') await this.#markEscalated(n, status);
    // A provider that keeps failing (I9) escalates too: its stage is `provider:…`, and the text says what Cordon waits on.
    if (n.kind === 'escalation' && n.stage?.startsWith('provider:')) await this.#postOnce(`${n.workflowId}|escalation|${n.stage}|${n.summary}`, channel, threadTs, `⏳ ${escapeText(n.incidentId)}: ${escapeText(n.summary)}`);
    else if (n.kind === 'escalation') await this.#postOnce(`${n.workflowId}|escalation|${n.stage}`, channel, threadTs, escalationText(n.incidentId, n.stage ?? '', this.#opts.approvers ?? []));
    if (n.kind === 'completed' || n.kind === 'not_contained') {
      await this.#postOnce(`${n.workflowId}|final`, channel, threadTs, status ? finalReportText(status) : `${n.incidentId}: ${n.summary}`, status ? finalReportBlocks(status) : undefined);
    }
    if (status) {
      await this.#lockFinishedApprovals(n.workflowId, status);
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

  async #postApproval(n: Notification, channel: string, threadTs: string, status: ContainmentStatus | undefined): Promise<void> {
    const key = `${n.workflowId}|${n.stage}`;
    if (this.#approvals.has(key)) return;
    const details = detailsFromNotification(n, status);
    if (!details) {
      this.#log.warn('approval notification without stage details', { workflowId: n.workflowId, stage: n.stage });
      return;
    }
    const blocks = approvalRequestBlocks(details);
    const posted = await this.#client.chat.postMessage({ channel, thread_ts: threadTs, text: approvalText(details), blocks });
    this.#approvals.set(key, { channel, ts: posted.ts!, blocks, incidentId: n.incidentId, stage: details.stage, locked: false });
    this.#log.info('approval message posted', { workflowId: n.workflowId, stage: details.stage, channel });
  }

  /** The approval message says it is overdue, buttons kept: it can still be decided until the policy default. */
  async #markEscalated(n: Notification, status: ContainmentStatus | undefined): Promise<void> {
    const a = this.#approvals.get(`${n.workflowId}|${n.stage}`);
    const details = detailsFromNotification(n, status);
    if (!a || a.locked || !details) return;
    const blocks = approvalRequestBlocks({ ...details, escalated: true });
    await this.#client.chat.update({ channel: a.channel, ts: a.ts, text: approvalText(details), blocks });
    a.blocks = blocks;
  }

  async #postOnce(key: string, channel: string, threadTs: string, text: string, blocks?: Block[]): Promise<void> {
    if (this.#posted.has(key)) return;
    await this.#client.chat.postMessage({ channel, thread_ts: threadTs, text, ...(blocks ? { blocks } : {}) });
    this.#posted.add(key);
  }

  /**
   * A stage that left the pending list without a click (timeout default, deadline, end of the run)
   * still shows its buttons: lock it with what happened. A click-decided stage was locked by the app
   * already; locking it again writes the same decision.
   */
  async #lockFinishedApprovals(workflowId: string, status: ContainmentStatus): Promise<void> {
    for (const [key, a] of this.#approvals) {
      if (a.locked || !key.startsWith(`${workflowId}|`)) continue;
      // A finished run (cancelled, failed) decides nothing more, whatever its last pending list says.
      const stillPending = status.outcome === 'running' && status.pendingApprovals.some((p) => p.stage === a.stage);
      const outcome = approvalOutcome(status.evidence, a.stage, stillPending);
      if (outcome.state === 'pending') continue;
      await this.#client.chat.update({ channel: a.channel, ts: a.ts, text: lockedText(a, outcome), blocks: lockedApprovalBlocks(a.blocks, outcome) });
      a.locked = true;
    }
  }
}
