// The local tenant's control API over HTTP, as `npm run emulators` users drive it: rate limits and
// faults set there are what the real SDK sees, and the call log says so.
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadScenarioDir, scenarioDir, startLocalTenant, type LocalTenant } from './tenant.ts';

let tenant: LocalTenant;
let slack: WebClient;
beforeAll(async () => {
  tenant = await startLocalTenant({ scenario: await loadScenarioDir(scenarioDir('salesloft-drift')) });
  slack = new WebClient(tenant.connectorEnv().CORDON_SLACK_ADMIN_TOKEN, { slackApiUrl: `${tenant.urls.slack}/api/`, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
});
afterAll(async () => {
  await tenant.close();
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
