// The worker's SlackNotifier from the environment: present when CORDON_SLACK_BOT_TOKEN is set.
// `readStatus` (a Temporal client query) lets it add the scope, consumer names and the final report.
import type { ContainmentStatus } from '../../schemas/containment.ts';
import { SlackUserId } from '../../schemas/slack.ts';
import type { Logger } from '../../logging/logger.ts';
import { SlackNotifier } from './notifier.ts';

export function slackNotifierFromEnv(env: NodeJS.ProcessEnv, options: { readStatus?: (workflowId: string) => Promise<ContainmentStatus>; logger?: Logger } = {}): SlackNotifier | undefined {
  const botToken = env.CORDON_SLACK_BOT_TOKEN;
  if (!botToken) return undefined;
  if (!botToken.startsWith('xoxb-')) throw new Error('CORDON_SLACK_BOT_TOKEN must be the bot token (xoxb-…)');
  const approvers = (env.CORDON_SLACK_APPROVERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const a of approvers) if (!SlackUserId.safeParse(a).success) throw new Error(`CORDON_SLACK_APPROVERS: ${JSON.stringify(a)} is not a Slack user id (U… or W…)`);
  return new SlackNotifier({
    botToken,
    ...(env.CORDON_SLACK_API_URL ? { slackApiUrl: env.CORDON_SLACK_API_URL } : {}),
    approvers,
    ...(options.readStatus ? { readStatus: options.readStatus } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
