// The local tenant as Cordon uses it: connectorEnv() speaks the connectors' variables and credential
// ids, the call log names GitHub credentials by the connector's ids, and the control API over HTTP (as
// `npm run emulators` users drive it) sets rate limits and faults that the real SDK sees.
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EMULATED_PROVIDERS, loadScenario, loadScenarioByName, loadScenarioDir, scenarioDir } from '@cordon/emulators';
import { INLINE_VARIABLE_LIMIT, readInventoryVariable } from '../connectors/inventory-variable.ts';
import { githubConfigFromEnv } from '../connectors/github/config.ts';
import { providers } from '../connectors/providers.ts';
import { parseCredentialId as parseGitHubCredentialId } from '../connectors/github/ids.ts';
import { parseCredentialId as parseGoogleCredentialId } from '../connectors/google/ids.ts';
import { EMULATOR_ENV, startLocalTenant, type LocalTenant } from './tenant.ts';

let tenant: LocalTenant;
let slack: WebClient;
beforeAll(async () => {
  tenant = await startLocalTenant({ scenario: await loadScenarioDir(scenarioDir('salesloft-drift')) });
  slack = new WebClient(tenant.connectorEnv().CORDON_SLACK_ADMIN_TOKEN, { slackApiUrl: `${tenant.urls.slack}/api/`, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
});
afterAll(async () => {
  await tenant.close();
});

it('has an emulator for every provider module that is not test-only, and none for anything else', () => {
  const real = providers.filter((p) => !p.testOnly).map((p) => p.provider).sort();
  expect([...EMULATED_PROVIDERS].sort()).toEqual(real);
  expect(Object.keys(EMULATOR_ENV).sort()).toEqual(real);
});

it('gives each connector its variables, with inventories keyed by the connectors\' credential ids', () => {
  const env = tenant.connectorEnv();
  expect(env.CORDON_GOOGLE_ROOT_URL).toBe(`${tenant.urls.google}/`);
  expect(env.CORDON_GOOGLE_TOKEN_URL).toBe(`${tenant.urls.google}/token`);
  expect(env.CORDON_GOOGLE_SUBJECT).toBe('cordon-admin@acme.example');
  expect(JSON.parse(env.CORDON_GOOGLE_CREDENTIALS_JSON!).private_key_id).toBe('3f1c9a07d2e84b6a90c1f5e2d7a8b3c4e5f60718');
  const google = JSON.parse(env.CORDON_GOOGLE_INVENTORY_JSON!) as Record<string, { id: string }[]>;
  expect(Object.keys(google).length).toBeGreaterThan(2);
  for (const id of Object.keys(google)) expect(parseGoogleCredentialId(id), id).toBeDefined();
  expect(google['users/drift-integration@acme.example/tokens/482715630127-drift9c1kq2.apps.googleusercontent.com']?.length).toBeGreaterThan(0);

  expect(env.CORDON_SALESFORCE_LOGIN_URL).toBe(tenant.urls.salesforce);
  expect(env.CORDON_SALESFORCE_USERNAME).toBe('cordon-ir@acme.com');
  expect(env.CORDON_SALESFORCE_PRIVATE_KEY).toMatch(/BEGIN PRIVATE KEY/);
  const salesforce = JSON.parse(env.CORDON_SALESFORCE_CONSUMERS!) as { app: string; user: string; consumers: { id: string }[] }[];
  const drift = salesforce.find((x) => x.app === 'Drift' && x.user === 'drift-integration@acme.com');
  expect(drift?.consumers.map((c) => c.id)).toEqual(['drift-chat-sync', 'drift-lead-router', 'salesloft-cadence']);

  expect(env.CORDON_SLACK_API_URL).toBe(`${tenant.urls.slack}/api/`);
  expect(env.CORDON_SLACK_AUDIT_URL).toBe(`${tenant.urls.slack}/audit/v1/`);
  expect(env.CORDON_SLACK_ADMIN_TOKEN).toMatch(/^xoxp-/);
  expect(env.CORDON_SLACK_BOT_TOKEN).toMatch(/^xoxb-/);
  expect(env.CORDON_SLACK_SIGNING_SECRET).toBeTruthy();
  expect(Object.keys(env).some((k) => k.startsWith('CORDON_GITHUB_'))).toBe(false); // salesloft-drift seeds no GitHub
});

it('names GitHub credentials by the connector\'s ids, in CORDON_GITHUB_CONSUMERS and in the call log', async () => {
  const circleci = await startLocalTenant({ scenario: await loadScenarioByName('circleci') });
  try {
    const env = circleci.connectorEnv();
    expect(env.CORDON_GITHUB_API_URL).toBe(circleci.urls.github);
    expect(env.CORDON_GITHUB_ORG).toBe('acme-robotics');
    expect(env.CORDON_GITHUB_APP_ID).toBe('912345');
    expect(env.CORDON_GITHUB_INSTALLATION_ID).toBe('51234567');
    expect(env.CORDON_GITHUB_APP_PRIVATE_KEY).toMatch(/BEGIN RSA PRIVATE KEY/);
    expect(env.CORDON_GITHUB_OAUTH_CLIENT_ID).toBeTruthy();
    const inventory = JSON.parse(env.CORDON_GITHUB_CONSUMERS!) as Record<string, unknown[]>;
    expect(inventory['oauth_token:7001']).toHaveLength(2);
    expect(inventory['deploy_key:acme-robotics/firmware:7101']).toHaveLength(1);
    for (const id of Object.keys(inventory)) expect(parseGitHubCredentialId(id), id).toBeDefined();
    const token = circleci.emulators.github.connection()!.credentials.find((c) => c.kind === 'oauth_token' && c.id === 7002);
    const res = await fetch(`${circleci.urls.github}/repos/acme-robotics/firmware/keys`, { headers: { authorization: `token ${(token as { value: string }).value}` } });
    expect(res.status).toBe(200);
    expect(circleci.calls({ provider: 'github', operation: 'repos.listDeployKeys' })[0]!.credential).toBe('oauth_token:7002');
  } finally {
    await circleci.close();
  }
});

const control = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${tenant.controlUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

it('applies a rate limit set through the control API, with the rest of the window as Retry-After', async () => {
  expect((await control('POST', '/rate-limits', { provider: 'slack', operation: 'auth.test', limit: 2, windowSec: 60 })).status).toBe(201);
  await slack.auth.test();
  await slack.auth.test();
  await expect(slack.auth.test()).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: expect.any(Number) });
  const err = await slack.auth.test().catch((e: { retryAfter: number }) => e);
  expect((err as { retryAfter: number }).retryAfter).toBeGreaterThan(50);
  const { body } = await control('GET', '/calls?provider=slack&operation=auth.test');
  expect((body.calls as { status: number }[]).map((c) => c.status)).toEqual([200, 200, 429, 429]);
  await control('DELETE', '/faults?provider=slack');
  await expect(slack.auth.test()).resolves.toMatchObject({ ok: true });
});

it('injects a fault through the control API that the SDK sees once', async () => {
  expect((await control('POST', '/faults', { provider: 'slack', operation: 'users.info', type: 'unavailable', status: 503, times: 1 })).status).toBe(201);
  await expect(slack.users.info({ user: 'U0DRIFTBOT' })).rejects.toMatchObject({ code: 'slack_webapi_http_error', statusCode: 503 });
  await expect(slack.users.info({ user: 'U0DRIFTBOT' })).resolves.toMatchObject({ ok: true });
});

it('refuses a malformed control request, naming the field', async () => {
  const r = await control('POST', '/rate-limits', { provider: 'slack', limit: -1, windowSec: 60 });
  expect(r.status).toBe(400);
  expect(JSON.stringify(r.body)).toMatch(/limit/);
  expect((await control('POST', '/faults', { type: 'explode' })).status).toBe(400);
});

it('keeps the stack’s own connector identities valid across POST /reset and POST /scenario', async () => {
  // A running worker holds the variables it was started with: a reset must not re-key Cordon's own identities.
  const env = tenant.connectorEnv();
  const { preflight } = await import('../connectors/preflight.ts');
  const failing = async () => (await preflight(env)).filter((c) => !c.ok).map((c) => `${c.provider} ${c.check}: ${c.detail}`);
  expect(await failing()).toEqual([]);
  expect((await control('POST', '/reset')).status).toBe(200);
  expect(await failing()).toEqual([]);
  expect(tenant.connectorEnv().CORDON_GOOGLE_CREDENTIALS_JSON).toBe(env.CORDON_GOOGLE_CREDENTIALS_JSON);
  const google = tenant.calls({ provider: 'google', operation: 'oauth2.token' });
  expect(google.length).toBeGreaterThan(0);
  expect(google.every((c) => c.status === 200)).toBe(true);
  // Reloading the same scenario through the control API does the same.
  expect((await control('POST', '/scenario', await loadScenarioDir(scenarioDir('salesloft-drift')))).status).toBe(200);
  expect(await failing()).toEqual([]);
});

it('loads the generated load scenario by name, and refuses an unknown name with the known ones', async () => {
  expect((await loadScenarioDir(scenarioDir('load'))).name).toBe('load');
  const load = await loadScenarioByName('load');
  expect(load.name).toBe('load');
  expect(load.google?.serviceAccountKeys.length).toBeGreaterThan(100);
  await expect(loadScenarioByName('nope')).rejects.toThrow(/unknown scenario "nope"; known: circleci, cloudflare-okta, load, salesloft-drift/);
  await expect(loadScenarioByName('../scenarios/circleci')).rejects.toThrow(/unknown scenario/);
});

it('runs `SCENARIO=load npm run emulators` and stops on SIGTERM', { timeout: 60_000 }, async () => {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const child = spawn(fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url)), ['local-tenant/main.ts'], {
    cwd: root,
    env: { ...process.env, SCENARIO: 'load' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    for (let i = 0; i < 500 && !out.includes('Ctrl-C stops them.') && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    expect(out, err).toContain('Local tenant (load)');
    expect(out).toContain('CORDON_GOOGLE_CREDENTIALS_JSON');
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

it('passes a tenant of 2,500 credentials a provider to a worker process: inventories over half of 128 KiB go by file (@<path>), and read back whole', async () => {
  const big = await startLocalTenant({ scenario: loadScenario(2516) });
  try {
    const env = big.connectorEnv();
    for (const [name, value] of Object.entries(env)) expect(value.length, name).toBeLessThan(INLINE_VARIABLE_LIMIT);
    // Linux refused to start a process with these inline (spawn E2BIG: the mass benchmark at 10,000 refs).
    const child = spawn(process.execPath, ['-e', 'process.exit(0)'], { env: { PATH: process.env.PATH, ...env }, stdio: 'ignore' });
    expect(await new Promise((resolve, reject) => child.once('exit', resolve).once('error', reject))).toBe(0);
    for (const name of ['CORDON_GOOGLE_INVENTORY_JSON', 'CORDON_GITHUB_CONSUMERS'] as const) {
      expect(env[name], name).toMatch(/^@\//);
      const inline = JSON.stringify(readInventoryVariable(env, name, 'an inventory'));
      expect(inline.length, name).toBeGreaterThan(INLINE_VARIABLE_LIMIT);
    }
    // What the connectors read from the files is the whole inventory.
    const github = githubConfigFromEnv(env);
    const deployKeys = big.emulators.github.connection()!.credentials.filter((c) => c.consumers.length);
    expect(Object.keys(github.consumers).length).toBe(deployKeys.length);
    // The small tenant's stay inline.
    expect(tenant.connectorEnv().CORDON_GOOGLE_INVENTORY_JSON).toMatch(/^\{/);
  } finally {
    await big.close();
  }
}, 60_000);
