// The watch's Detection Findings outbox (docs/drift-watch.md, "Findings to the evidence sinks"): each sink takes
// every queued finding once; a sink that refuses never fails the activity — its findings back off and are tried
// again, then recorded as failed with the sink's error — and the other sinks are not held up by it.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectionFindingOf } from '../export/detection-finding.ts';
import { createNdjsonFileSink } from '../notifiers/evidence/ndjson-file.ts';
import type { EvidenceSink } from '../notifiers/evidence/sink.ts';
import type { TokenUseEventInput } from '../schemas/token-use.ts';
import { openBaselineStore } from '../watch/baseline-store.ts';
import { openWatch } from '../watch/engine.ts';
import { openIpIntel } from '../watch/ip-intel.ts';
import { createWatchActivities, MAX_FINDING_ATTEMPTS } from './watch.ts';

const TOKEN = 'ana@acme.example:client-1';

async function setUp() {
  const store = openBaselineStore(':memory:');
  const watch = openWatch({ store, ipIntel: openIpIntel() });
  const path = join(await mkdtemp(join(tmpdir(), 'cordon-outbox-')), 'findings.ndjson');
  const calls: number[] = [];
  let refuse = true;
  const flaky: EvidenceSink = {
    name: 'webhook',
    async deliver({ events }) {
      calls.push(events.length);
      if (refuse) throw new Error('evidence webhook to http://siem.example answered 503; it will be retried');
    },
  };
  const acts = createWatchActivities({ connectors: {}, watch, store, findingSinks: [createNdjsonFileSink({ path }), flaky] });
  const queue = (v: Parameters<typeof detectionFindingOf>[0]) => store.queueFinding(v.id, (revision) => detectionFindingOf(v, { revision }), ['ndjson', 'webhook']);
  const read = async () => (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { activity_id: number; metadata: { uid: string; sequence: number } });
  return { store, watch, acts, queue, read, calls, accept: () => (refuse = false) };
}

function revokedThenUsed(watch: ReturnType<typeof openWatch>) {
  const at = Date.now() - 3_600_000;
  watch.recordRevocations([{ tokenKey: TOKEN, at: new Date(at).toISOString() }]);
  const use: TokenUseEventInput = { id: 'google:token:9', provider: 'google', at: new Date(at + 600_000).toISOString(), action: 'use', tokenKey: TOKEN, principal: 'ana@acme.example', app: 'client-1', ip: '134.209.0.77' };
  const [verdict] = watch.ingest([use]).verdicts;
  return verdict!;
}

describe('detection findings outbox', () => {
  it('delivers to the sink that takes them while the refusing one backs off, then delivers there too, each revision once', async () => {
    const { store, watch, acts, queue, read, calls, accept } = await setUp();
    expect(queue(revokedThenUsed(watch))).toBe(1);
    const t0 = Date.now();

    const first = await acts.deliverFindings({ now: new Date(t0).toISOString() });
    expect(first).toEqual({ delivered: 1, retrying: 1, failed: 0, pending: 1 });
    expect((await read()).map((f) => [f.activity_id, f.metadata.sequence])).toEqual([[1, 1]]);
    // Not due again before its backoff: no new attempt.
    expect(await acts.deliverFindings({ now: new Date(t0 + 1_000).toISOString() })).toEqual({ delivered: 0, retrying: 0, failed: 0, pending: 1 });
    expect(calls).toEqual([1]);

    accept();
    queue(watch.dismiss(TOKEN, 'CHG-7: re-issued on purpose', 'maria', new Date()));
    const later = await acts.deliverFindings({ now: new Date(t0 + 60_000).toISOString() });
    expect(later).toEqual({ delivered: 3, retrying: 0, failed: 0, pending: 0 });
    // The webhook got the waiting Create and the new Close in one delivery; the file the Close only.
    expect(calls).toEqual([1, 2]);
    const lines = await read();
    expect(lines.map((f) => [f.activity_id, f.metadata.sequence])).toEqual([[1, 1], [3, 2]]);
    expect(new Set(lines.map((f) => f.metadata.uid)).size).toBe(2);
    expect(store.findingCounts()).toEqual({ pending: 0, delivered: 4, failed: 0 });
    store.close();
  });

  it('gives a finding up after the last attempt, recorded with the error, and never throws', async () => {
    const { store, watch, acts, queue, calls } = await setUp();
    queue(revokedThenUsed(watch));
    let now = Date.now();
    const results = [];
    for (let i = 0; i < MAX_FINDING_ATTEMPTS; i++) {
      results.push(await acts.deliverFindings({ now: new Date(now).toISOString() }));
      now += 3_600_000; // past any backoff
    }
    expect(calls).toHaveLength(MAX_FINDING_ATTEMPTS);
    expect(results.at(-2)).toMatchObject({ retrying: 1, failed: 0 });
    expect(results.at(-1)).toEqual({ delivered: 0, retrying: 0, failed: 1, pending: 0 });
    // Given up: no further attempt, counted as failed.
    expect(await acts.deliverFindings({ now: new Date(now).toISOString() })).toEqual({ delivered: 0, retrying: 0, failed: 0, pending: 0 });
    expect(calls).toHaveLength(MAX_FINDING_ATTEMPTS);
    expect(store.findingCounts()).toEqual({ pending: 0, delivered: 1, failed: 1 });
    store.close();
  });
});
