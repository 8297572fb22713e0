// GitHub tokens whose value is known die everywhere (GitHub's credential revocation), after the org is
// cut off; the revocation budget is paced by the Temporal server for every run together; and a token the
// tenant can only cut off (no value) ends in its own honest state, not "verified dead". Real dev server,
// real worker, @octokit/rest against the GitHub emulator; judged from the emulator's call log and state.
import { mkdtemp } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startContainment } from '../../client/containments.ts';
import { connectorsFromEnv } from '../../connectors/registry.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import { loadScenarioDir, scenarioDir, startLocalTenant, type LocalTenant } from '../../emulators/tenant.ts';
import type { ContainmentRequest, ContainmentStatus } from '../../schemas/containment.ts';
import { localStackPerTest } from '../support/local-stack.ts';

const local = localStackPerTest();

const PAT = 'ghp_govYleKxdKaTrZjWE6paaP7RyhUFyVrJDRbx';
const OAUTH = 'gho_QXQWPkTZiBnZmdRUTuSoktjaSRocVB8a1kMf';

async function stack(pacedPerHour: number) {
  await local.start(await loadScenarioDir(scenarioDir('circleci')), { pacedPerHour });
}

async function contain(credentials: ContainmentRequest['credentials'][]): Promise<ContainmentStatus[]> {
  const started = await Promise.all(
    credentials.map((c) => startContainment(local.worker.client, local.worker.target.taskQueue, { incidentId: `INC-gh-${randomBytes(3).toString('hex')}`, requester: 'responder@acme.example', credentials: c })),
  );
  return Promise.all(started.map((s) => local.worker.client.workflow.getHandle(s.workflowId).result() as Promise<ContainmentStatus>));
}

it('kills a leaked PAT and OAuth token by value after cutting the org off, pacing the revocation budget across runs', async () => {
  await stack(1800); // one request every 2 s, for every worker and run on the queue
  const [pat, oauth] = await contain([[{ provider: 'github', kind: 'pat', leakedValue: PAT }], [{ provider: 'github', kind: 'oauth_token', leakedValue: OAUTH }]]);
  for (const r of [pat!, oauth!]) {
    expect(r.outcome, r.outcomeReason).toBe('contained');
    expect(r.credentials.every((c) => c.state === 'verified_dead')).toBe(true);
    expect(r.evidence.some((e) => e.kind === 'revoked' && e.method === 'by_value')).toBe(true);
    // Dead means GitHub refuses the value itself.
    expect(r.evidence.some((e) => e.kind === 'verified' && e.verdict === 'dead' && e.probe === 'dead')).toBe(true);
  }
  const calls = local.tenant.calls({ provider: 'github' });
  const byValue = calls.filter((c) => c.operation === 'credentials.revoke');
  expect(byValue.map((c) => c.status)).toEqual([202, 202]);
  // The org-side cut-off of the PAT came first, so the org was safe before the slower global revocation.
  const cutOff = calls.find((c) => c.operation === 'orgs.removeSamlSsoAuthorization' && c.status < 300);
  expect(cutOff).toBeDefined();
  expect(cutOff!.seq).toBeLessThan(byValue[0]!.seq);
  // Two runs, one budget: the server spaced the two requests.
  expect(Date.parse(byValue[1]!.at) - Date.parse(byValue[0]!.at)).toBeGreaterThanOrEqual(1500);
  // No leaked value in the call log or the evidence.
  const text = JSON.stringify([calls, pat, oauth]);
  for (const v of [PAT, OAUTH]) expect(text).not.toContain(v);
});

it('a PAT known only by id is cut off from the org and reported as such, with what its owner must do', async () => {
  await stack(36_000);
  const [r] = await contain([[{ provider: 'github', kind: 'pat', id: 'pat:classic:7301' }]]);
  expect(r!.outcome, r!.outcomeReason).toBe('contained_in_tenant');
  expect(r!.credentials[0]!.state).toBe('cut_off');
  expect(r!.outcomeReason).toMatch(/cut off from the tenant but alive for their owners/);
  const note = r!.evidence.find((e) => e.kind === 'cut_off');
  expect(note).toMatchObject({ ownerAction: expect.stringMatching(/owner/i) });
  // Nothing was reported by value: Cordon does not have it.
  expect(local.tenant.calls({ provider: 'github', operation: 'credentials.revoke' })).toEqual([]);
});
