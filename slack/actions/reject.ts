// Reject button: opens a modal asking for the reason; the decision is sent when it is submitted.
import { RejectModalMetadata } from '../../schemas/slack.ts';
import { rejectModal } from '../blocks/modals.ts';
import type { SlackDeps } from '../deps.ts';
import { tellUser } from '../tell-user.ts';
import { approvalClick, rememberShown, type ButtonArgs } from './button-value.ts';

export function rejectAction(deps: SlackDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const click = await approvalClick(deps, args);
    if (!click) return;
    const { channel, message, value, threadTs } = click;
    // The modal must carry where to write back; a click whose channel or message ids do not fit is
    // answered, not dropped (a throw here would leave the clicker with no reply at all).
    const parsed = RejectModalMetadata.safeParse({ ...value, channel, messageTs: message.ts, ...(threadTs ? { threadTs } : {}) });
    if (!parsed.success) {
      await tellUser(args.client, deps.logger, { channel, user: args.body.user.id }, 'This approval message cannot be rejected from here (its channel or message ids are malformed); nothing changed. Use `cordon approve --reject` or the API.');
      return;
    }
    const metadata = parsed.data;
    rememberShown(deps, channel, message.ts, message.blocks);
    await args.client.views.open({ trigger_id: args.body.trigger_id, view: rejectModal(JSON.stringify(metadata), value.stage) });
  };
}
