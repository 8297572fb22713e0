// Hygiene and persistence sweeps end to end: a real Temporal dev server, a real worker carrying the
// containment and sweep activities, the REAL Google connector (googleapis) against the emulator
// seeded with the sweep scenario. The schedule is created on the server, one triggered run produces
// the inventory, and the answer must be exactly the seeded bad credentials.
import { mkdtemp } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getStatus, startContainment } from '../../client/containments.ts';
import { connectorsFromEnv } from '../../connectors/registry.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import { startLocalTenant, type LocalTenant } from '../../local-tenant/tenant.ts';
import { createLogger } from '../../logging/logger.ts';
import type { ContainmentStatus } from '../../schemas/containment.ts';
import { HygieneReport, PERSISTENCE_SWEEP_WORKFLOW_TYPE, PersistenceReport } from '../../schemas/sweep.ts';
import { inventoryCsv, inventoryJson, parseInventoryCsv } from '../../activities/sweeps/export.ts';
import { containmentForFinding } from '../../activities/sweeps/flags.ts';
import { persistenceSweepsAfter } from '../../activities/sweeps/persistence.ts';
import { ensureHygieneSchedule, triggerHygieneSweep } from '../../client/schedules.ts';
import { runInventory, runPersistenceSweeps } from '../../client/sweeps.ts';
import { COMPROMISED_GRANT, EXPECTED_FLAGS, PERSISTED_GRANT_ID, hygieneScenario } from '../support/hygiene-scenario.ts';
import { historyText, startTestWorker, type RunningWorker } from '../support/temporal.ts';

let tenant: LocalTenant;
let client: Client;
let w: RunningWorker;
const scheduleId = `cordon-hygiene-test-${randomBytes(3).toString('hex')}`;
let target: RunningWorker['target'];

beforeAll(async () => {
  tenant = await startLocalTenant({ scenario: hygieneScenario() });
  const connectors = connectorsFromEnv(tenant.connectorEnv());
  const store = new LocalEncryptedStore(await mkdtemp(join(tmpdir(), 'cordon-sweep-')), randomBytes(32));
  // The real worker set-up (worker/worker.ts): the sweep activities beside the containment ones.
  w = await startTestWorker({ connectors, sink: store, logger: createLogger({ level: 'warn' }) });
  client = w.client;
  target = w.target;
});

afterAll(async () => {
  await client?.schedule.getHandle(scheduleId).delete().catch(() => undefined);
  await w?.stop();
  await tenant?.close();
});

const flaggedMap = (report: HygieneReport) => Object.fromEntries(report.rows.filter((r) => r.flags.length).map((r) => [r.credential.id, r.flags.map((f) => f.kind)]));

describe('hygiene sweep on a Temporal Schedule', () => {
  let report: HygieneReport;
  let sweepWorkflowId: string;

  it('creates the schedule idempotently: a second call updates the one schedule', async () => {
    expect(await ensureHygieneSchedule(client, { taskQueue: target.taskQueue, every: '24h', scheduleId })).toEqual({ scheduleId, created: true });
    expect(await ensureHygieneSchedule(client, { taskQueue: target.taskQueue, every: '12h', scheduleId })).toEqual({ scheduleId, created: false });
    const d = await client.schedule.getHandle(scheduleId).describe();
    expect((d.spec.intervals ?? []).map((i) => i.every)).toEqual([12 * 3_600_000]);
    expect(d.action.type === 'startWorkflow' && d.action.workflowType).toBe('hygieneSweep');
    const ids: string[] = [];
    for await (const s of client.schedule.list()) if (s.scheduleId === scheduleId) ids.push(s.scheduleId);
    expect(ids).toEqual([scheduleId]);
    await expect(ensureHygieneSchedule(client, { taskQueue: target.taskQueue, every: 'daily', scheduleId })).rejects.toThrow(/--every/);
  });

  it('one triggered run inventories the tenant and flags exactly the seeded bad credentials', async () => {
    const run = await triggerHygieneSweep(client, scheduleId);
    report = HygieneReport.parse(run.report);
    sweepWorkflowId = run.workflowId;
    expect(sweepWorkflowId.startsWith(scheduleId)).toBe(true);
    expect(flaggedMap(report)).toEqual(EXPECTED_FLAGS);
    expect(report.flagged.sort()).toEqual(Object.keys(EXPECTED_FLAGS).sort());
    // Everything the tenant holds was inventoried: 7 grants and 4 service-account keys.
    expect(report.rows).toHaveLength(11);
    expect(report.coverage).toHaveLength(1);
    expect(report.coverage[0]).toMatchObject({ provider: 'google', state: 'inventoried', credentials: 11 });
    expect(report.coverage[0]!.blindSpots.length).toBeGreaterThan(0);
    // The emulator saw the walk: every user's grants and the project's keys were listed.
    expect(tenant.calls({ provider: 'google', operation: 'tokens.list' }).length).toBeGreaterThanOrEqual(5);
    expect(tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.list' }).length).toBeGreaterThanOrEqual(2);
  });

  it('exports the run’s inventory as JSON and CSV, with what the connector could not see, and no secret', async () => {
    const json = inventoryJson(report);
    expect(flaggedMap(HygieneReport.parse(JSON.parse(json)))).toEqual(EXPECTED_FLAGS);
    const records = parseInventoryCsv(inventoryCsv(report));
    const csvFlags = Object.fromEntries(records.filter((r) => r.record === 'credential' && r.flags).map((r) => [r.credential_id, r.flags.split(' ')]));
    expect(csvFlags).toEqual(EXPECTED_FLAGS);
    expect(records.filter((r) => r.record === 'blind_spot').map((r) => r.detail)).toEqual(report.coverage[0]!.blindSpots);
    const ownKey = JSON.parse(tenant.connectorEnv().CORDON_GOOGLE_CREDENTIALS_JSON!) as { private_key: string };
    for (const text of [json, inventoryCsv(report)]) {
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).not.toContain(ownKey.private_key.slice(40, 80));
    }
    // History is encrypted by the codec: the inventory is not readable there either.
    const history = historyText(await client.workflow.getHandle(sweepWorkflowId).fetchHistory());
    expect(history).not.toContain('alice@sweep.example');
  });

  it('a flagged credential opens a containment that waits for approval before touching it', async () => {
    const row = report.rows.find((r) => r.flags.some((f) => f.kind === 'over_broad_scope'))!;
    const request = containmentForFinding(row.credential, row.flags.map((f) => f.detail), { incidentId: `HYG-${randomBytes(3).toString('hex')}`, requester: 'hygiene-sweep', approvers: ['secops-lead'] });
    const { workflowId } = await startContainment(client, target.taskQueue, request);
    let status: ContainmentStatus | undefined;
    for (let i = 0; i < 120 && !status?.pendingApprovals.length; i++) {
      await new Promise((r) => setTimeout(r, 250));
      status = await getStatus(client, workflowId).catch(() => undefined);
    }
    expect(status!.pendingApprovals).toHaveLength(1);
    expect(status!.plan!.credentials.map((c) => c.id)).toEqual([row.credential.id]);
    expect(tenant.calls({ provider: 'google', operation: 'tokens.delete' })).toEqual([]);
    await client.workflow.getHandle(workflowId).terminate('test done');
  });
});

