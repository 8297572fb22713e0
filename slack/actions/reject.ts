// Reject button: opens a modal asking for the reason; the decision is sent when it is submitted.
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { RejectModalMetadata } from '../../schemas/slack.ts';
import type { Block } from '../blocks/block-kit.ts';
import { rejectModal } from '../blocks/modals.ts';
import type { SlackDeps } from '../deps.ts';
import { tellUser } from '../tell-user.ts';
import { buttonValue } from './button-value.ts';

export function rejectAction(deps: SlackDeps) {
  return async ({ ack, body, action, client }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const channel = body.channel?.id;
    const message = body.message;
    if (!channel || !message) return;
    const value = buttonValue(action.value);
    if (!value) {
      await tellUser(client, deps.logger, { channel, user: body.user.id }, 'This button does not belong to a Cordon approval; nothing changed.');
      return;
    }
    const threadTs = message.thread_ts as string | undefined;
    const metadata = RejectModalMetadata.parse({ ...value, channel, messageTs: message.ts, ...(threadTs ? { threadTs } : {}) });
    // Bounded: abandoned modals must not grow the map forever (the oldest entry goes first).
    if (deps.rejecting.size >= 500) deps.rejecting.delete(deps.rejecting.keys().next().value!);
    deps.rejecting.set(`${channel}|${message.ts}`, (message.blocks ?? []) as Block[]);
    await client.views.open({ trigger_id: body.trigger_id, view: rejectModal(JSON.stringify(metadata), value.stage) });
  };
}
