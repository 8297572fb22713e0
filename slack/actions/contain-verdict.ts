// Contain on a drift verdict: approves the stage of the watch's staged containment that is waiting now, through
// the same `decide` update as Approve (recordDecision: the stage's plan digest, the clicker as approver, a signed
// envelope), so the same rules hold — an authorized approver, not the requester, the quorum, first decision wins.
// The approval message of that stage is found in the thread (its mark) and locked like a click on it.
import type { Block } from '../../notifiers/slack/blocks/block-kit.ts';
import { markId, postKey, readMarkedReplies } from '../../notifiers/slack/notification-marks.ts';
import { getStatus } from '../../client/containments.ts';
import type { SlackDeps } from '../deps.ts';
import { recordDecision } from '../record-decision.ts';
import { tellUser } from '../tell-user.ts';
import { verdictClick, type ButtonArgs } from './button-value.ts';

export function containVerdictAction(deps: SlackDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const click = await verdictClick(deps, args);
    if (!click) return;
    const { channel, value, threadTs } = click;
    const user = args.body.user.id;
    const to = { channel, user, threadTs };
    const log = deps.logger.child({ workflowId: value.workflowId, verdictId: value.verdictId, user });
    const status = await getStatus(deps.temporal, value.workflowId).catch(() => undefined);
    if (!status) {
      await tellUser(args.client, log, to, `Cordon cannot reach the containment ${value.workflowId}; nothing was approved. Try again, or use \`cordon approve\`.`);
      return;
    }
    if (status.outcome !== 'running') {
      await tellUser(args.client, log, to, `The containment ${value.workflowId} already ended ${status.outcome}; nothing was approved.`);
      return;
    }
    const pending = status.pendingApprovals[0];
    if (!pending) {
      await tellUser(args.client, log, to, `No stage of ${value.workflowId} is waiting for approval yet (the plan is still being built, stage ${status.stage}); nothing was approved. Click again in a moment, or Approve on the approval message when it appears.`);
      return;
    }
    const approval = threadTs ? await approvalMessage(args, channel, threadTs, value.workflowId, pending.stage) : undefined;
    await recordDecision(deps, args.client, {
      value: { workflowId: value.workflowId, stage: pending.stage, digest: pending.digest },
      decision: 'approve',
      user,
      team: args.body.team?.id ?? args.body.user.team_id ?? '',
      channel,
      messageTs: approval?.ts,
      threadTs,
      shown: approval?.blocks ?? [],
    });
  };
}

/** The stage's approval message in the thread, posted by the worker with its mark; undefined if not (yet) there or unreadable. */
async function approvalMessage(args: ButtonArgs, channel: string, threadTs: string, workflowId: string, stage: string): Promise<{ ts: string; blocks: Block[] } | undefined> {
  const bot = args.context.botUserId;
  if (!bot) return undefined;
  const read = await readMarkedReplies(args.client, channel, threadTs, bot).catch(() => undefined);
  return read && 'replies' in read ? read.replies.get(markId(workflowId, postKey.approval(stage))) : undefined;
}
