// Signed webhooks to the URL a containment was started with (ContainmentInput.webhookUrl): a Notifier
// (./notifier.ts) the worker runs inside the `notify` activity. A non-2xx answer throws, so the
// workflow's retry policy for notify retries it with backoff; the delivery id stays the same across
// retries so receivers can drop duplicates.
//
// Signature (Stripe's scheme, so receivers know it): header
//   Cordon-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
// The secret comes from the worker's environment (CORDON_WEBHOOK_SECRET), never from history.
// Receivers call verifyWebhook() with the raw body, before parsing it.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Notification, Notifier } from './notifier.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { containmentLinks, type WebhookEvent } from '../schemas/api.ts';
import { readEnv } from '../schemas/config.ts';

export const SIGNATURE_HEADER = 'cordon-signature';
/** A receiver refuses signatures older (or newer) than this: a captured delivery cannot be replayed later. */
export const DEFAULT_TOLERANCE_SECONDS = 300;
const MIN_SECRET_LENGTH = 32;

export function signWebhook(secret: string, rawBody: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${rawBody}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/** The headers of a signed delivery: its type, its id (stable across retries) and the signature over the body. */
export function signedWebhookHeaders(secret: string, rawBody: string, sentAt: Date, ids: { event: string; delivery: string }): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'cordon-webhooks/1',
    'cordon-event': ids.event,
    'cordon-delivery': ids.delivery,
    [SIGNATURE_HEADER]: signWebhook(secret, rawBody, Math.floor(sentAt.getTime() / 1000)),
  };
}

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: string };

/**
 * Checks a delivery: the signature over the exact raw body and its timestamp, in constant time.
 * `secret` may be a list while a secret is being rotated; any one of them may have signed.
 */
export function verifyWebhook(options: {
  secret: string | readonly string[];
  rawBody: string | Buffer;
  signatureHeader: string | null | undefined;
  toleranceSeconds?: number;
  nowSeconds?: number;
}): VerifyResult {
  const header = options.signatureHeader;
  if (!header) return { ok: false, reason: `no ${SIGNATURE_HEADER} header` };
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const candidates = parts.filter(([k, v]) => k === 'v1' && v && /^[0-9a-f]{64}$/.test(v)).map(([, v]) => Buffer.from(v!, 'hex'));
  if (!Number.isInteger(t) || candidates.length === 0) return { ok: false, reason: 'malformed signature header' };
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(now - t) > tolerance) return { ok: false, reason: `timestamp outside the ${tolerance}s tolerance` };
  const body = typeof options.rawBody === 'string' ? options.rawBody : options.rawBody.toString('utf8');
  const secrets = typeof options.secret === 'string' ? [options.secret] : options.secret;
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest();
    for (const c of candidates) if (timingSafeEqual(expected, c)) matched = true;
  }
  return matched ? { ok: true, timestamp: t } : { ok: false, reason: 'signature does not match' };
}

/**
 * CORDON_WEBHOOK_ALLOWED_HOSTS: comma-separated host names where webhooks may go; `*.example.com`
 * matches its subdomains. Unset: any host. Whoever holds a `start` key chooses the URL, and the
 * worker sits inside the network: the list keeps it from POSTing to internal services.
 */
