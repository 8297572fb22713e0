// Rotation policies end to end (issue 17, docs/rotation.md): the generated load scenario's Google service-account
// keys, aged by the tenant clock, on the real dev server and worker. The local tenant's consumers sign in with the
// key they hold (local-tenant/consumers.ts): one that switches picks up the replacement Cordon delivered to it, and
// the connector sees the switch in Policy Analyzer's key last-authentication record.
import { describe, expect, it } from 'vitest';
import { loadScenario, loadScenarioDir, scenarioDir } from '@cordon/emulators';
import { DecisionRefusedError, getStatus, startContainment } from '../../client/containments.ts';
import { findUnrotated } from '../../client/unrotated.ts';
import { buildApp } from '../../api/app.ts';
import { ApiKeyring, mintApiKey } from '../../api/keys.ts';
import { createLogger } from '../../logging/logger.ts';
import type { ContainmentRequest } from '../../schemas/containment.ts';
import { decideRotation, ensureRotationSchedule, rotationRunReport, rotationStatus, runRotation, startRotation, triggerRotation } from '../../client/rotation.ts';
import { rotateCommand } from '../../cli/rotate.ts';
import { renderRotationHtml } from '../../reports/rotation-html.ts';
import { rotationReportText } from '../../reports/rotation-text.ts';
import type { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import { signInWithKeyFile, useGoogleKeys, type KeyFile } from '../../local-tenant/consumers.ts';
import type { Notification } from '../../notifiers/notifier.ts';
import { RotationPolicy, rotationWorkflowId, UnrotatedList, type RotationPolicyInput, type RotationResult, type RotationState } from '../../schemas/rotation.ts';
import { MESSAGE_RECORDS_KEPT } from '../../workflows/containment/messages.ts';
import { localStackPerTest } from '../support/local-stack.ts';

const lab = localStackPerTest();
const PROJECT = 'load-project-01';
const DAY = 86_400_000;
/** loadScenario(50) seeds ten keys, five per account, created a minute apart from 2025-01-01T00:00Z. */
const SEEDED = Date.UTC(2025, 0, 1);
const keyName = (n: number) => `projects/${PROJECT}/serviceAccounts/ci-${String(Math.floor((n - 1) / 5)).padStart(4, '0')}@${PROJECT}.iam.gserviceaccount.com/keys/${n.toString(16).padStart(40, '0')}`;
/** Key n's consumer (the generator's `pipeline-${k % 13}`, k = n - 1). */
const consumerOf = (n: number) => `pipeline-${(n - 1) % 13}`;
const ALL_KEYS = Array.from({ length: 10 }, (_, i) => keyName(i + 1));

/** The tenant is `minutes` past 90 days after the first key: keys created before that minute are older than 90 days. */
const tenantAt = (minutes: number) => new Date(SEEDED + 90 * DAY + minutes * 60_000).toISOString();

const policy = (over: Partial<RotationPolicyInput> = {}): RotationPolicyInput => ({
  name: 'ci-keys-90d',
  match: { provider: 'google', kinds: ['service_account_key'], principal: `ci-*@${PROJECT}.iam.gserviceaccount.com` },
  maxAge: '90d',
  switchDeadline: '5m',
  checkEvery: '1s',
  perMinute: 600,
  ...over,
});

async function waitFor<T>(what: string, read: () => Promise<T>, done: (t: T) => boolean, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)?.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Providers record last use in whole seconds, so a switch shows only from the second after the old keys' last
 * use: waits for what is left of that second (none when the rotation took longer to get there).
 */
const nextSecondAfter = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, (Math.floor(ms / 1000) + 1) * 1000 + 50 - Date.now())));

/**
 * The rotation's status from its run on this test's worker. Every test rotates the same keys, so until this test's
 * run starts, the workflow id names an earlier test's finished run, whose worker is gone: a query to it would wait
 * for a worker until it timed out (about 30 s), so it is not asked.
 */
