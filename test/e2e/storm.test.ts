// Fault storms (I9) with the real connectors against the local tenant: about 20 % of every provider's
// calls answer 503 or 429 with Retry-After, and every run still ends contained; the provider's
// Retry-After is honoured on the writes (from the emulators' call log); a provider that never recovers
// ends the run not_contained once the containment deadline passes, in bounded time.
import { mkdtemp } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startContainment } from '../../client/containments.ts';
import { connectorsFromEnv } from '../../connectors/registry.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import { composeSink } from '../../worker/sink.ts';
import { type CallRecord, loadScenarioDir, scenarioDir, type EmulatedProvider } from '@cordon/emulators';
import { startLocalTenant, type LocalTenant } from '../../local-tenant/tenant.ts';
import type { ContainmentRequest, ContainmentStatus } from '../../schemas/containment.ts';
import { localStackPerTest } from '../support/local-stack.ts';

const local = localStackPerTest();
const tenant = () => local.tenant;

async function stack(scenario: string): Promise<void> {
  // Salesforce announces no Retry-After for REQUEST_LIMIT_EXCEEDED (a daily allowance): Cordon waits a configured
  // minute on a real org; a second here, like the storm's own Retry-After, keeps the test short.
  await local.start(await loadScenarioDir(scenarioDir(scenario)), { env: { CORDON_SALESFORCE_RATE_LIMIT_BACKOFF_MS: '1000' } });
}

/** The random storm, plus one certain 429 on a write, so the Retry-After check always has a case to judge. */
function storm(providers: EmulatedProvider[], certainWrite: { provider: EmulatedProvider; operation: string }): void {
  tenant().injectFault({ ...certainWrite, type: 'rate_limited', retryAfterSec: 1, times: 1 });
  for (const provider of providers) {
    tenant().injectFault({ provider, type: 'unavailable', status: 503, probability: 0.1 });
    tenant().injectFault({ provider, type: 'rate_limited', retryAfterSec: 1, probability: 0.1 });
  }
}

