// The command line and Temporal-direct ways in, driven as a person or a script would: the real
// `cordon` bin and the built `temporal` CLI (through Cordon's codec server) against the dev server.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startCodecServer } from '../../codec/server.ts';
import { getStatus } from '../../client/containments.ts';
import { MemoryConnector } from '../../connectors/memory/connector.ts';
import { driftSeed } from '../../connectors/memory/seeds.ts';
import { MemoryTenant } from '../../connectors/memory/tenant.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import type { ContainmentStatus } from '../../schemas/containment.ts';
import { historyText, startTestWorker, type RunningWorker } from '../support/temporal.ts';
import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { envelopeKeysEntry, signEnvelope } from '../../codec/decision-envelope.ts';
import { evidenceText } from '../../schemas/evidence-text.ts';
import { decideUpdate, refusalSignal, statusQuery, WORKFLOW_TYPE } from '../../workflows/definitions.ts';

const CORDON = fileURLToPath(new URL('../../cli/cordon.sh', import.meta.url));
const tenant = new MemoryTenant(driftSeed());
let w: RunningWorker;
let env: Record<string, string>;

beforeAll(async () => {
  w = await startTestWorker({
    connectors: { memory: new MemoryConnector(tenant) },
    sink: new LocalEncryptedStore(await mkdtemp(join(tmpdir(), 'cordon-ways-')), randomBytes(32)),
  });
  env = {
    ...(process.env as Record<string, string>),
    TEMPORAL_ADDRESS: String(w.target.connectionOptions.address),
    TEMPORAL_NAMESPACE: w.target.namespace,
    CORDON_TASK_QUEUE: w.target.taskQueue,
    CORDON_CODEC_KEYS: `test:${w.keys.keys.get('test')!.toString('base64')}`,
    // The CLI signs approve and cancel with the worker's envelope key, as the OS user unless configured.
    CORDON_ENVELOPE_KEYS: envelopeKeysEntry(w.envelopeKeys),
  };
  delete env.CORDON_OPERATOR_ID;
});
afterAll(async () => {
  await w?.stop();
});

