// The Slack app's settings from the environment (CORDON_SLACK_*), parsed with schemas/slack.ts.
// Errors name the variable and what is expected, never its value (it may be a secret).
import { readEnv } from '../schemas/config.ts';
import { SlackAppEnv } from '../schemas/slack.ts';

export interface SlackSettings {
  signingSecret: string;
  botToken: string;
  /** Web API base, e.g. the local Slack emulator's `<url>/api/`; Slack itself when absent. */
  slackApiUrl?: string;
  approvers: string[];
  /** Who may declare break-glass (CORDON_SLACK_BREAK_GLASS, comma-separated user ids; nobody by default). */
  breakGlassUsers: string[];
  socketMode?: { appToken: string };
  port: number;
}

export function slackSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): SlackSettings {
  const parsed = SlackAppEnv.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Slack app configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  return {
    signingSecret: e.CORDON_SLACK_SIGNING_SECRET,
    botToken: e.CORDON_SLACK_BOT_TOKEN,
    ...(e.CORDON_SLACK_API_URL ? { slackApiUrl: e.CORDON_SLACK_API_URL } : {}),
    approvers: e.CORDON_SLACK_APPROVERS,
    breakGlassUsers: (readEnv(env, 'CORDON_SLACK_BREAK_GLASS') ?? '').split(',').map((u) => u.trim()).filter(Boolean),
    ...(e.CORDON_SLACK_SOCKET_MODE && e.CORDON_SLACK_APP_TOKEN ? { socketMode: { appToken: e.CORDON_SLACK_APP_TOKEN } } : {}),
    port: e.CORDON_SLACK_PORT,
  };
}