async function contain(credentials: ContainmentRequest['credentials'], policy: Record<string, unknown> = {}): Promise<ContainmentStatus> {
  const { workflowId } = await startContainment(local.worker.client, local.worker.target.taskQueue, {
    incidentId: `INC-storm-${randomBytes(3).toString('hex')}`,
    requester: 'responder@acme.example',
    credentials,
    policy: policy as never,
  });
  return (await local.worker.client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
}

const faultedCount = (calls: CallRecord[]) => calls.filter((c) => c.fault === 'unavailable' || c.fault === 'rate_limited').length;

/**
 * Slack's Web API is POST for every method, reads included: `auth.test` (the probe and the listing of a
 * leaked value both ask it, at the same moment in a single run, with byte-identical bodies; one full run
 * judged such a pair "retried 64 ms early"), lists, infos, thread replies and the audit log are reads.
 */
const SLACK_READ = /^auth\.test$|\.(list|info|replies)$|^auditlogs\./;
const isWrite = (c: CallRecord) => c.method !== 'GET' && !(c.provider === 'slack' && SLACK_READ.test(c.operation));

/**
 * Every rate-limited write (POST, PUT, PATCH, DELETE) was not sent again before its Retry-After passed.
 * The same write is found by its request digest (method, path with query, body), which the emulator
 * records even when a fault answered before it named the target. A write whose retry differs (a token
 * request signs a fresh assertion) is not matched and not judged. Reads are not judged: two activities
 * can list the same thing at once, so an identical read is not necessarily a retry. Nor are Salesforce
 * token requests: the JWT bearer assertion carries its expiry in whole seconds, so two activities logging
 * in within one second send byte-identical bodies, and the second is not a retry of the first (one full
 * run judged such a pair "retried 65 ms early"). Returns how many were judged, by provider.
 */
function assertRetryAfterHonoured(calls: CallRecord[]): Record<string, number> {
  const judged: Record<string, number> = {};
  for (const r of calls.filter((c) => c.fault === 'rate_limited' && isWrite(c) && !(c.provider === 'salesforce' && c.operation === 'oauth2.requestToken'))) {
    const next = calls.find((c) => c.seq > r.seq && c.provider === r.provider && c.request === r.request);
    if (!next) continue;
    judged[r.provider] = (judged[r.provider] ?? 0) + 1;
    expect(Date.parse(next.at) - Date.parse(r.at), `${r.provider} ${r.method} ${r.operation} retried early`).toBeGreaterThanOrEqual(900);
  }
  return judged;
}

it('contains across Salesforce, Google and Slack while ~20 % of their calls fail with 503 or 429', async () => {
  await stack('salesloft-drift');
  storm(['salesforce', 'google', 'slack'], { provider: 'google', operation: 'tokens.delete' });
  const result = await contain([
    { provider: 'salesforce', kind: 'refresh_token', clientId: '0H4Hs000000DrftAAA', user: 'drift-integration@acme.com' },
    { provider: 'google', kind: 'oauth_grant', clientId: '482715630127-drift9c1kq2.apps.googleusercontent.com', user: 'drift-integration@acme.example' },
    { provider: 'slack', kind: 'oauth_token', leakedValue: 'xoxb-emulated-drift-bot-acme-main-0001' },
  ]);
  expect(result.outcome, result.outcomeReason).toBe('contained');
  for (const c of result.credentials) expect(c.state, c.credentialId).toBe('verified_dead');
  const calls = local.tenant.calls();
  const faulted = calls.filter((c) => c.fault === 'unavailable' || c.fault === 'rate_limited');
  expect(faulted.length).toBeGreaterThan(0);
  const judged = assertRetryAfterHonoured(calls);
  process.stdout.write(`storm: ${calls.length} calls, ${faultedCount(calls)} faulted; Retry-After judged on ${JSON.stringify(judged)}\n`);
  expect(judged.google, 'the certain 429 on a Google write was judged').toBeGreaterThan(0);
  // Nothing was done twice: one successful revocation of the shared grant, one replacement per consumer.
  expect(calls.filter((c) => c.operation === 'oauth2.revokeToken' && c.status === 200 && c.target?.startsWith('drift-sf-grant'))).toHaveLength(1);
  const sf = result.credentials.find((c) => c.provider === 'salesforce')!;
  expect(new Set(sf.replacements.map((r) => r.consumerId)).size).toBe(sf.replacements.length);
}, 240_000);

it('contains across Google and GitHub in the same storm, GitHub tokens revoked by value', async () => {
  await stack('circleci');
  storm(['google', 'github'], { provider: 'github', operation: 'repos.deleteDeployKey' });
  const result = await contain([
    { provider: 'google', kind: 'service_account_key', keyId: '5e8d2a1c9b7f4e3d6a0c8b2e1f9d7a5c3b6e4d2f' },
    { provider: 'github', kind: 'deploy_key', id: 'deploy_key:acme-robotics/infra-terraform:7102' },
    { provider: 'github', kind: 'pat', leakedValue: 'ghp_govYleKxdKaTrZjWE6paaP7RyhUFyVrJDRbx' },
  ]);
  expect(result.outcome, result.outcomeReason).toBe('contained');
  const calls = local.tenant.calls();
  expect(calls.filter((c) => c.fault).length).toBeGreaterThan(0);
  const judged = assertRetryAfterHonoured(calls);
  process.stdout.write(`storm: ${calls.length} calls, ${faultedCount(calls)} faulted; Retry-After judged on ${JSON.stringify(judged)}\n`);
  expect(judged.github, 'the certain 429 on a GitHub write was judged').toBeGreaterThan(0);
  // Exactly one live replacement per consumer of the Google key, whatever the retries did.
  const key = result.credentials.find((c) => c.provider === 'google')!;
  expect(key.replacements.map((r) => r.consumerId).sort()).toEqual(['circleci-deploy-api', 'circleci-deploy-web']);
}, 240_000);

it('a provider that answers 503 forever ends the run not_contained once the containment deadline passes', async () => {
  await stack('circleci');
  local.tenant.injectFault({ provider: 'google', operation: 'projects.serviceAccounts.keys.delete', type: 'unavailable', status: 503 });
  const t0 = Date.now();
  const result = await contain([{ provider: 'google', kind: 'service_account_key', keyId: '5e8d2a1c9b7f4e3d6a0c8b2e1f9d7a5c3b6e4d2f' }], { containDeadline: '15s', escalateRetriesAfter: '5s' });
  const took = Date.now() - t0;
  expect(result.outcome).toBe('not_contained');
  expect(result.outcomeReason).toMatch(/connector\.unavailable/);
  // Bounded: the deadline, plus at most one round of the activity's own retries (~15 s) and scheduling.
  expect(took).toBeLessThan(15_000 + 30_000);
  expect(result.evidence.some((e) => e.kind === 'waiting_escalated')).toBe(true);
}, 120_000);
