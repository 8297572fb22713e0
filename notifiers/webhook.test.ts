import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification } from './notifier.ts';
import { createLogger } from '../logging/logger.ts';
import { createWebhookNotifier, parseAllowedHosts, signWebhook, verifyWebhook, webhookHostAllowed, webhookNotifierFromEnv } from './webhook.ts';

const SECRET = 's'.repeat(40);
const quiet = createLogger({ write: () => undefined });

describe('webhook signatures', () => {
  const body = '{"type":"completed"}';
  const t = 1_800_000_000;

  it('verifies its own signature, and nothing else', () => {
    const header = signWebhook(SECRET, body, t);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook({ secret: SECRET, rawBody: body, signatureHeader: header, nowSeconds: t + 10 })).toEqual({ ok: true, timestamp: t });
    expect(verifyWebhook({ secret: SECRET, rawBody: Buffer.from(body), signatureHeader: header, nowSeconds: t }).ok).toBe(true);
    expect(verifyWebhook({ secret: SECRET, rawBody: body.replace('completed', 'escalation'), signatureHeader: header, nowSeconds: t }).ok).toBe(false);
    expect(verifyWebhook({ secret: `${SECRET}x`, rawBody: body, signatureHeader: header, nowSeconds: t }).ok).toBe(false);
    // The timestamp is signed too: moving it breaks the signature; an old delivery is refused.
    expect(verifyWebhook({ secret: SECRET, rawBody: body, signatureHeader: header.replace(`t=${t}`, `t=${t + 1}`), nowSeconds: t }).ok).toBe(false);
    expect(verifyWebhook({ secret: SECRET, rawBody: body, signatureHeader: header, nowSeconds: t + 301 })).toEqual({ ok: false, reason: 'timestamp outside the 300s tolerance' });
    expect(verifyWebhook({ secret: SECRET, rawBody: body, signatureHeader: 'v1=zz', nowSeconds: t }).ok).toBe(false);
    // During a rotation either secret may have signed.
    expect(verifyWebhook({ secret: ['n'.repeat(40), SECRET], rawBody: body, signatureHeader: header, nowSeconds: t }).ok).toBe(true);
  });
});

describe('the webhook notifier', () => {
  const got: { headers: IncomingHttpHeaders; body: string }[] = [];
  let answer: { status: number; headers?: Record<string, string> } = { status: 200 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answer.status, answer.headers).end();
    });
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  const notification = (over: Partial<Notification> = {}): Notification => ({
    kind: 'completed',
    workflowId: 'cordon-contain-INC-1-abc',
    incidentId: 'INC-1',
    summary: 'contained',
    outcome: 'contained',
    webhookUrl: url,
    ...over,
  });

  it('POSTs a signed event, and throws on a non-2xx answer with the receiver’s Retry-After', async () => {
    const notifier = createWebhookNotifier({ secret: SECRET, logger: quiet });
    answer = { status: 204 };
    await notifier.notify(notification());
    const delivered = got.at(-1)!;
    expect(delivered.headers['content-type']).toBe('application/json');
    expect(verifyWebhook({ secret: SECRET, rawBody: delivered.body, signatureHeader: delivered.headers['cordon-signature'] as string }).ok).toBe(true);
    expect(JSON.parse(delivered.body)).toMatchObject({ type: 'completed', workflowId: 'cordon-contain-INC-1-abc', statusPath: '/v1/containments/cordon-contain-INC-1-abc' });

    answer = { status: 429, headers: { 'retry-after': '7' } };
    const err = await notifier.notify(notification()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(false);
    expect((err as ApplicationFailure).nextRetryDelay).toBe(7000);
    // Same notification, same delivery id: receivers drop the duplicate of a retried delivery.
    expect(got.at(-1)!.headers['cordon-delivery']).toBe(delivered.headers['cordon-delivery']);

    answer = { status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } };
    await expect(notifier.notify(notification())).rejects.toThrow(/answered 302/);
  });

  it('sends nothing without a webhook URL, and refuses a short secret', async () => {
    const before = got.length;
    await createWebhookNotifier({ secret: SECRET, logger: quiet }).notify(notification({ webhookUrl: undefined }));
    expect(got.length).toBe(before);
    expect(() => createWebhookNotifier({ secret: 'short' })).toThrow(/at least 32/);
    expect(webhookNotifierFromEnv({})).toBeUndefined();
    expect(webhookNotifierFromEnv({ CORDON_WEBHOOK_SECRET: SECRET })).toBeDefined();
  });

  it('fails, to be retried, when the receiver is unreachable, without putting the URL’s token in the error', async () => {
    const notifier = createWebhookNotifier({ secret: SECRET, logger: quiet, timeoutMs: 2000 });
    const err = (await notifier.notify(notification({ webhookUrl: 'http://127.0.0.1:1/hook?token=abc123' })).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/webhook to http:\/\/127\.0\.0\.1:1 failed/);
    expect(err.message).not.toContain('abc123');
  });
});

describe('the webhook host allowlist', () => {
  it('matches exact hosts and subdomains of a wildcard, and is open when unset', () => {
    const allowed = parseAllowedHosts(' soar.example.com, *.hooks.example.net ,');
    expect(allowed).toEqual(['soar.example.com', '*.hooks.example.net']);
    expect(webhookHostAllowed('https://soar.example.com/x', allowed)).toBe(true);
    expect(webhookHostAllowed('https://a.hooks.example.net/x', allowed)).toBe(true);
    expect(webhookHostAllowed('https://hooks.example.net/x', allowed)).toBe(false);
    expect(webhookHostAllowed('https://evilhooks.example.net/x', allowed)).toBe(false);
    expect(webhookHostAllowed('http://169.254.169.254/latest', allowed)).toBe(false);
    expect(webhookHostAllowed('http://169.254.169.254/latest', parseAllowedHosts(''))).toBe(true);
  });

  it('refuses, without retry and without a request, a host outside the list', async () => {
    let requests = 0;
    const notifier = createWebhookNotifier({ secret: SECRET, logger: quiet, allowedHosts: ['soar.example.com'], fetch: (async () => {
      requests++;
      return new Response(null, { status: 204 });
    }) as typeof fetch });
    const err = await notifier
      .notify({ kind: 'completed', workflowId: 'w', incidentId: 'i', summary: 's', webhookUrl: 'http://10.0.0.5/hook' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect(requests).toBe(0);
  });
});
