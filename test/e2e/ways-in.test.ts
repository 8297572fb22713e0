// The command line and Temporal-direct ways in, driven as a person or a script would: the real
// `cordon` bin and the built `temporal` CLI (through Cordon's codec server) against the dev server.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startCodecServer } from '../../codec/server.ts';
import { MemoryConnector } from '../../connectors/memory/connector.ts';
import { driftSeed } from '../../connectors/memory/seeds.ts';
import { MemoryTenant } from '../../connectors/memory/tenant.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import type { ContainmentStatus } from '../../schemas/containment.ts';
import { historyText, startTestWorker, type RunningWorker } from '../support/temporal.ts';

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
  };
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
    expect(JSON.parse(ev.stdout).evidence.some((e: { kind: string; actor: string }) => e.kind === 'approval_refused' && e.actor === 'alice')).toBe(true);
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
      // The CLI's input went through the codec: nothing of it is in the history in clear.
      const history = historyText(await w.client.workflow.getHandle(workflowId).fetchHistory());
      expect(history).not.toContain('tok-drift-1');
      expect(history).toContain('binary/encrypted');
    } finally {
      await codec.close();
    }
  });
});