describe('cordon inventory', () => {
  it('runs a sweep now and prints the same flagged inventory as CSV', async () => {
    const { report, text } = await runInventory(client, target.taskQueue, { csv: true });
    expect(flaggedMap(report)).toEqual(EXPECTED_FLAGS);
    const csvFlags = Object.fromEntries(parseInventoryCsv(text).filter((r) => r.record === 'credential' && r.flags).map((r) => [r.credential_id, r.flags.split(' ')]));
    expect(csvFlags).toEqual(EXPECTED_FLAGS);
  });
});

describe('persistence sweep after a containment', () => {
  it('finds the grant the compromised user authorised in the exposure window, and offers it for containment', async () => {
    const { workflowId } = await startContainment(client, target.taskQueue, {
      incidentId: `INC-persist-${randomBytes(3).toString('hex')}`,
      requester: 'responder@sweep.example',
      credentials: [{ provider: 'google', kind: 'oauth_grant', clientId: COMPROMISED_GRANT.clientId, user: COMPROMISED_GRANT.user }],
    });
    const contained = (await client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
    expect(contained.outcome, contained.outcomeReason).toBe('contained');
    expect(contained.plan!.credentials.map((c) => c.id)).toEqual([COMPROMISED_GRANT.id]);

    const exposedSince = new Date(Date.now() - 7 * 86_400_000).toISOString();
    const inputs = persistenceSweepsAfter(contained, { exposedSince });
    expect(inputs).toHaveLength(1);
    expect(inputs[0]!.principal.id).toBe(COMPROMISED_GRANT.user);
    const result = PersistenceReport.parse(
      await client.workflow.execute(PERSISTENCE_SWEEP_WORKFLOW_TYPE, { taskQueue: target.taskQueue, workflowId: `${workflowId}-persistence`, args: [inputs[0]] }),
    );
    // The grant authorised yesterday is found; dave's 40-day-old shared grant (used 3 days ago: use is
    // not creation) and the contained grant itself are not.
    expect(result.findings.map((f) => f.credential.id)).toEqual([PERSISTED_GRANT_ID]);
    expect(result.findings[0]!.evidence).toMatch(/inside the exposure window/);
    const offer = result.findings[0]!.offer!;
    expect(offer.policy.approval.requireForDirect).toBe(true);
    expect(offer.credentials).toEqual([{ provider: 'google', kind: 'oauth_grant', id: PERSISTED_GRANT_ID }]);
    expect(result.blindSpots.some((b) => b.includes('Reports token log'))).toBe(true);

    // The CLI path gives the same answer from the containment's workflow id.
    const viaCli = await runPersistenceSweeps(client, target.taskQueue, workflowId, { exposedSince });
    expect(viaCli.map((r) => r.findings.map((f) => f.credential.id))).toEqual([[PERSISTED_GRANT_ID]]);

    // The offer is a valid containment: started as is, it waits for approval.
    const started = await startContainment(client, target.taskQueue, { ...offer, policy: { ...offer.policy, approval: { ...offer.policy.approval, approvers: ['secops-lead'] } } });
    let status: ContainmentStatus | undefined;
    for (let i = 0; i < 120 && !status?.pendingApprovals.length; i++) {
      await new Promise((r) => setTimeout(r, 250));
      status = await getStatus(client, started.workflowId).catch(() => undefined);
    }
    expect(status!.pendingApprovals).toHaveLength(1);
    await client.workflow.getHandle(started.workflowId).terminate('test done');
  });
});
