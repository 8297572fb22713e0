import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { EVENTS_PATH, SLASH_COMMAND } from './app.ts';
import { slackSettingsFromEnv } from './config.ts';
import { slackNotifierFromEnv } from '../notifiers/slack/from-env.ts';

const base = { CORDON_SLACK_SIGNING_SECRET: 'a-signing-secret-value', CORDON_SLACK_BOT_TOKEN: 'xoxb-1-2-bottokenvalue' };

describe('Slack app settings from the environment', () => {
  it('reads the HTTP receiver settings with defaults', () => {
    expect(slackSettingsFromEnv({ ...base, CORDON_SLACK_APPROVERS: 'U024BE7LH, W0SECOWNER' })).toEqual({
      signingSecret: base.CORDON_SLACK_SIGNING_SECRET,
      botToken: base.CORDON_SLACK_BOT_TOKEN,
      approvers: ['U024BE7LH', 'W0SECOWNER'],
      breakGlassUsers: [],
      port: 3000,
    });
    expect(slackSettingsFromEnv({ ...base, CORDON_SLACK_BREAK_GLASS: 'W0SECOWNER, U0CISO' }).breakGlassUsers).toEqual(['W0SECOWNER', 'U0CISO']);
  });

  it('chooses Socket Mode by configuration, and then requires the app-level token', () => {
    expect(slackSettingsFromEnv({ ...base, CORDON_SLACK_SOCKET_MODE: 'true', CORDON_SLACK_APP_TOKEN: 'xapp-1-abc' }).socketMode).toEqual({ appToken: 'xapp-1-abc' });
    expect(() => slackSettingsFromEnv({ ...base, CORDON_SLACK_SOCKET_MODE: 'true' })).toThrow(/CORDON_SLACK_APP_TOKEN: Socket Mode needs/);
    expect(slackSettingsFromEnv({ ...base, CORDON_SLACK_SOCKET_MODE: 'false', CORDON_SLACK_APP_TOKEN: 'xapp-1-abc' }).socketMode).toBeUndefined();
  });

  it('names the wrong variable without printing its value', () => {
    const wrong = { CORDON_SLACK_SIGNING_SECRET: 'a-signing-secret-value', CORDON_SLACK_BOT_TOKEN: 'xoxp-user-token-not-bot', CORDON_SLACK_APPROVERS: 'alice' };
    const message = (() => {
      try {
        slackSettingsFromEnv(wrong);
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expect(message).toMatch(/CORDON_SLACK_BOT_TOKEN: CORDON_SLACK_BOT_TOKEN must be the bot token/);
    expect(message).toMatch(/CORDON_SLACK_APPROVERS/);
    expect(message).not.toContain('xoxp-user-token-not-bot');
    expect(message).not.toContain('a-signing-secret-value');
  });

  it('gives the worker a SlackNotifier only when a bot token is configured', () => {
    expect(slackNotifierFromEnv({})).toBeUndefined();
    expect(slackNotifierFromEnv({ CORDON_SLACK_BOT_TOKEN: base.CORDON_SLACK_BOT_TOKEN })).toBeDefined();
    expect(() => slackNotifierFromEnv({ CORDON_SLACK_BOT_TOKEN: base.CORDON_SLACK_BOT_TOKEN, CORDON_SLACK_APPROVERS: 'bob' })).toThrow(/not a Slack user id/);
  });
});

describe('the app manifest', () => {
  it('declares the slash command, interactivity on the receiver path, and the scopes the app uses', async () => {
    const manifest = await readFile(new URL('./manifest.yaml', import.meta.url), 'utf8');
    expect(manifest).toMatch(new RegExp(`- command: ${SLASH_COMMAND}\\n\\s+url: https://[^\\s]+${EVENTS_PATH}\\n`));
    expect(manifest).toMatch(new RegExp(`interactivity:\\n\\s+is_enabled: true\\n\\s+request_url: https://[^\\s]+${EVENTS_PATH}\\n`));
    const scopes = /bot:\n((?:\s+- [\w:.]+.*\n)+)/.exec(manifest)?.[1] ?? '';
    expect([...scopes.matchAll(/- ([\w:.]+)/g)].map((m) => m[1]).sort()).toEqual(['channels:history', 'chat:write', 'commands', 'groups:history']);
  });
});
