// One Approve or Reject from Slack → the workflow's `decide` update, which enforces every rule (I7:
// digest, authorized approver, not the requester unless break-glass, quorum, first decision wins).
// Accepted: the message is updated (locked once decided, showing the decider). Refused: only the
// clicker is told why, the message stays as it is; the refusal is in the evidence (client/decide).
import type { WebClient } from '@slack/web-api';
import { decide, DecisionRefusedError, getStatus } from '../client/containments.ts';
import type { ApprovalButtonValue } from '../schemas/slack.ts';
import { detailsFromPending } from '../notifiers/slack/approval-details.ts';
import { approvalOutcome } from '../notifiers/slack/approval-outcome.ts';
import { approvalRequestBlocks, approvalText, lockedApprovalBlocks, lockedText } from '../notifiers/slack/blocks/approval.ts';
import type { Block } from '../notifiers/slack/blocks/block-kit.ts';
import type { SlackDeps } from './deps.ts';
import { tellUser } from './tell-user.ts';
import { threadRequestFromStatus } from '../notifiers/slack/thread-request.ts';

export interface SlackDecision {
  value: ApprovalButtonValue;
  decision: 'approve' | 'reject';
  user: string;
  /** The clicking user's workspace (Bolt's checked request body). */
  team: string;
  reason?: string;
  channel: string;
  /** The approval message to update; absent when the decision came from elsewhere in the thread (a verdict's Contain) and the message is not found. */
  messageTs?: string | undefined;
  threadTs?: string | undefined;
  /** The approval message's blocks as the clicker saw them. */
  shown: Block[];
}

/** Bolt has checked the request (its signature, or the Socket Mode connection): the envelope vouches for this user. */
export function slackVouch(deps: SlackDeps, user: string, team: string) {
  return deps.envelopeKeys && { keys: deps.envelopeKeys, identity: { authenticatedBy: 'slack_signature' as const, slackUserId: user, slackTeamId: team, slackTransport: deps.slackTransport } };
}

export async function recordDecision(deps: SlackDeps, web: WebClient, d: SlackDecision): Promise<void> {
  const { workflowId, stage, digest } = d.value;
  const log = deps.logger.child({ workflowId, stage, user: d.user });
  const to = { channel: d.channel, user: d.user, threadTs: d.threadTs };
  let result;
  try {
    result = await decide(deps.temporal, workflowId, { stage, digest, decision: d.decision, approver: d.user, channel: 'slack', ...(d.reason ? { reason: d.reason } : {}) }, slackVouch(deps, d.user, d.team));
  } catch (err) {
    if (err instanceof DecisionRefusedError) {
      log.info('decision refused', { decision: d.decision, reason: err.message });
      await tellUser(web, log, to, `Your ${d.decision === 'approve' ? 'approval' : 'rejection'} was not counted: ${err.message}. The refusal is recorded in the containment's evidence; the message is unchanged.`);
      return;
    }
    log.error('decision not delivered', { error: err });
    await tellUser(web, log, to, `Your decision could not be recorded: the containment has finished or Cordon cannot reach it (workflow ${workflowId}). Nothing changed.`);
    return;
  }
  log.info('decision recorded', { decision: d.decision, state: result.state });
  const status = await getStatus(deps.temporal, workflowId);
  const pending = status.pendingApprovals.find((p) => p.stage === stage);
  if (!d.messageTs) {
    // The worker's notifier locks the approval message with the decision on its next post.
  } else if (result.state === 'pending' && pending) {
    // Quorum not reached yet: keep the buttons, show who approved so far.
    const details = detailsFromPending(status, pending);
    await web.chat.update({ channel: d.channel, ts: d.messageTs, text: approvalText(details), blocks: approvalRequestBlocks(details) });
  } else {
    const outcome = approvalOutcome(status.evidence, stage, false);
    if (outcome.state !== 'pending') {
      await web.chat.update({ channel: d.channel, ts: d.messageTs, text: lockedText({ incidentId: status.incidentId, stage }, outcome), blocks: lockedApprovalBlocks(d.shown, outcome) });
    }
  }
  // After a restart of this app the thread is no longer followed: a click picks it up again.
  if (d.threadTs && !deps.follower.isFollowing(workflowId) && status.outcome === 'running') deps.follower.follow(threadRequestFromStatus(status), d.channel, d.threadTs);
}