function run(file: string, args: string[], input?: string, extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { env: { ...env, ...extraEnv }, timeout: 90_000, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}
const cordon = (args: string[], input?: string) => run(CORDON, args, input);

describe('cordon CLI', () => {
  it('contains every ref of a file as one mass containment, and refuses a bad file naming the line before starting anything', async () => {
    tenant.load(driftSeed());
    const { writeFile } = await import('node:fs/promises');
    const dir = await mkdtemp(join(tmpdir(), 'cordon-refs-'));
    const good = join(dir, 'refs.ndjson');
    await writeFile(good, ['# refs from the vendor advisory', '{"provider":"memory","kind":"oauth_token","id":"tok-drift-1"}', '{"provider":"memory","kind":"oauth_token","id":"tok-alice-1"}', ''].join('\n'));
    const incident = `INC-mass-${randomBytes(3).toString('hex')}`;
    const r = await cordon(['contain', '--from', good, '--incident', incident, '--requester', 'alice', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { total: number; tally: Record<string, number>; notContained: unknown[] };
    expect(result).toMatchObject({ total: 2, tally: { contained: 2 }, notContained: [] });
    expect(tenant.credential('tok-drift-1')?.status).toBe('revoked');
    expect(tenant.credential('tok-alice-1')?.status).toBe('revoked');

    // --dry-run: every ref planned, nothing written (the tenant's log holds reads only), the table and the blast radius.
    tenant.load(driftSeed());
    const reads = new Set(['find', 'listActive', 'authenticate']);
    const dry = await cordon(['contain', '--from', good, '--incident', `${incident}-dry`, '--requester', 'alice', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as { workflowId: string; blast: { refs: number; planned: number; credentialsToRevoke: number }; refs: { index: number; status: string; revoke: string[] }[] };
    expect(plan.workflowId).toMatch(/-plan$/);
    expect(plan.refs.map((r) => [r.index, r.status, r.revoke])).toEqual([[0, 'planned', ['memory:tok-drift-1']], [1, 'planned', ['memory:tok-alice-1']]]);
    expect(plan.blast).toMatchObject({ refs: 2, planned: 2, credentialsToRevoke: 2 });
    expect(tenant.credential('tok-drift-1')?.status).toBe('active');
    expect(tenant.calls().filter((c) => !reads.has(c.op))).toEqual([]);
    const table = await cordon(['contain', '--from', good, '--incident', `${incident}-dry`, '--requester', 'alice', '--dry-run']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/nothing was changed/);
    expect(table.stdout).toMatch(/memory oauth_token id=tok-alice-1\s+planned\s+1/);
    expect(table.stdout).toMatch(/credentials to revoke\s+2/);

    tenant.load(driftSeed());
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'provider,kind,id\nmemory,oauth_token,tok-other-app\nmemory,not-a-kind,x\n');
    const before = (await w.client.workflow.count(`TaskQueue = "${w.target.taskQueue}"`)).count;
    const refused = await cordon(['contain', '--from', bad, '--incident', `${incident}-b`]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/line 3: kind/);
    expect(tenant.calls().filter((c) => c.op !== 'find' && c.op !== 'listActive')).toEqual([]);
    expect((await w.client.workflow.count(`TaskQueue = "${w.target.taskQueue}"`)).count).toBe(before);
  });

  it('contains a credential, waits, and reports contained with exit 0', async () => {
    tenant.load(driftSeed());
    const r = await cordon(['contain', '--provider', 'memory', '--kind', 'oauth_token', '--id', 'tok-drift-1', '--incident', `INC-cli-${randomBytes(3).toString('hex')}`, '--requester', 'alice', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const status = JSON.parse(r.stdout) as ContainmentStatus;
    expect(status.outcome).toBe('contained');
    expect(tenant.credential('tok-drift-1')?.status).toBe('revoked');
  });

  it('reads a leaked value from stdin only, and never prints it', async () => {
    tenant.load(driftSeed());
    const { DRIFT_LEAKED_VALUE } = await import('../../connectors/memory/seeds.ts');
    const r = await cordon(['contain', '--provider', 'memory', '--kind', 'oauth_token', '--leaked-value-stdin', '--incident', `INC-cli-${randomBytes(3).toString('hex')}`], DRIFT_LEAKED_VALUE);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('VERIFIED DEAD');
    expect(r.stdout + r.stderr).not.toContain(DRIFT_LEAKED_VALUE);
  });

  it('drives a staged containment with --no-wait, status and approve, refusing a self-approval with exit 4', async () => {
    tenant.load(driftSeed());
    const started = await cordon(['contain', '--provider', 'memory', '--kind', 'oauth_token', '--id', 'tok-drift-1', '--incident', `INC-cli-${randomBytes(3).toString('hex')}`, '--requester', 'alice', '--staged', '--approvers', 'alice,bob', '--no-wait', '--json']);
    expect(started.code, started.stderr).toBe(5);
    const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
    let approvals = 0;
    for (let i = 0; i < 60; i++) {
      const st = await cordon(['status', workflowId, '--json']);
      const s = JSON.parse(st.stdout) as ContainmentStatus;
      if (s.outcome !== 'running') {
        expect(st.code).toBe(0);
        expect(s.outcome).toBe('contained');
        break;
      }
      const p = s.pendingApprovals[0];
      if (!p) continue;
      if (approvals === 0) {
        const self = await cordon(['approve', workflowId, '--stage', p.stage, '--digest', p.digest, '--as', 'alice']);
        expect(self.code).toBe(4);
        expect(self.stderr).toMatch(/requested this containment and cannot approve it/);
      }
      const ok = await cordon(['approve', workflowId, '--stage', p.stage, '--digest', p.digest, '--as', 'bob', '--json']);
      expect(ok.code, ok.stderr).toBe(0);
      approvals++;
    }
    expect(approvals).toBe(4); // restrict + one wave per consumer
    const ev = await cordon(['evidence', workflowId, '--json']);
    const evidence = (JSON.parse(ev.stdout) as ContainmentStatus).evidence;
    expect(evidence.some((e) => e.kind === 'approval_refused' && e.actor === 'alice')).toBe(true);
    // Every decision went signed by the CLI, naming the OS user that ran it.
    const decisions = evidence.filter((e) => e.kind === 'approval_decided' || e.kind === 'approval_refused');
    expect(decisions).toHaveLength(5);
    for (const e of decisions) expect(e).toMatchObject({ channel: 'cli', authenticatedBy: 'cli', identity: { authenticatedBy: 'cli', source: 'os_user', user: userInfo().username } });
  });

  it('rejects invalid input with exit 2, naming the field, and starts nothing', async () => {
    const before = (await w.client.workflow.count(`TaskQueue = "${w.target.taskQueue}"`)).count;
    const r = await cordon(['contain', '--provider', 'memory', '--kind', 'oauth_token', '--id', 'x', '--incident', 'has spaces']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/incidentId: an incident id is letters, digits/);
    expect((await w.client.workflow.count(`TaskQueue = "${w.target.taskQueue}"`)).count).toBe(before);
  });
});

describe('cordon doctor', () => {
  it('checks Temporal, the namespace and every configured connector against the local tenant', async () => {
    const { loadScenarioDir, scenarioDir } = await import('@cordon/emulators');
    const { startLocalTenant } = await import('../../local-tenant/tenant.ts');
    const tenant = await startLocalTenant({ scenario: await loadScenarioDir(scenarioDir('salesloft-drift')) });
    try {
      const ok = await run(CORDON, ['doctor', '--json'], undefined, tenant.connectorEnv());
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      const report = JSON.parse(ok.stdout) as { ok: boolean; checks: { provider: string; ok: boolean }[] };
      expect(new Set(report.checks.map((c) => c.provider))).toEqual(new Set(['temporal', 'cordon', 'google', 'salesforce', 'slack']));
      const bad = await run(CORDON, ['doctor'], undefined, { ...tenant.connectorEnv(), CORDON_SALESFORCE_USERNAME: 'nobody@acme.com' });
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/FAIL salesforce +jwt login/);
      expect(bad.stdout).toMatch(/→ pre-authorize nobody@acme.com/);
    } finally {
      await tenant.close();
    }
  });
});

describe('Temporal-direct with the built temporal CLI', () => {
  it('runs the README example: start, query status, approve by update, through the codec server', async () => {
    tenant.load(driftSeed());
    const codec = await startCodecServer({ keys: w.keys });
    const temporal = inject('temporalCliPath');
    const common = ['--address', env.TEMPORAL_ADDRESS!, '--namespace', env.TEMPORAL_NAMESPACE!, '--codec-endpoint', codec.url];
    const workflowId = `direct-${randomBytes(4).toString('hex')}`;
    try {
      const input = { incidentId: `INC-direct-${randomBytes(3).toString('hex')}`, requester: 'alice', mode: 'staged', policy: { waveSize: 3, approval: { approvers: ['bob'] } }, credentials: [{ provider: 'memory', kind: 'oauth_token', id: 'tok-drift-1' }] };
      const start = await run(temporal, ['workflow', 'start', ...common, '--task-queue', env.CORDON_TASK_QUEUE!, '--type', 'containCredential', '--workflow-id', workflowId, '--input', JSON.stringify(input)]);
      expect(start.code, start.stderr).toBe(0);
      for (let approvals = 0; approvals < 2; ) {
        const q = await run(temporal, ['workflow', 'query', ...common, '--workflow-id', workflowId, '--name', 'status', '-o', 'json']);
        expect(q.code, q.stderr).toBe(0);
        const parsed = JSON.parse(q.stdout) as { queryResult?: ContainmentStatus[] };
        expect(parsed.queryResult, q.stdout.slice(0, 500)).toBeTruthy();
        const status = parsed.queryResult![0]!;
        // The temporal CLI prints an empty list as null.
        const p = status.pendingApprovals?.[0];
        if (!p) {
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        const u = await run(temporal, ['workflow', 'update', 'execute', ...common, '--workflow-id', workflowId, '--name', 'decide', '--input', JSON.stringify({ stage: p.stage, digest: p.digest, decision: 'approve', approver: 'bob', channel: 'temporal' })]);
        expect(u.code, u.stderr).toBe(0);
        approvals++;
      }
      const result = await run(temporal, ['workflow', 'result', ...common, '--workflow-id', workflowId, '-o', 'json']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('"outcome": "contained"');
      // Counted (a staged run at high severity takes Temporal-direct decisions) and visibly unauthenticated.
      const decided = (await getStatus(w.client, workflowId)).evidence.filter((e) => e.kind === 'approval_decided');
      expect(decided).toHaveLength(2);
      for (const e of decided) expect(e).toMatchObject({ approver: 'bob', channel: 'temporal', authenticatedBy: 'unauthenticated' });
      for (const e of decided) expect(e).not.toHaveProperty('claimedChannel');
      // The CLI's input went through the codec: nothing of it is in the history in clear.
      const history = historyText(await w.client.workflow.getHandle(workflowId).fetchHistory());
      expect(history).not.toContain('tok-drift-1');
      expect(history).toContain('binary/encrypted');
    } finally {
      await codec.close();
    }
  });
});

describe('Temporal-direct messages cannot claim a way in', () => {
  const start = async (severity: 'high' | 'critical') => {
    tenant.load(driftSeed());
    const input = { incidentId: `INC-claim-${randomBytes(3).toString('hex')}`, requester: 'alice', severity, policy: { approval: { approvers: ['bob', 'carol'], requireForDirect: true } }, credentials: [{ provider: 'memory', kind: 'oauth_token', id: 'tok-drift-1' }] };
    const h = await w.client.workflow.start(WORKFLOW_TYPE, { taskQueue: w.target.taskQueue, workflowId: `claim-${randomBytes(4).toString('hex')}`, args: [input] });
    for (;;) {
      const p = (await h.query(statusQuery)).pendingApprovals[0];
      if (p) return { h, p };
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const refusalOf = (err: unknown) => (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure ? { type: err.cause.type, message: err.cause.message } : err);

  it('records a raw decide and a raw recordRefusal claiming Slack as unauthenticated Temporal-direct calls, never as Slack', async () => {
    const { h, p } = await start('high');
    await h.signal(refusalSignal, { stage: p.stage, approver: 'carol', channel: 'slack', reason: 'forged: carol never clicked' });
    const r = await h.executeUpdate(decideUpdate, { args: [{ stage: p.stage, digest: p.digest, decision: 'approve', approver: 'bob', channel: 'slack' }] });
    expect(r).toMatchObject({ state: 'approved' });
    const s = (await h.result()) as ContainmentStatus;
    expect(s.outcome).toBe('contained');
    const refused = s.evidence.find((e) => e.kind === 'approval_refused');
    expect(refused).toMatchObject({ approver: 'carol', channel: 'temporal', authenticatedBy: 'unauthenticated', claimedChannel: 'slack' });
    const decided = s.evidence.find((e) => e.kind === 'approval_decided');
    expect(decided).toMatchObject({ approver: 'bob', channel: 'temporal', authenticatedBy: 'unauthenticated', claimedChannel: 'slack' });
    expect(s.evidence.filter((e) => 'channel' in e && e.channel === 'slack')).toEqual([]);
    const lines = s.evidence.map(evidenceText).join('\n');
    expect(lines).toContain('approval contain approved by bob via temporal (UNAUTHENTICATED Temporal-direct call, claimed slack without proof)');
  });

  it('at critical severity refuses a raw decide, records the refusal, and counts only signed decisions, each once', async () => {
    const { h, p } = await start('critical');
    const decision = { stage: p.stage, digest: p.digest, decision: 'approve' as const, approver: 'bob', channel: 'slack' };
    // Unauthorized, and authorized but unauthenticated: both refused by the workflow, both recorded.
    expect(await h.executeUpdate(decideUpdate, { args: [{ ...decision, approver: 'mallory' }] }).catch(refusalOf)).toEqual({ type: 'cordon.decision_refused', message: 'mallory is not an authorized approver for this containment' });
    expect(await h.executeUpdate(decideUpdate, { args: [decision] }).catch(refusalOf)).toMatchObject({ type: 'cordon.decision_refused', message: expect.stringMatching(/^a critical-severity decision must come through an authenticated way in/) });
    // Signed by the worker's key as Slack would: counts. Sent again (a replay): its nonce is spent.
    const vouch = { keys: w.envelopeKeys, identity: { authenticatedBy: 'slack_signature' as const, slackUserId: 'bob', slackTeamId: 'T0ACME', slackTransport: 'signed_request' as const } };
    const signed = signEnvelope(decision, vouch, { workflowId: h.workflowId, action: 'decide' });
    expect(await h.executeUpdate(decideUpdate, { args: [signed] })).toMatchObject({ state: 'pending', approvals: 1, quorum: 2 });
    expect(await h.executeUpdate(decideUpdate, { args: [signed] }).catch(refusalOf)).toMatchObject({ type: 'cordon.decision_refused', message: 'bob already approved stage contain' });
    // Tampered (another approver under bob's signature): not authenticated, so refused at critical.
    expect(await h.executeUpdate(decideUpdate, { args: [{ ...signEnvelope(decision, vouch, { workflowId: h.workflowId, action: 'decide' }), approver: 'carol' }] }).catch(refusalOf)).toMatchObject({ type: 'cordon.decision_refused', message: expect.stringMatching(/signature does not match/) });
    expect((await h.query(statusQuery)).pendingApprovals[0]).toMatchObject({ approvals: ['bob'] });
    // Through the CLI with a configured operator id: the second approval.
    const cli = await run(CORDON, ['approve', h.workflowId, '--stage', p.stage, '--digest', p.digest, '--as', 'carol', '--json'], undefined, { CORDON_OPERATOR_ID: 'carol@acme.example' });
    expect(cli.code, cli.stderr).toBe(0);
    const s = (await h.result()) as ContainmentStatus;
    expect(s.outcome).toBe('contained');
    const events = s.evidence.filter((e) => e.kind === 'approval_refused' || e.kind === 'approval_decided');
    expect(events.map((e) => [e.kind, e.approver, e.channel, e.authenticatedBy])).toEqual([
      ['approval_refused', 'mallory', 'temporal', 'unauthenticated'],
      ['approval_refused', 'bob', 'temporal', 'unauthenticated'],
      ['approval_decided', 'bob', 'slack', 'slack_signature'],
      ['approval_refused', 'bob', 'temporal', 'unauthenticated'],
      ['approval_refused', 'carol', 'temporal', 'unauthenticated'],
      ['approval_decided', 'carol', 'cli', 'cli'],
    ]);
    expect(events[3]).toMatchObject({ claimedChannel: 'slack', envelopeRefused: 'the envelope was already used (its nonce was seen before in this run)' });
    expect(events[4]).toMatchObject({ claimedChannel: 'slack', envelopeRefused: expect.stringMatching(/signature does not match/) });
    expect(events[5]).toMatchObject({ identity: { authenticatedBy: 'cli', source: 'operator_id', user: 'carol@acme.example' } });
    // The envelope key never reaches the history: only its id and the signatures.
    const history = JSON.stringify(await h.fetchHistory());
    const key = w.envelopeKeys.keys.get('test')!;
    expect(history).not.toContain(key.toString('base64'));
    expect(history).not.toContain(key.toString('base64url'));
    expect(historyText(await h.fetchHistory())).toContain('cordon-authenticated-channels');
  });
});
