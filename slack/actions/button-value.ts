// The value of an Approve / Reject button, parsed with the shared schema (a forged or stale value
// is refused here or by the workflow's validator, never trusted).
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { ApprovalButtonValue, VerdictButtonValue } from '../../schemas/slack.ts';
import type { SlackDeps } from '../deps.ts';
import type { Block } from '../../notifiers/slack/blocks/block-kit.ts';
import { tellUser } from '../tell-user.ts';

export function buttonValue(raw: string | undefined): ApprovalButtonValue | undefined {
  return parsedValue(ApprovalButtonValue, raw);
}

function parsedValue<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, raw: string | undefined): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(raw ?? ''));
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

/** What every drift-verdict button listener does first, like approvalClick for a verdict's Contain / Dismiss. */
export async function verdictClick(deps: SlackDeps, { body, action, client }: ButtonArgs) {
  const channel = body.channel?.id;
  const message = body.message;
  if (!channel || !message) return undefined;
  const value = parsedValue(VerdictButtonValue, action.value);
  if (!value) {
    await tellUser(client, deps.logger, { channel, user: body.user.id }, 'This button does not belong to a Cordon drift verdict; nothing changed.');
    return undefined;
  }
  return { channel, message, value, threadTs: message.thread_ts as string | undefined };
}

/**
 * Keeps the blocks of a message whose modal is open, by `channel|ts`: the view submission carries no message,
 * and the locked message should still show what was decided. Bounded: abandoned modals must not grow the
 * map forever (the oldest entry goes first).
 */
export function rememberShown(deps: SlackDeps, channel: string, ts: string, blocks: unknown[] | undefined): void {
  if (deps.rejecting.size >= 500) deps.rejecting.delete(deps.rejecting.keys().next().value!);
  deps.rejecting.set(`${channel}|${ts}`, (blocks ?? []) as Block[]);
}
