// Where a finished containment's OCSF events go (docs/evidence-export.md): an NDJSON file, Splunk's HTTP
// Event Collector, a signed webhook. Each sink delivers a whole run's events and throws when it could
// not, so the delivery activity retries it: delivery is at least once, and every event carries a stable
// metadata.uid (export/ocsf.ts) for receivers to drop the copies a retry may send.
import type { OcsfEvent } from '../../export/ocsf.ts';
import { readEnv } from '../../schemas/config.ts';
import type { Logger } from '../../logging/logger.ts';
import { createNdjsonFileSink } from './ndjson-file.ts';
import { createSplunkHecSink } from './splunk-hec.ts';
import { createSignedWebhookSink } from './signed-webhook.ts';

import type { EvidenceSinkName } from '../../schemas/evidence-delivery.ts';

export type { EvidenceSinkName } from '../../schemas/evidence-delivery.ts';

export interface EvidenceSink {
  name: EvidenceSinkName;
  /** Delivers every event of one run; resolves only when the receiver has them (HEC: acknowledged). */
  deliver(delivery: { workflowId: string; events: readonly OcsfEvent[] }): Promise<void>;
}

/** The sinks the worker's environment turns on; a half-configured sink (URL without its secret) is an error naming both variables. */
export function evidenceSinksFromEnv(env: Record<string, string | undefined> = process.env, logger?: Logger): EvidenceSink[] {
  const sinks: EvidenceSink[] = [];
  const path = readEnv(env, 'CORDON_EVIDENCE_NDJSON_PATH');
  if (path) sinks.push(createNdjsonFileSink({ path }));
  const hecUrl = readEnv(env, 'CORDON_EVIDENCE_HEC_URL');
  const hecToken = readEnv(env, 'CORDON_EVIDENCE_HEC_TOKEN');
  if (hecUrl || hecToken) {
    if (!hecUrl || !hecToken) throw new Error('CORDON_EVIDENCE_HEC_URL and CORDON_EVIDENCE_HEC_TOKEN go together: set both to deliver evidence to Splunk, or neither');
    const index = readEnv(env, 'CORDON_EVIDENCE_HEC_INDEX');
    sinks.push(
      createSplunkHecSink({
        url: hecUrl,
        token: hecToken,
        acknowledgements: readEnv(env, 'CORDON_EVIDENCE_HEC_ACK') !== 'off',
        batchSize: readEnv(env, 'CORDON_EVIDENCE_HEC_BATCH') ?? 100,
        ...(index ? { index } : {}),
        ...(logger ? { logger } : {}),
      }),
    );
  }
  const hookUrl = readEnv(env, 'CORDON_EVIDENCE_WEBHOOK_URL');
  const hookSecret = readEnv(env, 'CORDON_EVIDENCE_WEBHOOK_SECRET');
  if (hookUrl || hookSecret) {
    if (!hookUrl || !hookSecret) throw new Error('CORDON_EVIDENCE_WEBHOOK_URL and CORDON_EVIDENCE_WEBHOOK_SECRET go together: set both to deliver evidence to a webhook, or neither');
    sinks.push(createSignedWebhookSink({ url: hookUrl, secret: hookSecret, ...(logger ? { logger } : {}) }));
  }
  return sinks;
}
