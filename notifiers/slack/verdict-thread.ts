// Where a containment the drift watch opens is followed in Slack (docs/drift-watch.md, "Verdicts in Slack"):
// the watch's worker opens the thread in CORDON_WATCH_SLACK_CHANNEL before it starts the containment, so the
// containment's input names the thread (origin.slackChannel / slackThreadTs) and the worker's SlackNotifier
// posts its approval requests and final report there, as for a containment started from Slack. The root is
// the usual status message (the notifier edits it in place); the first reply is the verdict with Contain and
// Dismiss, marked like the notifier's posts so the Slack app finds it.
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Verdict } from '../../schemas/verdict.ts';
import { threadStatusBlocks, threadText, type ThreadRequest } from './blocks/containment-thread.ts';
import { verdictBlocks, verdictText } from './blocks/verdict.ts';
import { notificationMetadata, postKey } from './notification-marks.ts';

export interface VerdictThreads {
  /** Posts the thread's root and the verdict; returns where the containment's thread is. */
  open(verdict: Verdict, request: ThreadRequest & { mode: 'staged' | 'direct' }): Promise<{ slackChannel: string; slackThreadTs: string }>;
}

export function createVerdictThreads(options: { botToken: string; channel: string; slackApiUrl?: string; webClientOptions?: Omit<WebClientOptions, 'slackApiUrl'> }): VerdictThreads {
  const web = new WebClient(options.botToken, { ...options.webClientOptions, ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}) });
  return {
    async open(verdict, request) {
      const root = await web.chat.postMessage({ channel: options.channel, text: threadText(request), blocks: threadStatusBlocks(request) });
      const channel = root.channel ?? options.channel;
      await web.chat.postMessage({
        channel,
        thread_ts: root.ts!,
        text: verdictText(verdict),
        blocks: verdictBlocks(verdict, { workflowId: request.workflowId, mode: request.mode }),
        metadata: notificationMetadata(request.workflowId, postKey.verdict()),
      });
      return { slackChannel: channel, slackThreadTs: root.ts! };
    },
  };
}

/** The watch worker's verdict threads from the environment: on when CORDON_WATCH_SLACK_CHANNEL is set. */
export function verdictThreadsFromEnv(env: Record<string, string | undefined>, read: { channel?: string | undefined }): VerdictThreads | undefined {
  if (!read.channel) return undefined;
  const botToken = env.CORDON_SLACK_BOT_TOKEN;
  if (!botToken) throw new Error('CORDON_WATCH_SLACK_CHANNEL needs CORDON_SLACK_BOT_TOKEN on the same worker: the watch posts its verdicts with the bot token');
  return createVerdictThreads({ botToken, channel: read.channel, ...(env.CORDON_SLACK_API_URL ? { slackApiUrl: env.CORDON_SLACK_API_URL } : {}) });
}
