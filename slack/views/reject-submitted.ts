// The reject modal, submitted: a reason is required; the rejection then goes to the workflow like a
// click, and the approval message is locked with the reason and who rejected.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import { RejectModalMetadata } from '../../schemas/slack.ts';
import { containsRawSecret, RAW_SECRET_REFUSAL } from '../raw-secret-guard.ts';
import type { SlackDeps } from '../deps.ts';
import { recordDecision } from '../record-decision.ts';
import { inputValue } from './view-values.ts';

export function rejectSubmitted(deps: SlackDeps) {
  return async ({ ack, view, body, client }: SlackViewMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const reason = inputValue(view, 'reason')?.trim() ?? '';
    if (!reason) {
      await ack({ response_action: 'errors', errors: { reason: 'Say why this stage is rejected: the reason goes into the evidence.' } });
      return;
    }
    if (containsRawSecret(reason)) {
      await ack({ response_action: 'errors', errors: { reason: RAW_SECRET_REFUSAL } });
      return;
    }
    let metadata: RejectModalMetadata;
    try {
      metadata = RejectModalMetadata.parse(JSON.parse(view.private_metadata));
    } catch {
      await ack({ response_action: 'errors', errors: { reason: 'This form is out of date; click Reject on the approval message again.' } });
      return;
    }
    await ack();
    const key = `${metadata.channel}|${metadata.messageTs}`;
    const shown = deps.rejecting.get(key) ?? [];
    deps.rejecting.delete(key);
    const { workflowId, stage, digest } = metadata;
    await recordDecision(deps, client, {
      value: { workflowId, stage, digest },
      decision: 'reject',
      user: body.user.id,
      team: body.team?.id ?? body.user.team_id ?? '',
      reason: reason.slice(0, 2000),
      channel: metadata.channel,
      messageTs: metadata.messageTs,
      threadTs: metadata.threadTs,
      shown,
    });
  };
}
