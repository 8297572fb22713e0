// The evidence sinks against local receivers: the HEC sink sends the token, valid envelopes in batches
// on one channel and waits for every acknowledgement; a refused token or a busy collector fails the
// delivery (so the activity retries) without the token in the error; the NDJSON file holds each event
// once however often it is delivered; the webhook's signature verifies with verifyWebhook.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportRunOf } from '../../export/events.ts';
import { ocsfEventsOf } from '../../export/ocsf.ts';
import { exportableStatus } from '../../test/support/evidence-fixture.ts';
import { startHecReceiver, type HecReceiver } from '../../test/support/hec-receiver.ts';
import { verifyWebhook } from '../webhook.ts';
import { createNdjsonFileSink } from './ndjson-file.ts';
import { evidenceSinksFromEnv } from './sink.ts';
import { createSignedWebhookSink } from './signed-webhook.ts';
import { createSplunkHecSink } from './splunk-hec.ts';

const TOKEN = '11111111-2222-3333-4444-555555555555';
const run = exportRunOf(exportableStatus());
const events = ocsfEventsOf(run);
const silent = { debug() {}, info() {}, warn() {}, error() {}, child() { return silent; } } as never;

let hec: HecReceiver | undefined;
afterEach(async () => {
  await hec?.close();
  hec = undefined;
});

describe('Splunk HEC sink', () => {
  it('delivers every event in batches on one channel, with the token, and waits for each acknowledgement', async () => {
    hec = await startHecReceiver({ token: TOKEN });
    const sink = createSplunkHecSink({ url: hec.url, token: TOKEN, batchSize: 7, ackPollMs: 10, logger: silent });
    await sink.deliver({ workflowId: run.workflowId, events });
    expect(hec.events).toEqual(events);
    const posts = hec.requests.filter((r) => r.path === '/services/collector/event');
    expect(posts.length).toBe(Math.ceil(events.length / 7));
    expect(new Set(hec.requests.map((r) => r.channel)).size).toBe(1);
    expect(hec.acknowledged.size).toBe(posts.length);
    expect(hec.envelopes[0]).toMatchObject({ source: 'cordon', sourcetype: expect.stringMatching(/^ocsf:/), fields: { workflow_id: run.workflowId } });
  });

  it('fails a delivery the collector refuses or cannot take, naming the status but never the token', async () => {
    hec = await startHecReceiver({ token: TOKEN });
    const wrong = createSplunkHecSink({ url: hec.url, token: 'not-the-token-zzz', logger: silent });
    const err = await wrong.deliver({ workflowId: run.workflowId, events }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message)).toContain('403');
    expect(JSON.stringify(err)).not.toContain('not-the-token-zzz');
    expect(String((err as Error).message)).not.toContain('not-the-token-zzz');

    hec.failNext(1, 503);
    const sink = createSplunkHecSink({ url: hec.url, token: TOKEN, ackPollMs: 10, logger: silent });
    await expect(sink.deliver({ workflowId: run.workflowId, events })).rejects.toThrow(/503.*retried/);
    await sink.deliver({ workflowId: run.workflowId, events }); // the retry
    expect(hec.events).toEqual(events);
  });

  it('gives up on a batch that is never acknowledged (so the activity retries it)', async () => {
    hec = await startHecReceiver({ token: TOKEN });
    // Polling once only: the receiver acknowledges from the second poll on.
    const sink = createSplunkHecSink({ url: hec.url, token: TOKEN, ackTimeoutMs: 0, ackPollMs: 1, logger: silent });
    await expect(sink.deliver({ workflowId: run.workflowId, events })).rejects.toThrow(/did not acknowledge/);
  });
});

describe('NDJSON file sink', () => {
  it('appends each event once, even when delivered again after a torn write', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'cordon-ndjson-')), 'sub', 'evidence.ndjson');
    const sink = createNdjsonFileSink({ path });
    await sink.deliver({ workflowId: run.workflowId, events: events.slice(0, 3) });
    await writeFile(path, (await readFile(path, 'utf8')) + '{"metadata":{"uid":"torn', 'utf8');
    await sink.deliver({ workflowId: run.workflowId, events });
    await sink.deliver({ workflowId: run.workflowId, events });
    const parsed = (await readFile(path, 'utf8'))
      .split('\n')
      .filter((l) => l.startsWith('{') && l.endsWith('}'))
      .map((l) => JSON.parse(l) as { metadata: { uid: string } });
    expect(parsed.map((e) => e.metadata.uid)).toEqual(events.map((e) => e.metadata.uid));
  });
});

describe('signed evidence webhook', () => {
  it('POSTs every event with a signature verifyWebhook accepts, and the same delivery id on a retry', async () => {
    const secret = 's'.repeat(40);
    const got: { body: string; headers: Record<string, unknown> }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
        res.writeHead(got.length === 1 ? 500 : 204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const sink = createSignedWebhookSink({ url, secret, logger: silent });
      await expect(sink.deliver({ workflowId: run.workflowId, events })).rejects.toThrow(/500/);
      await sink.deliver({ workflowId: run.workflowId, events });
      expect(got[0]!.headers['cordon-delivery']).toBe(got[1]!.headers['cordon-delivery']);
      const check = verifyWebhook({ secret, rawBody: got[1]!.body, signatureHeader: got[1]!.headers['cordon-signature'] as string });
      expect(check.ok).toBe(true);
      expect(verifyWebhook({ secret, rawBody: got[1]!.body.replace('Cordon', 'C0rdon'), signatureHeader: got[1]!.headers['cordon-signature'] as string }).ok).toBe(false);
      expect((JSON.parse(got[1]!.body) as { events: unknown[] }).events).toEqual(events);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('evidenceSinksFromEnv', () => {
  it('turns on each configured sink and refuses a URL without its secret, naming the variables', () => {
    expect(evidenceSinksFromEnv({})).toEqual([]);
    const sinks = evidenceSinksFromEnv({ CORDON_EVIDENCE_NDJSON_PATH: '/tmp/x.ndjson', CORDON_EVIDENCE_HEC_URL: 'http://h:8088', CORDON_EVIDENCE_HEC_TOKEN: 't', CORDON_EVIDENCE_WEBHOOK_URL: 'https://r.example/h', CORDON_EVIDENCE_WEBHOOK_SECRET: 'x'.repeat(32) }, silent);
    expect(sinks.map((s) => s.name)).toEqual(['ndjson', 'splunk-hec', 'webhook']);
    expect(() => evidenceSinksFromEnv({ CORDON_EVIDENCE_HEC_URL: 'http://h:8088' })).toThrow(/CORDON_EVIDENCE_HEC_TOKEN/);
    expect(() => evidenceSinksFromEnv({ CORDON_EVIDENCE_WEBHOOK_SECRET: 'x'.repeat(32) })).toThrow(/CORDON_EVIDENCE_WEBHOOK_URL/);
    expect(() => evidenceSinksFromEnv({ CORDON_EVIDENCE_WEBHOOK_URL: 'https://r.example/h', CORDON_EVIDENCE_WEBHOOK_SECRET: 'short' })).toThrow(/CORDON_EVIDENCE_WEBHOOK_SECRET/);
  });
});
