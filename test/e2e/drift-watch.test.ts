// The drift watch end to end: the Salesforce emulator's audit log (LoginHistory) carries two weeks of the Drift
// integration's ordinary use and then the Salesloft/Drift attack (bulk API use from a hosting ASN with a script's
// user agent). One pass of the `driftWatch` workflow on the real dev server reads it through jsforce, flags the
// token with its reasons, and opens a staged containment of the Drift grant that waits for approval. A second
// pass opens nothing new (one containment per token). Approved, the containment ends contained; the next pass
// records the revocation, and a later use of the token is flagged as the containment failing.
import { describe, expect, it } from 'vitest';
import { loadScenarioDir, scenarioDir } from '@cordon/emulators';
import { decide, getStatus } from '../../client/containments.ts';
import { ensureWatchSchedule, runWatchOnce, triggerWatch } from '../../client/watch.ts';
import { feedAuditLogs } from '../../local-tenant/audit-feed.ts';
import { openBaselineStore } from '../../watch/baseline-store.ts';
import { openWatch } from '../../watch/engine.ts';
import { openIpIntel } from '../../watch/ip-intel.ts';
import { attack, baseline, DRIFT_USER, TOKEN } from '../../local-tenant/traffic/drift-replay.ts';
import { localStackPerTest } from '../support/local-stack.ts';

const lab = localStackPerTest();
/** Ends a containment the test no longer needs the way a person would (cancel), and waits until it has: the worker then stops with nothing in flight. */
async function settle(workflowId: string): Promise<void> {
  const handle = lab.worker.client.workflow.getHandle(workflowId);
  await handle.cancel();
  await handle.result().catch(() => undefined);
}

