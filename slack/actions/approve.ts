// Approve button on an approval message.
import type { Block } from '../../notifiers/slack/blocks/block-kit.ts';
import type { SlackDeps } from '../deps.ts';
import { recordDecision } from '../record-decision.ts';
import { approvalClick, type ButtonArgs } from './button-value.ts';

export function approveAction(deps: SlackDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const click = await approvalClick(deps, args);
    if (!click) return;
    await recordDecision(deps, args.client, {
      value: click.value,
      decision: 'approve',
      user: args.body.user.id,
      team: args.body.team?.id ?? args.body.user.team_id ?? '',
      channel: click.channel,
      messageTs: click.message.ts,
      threadTs: click.threadTs,
      shown: (click.message.blocks ?? []) as Block[],
    });
  };
}
