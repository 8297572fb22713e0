import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GoogleConnectorConfig } from '../connectors/google/config.ts';
import { SlackConnectorConfig } from '../connectors/slack/config.ts';
import { CORDON_ENV_NAMES, CordonEnv, envVariableMeta, providers } from '../connectors/providers.ts';
import { readEnv } from './config.ts';
import { SlackAppEnv } from './slack.ts';

/** CORDON_-prefixed names in the code that are constants, not environment variables. */
const NOT_VARIABLES = new Set(['CORDON_ENV_NAMES', 'CORDON_RANGE_TAG', 'CORDON_GOOGLE_SCOPES']);

describe('the CORDON_* configuration schema', () => {
  it('declares every CORDON_* variable the code, the scripts and the docs name', () => {
    const root = new URL('..', import.meta.url);
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.sh', '*.md', '.ci/*'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f && !f.endsWith('.test.ts') && !f.startsWith('node_modules/'));
    const declared = new Set<string>(CORDON_ENV_NAMES);
    const undeclared = new Map<string, string>();
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(new URL(file, root), 'utf8');
      } catch {
        continue; // listed by git but deleted in the working tree
      }
      for (const [name] of text.matchAll(/\bCORDON_[A-Z0-9_]*[A-Z0-9]\b/g)) {
        // The walkthrough for a fifth provider names its example provider's variables: they do not exist.
        const example = file === 'docs/adding-a-provider.md' && name.startsWith('CORDON_ACME_');
        if (!declared.has(name) && !NOT_VARIABLES.has(name) && !example) undeclared.set(name, file);
      }
    }
    expect(Object.fromEntries(undeclared)).toEqual({});
  });

  it('gives every variable a description and says whether it is secret', () => {
    for (const name of CORDON_ENV_NAMES) {
      const meta = envVariableMeta(name);
      expect(meta.description.length, name).toBeGreaterThan(10);
      expect(typeof meta.secret, name).toBe('boolean');
    }
    // The variables that hold credentials are the secret ones.
    const secrets = CORDON_ENV_NAMES.filter((n) => envVariableMeta(n).secret);
    for (const n of secrets) expect(n).toMatch(/KEY|SECRET|TOKEN|CREDENTIALS/);
    expect(secrets).toEqual(expect.arrayContaining(['CORDON_CODEC_KEYS', 'CORDON_SLACK_BOT_TOKEN', 'CORDON_GITHUB_APP_PRIVATE_KEY', 'CORDON_SALESFORCE_PRIVATE_KEY', 'CORDON_GOOGLE_CREDENTIALS_JSON', 'CORDON_SLACK_ADMIN_TOKEN']));
  });

  it('covers the variables of the Slack app schema and the connectors’ config modules', () => {
    const declared = new Set<string>(CORDON_ENV_NAMES);
    for (const name of [...Object.keys(SlackAppEnv.shape), ...Object.values(GoogleConnectorConfig.env), ...Object.values(SlackConnectorConfig.env), ...providers.map((p) => p.configuredBy)]) {
      expect(declared.has(name), name).toBe(true);
    }
  });

  it('reads a variable validated: unset or empty is undefined, a value is parsed, an invalid one names the variable and not the value', () => {
    expect(readEnv({}, 'CORDON_API_PORT')).toBeUndefined();
    expect(readEnv({ CORDON_API_PORT: '' }, 'CORDON_API_PORT')).toBeUndefined();
    expect(readEnv({ CORDON_API_PORT: '0' }, 'CORDON_API_PORT')).toBe(0);
    expect(readEnv({ CORDON_TASK_QUEUE: 'q1' }, 'CORDON_TASK_QUEUE')).toBe('q1');
    expect(() => readEnv({ CORDON_API_PORT: 'eighty' }, 'CORDON_API_PORT')).toThrow(/^CORDON_API_PORT: must be a port number \(0–65535\)$/);
    const leaked = 'xoxp-not-a-bot-token-1234';
    let message = '';
    try {
      readEnv({ CORDON_SLACK_BOT_TOKEN: leaked }, 'CORDON_SLACK_BOT_TOKEN');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe('CORDON_SLACK_BOT_TOKEN: CORDON_SLACK_BOT_TOKEN must be the bot token (xoxb-…)');
    expect(message).not.toContain(leaked);
  });

  it('accepts the keys Cordon generates and refuses malformed ones', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(CordonEnv.shape.CORDON_CODEC_KEYS!.safeParse(`k1:${key},k2:${key}`).success).toBe(true);
    expect(CordonEnv.shape.CORDON_CODEC_KEYS!.safeParse(`k1:${Buffer.alloc(16).toString('base64')}`).success).toBe(false);
    expect(CordonEnv.shape.CORDON_CODEC_KEYS!.safeParse(key).success).toBe(false);
    expect(CordonEnv.shape.CORDON_SINK_KEY!.safeParse(key).success).toBe(true);
    expect(CordonEnv.shape.CORDON_SINK_KEY!.safeParse('short').success).toBe(false);
  });
});
