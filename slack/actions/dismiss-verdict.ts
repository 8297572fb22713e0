// Dismiss on a drift verdict: only an approver may dismiss (the containment's cancel leaves the token alive);
// opens a modal asking why. The dismissal happens when it is submitted (views/dismiss-submitted.ts).
import { DismissModalMetadata } from '../../schemas/slack.ts';
import { dismissModal } from '../blocks/modals.ts';
import type { SlackDeps } from '../deps.ts';
import { tellUser } from '../tell-user.ts';
import { rememberShown, verdictClick, type ButtonArgs } from './button-value.ts';

export const notAllowedToDismiss = (user: string) =>
  `${user} is not an authorized approver: only Cordon's approvers (CORDON_SLACK_APPROVERS) may dismiss a drift verdict, since dismissing cancels its containment and leaves the token alive. Nothing changed.`;

export function dismissVerdictAction(deps: SlackDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const click = await verdictClick(deps, args);
    if (!click) return;
    const { channel, message, value, threadTs } = click;
    const user = args.body.user.id;
    if (!deps.approvers.includes(user)) {
      deps.logger.info('dismiss refused', { workflowId: value.workflowId, user, reason: 'not an approver' });
      await tellUser(args.client, deps.logger, { channel, user, threadTs }, notAllowedToDismiss(user));
      return;
    }
    const parsed = DismissModalMetadata.safeParse({ ...value, channel, messageTs: message.ts, ...(threadTs ? { threadTs } : {}) });
    if (!parsed.success) {
      await tellUser(args.client, deps.logger, { channel, user }, 'This verdict message cannot be dismissed from here (its channel or message ids are malformed); nothing changed. Use `cordon watch dismiss`.');
      return;
    }
    rememberShown(deps, channel, message.ts, message.blocks);
    await args.client.views.open({ trigger_id: args.body.trigger_id, view: dismissModal(JSON.stringify(parsed.data), value.verdictId) });
  };
}