async function approveAll(workflowId: string): Promise<void> {
  const { client, envelopeKeys } = lab.worker;
  const decided = new Set<string>();
  for (;;) {
    const s = await getStatus(client, workflowId);
    if (s.outcome !== 'running') return;
    const p = s.pendingApprovals.find((a) => !decided.has(a.stage));
    if (!p) {
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    decided.add(p.stage);
    for (const approver of ['maria', 'jordan']) {
      await decide(client, workflowId, { stage: p.stage, digest: p.digest, decision: 'approve', approver, channel: 'api' }, { keys: envelopeKeys, identity: { authenticatedBy: 'api_key', apiKeyName: 'soar', principal: approver } });
    }
  }
}

describe('drift watch: audit log to verdict to containment', () => {
  it('flags the Salesloft/Drift pattern with its reasons, opens one staged containment, and checks the revocation after it', async () => {
    const store = openBaselineStore(':memory:');
    // No grace after a revocation: the test's later use comes a second after it.
    const watch = openWatch({ store, ipIntel: openIpIntel(), policy: { revocationGraceSeconds: 0 } });
    await lab.start(await loadScenarioDir(scenarioDir('salesloft-drift')), { watch: { watch, store } });
    const { client, target } = lab.worker;
    const now = Date.now();
    await feedAuditLogs(lab.tenant, [...baseline(now), ...attack(now - 20 * 60_000, 400, 'A')]);

    const first = await runWatchOnce(client, target.taskQueue, { providers: ['salesforce'], backfill: '30d', approvers: ['maria', 'jordan'] });
    const sf = first.report.providers.find((p) => p.provider === 'salesforce')!;
    expect(sf.error).toBeUndefined();
    // The feed, plus Cordon's own API logins to the org (LoginHistory records them too).
    expect(sf.events).toBeGreaterThanOrEqual(84 + 400);
    const verdict = first.report.verdicts.find((v) => v.tokenKey === TOKEN);
    expect(verdict, JSON.stringify(first.report.verdicts)).toBeDefined();
    expect(verdict!.action).toBe('staged');
    expect(verdict!.triggers).toContain('new_infrastructure');
    // The reasons say what changed, in words: the hosting ASN never seen, the script's user agent, the volume.
    expect(verdict!.reasons.join(' | ')).toMatch(/AS14061/);
    expect(verdict!.reasons.join(' | ')).toMatch(/python-requests/);
    // Only the attacked token: the baseline's own use raised nothing.
    expect(first.report.verdicts.map((v) => v.tokenKey)).toEqual([TOKEN]);

    const opened = first.report.containments.find((c) => c.tokenKey === TOKEN)!;
    expect(opened).toMatchObject({ state: 'opened', mode: 'staged' });
    expect(verdict!.containment).toBe(opened.workflowId);
    // Staged: the Drift grant is identified and the run waits for a person before anything is revoked.
    let status = await getStatus(client, opened.workflowId);
    for (let i = 0; i < 100 && !status.pendingApprovals.length; i++) {
      await new Promise((r) => setTimeout(r, 200));
      status = await getStatus(client, opened.workflowId);
    }
    expect(status.mode).toBe('staged');
    expect(status.outcome).toBe('running');
    expect(status.credentials.some((c) => c.credentialId.startsWith(`salesforce:oauthtoken:${DRIFT_USER}:`))).toBe(true);
    expect(lab.tenant.calls({ provider: 'salesforce', operation: 'oauth2.revokeToken' })).toHaveLength(0);

    // A second pass while the containment waits: nothing new to read, no second containment for the token.
    const second = await runWatchOnce(client, target.taskQueue, { providers: ['salesforce'], backfill: '30d' });
    expect(second.report.providers[0]!.events).toBe(0);
    expect(second.report.containments.filter((c) => c.state === 'opened')).toEqual([]);

    await approveAll(opened.workflowId);
    status = await getStatus(client, opened.workflowId);
    expect(status.outcome, status.outcomeReason).toBe('contained');

    // The next pass settles the containment: from now on a use of the token is the containment failing.
    await runWatchOnce(client, target.taskQueue, { providers: ['salesforce'] });
    await new Promise((r) => setTimeout(r, 1100)); // Salesforce times are whole seconds
    await feedAuditLogs(lab.tenant, attack(Date.now(), 1, 'B'));
    const after = await runWatchOnce(client, target.taskQueue, { providers: ['salesforce'], approvers: ['maria', 'jordan'] });
    const failing = after.report.verdicts.find((v) => v.tokenKey === TOKEN);
    expect(failing?.triggers).toContain('use_after_revocation');
    // The containment did not hold: the watch opens the token's next one.
    expect(after.report.containments).toEqual([expect.objectContaining({ tokenKey: TOKEN, state: 'opened', workflowId: `${opened.workflowId}-2` })]);
    await settle(`${opened.workflowId}-2`);
  }, 240_000);

  it('runs as a Temporal Schedule: a triggered pass opens the containment, the next one opens nothing more', async () => {
    const store = openBaselineStore(':memory:');
    const watch = openWatch({ store, ipIntel: openIpIntel() });
    await lab.start(await loadScenarioDir(scenarioDir('salesloft-drift')), { watch: { watch, store } });
    const { client, target } = lab.worker;
    const now = Date.now();
    await feedAuditLogs(lab.tenant, [...baseline(now), ...attack(now - 20 * 60_000, 400, 'C')]);
    const scheduleId = `cordon-drift-watch-${target.taskQueue}`;
    const created = await ensureWatchSchedule(client, { taskQueue: target.taskQueue, every: '1h', scheduleId, input: { providers: ['salesforce'], backfill: '30d', approvers: ['maria'] } });
    expect(created.created).toBe(true);
    // Running the command again updates the one schedule.
    expect((await ensureWatchSchedule(client, { taskQueue: target.taskQueue, every: '2h', scheduleId, input: { providers: ['salesforce'], backfill: '30d', approvers: ['maria'] } })).created).toBe(false);
    try {
      const first = await triggerWatch(client, scheduleId);
      expect(first.report.containments.filter((c) => c.state === 'opened').map((c) => c.tokenKey)).toEqual([TOKEN]);
      // Straight after the first: triggerSchedule waits out the second a Schedule names its runs by.
      const second = await triggerWatch(client, scheduleId);
      expect(second.report.containments).toEqual([]);
      expect(second.report.providers[0]!.events).toBe(0);
      await settle(first.report.containments[0]!.workflowId);
    } finally {
      await client.schedule.getHandle(scheduleId).delete();
    }
  }, 240_000);
});
