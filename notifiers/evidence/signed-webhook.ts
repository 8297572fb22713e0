// The signed evidence webhook: one POST per run with every OCSF event, signed like Cordon's other
// webhooks (notifiers/webhook.ts: `Cordon-Signature: t=<unix seconds>,v1=<HMAC-SHA256 of "<t>.<body>">`),
// so receivers verify it with the same `verifyWebhook`. The delivery id is stable across retries.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { createLogger, type Logger } from '../../logging/logger.ts';
import { signedWebhookHeaders } from '../webhook.ts';
import type { EvidenceSink } from './sink.ts';

export interface SignedWebhookSinkOptions {
  url: string;
  secret: string;
  fetch?: typeof fetch;
  logger?: Logger;
  now?: () => Date;
}

export function createSignedWebhookSink(options: SignedWebhookSinkOptions): EvidenceSink {
  const send = options.fetch ?? fetch;
  const log = options.logger ?? createLogger({ base: { component: 'evidence-webhook' } });
  const now = options.now ?? (() => new Date());
  const target = new URL(options.url).origin;
  return {
    name: 'webhook',
    async deliver({ workflowId, events }) {
      const id = createHash('sha256').update(`evidence|${workflowId}|${events.map((e) => e.metadata.uid).join(',')}`).digest('hex').slice(0, 32);
      const sentAt = now();
      const body = JSON.stringify({ id, type: 'evidence.ocsf', workflowId, sentAt: sentAt.toISOString(), events });
      let res: Response;
      try {
        res = await send(options.url, {
          method: 'POST',
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(15_000),
          headers: signedWebhookHeaders(options.secret, body, sentAt, { event: 'evidence.ocsf', delivery: id }),
        });
      } catch (err) {
        throw new Error(`evidence webhook to ${target} failed: ${(err as Error).name}; it will be retried`);
      }
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) {
        log.info('evidence webhook delivered', { target, workflowId, delivery: id, events: events.length });
        return;
      }
      log.warn('evidence webhook refused', { target, workflowId, delivery: id, status: res.status });
      throw ApplicationFailure.create({ type: 'cordon.evidence_not_delivered', message: `evidence webhook to ${target} answered ${res.status}; it will be retried` });
    },
  };
}
