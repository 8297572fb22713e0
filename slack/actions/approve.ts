// Approve button on an approval message.
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Block } from '../blocks/block-kit.ts';
import type { SlackDeps } from '../deps.ts';
import { recordDecision } from '../record-decision.ts';
import { tellUser } from '../tell-user.ts';
import { buttonValue } from './button-value.ts';

export function approveAction(deps: SlackDeps) {
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
    await recordDecision(deps, client, {
      value,
      decision: 'approve',
      user: body.user.id,
      channel,
      messageTs: message.ts,
      threadTs: message.thread_ts as string | undefined,
      shown: (message.blocks ?? []) as Block[],
    });
  };
}

