// The value of an Approve / Reject button, parsed with the shared schema (a forged or stale value
// is refused here or by the workflow's validator, never trusted).
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { ApprovalButtonValue } from '../../schemas/slack.ts';
import type { SlackDeps } from '../deps.ts';
import { tellUser } from '../tell-user.ts';

export function buttonValue(raw: string | undefined): ApprovalButtonValue | undefined {
  try {
    const parsed = ApprovalButtonValue.safeParse(JSON.parse(raw ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/**
 * What every approval-button listener does first: the channel, the clicked message and its parsed
 * value; a button that is not Cordon's is answered ephemerally and yields nothing.
 */
export async function approvalClick(deps: SlackDeps, { body, action, client }: ButtonArgs) {
  const channel = body.channel?.id;
  const message = body.message;
  if (!channel || !message) return undefined;
  const value = buttonValue(action.value);
  if (!value) {
    await tellUser(client, deps.logger, { channel, user: body.user.id }, 'This button does not belong to a Cordon approval; nothing changed.');
    return undefined;
  }
  return { channel, message, value, threadTs: message.thread_ts as string | undefined };
}
