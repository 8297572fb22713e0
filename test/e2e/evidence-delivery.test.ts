// Evidence delivery end to end: a real containment on the Temporal dev server and the reference tenant;
// when its outcome is notified, the worker starts `deliverEvidence` for each sink, and a local
// HEC-compatible receiver (test/support/hec-receiver.ts), which checks the token, the envelopes and
// that acknowledgements are polled, receives every OCSF event of the run, each valid against its
// class schema, once per delivery; the NDJSON file holds each once. A repeated notification does not
// deliver again, a collector that is busy at first is retried, and the HEC token is nowhere in history.
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getStatus, startContainment } from '../../client/containments.ts';
import { MemoryConnector } from '../../connectors/memory/connector.ts';
import { DRIFT_LEAKED_VALUE, driftSeed } from '../../connectors/memory/seeds.ts';
import { MemoryTenant } from '../../connectors/memory/tenant.ts';
import { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import { exportRunOf } from '../../export/events.ts';
import { ocsfEventsOf, type OcsfEvent } from '../../export/ocsf.ts';
import { createNdjsonFileSink } from '../../notifiers/evidence/ndjson-file.ts';
import { createSplunkHecSink } from '../../notifiers/evidence/splunk-hec.ts';
import type { ContainmentStatus } from '../../schemas/containment.ts';
import { deliverEvidenceWorkflowId } from '../../schemas/evidence-delivery.ts';
import { evidenceDeliveryNotifier } from '../../worker/evidence-delivery.ts';
import { startHecReceiver, type HecReceiver } from '../support/hec-receiver.ts';
import { historyText, startTestWorker, testTarget, type RunningWorker } from '../support/temporal.ts';

const TOKEN = `hec-${randomBytes(12).toString('hex')}`;
const tenant = new MemoryTenant();
let hec: HecReceiver;
let w: RunningWorker;
let ndjsonPath: string;
let client: Client | undefined;
const clientOf = () => {
  if (!client) throw new Error('worker client not ready');
  return client;
};

const schemaDir = fileURLToPath(new URL('../../export/ocsf-schemas/', import.meta.url));
const ajv = new Ajv2020({ strict: false });

beforeAll(async () => {
  hec = await startHecReceiver({ token: TOKEN });
  const dir = await mkdtemp(join(tmpdir(), 'cordon-evidence-'));
  ndjsonPath = join(dir, 'evidence.ndjson');
  const sinks = [createSplunkHecSink({ url: hec.url, token: TOKEN, batchSize: 5, ackPollMs: 50 }), createNdjsonFileSink({ path: ndjsonPath })];
  const target = testTarget();
  w = await startTestWorker(
    {
      connectors: { memory: new MemoryConnector(tenant) },
      sink: new LocalEncryptedStore(dir, randomBytes(32)),
      notifier: evidenceDeliveryNotifier({ client: clientOf, taskQueue: target.taskQueue, sinks: ['splunk-hec', 'ndjson'] }),
      evidence: { sinks, readStatus: (id) => getStatus(clientOf(), id) },
    },
    { target },
  );
  client = w.client;
});
afterAll(async () => {
  await w?.stop();
  await hec?.close();
});

async function validators() {
  const out = new Map<number, ReturnType<typeof ajv.compile>>();
  for (const f of (await readdir(schemaDir)).filter((f) => f.endsWith('.json'))) out.set(Number(f.split('-')[0]), ajv.compile(JSON.parse(await readFile(join(schemaDir, f), 'utf8'))));
  return out;
}

describe('evidence delivery', () => {
  it('delivers a finished containment’s OCSF events to HEC (acknowledged; at least once, a resent event identical) and to the NDJSON file (once each)', async () => {
    tenant.load(driftSeed());
    // The receiver is busy for the first request: the activity's retry delivers. Set before the run starts:
    // the delivery begins as soon as the outcome is notified, which can be before the run's result is in.
    hec.failNext(1, 503);
    const incidentId = `INC-${randomBytes(4).toString('hex')}`;
    const { workflowId } = await startContainment(w.client, w.target.taskQueue, { incidentId, requester: 'alice', credentials: [{ provider: 'memory', kind: 'oauth_token', leakedValue: DRIFT_LEAKED_VALUE }] });
    const result = (await w.client.workflow.getHandle(workflowId).result()) as ContainmentStatus;
    expect(result.outcome).toBe('contained');

    const hecRun = w.client.workflow.getHandle(deliverEvidenceWorkflowId(workflowId, 'splunk-hec'));
    const fileRun = w.client.workflow.getHandle(deliverEvidenceWorkflowId(workflowId, 'ndjson'));
    const delivered = (await hecRun.result()) as { delivered: number };
    await fileRun.result();

    const expected = ocsfEventsOf(exportRunOf(await getStatus(w.client, workflowId)));
    expect(delivered.delivered).toBe(expected.length);
    const received = (hec.events as OcsfEvent[]).filter((e) => (e.metadata as { correlation_uid?: string }).correlation_uid === workflowId);
    // At least once: an attempt that dies after sending a batch and before its acknowledgement is resent
    // by the retry. A resent event is the same event, byte for byte, so receivers deduplicate by its id.
    const first = new Map<string, string>();
    for (const e of received) {
      const body = JSON.stringify(e);
      expect(first.get(e.metadata.uid) ?? body, `event ${e.metadata.uid} resent with a different body`).toBe(body);
      first.set(e.metadata.uid, body);
    }
    const mine = [...first.values()].map((b) => JSON.parse(b) as OcsfEvent);
    expect(mine.map((e) => e.metadata.uid)).toEqual(expected.map((e) => e.metadata.uid));
    // The reference tenant returns request ids and re-authenticates the principal: every class is there.
    expect(new Set(mine.map((e) => e.class_uid))).toEqual(new Set([2003, 2005, 3001, 6003, 7001]));
    const v = await validators();
    for (const e of mine) expect(v.get(e.class_uid)!(e), `class ${e.class_uid}`).toBe(true);

    // Every accepted request carried the token and a channel; every ackId was polled until indexed.
    const posts = hec.requests.filter((r) => r.path === '/services/collector/event' && r.status === 200);
    expect(posts.length).toBeGreaterThanOrEqual(Math.ceil(expected.length / 5));
    expect(hec.requests.some((r) => r.status === 503)).toBe(true);
    // Each batch of the attempt that finished was acknowledged; a dead attempt's last batch may not have been.
    expect(hec.acknowledged.size).toBeGreaterThanOrEqual(Math.ceil(expected.length / 5));
    expect(hec.acknowledged.size).toBeLessThanOrEqual(posts.length);

    const lines = (await readFile(ndjsonPath, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as OcsfEvent);
    expect(lines.map((e) => e.metadata.uid)).toEqual(expected.map((e) => e.metadata.uid));

    // A repeated outcome notification joins the runs already started: nothing is delivered again.
    const before = hec.events.length;
    await evidenceDeliveryNotifier({ client: clientOf, taskQueue: w.target.taskQueue, sinks: ['splunk-hec'] }).notify({ kind: 'completed', workflowId, incidentId, summary: 'again' });
    await new Promise((r) => setTimeout(r, 500));
    expect(hec.events.length).toBe(before);

    // The HEC token is the worker's configuration: it never reaches history.
    for (const handle of [hecRun, w.client.workflow.getHandle(workflowId)]) expect(historyText(await handle.fetchHistory())).not.toContain(TOKEN);
  });
});
