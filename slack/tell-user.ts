// Telling one person something only they should see (Slack's ephemeral message): refusals, mistakes,
// lookups. Never carries a secret: callers pass messages built from ids and validator reasons.
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logging/logger.ts';
import type { Block } from '../notifiers/slack/blocks/block-kit.ts';

export async function tellUser(web: WebClient, log: Logger, to: { channel: string; user: string; threadTs?: string | undefined }, text: string, blocks?: Block[]): Promise<void> {
  try {
    await web.chat.postEphemeral({ channel: to.channel, user: to.user, text, ...(to.threadTs ? { thread_ts: to.threadTs } : {}), ...(blocks ? { blocks } : {}) });
  } catch (err) {
    // Nothing else can reach the user; the app's log keeps the trace.
    log.warn('ephemeral message not delivered', { channel: to.channel, user: to.user, error: err });
  }
}
