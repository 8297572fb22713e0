// A containment's evidence is the same after replay. A single direct run (local activities, replacements
// beside re-authentication) is read while it is live in its worker's cache (when it notifies its outcome,
// before the seal: the moment evidence delivery reads it), then after it finished, then from a fresh
// worker that rebuilds it from history. The evidence (order, times, hashes), its digest and the OCSF events
// a SIEM receives must not change between the reads, and `cordon evidence verify` accepts the sealed pack.
// The runs are perturbed the ways a loaded machine perturbs them: provider writes of different lengths
// (parallel branches finish in different orders and activations), the worker's event loop blocked after
// provider calls, and local activities that outlast a short workflow task timeout (the task is heartbeated).
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { evidenceSignerFromSeed } from '../../activities/evidence-seal.ts';
import { verifyEvidencePack } from '../../cli/evidence-verify.ts';
import { getStatus, startContainment } from '../../client/containments.ts';
import { MemoryConnector } from '../../connectors/memory/connector.ts';
import { DRIFT_LEAKED_VALUE, driftSeed } from '../../connectors/memory/seeds.ts';
import { MemoryTenant } from '../../connectors/memory/tenant.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import { exportRunOf } from '../../export/events.ts';
import { ocsfEventsOf } from '../../export/ocsf.ts';
import type { Notifier } from '../../notifiers/notifier.ts';
import type { ContainmentRequest, ContainmentStatus } from '../../schemas/containment.ts';
import { buildEvidencePack } from '../../schemas/evidence.ts';
import { startTestWorker, testCodecKeys, testTarget, type RunningWorker } from '../support/temporal.ts';

interface Perturbation {
  /** The memory tenant's latency on every write (revoke, mint, re-authentication). */
  writeLatencyMs: number;
  /** The worker's event loop blocked this long after each revoke, mint and lookup. */
  blockMs: number;
  /** A workflow task timeout shorter than the local activities: the worker heartbeats the task. */
  workflowTaskTimeout?: `${number}s`;
}

const PERTURBATIONS: Perturbation[] = [
  { writeLatencyMs: 0, blockMs: 0 },
  { writeLatencyMs: 40, blockMs: 0 },
  { writeLatencyMs: 250, blockMs: 0 },
  { writeLatencyMs: 15, blockMs: 150 },
  { writeLatencyMs: 80, blockMs: 350 },
  { writeLatencyMs: 3000, blockMs: 0, workflowTaskTimeout: '2s' },
];

const tenant = new MemoryTenant();
let blockMs = 0;
for (const op of ['revoke', 'issue', 'find'] as const) {
  const calls = tenant as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const call = calls[op]!.bind(tenant);
  calls[op] = async (...a: unknown[]) => {
    const out = await call(...a);
    const until = Date.now() + blockMs;
    while (Date.now() < until); // blocks the event loop, as a loaded machine does
    return out;
  };
}
const signer = evidenceSignerFromSeed(randomBytes(32));
// Both workers decode the same histories.
const keys = testCodecKeys();
const running: RunningWorker[] = [];

afterAll(async () => {
  for (const w of running) await w.stop().catch(() => undefined);
});

/** What must not change between two reads of a run whose evidence is complete. */
function readingOf(s: ContainmentStatus) {
  return {
    evidence: s.evidence.map((e) => ({ seq: e.seq, kind: e.kind, at: e.at, hash: 'hash' in e ? e.hash : undefined })),
    digest: s.evidenceDigest,
    ocsf: ocsfEventsOf(exportRunOf(s)).map((e) => e.metadata.uid),
  };
}

describe('evidence after replay', () => {
  it('a single direct run records the same evidence live, replayed by its worker and replayed by a new worker; the sealed pack verifies', async () => {
    const target = testTarget();
    const dir = await mkdtemp(join(tmpdir(), 'cordon-evidence-replay-'));
    let client: Client | undefined;
    const live = new Map<string, ReturnType<typeof readingOf>>();
    // The outcome notification runs while the run waits for it: a query then is answered by the live run.
    const notifier: Notifier = {
      notify: async (n) => {
        if (n.kind !== 'completed' || !client) return;
        live.set(n.workflowId, readingOf(await getStatus(client, n.workflowId)));
      },
    };
    const start = async () => {
      const w = await startTestWorker({ connectors: { memory: new MemoryConnector(tenant) }, sink: new LocalEncryptedStore(dir, randomBytes(32)), evidenceSigner: signer, notifier }, { target, keys });
      running.push(w);
      return w;
    };
    const first = await start();
    client = first.client;
    const finished: string[] = [];
    for (const p of PERTURBATIONS) {
      tenant.load(driftSeed({ faults: { ignoreRevoke: {}, writeLatencyMs: p.writeLatencyMs } }));
      blockMs = p.blockMs;
      const request: ContainmentRequest = { incidentId: `INC-${randomBytes(4).toString('hex')}`, requester: 'alice', credentials: [{ provider: 'memory', kind: 'oauth_token', leakedValue: DRIFT_LEAKED_VALUE }] };
      let workflowId: string;
      if (p.workflowTaskTimeout) {
        workflowId = `evidence-replay-${randomBytes(4).toString('hex')}`;
        await first.client.workflow.start('containCredential', { taskQueue: target.taskQueue, workflowId, workflowTaskTimeout: p.workflowTaskTimeout, args: [request] });
      } else workflowId = (await startContainment(first.client, target.taskQueue, request)).workflowId;
      const what = `${workflowId} (${JSON.stringify(p)})`;
      const result = (await first.client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
      expect(result.outcome, what).toBe('contained');
      expect(live.has(workflowId), `${what} was read when it notified its outcome`).toBe(true);
      expect(readingOf(result), `${what}: its result`).toEqual(live.get(workflowId));
      const after = await getStatus(first.client, workflowId);
      expect(readingOf(after), `${what}: read after it finished`).toEqual(live.get(workflowId));
      expect(verifyEvidencePack(buildEvidencePack(after)), `${what}: cordon evidence verify after it finished`).toMatchObject({ ok: true, signed: true });
      finished.push(workflowId);
    }
    blockMs = 0;
    await first.stop();
    running.splice(running.indexOf(first), 1);

    // A new worker has none of them cached: each query replays the run from its history.
    const second = await start();
    client = second.client;
    for (const workflowId of finished) {
      const replayed = await getStatus(second.client, workflowId);
      expect(readingOf(replayed), `${workflowId}: read by a new worker`).toEqual(live.get(workflowId));
      expect(verifyEvidencePack(buildEvidencePack(replayed)).ok, `${workflowId}: cordon evidence verify from a new worker`).toBe(true);
    }
  }, 300_000);
});