async function statusOf(n: number): Promise<RotationResult> {
  const handle = lab.worker.client.workflow.getHandle(rotationWorkflowId(`google:${keyName(n)}`));
  const run = await handle.describe();
  if (run.taskQueue !== lab.worker.target.taskQueue) throw new Error(`the rotation of key ${n} is an earlier test's run (task queue ${run.taskQueue})`);
  return rotationStatus(lab.worker.client, handle.workflowId);
}
const waitForState = (n: number, states: RotationState[]) => waitFor(`rotation of key ${n} in ${states.join('/')}`, () => statusOf(n), (s) => states.includes(s.state));

/** Consumers sign in once a second until `until` resolves (the stubborn ones keep to their old key). */
async function consumersAtWork<T>(store: LocalEncryptedStore, switches: (consumerId: string) => boolean, until: Promise<T>): Promise<T> {
  let done = false;
  const result = until.finally(() => {
    done = true;
  });
  while (!done) {
    await useGoogleKeys(lab.tenant, { store, switches });
    await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
  }
  return result;
}

const kinds = (r: RotationResult) => r.evidence.map((e) => e.kind);
const firstCall = (operation: string, credentialOrTarget: string) =>
  lab.tenant.calls({ provider: 'google', operation }).find((c) => c.status < 300 && (c.credential === credentialOrTarget || c.target === credentialOrTarget));

