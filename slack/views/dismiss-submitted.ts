// The dismiss modal, submitted: a reason is required. The verdict's containment is cancelled through the signed
// cancel path (`cordon watch dismiss` does the same: client/watch.ts), the verdict message is locked with who
// and why, and the dismissal is recorded in the watch's store right away by the `settleDriftContainment`
// workflow on the watch's worker (the Slack app does not hold the store), which teaches the token's baseline.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import { dismissVerdict, settleDismissal } from '../../client/watch.ts';
import { lockedVerdictBlocks } from '../../notifiers/slack/blocks/verdict.ts';
import { escapeText, mention } from '../../notifiers/slack/blocks/block-kit.ts';
import { DismissModalMetadata } from '../../schemas/slack.ts';
import { notAllowedToDismiss } from '../actions/dismiss-verdict.ts';
import { containsRawSecret, RAW_SECRET_REFUSAL } from '../raw-secret-guard.ts';
import type { SlackDeps } from '../deps.ts';
import { slackVouch } from '../record-decision.ts';
import { tellUser } from '../tell-user.ts';
import { inputValue } from './view-values.ts';

export function dismissSubmitted(deps: SlackDeps, options: { settleWaitMs?: number } = {}) {
  return async ({ ack, view, body, client }: SlackViewMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const user = body.user.id;
    const reason = inputValue(view, 'reason')?.trim() ?? '';
    if (!reason) {
      await ack({ response_action: 'errors', errors: { reason: 'Say why this verdict is not an incident: the reason is recorded with the dismissal and teaches the token’s baseline.' } });
      return;
    }
    if (containsRawSecret(reason)) {
      await ack({ response_action: 'errors', errors: { reason: RAW_SECRET_REFUSAL } });
      return;
    }
    // Checked again here: the modal may have been opened by someone who was an approver then.
    if (!deps.approvers.includes(user)) {
      await ack({ response_action: 'errors', errors: { reason: notAllowedToDismiss(user) } });
      return;
    }
    let metadata: DismissModalMetadata;
    try {
      metadata = DismissModalMetadata.parse(JSON.parse(view.private_metadata));
    } catch {
      await ack({ response_action: 'errors', errors: { reason: 'This form is out of date; click Dismiss on the verdict again.' } });
      return;
    }
    await ack();
    const { workflowId, channel, messageTs, threadTs } = metadata;
    const log = deps.logger.child({ workflowId, verdictId: metadata.verdictId, user });
    const to = { channel, user, threadTs };
    const key = `${channel}|${messageTs}`;
    const shown = deps.rejecting.get(key) ?? [];
    deps.rejecting.delete(key);
    const why = reason.slice(0, 1900);
    try {
      await dismissVerdict(deps.temporal, workflowId, { actor: user, reason: why, channel: 'slack' }, slackVouch(deps, user, body.team?.id ?? body.user.team_id ?? ''));
    } catch (err) {
      log.info('dismiss not done', { error: err });
      await tellUser(client, log, to, `The verdict was not dismissed: ${err instanceof Error ? err.message : 'Cordon could not reach the containment'}.`);
      return;
    }
    log.info('verdict dismissed; containment cancelled');
    await client.chat.update({ channel, ts: messageTs, text: `Drift verdict dismissed by ${user}`, blocks: lockedVerdictBlocks(shown, { state: 'dismissed', by: user, reason: why }) }).catch((err: unknown) => log.warn('verdict message not updated', { error: err }));
    const settled = await settleDismissal(deps.temporal, deps.taskQueue, workflowId, options.settleWaitMs).catch((err: unknown) => {
      log.warn('dismissal not settled yet', { error: err });
      return undefined;
    });
    const text = settled?.dismissal
      ? `🙅 Dismissal recorded by the drift watch: ${mention(settled.dismissal.by)}, “${escapeText(settled.dismissal.reason)}”. The token’s baseline now knows what the verdict was about; the same use will not raise it again.`
      : `🙅 Containment cancelled. The drift watch records the dismissal (who and why) when its worker settles it, at the latest on its next pass.`;
    await client.chat.postMessage({ channel, ...(threadTs ? { thread_ts: threadTs } : {}), text }).catch((err: unknown) => log.warn('dismissal reply not posted', { error: err }));
  };
}