export function parseAllowedHosts(value: string | undefined): string[] | undefined {
  const hosts = (value ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  return hosts.length ? hosts : undefined;
}

export function webhookHostAllowed(url: string, allowed: readonly string[] | undefined): boolean {
  if (!allowed) return true;
  const host = new URL(url).hostname.toLowerCase();
  return allowed.some((a) => (a.startsWith('*.') ? host.endsWith(a.slice(1)) && host.length > a.length - 1 : host === a));
}

/** Stable across retries of one notification, distinct between notifications of one run. */
function deliveryIdOf(n: Notification): string {
  return createHash('sha256').update([n.workflowId, n.kind, n.stage ?? '', n.outcome ?? ''].join('|')).digest('hex').slice(0, 32);
}

export function webhookEventOf(n: Notification, sentAt: Date): WebhookEvent {
  return {
    id: deliveryIdOf(n),
    type: n.kind,
    workflowId: n.workflowId,
    incidentId: n.incidentId,
    summary: n.summary,
    ...(n.stage ? { stage: n.stage } : {}),
    ...(n.digest ? { digest: n.digest } : {}),
    ...(n.outcome ? { outcome: n.outcome } : {}),
    ...(n.approval ? { approval: n.approval } : {}),
    statusPath: containmentLinks(n.workflowId).self,
    sentAt: sentAt.toISOString(),
  };
}

export interface WebhookNotifierOptions {
  secret: string;
  /** Per delivery; below the notify activity's 30 s start-to-close so a hung receiver fails fast and is retried. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  logger?: Logger;
  now?: () => Date;
  allowedHosts?: readonly string[];
}

export function createWebhookNotifier(options: WebhookNotifierOptions): Notifier {
  if (options.secret.length < MIN_SECRET_LENGTH) throw new Error(`the webhook signing secret must be at least ${MIN_SECRET_LENGTH} characters`);
  const log = options.logger ?? createLogger({ base: { component: 'webhooks' } });
  const send = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? (() => new Date());
  return {
    async notify(n) {
      if (!n.webhookUrl) return;
      const sentAt = now();
      const event = webhookEventOf(n, sentAt);
      const body = JSON.stringify(event);
      // The URL may embed a receiver's token: only its origin is ever logged or put in an error.
      const target = new URL(n.webhookUrl).origin;
      if (!webhookHostAllowed(n.webhookUrl, options.allowedHosts)) {
        log.warn('webhook host not allowed', { target, event: event.type, workflowId: n.workflowId });
        throw ApplicationFailure.create({ type: 'cordon.webhook_not_allowed', nonRetryable: true, message: `webhook host ${new URL(n.webhookUrl).hostname} is not in CORDON_WEBHOOK_ALLOWED_HOSTS` });
      }
      let res: Response;
      try {
        res = await send(n.webhookUrl, {
          method: 'POST',
          body,
          // A redirect would resend the signed body somewhere the starter did not name: not followed.
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
          headers: signedWebhookHeaders(options.secret, body, sentAt, { event: event.type, delivery: event.id }),
        });
      } catch (err) {
        log.warn('webhook not delivered', { target, event: event.type, delivery: event.id, workflowId: n.workflowId, error: err });
        throw new Error(`webhook to ${target} failed: ${(err as Error).name}; it will be retried`);
      }
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) {
        log.info('webhook delivered', { target, event: event.type, delivery: event.id, workflowId: n.workflowId, status: res.status });
        return;
      }
      log.warn('webhook refused', { target, event: event.type, delivery: event.id, workflowId: n.workflowId, status: res.status });
      const retryAfterSeconds = Number(res.headers.get('retry-after'));
      throw ApplicationFailure.create({
        type: 'cordon.webhook_refused',
        message: `webhook to ${target} answered ${res.status}; it will be retried`,
        // The receiver's Retry-After (429/503) decides the next attempt, bounded by the notify retry policy.
        ...(Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0 ? { nextRetryDelay: Math.min(retryAfterSeconds, 60) * 1000 } : {}),
      });
    },
  };
}

/** The worker's webhook notifier, or undefined when CORDON_WEBHOOK_SECRET is not set (webhooks off). */
export function webhookNotifierFromEnv(env: NodeJS.ProcessEnv = process.env, logger?: Logger): Notifier | undefined {
  const secret = readEnv(env, 'CORDON_WEBHOOK_SECRET');
  if (!secret) return undefined;
  const allowedHosts = parseAllowedHosts(readEnv(env, 'CORDON_WEBHOOK_ALLOWED_HOSTS'));
  return createWebhookNotifier({ secret, ...(logger ? { logger } : {}), ...(allowedHosts ? { allowedHosts } : {}) });
}
