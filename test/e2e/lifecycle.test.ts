// The local stack's life cycle as a user lives it: `npm run dev` started as a child process stops
// cleanly on SIGTERM and takes every process it started with it, also when whoever started it is
// killed outright; and a finished containment's status is readable with no worker running.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { connectClient, getStatus, startContainment, StatusUnavailableError } from '../../client/containments.ts';
import { MemoryConnector } from '../../connectors/memory/connector.ts';
import { DRIFT_LEAKED_VALUE, driftSeed } from '../../connectors/memory/seeds.ts';
import { MemoryTenant } from '../../connectors/memory/tenant.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import { freePort } from '../../temporal-config/dev-server.ts';
import type { ContainmentStatus } from '../../schemas/containment.ts';
import { startTestWorker } from '../support/temporal.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const dirs: string[] = [];
const started: ChildProcess[] = [];
afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

interface Proc {
  pid: number;
  ppid: number;
  cmd: string;
}

/** Every process visible in /proc, with its parent and command line. */
function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state[0] === 'Z') continue; // exited, waiting to be reaped: gone for our purposes
      out.push({ pid: Number(name), ppid: Number(state[1]), cmd: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ') });
    } catch {
      // exited while we looked
    }
  }
  return out;
}

function descendantsOf(root: number): Proc[] {
  const all = processes();
  const found: Proc[] = [];
  let frontier = [root];
  while (frontier.length) {
    const next = all.filter((p) => frontier.includes(p.ppid));
    found.push(...next);
    frontier = next.map((p) => p.pid);
  }
  return found;
}

/** Processes whose command line names this stack's state directory: the Temporal server (and its supervisor). */
const usingDir = (dir: string) => processes().filter((p) => p.cmd.includes(join(dir, 'temporal', 'temporal.sqlite')));

async function waitUntil(what: string, check: () => boolean, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${withinMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `npm run dev` in a throwaway state directory on free ports; resolves once it says it is running. */
async function startDev(command: string, args: string[], extraEnv: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'cordon-dev-'));
  dirs.push(dir);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('VITEST')) env[k] = v;
  Object.assign(env, {
    CORDON_DEV_DIR: dir,
    CORDON_TEMPORAL_PORT: String(await freePort()),
    CORDON_TEMPORAL_UI_PORT: String(await freePort()),
    CORDON_API_PORT: '0',
    CORDON_SLACK_PORT: '0',
    ...extraEnv,
  });
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = await Promise.race([
    waitUntil('the stack says it is running', () => stdout.includes('Cordon local stack is running.'), 170_000).then(() => true),
    exit.then(() => false),
  ]);
  if (!ready) throw new Error(`npm run dev exited while starting:\n${stdout}\n${stderr}`);
  return { child, dir, exit, out: () => stdout, err: () => stderr };
}

const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

describe('npm run dev', () => {
  it('stops cleanly on SIGTERM, Temporal server included', { timeout: 240_000 }, async () => {
    const dev = await startDev(TSX, ['cli/dev.ts']);
    expect(usingDir(dev.dir).length).toBeGreaterThan(0);
    dev.child.kill('SIGTERM');
    const { code } = await dev.exit;
    expect(dev.err()).not.toMatch(/IllegalStateError|Not running/);
    expect(code, dev.err()).toBe(0);
    expect(dev.out()).toMatch(/stopping…\nstopped\.\n$/);
    // The server is stopped before the process exits, not left behind.
    expect(usingDir(dev.dir).map((p) => p.cmd)).toEqual([]);
  });

  it('leaves nothing running when whoever started it is killed with SIGKILL (CORDON_SCENARIO=load)', { timeout: 240_000 }, async () => {
    // npx → sh → tsx → node: npx passes no signal on when killed, so the stack must notice on its own.
    const dev = await startDev('npx', ['tsx', 'cli/dev.ts'], { CORDON_SCENARIO: 'load' });
    expect(dev.out()).toMatch(/emulators seeded with load/);
    const tree = descendantsOf(dev.child.pid!);
    expect(tree.some((p) => p.cmd.includes('cli/dev.ts'))).toBe(true);
    expect(usingDir(dev.dir).length).toBeGreaterThan(0);
    dev.child.kill('SIGKILL');
    await dev.exit;
    const alive = () => {
      const live = new Set(processes().map((p) => `${p.pid} ${p.cmd}`));
      return [...tree.filter((p) => live.has(`${p.pid} ${p.cmd}`)), ...usingDir(dev.dir)];
    };
    await waitUntil(`every process it started is gone: ${JSON.stringify(alive())}`, () => alive().length === 0, 20_000);
  });
});

describe('getStatus', () => {
  it('reads a finished run with no worker running, and fails clearly for a run that left no result', { timeout: 120_000 }, async () => {
    const tenant = new MemoryTenant();
    tenant.load(driftSeed());
    const store = new LocalEncryptedStore(await mkdtemp(join(tmpdir(), 'cordon-sink-')), randomBytes(32));
    const w = await startTestWorker({ connectors: { memory: new MemoryConnector(tenant) }, sink: store });
    const incidentId = `INC-${randomBytes(4).toString('hex')}`;
    const { workflowId } = await startContainment(w.client, w.target.taskQueue, {
      incidentId,
      requester: 'alice',
      severity: 'high',
      credentials: [{ provider: 'memory', kind: 'oauth_token', leakedValue: DRIFT_LEAKED_VALUE }],
    });
    const result = (await w.client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
    expect(result.outcome).toBe('contained');
    // A second run on a task queue nobody polls, ended from outside before it ran: it returns nothing.
    const { workflowId: terminatedId } = await startContainment(w.client, `${w.target.taskQueue}-nobody`, {
      incidentId: `${incidentId}-t`,
      requester: 'alice',
      severity: 'high',
      credentials: [{ provider: 'memory', kind: 'oauth_token', leakedValue: DRIFT_LEAKED_VALUE }],
    });
    await w.client.workflow.getHandle(terminatedId).terminate('test: ended from outside');
    await expect(w.client.workflow.getHandle(terminatedId).result()).rejects.toBeInstanceOf(WorkflowFailedError);

    await w.stop(); // no worker polls this task queue any more
    const client = await connectClient(w.target, w.keys);
    try {
      let t = Date.now();
      const status = await getStatus(client, workflowId);
      expect(Date.now() - t).toBeLessThan(10_000);
      expect(status).toEqual(result);
      t = Date.now();
      const err = await getStatus(client, terminatedId).catch((e: unknown) => e);
      expect(Date.now() - t).toBeLessThan(15_000);
      expect(err).toBeInstanceOf(StatusUnavailableError);
      expect((err as Error).message).toMatch(/ended terminated without a result/);
    } finally {
      await client.connection.close();
    }
  });
});
