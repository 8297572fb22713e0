import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CORDON_ENV_NAMES, envVariableMeta } from '../connectors/providers.ts';
import { checkConfig, renderConfigCheck } from './config-check.ts';

const codecKey = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7-secret-body\n-----END PRIVATE KEY-----';

const byName = (check: ReturnType<typeof checkConfig>) => Object.fromEntries(check.variables.map((v) => [v.name, v]));

describe('cordon config check', () => {
  it('says set, missing or invalid for every variable, and which missing ones the configured providers need', () => {
    const check = checkConfig({
      CORDON_CODEC_KEYS: codecKey,
      CORDON_GITHUB_ORG: 'acme',
      CORDON_GITHUB_APP_ID: 'not-a-number',
      CORDON_API_PORT: '8787',
    });
    const v = byName(check);
    expect(check.variables.map((x) => x.name)).toEqual(CORDON_ENV_NAMES);
    expect(check.providers).toEqual(['github']);
    expect(v.CORDON_CODEC_KEYS).toMatchObject({ state: 'set', problem: false });
    expect(v.CORDON_API_PORT).toMatchObject({ state: 'set', problem: false });
    expect(v.CORDON_GITHUB_APP_ID).toMatchObject({ state: 'invalid', problem: true, detail: 'must be a positive whole number' });
    expect(v.CORDON_GITHUB_APP_PRIVATE_KEY).toMatchObject({ state: 'missing', problem: true });
    expect(v.CORDON_GITHUB_APP_PRIVATE_KEY!.detail).toContain('required');
    // Salesforce is not configured: its required variables are missing but not a problem.
    expect(v.CORDON_SALESFORCE_CLIENT_ID).toMatchObject({ state: 'missing', problem: false });
    expect(v.CORDON_SALESFORCE_CLIENT_ID!.detail).toContain('only when');
    expect(v.CORDON_GITHUB_API_URL).toMatchObject({ state: 'missing', problem: false, detail: 'optional, default https://api.github.com' });
    expect(check.ok).toBe(false);
  });

  it('is ok for a complete configuration, and reports cross-variable rules and unknown names', () => {
    const complete = {
      CORDON_CODEC_KEYS: codecKey,
      CORDON_GITHUB_ORG: 'acme',
      CORDON_GITHUB_APP_ID: '12',
      CORDON_GITHUB_APP_PRIVATE_KEY: pem,
      CORDON_GITHUB_INSTALLATION_ID: '34',
    };
    expect(checkConfig(complete).ok).toBe(true);
    const halfOauth = checkConfig({ ...complete, CORDON_GITHUB_OAUTH_CLIENT_ID: 'Iv1.abc', CORDON_GITHUB_ORGG: 'typo' });
    expect(halfOauth.ok).toBe(false);
    expect(halfOauth.notes.map((n) => n.detail)).toEqual([
      'set both CORDON_GITHUB_OAUTH_CLIENT_ID and CORDON_GITHUB_OAUTH_CLIENT_SECRET, or neither',
      'CORDON_GITHUB_ORGG is set but Cordon reads no such variable (a typo?)',
    ]);
    expect(checkConfig({ CORDON_GITHUB_APP_PRIVATE_KEY: pem }).variables.find((x) => x.name === 'CORDON_CODEC_KEYS')).toMatchObject({ state: 'missing', problem: true });
  });

  it('never prints a value: not of a valid secret, not of an invalid one, not in JSON', async () => {
    const secrets: Record<string, string> = {
      CORDON_CODEC_KEYS: codecKey,
      CORDON_SINK_KEY: Buffer.alloc(32, 9).toString('base64'),
      CORDON_GITHUB_ORG: 'acme-org-name',
      CORDON_GITHUB_APP_ID: '123456',
      CORDON_GITHUB_APP_PRIVATE_KEY: pem,
      CORDON_GITHUB_INSTALLATION_ID: '654321',
      CORDON_GITHUB_OAUTH_CLIENT_SECRET: 'oauth-client-secret-value-42',
      CORDON_SLACK_BOT_TOKEN: 'xoxp-wrong-kind-of-token-987', // invalid: not a bot token
      CORDON_SLACK_SIGNING_SECRET: 'sig', // invalid: too short
      CORDON_SLACK_ADMIN_TOKEN: 'xoxb-an-invalid-admin-token-555',
      CORDON_GOOGLE_CREDENTIALS_JSON: '{"private_key": "-----BEGIN PRIVATE KEY-----google-secret"', // invalid JSON
      CORDON_API_PORT: 'port-eighty-eighty',
    };
    const check = checkConfig(secrets);
    const text = renderConfigCheck(check);
    const json = JSON.stringify(check);
    const cli = promisify(execFile);
    const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
    const cordon = fileURLToPath(new URL('./cordon.ts', import.meta.url));
    const run = await cli(tsx, [cordon, 'config', 'check'], { env: { PATH: process.env.PATH, ...secrets } }).catch((e: { stdout: string; stderr: string; code: number }) => e);
    expect((run as { code?: number }).code).toBe(1); // problems → exit 1
    expect(run.stdout).toContain('INVALID CORDON_SLACK_BOT_TOKEN');
    for (const [name, value] of Object.entries(secrets)) {
      for (const out of [text, json, run.stdout, run.stderr]) {
        expect(out, name).not.toContain(value);
        // Not even a recognisable piece of it.
        if (envVariableMeta(name as never).secret) expect(out, name).not.toContain(value.slice(-8));
      }
    }
    const v = byName(check);
    expect(v.CORDON_SLACK_BOT_TOKEN).toMatchObject({ state: 'invalid', detail: 'CORDON_SLACK_BOT_TOKEN must be the bot token (xoxb-…)' });
    expect(v.CORDON_GOOGLE_CREDENTIALS_JSON).toMatchObject({ state: 'invalid' });
    expect(v.CORDON_GITHUB_APP_PRIVATE_KEY).toMatchObject({ state: 'set', detail: 'secret, not shown' });
  });

  it('reads an inventory given as @<path>: a missing or broken file is named, a good one passes (the real command)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cordon-config-check-'));
    const good = join(dir, 'consumers.json');
    const broken = join(dir, 'broken.json');
    await writeFile(good, JSON.stringify({ 'pat:1': [{ id: 'ci', name: 'CI', kind: 'ci_pipeline' }] }));
    await writeFile(broken, '{"pat:1": [');
    const env = {
      CORDON_GITHUB_CONSUMERS: `@${good}`,
      CORDON_GOOGLE_INVENTORY_JSON: `@${join(dir, 'absent.json')}`,
      CORDON_SALESFORCE_CONSUMERS: `@${broken}`,
    };
    const v = byName(checkConfig(env));
    expect(v.CORDON_GITHUB_CONSUMERS).toMatchObject({ state: 'set', problem: false });
    expect(v.CORDON_GOOGLE_INVENTORY_JSON).toMatchObject({ state: 'invalid', problem: true });
    expect(v.CORDON_GOOGLE_INVENTORY_JSON!.detail).toContain(`cannot read the file ${join(dir, 'absent.json')} (ENOENT)`);
    expect(v.CORDON_SALESFORCE_CONSUMERS!.detail).toContain(`the file ${broken} is not JSON`);
    const cli = promisify(execFile);
    const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
    const cordon = fileURLToPath(new URL('./cordon.ts', import.meta.url));
    const run = await cli(tsx, [cordon, 'config', 'check'], { env: { PATH: process.env.PATH, ...env } }).catch((e: { stdout: string; stderr: string; code: number }) => e);
    expect((run as { code?: number }).code).toBe(1);
    expect(run.stdout).toMatch(/INVALID\s+CORDON_GOOGLE_INVENTORY_JSON.*cannot read the file .*absent\.json \(ENOENT\)/);
    expect(run.stdout).toMatch(/INVALID\s+CORDON_SALESFORCE_CONSUMERS.*is not JSON/);
    expect(run.stdout).not.toMatch(/INVALID\s+CORDON_GITHUB_CONSUMERS/);
  }, 60_000);
});
