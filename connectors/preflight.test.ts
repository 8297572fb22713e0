// The doctor's preflight against the local tenant: each configured connector passes with the
// tenant's credentials, and a broken credential fails with what to do about it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadScenarioDir, scenarioDir } from '@cordon/emulators';
import { startLocalTenant, type LocalTenant } from '../local-tenant/tenant.ts';
import { preflight } from './preflight.ts';
import { configuredProviders } from './providers.ts';

let tenant: LocalTenant;
beforeAll(async () => {
  tenant = await startLocalTenant({ scenario: await loadScenarioDir(scenarioDir('cloudflare-okta')) });
});
afterAll(async () => {
  await tenant.close();
});

it('passes every check for the tenant’s own connector credentials, with one call each', async () => {
  const env = tenant.connectorEnv();
  expect(configuredProviders(env).map((p) => p.provider).sort()).toEqual(['github', 'google', 'slack']);
  const checks = await preflight(env);
  for (const c of checks) expect(c.ok, `${c.provider} ${c.check}: ${c.detail}`).toBe(true);
  expect(new Set(checks.map((c) => c.provider))).toEqual(new Set(['google', 'github', 'slack']));
  // Read-only: the only non-GET calls are Cordon's own sign-ins (Google's token endpoint; Slack, whose every method is a POST).
  const OWN_SIGN_INS = ['oauth2.token', 'auth.test'];
  const writes = tenant.calls().filter((c) => c.method !== 'GET' && !OWN_SIGN_INS.includes(c.operation));
  expect(writes).toEqual([]);
  expect(tenant.calls().filter((c) => c.method === 'GET').length).toBeGreaterThan(0);
});

it('says what is wrong and how to fix it', async () => {
  const env = { ...tenant.connectorEnv(), CORDON_SLACK_ADMIN_TOKEN: 'xoxp-not-a-real-token-000' };
  delete (env as Record<string, string | undefined>).CORDON_GITHUB_APP_ID;
  const checks = await preflight(env);
  const slack = checks.find((c) => c.provider === 'slack')!;
  expect(slack.ok).toBe(false);
  expect(slack.detail).toMatch(/invalid_auth/);
  expect(slack.fix).toMatch(/org owner/);
  const github = checks.find((c) => c.provider === 'github')!;
  expect(github).toMatchObject({ ok: false, check: 'configuration' });
  expect(github.detail).toMatch(/CORDON_GITHUB_APP_ID/);
  expect(checks.find((c) => c.provider === 'google')!.ok).toBe(true);
});

it('says so when nothing is configured', async () => {
  expect(await preflight({})).toEqual([expect.objectContaining({ ok: false, check: 'connectors' })]);
});
