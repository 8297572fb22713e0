// Retry button on a not_contained final report: starts `<id>-retry-<n>`, followed in the same thread.
import type { Block } from '../../notifiers/slack/blocks/block-kit.ts';
import { retryButtonValue } from '../../notifiers/slack/blocks/retry.ts';
import type { SlackDeps } from '../deps.ts';
import { retryFromSlack, type RetriesInFlight } from '../retry-from-slack.ts';
import { tellUser } from '../tell-user.ts';
import type { ButtonArgs } from './button-value.ts';

export function retryAction(deps: SlackDeps) {
  const inFlight: RetriesInFlight = new Set();
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const { body, action, client } = args;
    const channel = body.channel?.id;
    const message = body.message;
    if (!channel || !message) return;
    const workflowId = retryButtonValue(action.value);
    if (!workflowId) {
      await tellUser(client, deps.logger, { channel, user: body.user.id }, 'This button does not belong to a Cordon containment; nothing was started.');
      return;
    }
    const threadTs = message.thread_ts as string | undefined;
    const report = { ts: message.ts, text: message.text as string | undefined, blocks: (message.blocks ?? []) as Block[] };
    await retryFromSlack(deps, client, { workflowId, user: body.user.id, channel, threadTs, report }, inFlight);
  };
}