describe('rotation policies on the local tenant', () => {
  it('rotates the service-account keys older than 90 days, one replacement per consumer, revoking each old key only after its consumer uses the new one', async () => {
    const { store } = await lab.start(loadScenario(50));
    // Keys 1–3 were created at minutes 0–2: older than 90 days at minute 2.5; keys 4–10 are younger.
    lab.tenant.setTenantTime(tenantAt(2.5), { frozen: true });
    const { client, target } = lab.worker;
    // Every consumer works with the key it was given before the rotation starts.
    expect((await useGoogleKeys(lab.tenant, { store, switches: () => false })).every((u) => u.ok && u.used === 'old')).toBe(true);
    const lastOldUse = Date.now();

    // The dry run shows the plan and writes nothing.
    const dry = await runRotation(client, target.taskQueue, { policies: [policy()], dryRun: true });
    expect(dry.report.entries.map((e) => [e.credentialId, e.start]).sort()).toEqual([1, 2, 3].map((n) => [`google:${keyName(n)}`, 'planned']).sort());
    expect(renderRotationHtml(dry.report)).toContain('3 would be rotated');
    expect(lab.tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.upload' })).toEqual([]);

    const { workflowId } = await startRotation(client, target.taskQueue, { policies: [policy()] });
    for (const n of [1, 2, 3]) await waitForState(n, ['waiting_for_switch']);
    // Minted and delivered, but nothing revoked while no consumer has been seen on its replacement: two more
    // rounds of last-use reads by each of the three rotations (every `checkEvery`) have found no switch.
    const lastUseReads = () => lab.tenant.calls({ provider: 'google', operation: 'policyanalyzer.activities.query' }).length;
    const readsBefore = lastUseReads();
    await waitFor('two more rounds of last-use reads', async () => lastUseReads(), (n) => n >= readsBefore + 6);
    expect(lab.tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.delete' })).toEqual([]);
    for (const n of [1, 2, 3]) expect((await statusOf(n)).state).toBe('waiting_for_switch');

    await nextSecondAfter(lastOldUse);
    const report = await consumersAtWork(store, () => true, rotationRunReport(client, workflowId));

    const html = renderRotationHtml(report);
    expect(html).toContain('3 rotated · 0 held');
    expect(rotationReportText(report)).toMatch(/ROTATED key 00000000… of ci-0000/);
    const plan = report.plans[0]!;
    expect(plan.error).toBeUndefined();
    expect(plan.due.map((d) => d.credential.id).sort()).toEqual([1, 2, 3].map(keyName).sort());
    expect(plan.notDue).toBe(7);
    expect(report.entries).toHaveLength(3);
    for (const n of [1, 2, 3]) {
      const entry = report.entries.find((e) => e.credentialId === `google:${keyName(n)}`)!;
      expect(entry.start).toBe('started');
      const r = entry.result!;
      expect(r.state, r.reason).toBe('rotated');
      // One replacement, for the key's one consumer, and the consumer seen on it.
      expect(r.replacements.map((x) => x.consumerId)).toEqual([consumerOf(n)]);
      expect(r.consumers).toEqual([{ consumerId: consumerOf(n), replacementId: r.replacements[0]!.replacementId, switched: true }]);
      expect(kinds(r)).toEqual(['planned', 'replacement_delivered', 'switch_seen', 'revoked', 'verified']);
      expect(r.evidence[0]).toMatchObject({ kind: 'planned', order: 'staged' });
      expect(r.evidence.at(-1)).toMatchObject({ kind: 'verified', oldActive: false });
      // From outside: the old key was deleted after the consumer's first sign-in with its replacement.
      const newKey = r.replacements[0]!.replacementId;
      const firstUseOfNew = firstCall('oauth2.token', newKey);
      const deleted = firstCall('projects.serviceAccounts.keys.delete', keyName(n));
      expect(firstUseOfNew, `no sign-in with ${newKey}`).toBeDefined();
      expect(deleted, `${keyName(n)} not deleted`).toBeDefined();
      expect(deleted!.seq).toBeGreaterThan(firstUseOfNew!.seq);
      expect(lab.tenant.emulators.google.state.keys.has(keyName(n))).toBe(false);
      expect(lab.tenant.emulators.google.state.keys.has(newKey)).toBe(true);
    }
    // The younger keys were neither replaced nor touched.
    for (const n of [4, 5, 6, 7, 8, 9, 10]) expect(lab.tenant.emulators.google.state.keys.has(keyName(n))).toBe(true);
    expect(lab.tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.delete' })).toHaveLength(3);
    expect(lab.tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.upload' }).filter((c) => c.status < 300)).toHaveLength(3);
    // Every consumer still signs in: the rotated ones with their replacement, the others with their own key.
    const after = await useGoogleKeys(lab.tenant, { store, switches: () => true, keys: ALL_KEYS.filter((k) => lab.tenant.emulators.google.state.keys.has(k)) });
    expect(after.every((u) => u.ok)).toBe(true);
  }, 240_000);

  it('a consumer that never switches meets the policy deadline: held and escalated, then revoked when the policy says revoke', async () => {
    const notes: Notification[] = [];
    const { store } = await lab.start(loadScenario(50), { notifier: { notify: async (n) => void notes.push(n) } });
    // Keys 1 and 2 are due; pipeline-1 (key 2's consumer) never picks up its replacement. The tenant clock tells
    // the two keys apart by a minute of age: key 1 (90 days and 1.5 minutes old) falls under a patient policy
    // first, whose deadline its consumer beats however slow the machine; key 2 (90 days and half a minute) only
    // under a policy whose short deadline holds and escalates. One run, both policies.
    lab.tenant.setTenantTime(tenantAt(1.5), { frozen: true });
    const { client, target } = lab.worker;
    const stubborn = consumerOf(2);
    await useGoogleKeys(lab.tenant, { store, switches: () => false });
    const lastOldUse = Date.now();

    const patient = policy({ name: 'ci-keys-90d-1m', maxAge: `${90 * 24 * 60 + 1}m`, switchDeadline: '5m' });
    const strict = policy({ switchDeadline: '3s', onDeadline: 'hold_and_escalate' });
    const held = await startRotation(client, target.taskQueue, { policies: [patient, strict] });
    for (const n of [1, 2]) await waitForState(n, ['waiting_for_switch', 'rotated', 'held']);
    await nextSecondAfter(lastOldUse);
    const first = await consumersAtWork(store, (c) => c !== stubborn, rotationRunReport(client, held.workflowId));
    const r1 = first.entries.find((e) => e.credentialId === `google:${keyName(1)}`)!.result!;
    const r2 = first.entries.find((e) => e.credentialId === `google:${keyName(2)}`)!.result!;
    expect(r1.state, r1.reason).toBe('rotated');
    expect(r2.state, r2.reason).toBe('held');
    expect(first.entries.map((e) => [e.credentialId, e.policy]).sort()).toEqual([[`google:${keyName(1)}`, patient.name], [`google:${keyName(2)}`, strict.name]]);
    expect(kinds(r2)).toEqual(['planned', 'replacement_delivered', 'deadline_reached', 'escalated']);
    const deadline = r2.evidence.find((e) => e.kind === 'deadline_reached')!;
    expect(deadline).toMatchObject({ action: 'hold_and_escalate', waitingFor: [stubborn] });
    // The old key is still in use by its consumer, and the record says so.
    expect(deadline.kind === 'deadline_reached' && deadline.old?.lastUsedAt).toBeTruthy();
    expect(notes.filter((n) => n.kind === 'escalation' && n.workflowId === r2.workflowId)).toHaveLength(1);
    expect(lab.tenant.emulators.google.state.keys.has(keyName(2))).toBe(true);
    expect(firstCall('projects.serviceAccounts.keys.delete', keyName(2))).toBeUndefined();

    // The same credential under a policy that revokes at the deadline: its replacement is the one already delivered.
    const stubbornKeyFile = lab.tenant.emulators.google.keyFile(keyName(2)) as unknown as KeyFile;
    const revoking = await startRotation(client, target.taskQueue, { policies: [policy({ switchDeadline: '2s', onDeadline: 'revoke' })], only: [`google:${keyName(2)}`] });
    const second = await consumersAtWork(store, (c) => c !== stubborn, rotationRunReport(client, revoking.workflowId));
    const r3 = second.entries[0]!.result!;
    expect(r3.state, r3.reason).toBe('revoked_at_deadline');
    expect(r3.reason).toContain(stubborn);
    expect(kinds(r3)).toEqual(['planned', 'replacement_delivered', 'deadline_reached', 'revoked', 'verified']);
    expect(r3.evidence.find((e) => e.kind === 'deadline_reached')).toMatchObject({ action: 'revoke', waitingFor: [stubborn] });
    expect(r3.replacements[0]!.replacementId).toBe(r2.replacements[0]!.replacementId);
    expect(lab.tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.upload' }).filter((c) => c.status < 300)).toHaveLength(2);
    expect(lab.tenant.emulators.google.state.keys.has(keyName(2))).toBe(false);
    // The consumer that did not switch is now locked out until it loads its replacement.
    expect(await signInWithKeyFile(lab.tenant.urls.google, stubbornKeyFile)).toEqual({ ok: false, error: 'Invalid JWT Signature.' });
  }, 240_000);

  it('an approval is judged like a containment decision: signed, on the list, not the requester; refusals recorded, a rejection mints nothing', async () => {
    const { store } = await lab.start(loadScenario(50));
    // Keys 1 and 2 are due; bob asks for their rotation and maria approves.
    lab.tenant.setTenantTime(tenantAt(1.5), { frozen: true });
    const { client, target, envelopeKeys } = lab.worker;
    await useGoogleKeys(lab.tenant, { store, switches: () => false });
    const lastOldUse = Date.now();
    const guarded = policy({ requireApproval: true, approvers: ['maria', 'bob'] });
    const { workflowId } = await startRotation(client, target.taskQueue, { policies: [guarded], requester: 'bob' });
    const [first, second] = [1, 2].map((n) => rotationWorkflowId(`google:${keyName(n)}`));
    for (const n of [1, 2]) await waitForState(n, ['awaiting_approval']);
    const cliAs = (user: string) => ({ keys: envelopeKeys, identity: { authenticatedBy: 'cli' as const, source: 'operator_id' as const, user } });
    const refused = (p: Promise<unknown>) => p.then(() => 'accepted', (err: unknown) => (err instanceof DecisionRefusedError ? err.message : `not a refusal: ${String(err)}`));

    // An unsigned decision is a Temporal-direct call, refused where the policy requires authentication (the default).
    expect(await refused(decideRotation(client, first!, { approver: 'maria', decision: 'approve', channel: 'cli' }))).toMatch(/must come through an authenticated way in.*unauthenticated Temporal-direct call/);
    // Signed, but not an approver; signed, but the requester.
    expect(await refused(decideRotation(client, first!, { approver: 'eve', decision: 'approve', channel: 'cli' }, cliAs('eve')))).toBe('eve is not an authorized approver for this rotation');
    expect(await refused(decideRotation(client, first!, { approver: 'bob', decision: 'approve', channel: 'cli' }, cliAs('bob')))).toBe('bob requested this rotation and cannot approve it');
    expect(lab.tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.upload' })).toEqual([]);

    // `cordon rotate approve` signs as the operator the CLI vouches for.
    const said: string[] = [];
    const code = await rotateCommand(['approve', first!, '--as', 'maria'], async () => ({ client, taskQueue: target.taskQueue }), (t) => void said.push(t), async () => cliAs('maria'));
    expect([code, said]).toEqual([0, [`${first}: minting`]]);
    // The first decision wins; the rejection of the other rotation ends it with nothing minted.
    expect(await refused(decideRotation(client, first!, { approver: 'maria', decision: 'reject', channel: 'cli' }, cliAs('maria')))).toBe(`${first}: already decided by maria`);
    // A client looping on refused decisions: each caller hears its refusal, the evidence keeps the first MESSAGE_RECORDS_KEPT and says so.
    const flood = MESSAGE_RECORDS_KEPT + 5;
    for (let i = 0; i < flood; i += 25) {
      const answers = await Promise.all(Array.from({ length: Math.min(25, flood - i) }, () => refused(decideRotation(client, second!, { approver: 'eve', decision: 'approve', channel: 'cli' }, cliAs('eve')))));
      expect(new Set(answers)).toEqual(new Set(['eve is not an authorized approver for this rotation']));
    }
    expect(await decideRotation(client, second!, { approver: 'maria', decision: 'reject', reason: 'owner on leave', channel: 'cli' }, cliAs('maria'))).toBe('rejected');

    await nextSecondAfter(lastOldUse);
    const report = await consumersAtWork(store, () => true, rotationRunReport(client, workflowId));
    const r1 = report.entries.find((e) => e.credentialId === `google:${keyName(1)}`)!.result!;
    const r2 = report.entries.find((e) => e.credentialId === `google:${keyName(2)}`)!.result!;
    expect(r1.state, r1.reason).toBe('rotated');
    expect(kinds(r1)).toEqual(['planned', 'approval_requested', 'approval_refused', 'approval_refused', 'approval_refused', 'approval_decided', 'approval_refused', 'replacement_delivered', 'switch_seen', 'revoked', 'verified']);
    const events = r1.evidence;
    expect(events[2]).toMatchObject({ kind: 'approval_refused', approver: 'maria', channel: 'temporal', authenticatedBy: 'unauthenticated', claimedChannel: 'cli' });
    expect(events[3]).toMatchObject({ kind: 'approval_refused', approver: 'eve', channel: 'cli', authenticatedBy: 'cli', identity: { user: 'eve' } });
    expect(events[4]).toMatchObject({ kind: 'approval_refused', approver: 'bob', reason: 'bob requested this rotation and cannot approve it', authenticatedBy: 'cli' });
    expect(events[5]).toEqual({ kind: 'approval_decided', at: expect.any(String), approver: 'maria', decision: 'approve', channel: 'cli', authenticatedBy: 'cli', identity: { authenticatedBy: 'cli', source: 'operator_id', user: 'maria' } });
    expect(rotationReportText(report)).toContain('approved by maria via cli (CLI, operator id maria)');
    expect(r2.state).toBe('rejected');
    expect(r2.reason).toBe('rejected by maria: owner on leave');
    expect(kinds(r2)).toEqual(['planned', 'approval_requested', ...Array<string>(MESSAGE_RECORDS_KEPT + 1).fill('approval_refused'), 'approval_decided']);
    expect(r2.evidence.at(-2)).toMatchObject({ kind: 'approval_refused', approver: 'cordon', reason: `${MESSAGE_RECORDS_KEPT} refused decisions recorded: further ones are refused without a record here (the workflow's history keeps each)` });
    expect(r2.replacements).toEqual([]);
    // One key minted (the approved rotation's), and the rejected key left alone.
    expect(lab.tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.upload' }).filter((c) => c.status < 300)).toHaveLength(1);
    expect(lab.tenant.emulators.google.state.keys.has(keyName(2))).toBe(true);
    expect(firstCall('projects.serviceAccounts.keys.delete', keyName(2))).toBeUndefined();
  }, 240_000);

  it('a second trigger of the Schedule while rotations wait for their consumers starts nothing new', async () => {
    const { store } = await lab.start(loadScenario(50));
    lab.tenant.setTenantTime(tenantAt(1.5), { frozen: true });
    const { client, target } = lab.worker;
    await useGoogleKeys(lab.tenant, { store, switches: () => false });
    const scheduleId = `cordon-rotation-${target.taskQueue}`;
    expect((await ensureRotationSchedule(client, { taskQueue: target.taskQueue, every: '24h', policies: [RotationPolicy.parse(policy())], scheduleId })).created).toBe(true);
    try {
      const first = await triggerRotation(client, scheduleId, { wait: false });
      for (const n of [1, 2]) await waitForState(n, ['waiting_for_switch']);
      const mints = () => lab.tenant.calls({ provider: 'google', operation: 'projects.serviceAccounts.keys.upload' }).filter((c) => c.status < 300).length;
      expect(mints()).toBe(2);
      // A Schedule names each run after its start second: the second trigger comes a second later.
      await new Promise((r) => setTimeout(r, 1100));
      const second = await triggerRotation(client, scheduleId, { wait: false });
      expect(second.workflowId).not.toBe(first.workflowId);
      const report = await rotationRunReport(client, second.workflowId);
      expect(report.plans[0]!.due).toHaveLength(2);
      expect(report.entries.map((e) => e.start)).toEqual(['already_running', 'already_running']);
      expect(mints()).toBe(2);
      // The first run's rotations go on and finish once the consumers switch.
      const done = await consumersAtWork(store, () => true, rotationRunReport(client, first.workflowId));
      expect(done.entries.map((e) => e.result?.state)).toEqual(['rotated', 'rotated']);
    } finally {
      await client.schedule.getHandle(scheduleId).delete();
    }
  }, 240_000);
});

describe('the "unrotated since incident" flag', () => {
  it('after a containment, lists exactly the credentials that share its principal or app and are older than it', async () => {
    await lab.start(await loadScenarioDir(scenarioDir('salesloft-drift')));
    const { client, target } = lab.worker;
    const DRIFT = '482715630127-drift9c1kq2.apps.googleusercontent.com';
    // Nothing contained yet: no incident, no flag.
    expect((await findUnrotated(client, target.taskQueue)).flags).toEqual([]);

    const { workflowId } = await startContainment(client, target.taskQueue, {
      incidentId: 'INC-DRIFT-7',
      requester: 'maria',
      credentials: [{ provider: 'google', kind: 'oauth_grant', user: 'marco.ruiz@acme.example', clientId: DRIFT }],
      mode: 'direct',
      origin: { channel: 'api' },
    } as ContainmentRequest);
    const final = await waitFor('the containment', () => getStatus(client, workflowId), (s) => s.outcome !== 'running');
    expect(final.outcome, final.outcomeReason).toBe('contained');
    // After the incident, Priya authorizes Drift too: a grant younger than the containment is not "unrotated since".
    const google = lab.tenant.emulators.google.state;
    google.grants.push({ id: 'grant-drift-priya', userKey: 'priya.nair@acme.example', clientId: DRIFT, scopes: ['https://www.googleapis.com/auth/calendar.readonly'], createdAt: new Date().toISOString(), consumers: [] });
    google.addEvent({ at: new Date(Date.now() + 1000).toISOString(), userKey: 'priya.nair@acme.example', clientId: DRIFT, eventName: 'authorize', appName: 'Drift', scopes: [] });

    // Temporal visibility (where finished containments are listed) is eventually consistent.
    const { incidents, flags } = await waitFor('the containment in visibility', () => findUnrotated(client, target.taskQueue), (r) => r.incidents.length > 0, 30_000);
    expect(incidents.map((i) => i.incidentId)).toEqual(['INC-DRIFT-7']);
    // The Drift integration user's own grant of the same app, authorized in 2023: older than the incident, never rotated.
    expect(flags.map((f) => [f.credential.id, f.shares, f.incidentId])).toEqual([[`users/drift-integration@acme.example/tokens/${DRIFT}`, 'app', 'INC-DRIFT-7']]);
    expect(flags[0]!.detail).toMatch(/before incident INC-DRIFT-7/);

    // One API call offers it for rotation; a Google grant needs its owner, and the run's report says so.
    const starter = mintApiKey({ name: 'soar', principal: 'soar-bot', scopes: ['start'] });
    const reader = mintApiKey({ name: 'dashboard', principal: 'dash', scopes: ['read'] });
    const app = buildApp({ client, taskQueue: target.taskQueue, keys: new ApiKeyring([starter.entry, reader.entry]), logger: createLogger({ write: () => undefined }) });
    try {
      // The same flag over the API, with the read scope.
      const listed = await app.inject({ method: 'GET', url: '/v1/rotations/unrotated', headers: { authorization: `Bearer ${reader.key}` } });
      expect(listed.statusCode, listed.body).toBe(200);
      const body = UnrotatedList.parse(JSON.parse(listed.body));
      expect(body.incidents.map((i) => i.incidentId)).toEqual(['INC-DRIFT-7']);
      expect(body.flags.map((f) => [f.credential.id, f.shares, f.incidentId, f.detail])).toEqual(flags.map((f) => [f.credential.id, f.shares, f.incidentId, f.detail]));
      expect((await app.inject({ method: 'GET', url: '/v1/rotations/unrotated' })).statusCode).toBe(401);
      const github = await app.inject({ method: 'GET', url: '/v1/rotations/unrotated?provider=github', headers: { authorization: `Bearer ${reader.key}` } });
      expect(UnrotatedList.parse(JSON.parse(github.body)).flags).toEqual([]);
      const badQuery = await app.inject({ method: 'GET', url: '/v1/rotations/unrotated?provider=okta', headers: { authorization: `Bearer ${reader.key}` } });
      expect([badQuery.statusCode, badQuery.body]).toEqual([400, expect.stringContaining('query.provider')]);
      const res = await app.inject({ method: 'POST', url: '/v1/rotations', headers: { authorization: `Bearer ${starter.key}` }, payload: { credentialId: `google:${flags[0]!.credential.id}` } });
      expect(res.statusCode, res.body).toBe(202);
      const run = await rotationRunReport(client, (JSON.parse(res.body) as { workflowId: string }).workflowId);
      expect(run.entries).toEqual([]);
      expect(run.plans[0]!.skipped).toEqual([expect.objectContaining({ credentialId: `google:${flags[0]!.credential.id}`, reason: expect.stringMatching(/an admin cannot mint a oauth_grant on google: its owner must rotate it/) })]);
      const bad = await app.inject({ method: 'POST', url: '/v1/rotations', headers: { authorization: `Bearer ${starter.key}` }, payload: { credentialId: 'nope' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('credentialId');
    } finally {
      await app.close();
    }
  }, 240_000);
});
