// Reject button: opens a modal asking for the reason; the decision is sent when it is submitted.
import { RejectModalMetadata } from '../../schemas/slack.ts';
import type { Block } from '../blocks/block-kit.ts';
import { rejectModal } from '../blocks/modals.ts';
import type { SlackDeps } from '../deps.ts';
import { approvalClick, type ButtonArgs } from './button-value.ts';

export function rejectAction(deps: SlackDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const click = await approvalClick(deps, args);
    if (!click) return;
    const { channel, message, value, threadTs } = click;
    const metadata = RejectModalMetadata.parse({ ...value, channel, messageTs: message.ts, ...(threadTs ? { threadTs } : {}) });
    // Bounded: abandoned modals must not grow the map forever (the oldest entry goes first).
    if (deps.rejecting.size >= 500) deps.rejecting.delete(deps.rejecting.keys().next().value!);
    deps.rejecting.set(`${channel}|${message.ts}`, (message.blocks ?? []) as Block[]);
    await args.client.views.open({ trigger_id: args.body.trigger_id, view: rejectModal(JSON.stringify(metadata), value.stage) });
  };
}
