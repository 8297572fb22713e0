// Splunk HTTP Event Collector sink. Events go in batches to `POST <url>/services/collector/event`, each
// request body the HEC envelopes of its events one after another (`{time, host, source, sourcetype,
// index, event, fields}`), with `Authorization: Splunk <token>`. With indexer acknowledgement on, every
// request names a channel (`X-Splunk-Request-Channel`), HEC answers an `ackId`, and the sink polls
// `POST <url>/services/collector/ack?channel=<channel>` with `{"acks": [ids]}` until each is true: only
// then is the batch delivered (Splunk's "About HTTP Event Collector Indexer Acknowledgment").
// The token is never logged nor put in an error.
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { OcsfEvent } from '../../export/ocsf.ts';
import { createLogger, type Logger } from '../../logging/logger.ts';
import type { EvidenceSink } from './sink.ts';

export interface SplunkHecOptions {
  /** Base URL of the collector, e.g. https://splunk.example.com:8088 */
  url: string;
  token: string;
  index?: string;
  acknowledgements?: boolean;
  batchSize?: number;
  /** How long to wait for the acknowledgements of one batch before the delivery fails (and is retried). */
  ackTimeoutMs?: number;
  ackPollMs?: number;
  fetch?: typeof fetch;
  logger?: Logger;
  host?: string;
}

const CLASS_NAME: Record<number, string> = { 2003: 'compliance_finding', 2005: 'incident_finding', 3001: 'account_change', 6003: 'api_activity', 7001: 'remediation_activity' };

export function hecEnvelope(e: OcsfEvent, options: { index?: string; host?: string }): Record<string, unknown> {
  return {
    time: e.time / 1000,
    host: options.host ?? 'cordon',
    source: 'cordon',
    sourcetype: `ocsf:${CLASS_NAME[e.class_uid] ?? e.class_uid}`,
    ...(options.index ? { index: options.index } : {}),
    event: e,
    fields: { ocsf_uid: e.metadata.uid, ocsf_class_uid: String(e.class_uid), workflow_id: String((e.metadata as { correlation_uid?: string }).correlation_uid ?? '') },
  };
}

export function createSplunkHecSink(options: SplunkHecOptions): EvidenceSink {
  const send = options.fetch ?? fetch;
  const log = options.logger ?? createLogger({ base: { component: 'evidence-hec' } });
  const base = options.url.replace(/\/+$/, '');
  const target = new URL(base).origin;
  const batchSize = options.batchSize ?? 100;
  const ackTimeoutMs = options.ackTimeoutMs ?? 60_000;
  const ackPollMs = options.ackPollMs ?? 1_000;
  const acks = options.acknowledgements ?? true;

  async function post(path: string, body: string, channel: string): Promise<{ status: number; json: Record<string, unknown> }> {
    let res: Response;
    try {
      res = await send(`${base}${path}`, {
        method: 'POST',
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(15_000),
        headers: { authorization: `Splunk ${options.token}`, 'content-type': 'application/json', 'x-splunk-request-channel': channel },
      });
    } catch (err) {
      throw new Error(`Splunk HEC at ${target} unreachable: ${(err as Error).name}; the delivery will be retried`);
    }
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // HEC answers JSON; a proxy's HTML error page is reported by status alone.
    }
    return { status: res.status, json };
  }

  async function awaitAcks(channel: string, ids: number[]): Promise<void> {
    const pending = new Set(ids);
    const deadline = Date.now() + ackTimeoutMs;
    while (pending.size) {
      const { status, json } = await post(`/services/collector/ack?channel=${encodeURIComponent(channel)}`, JSON.stringify({ acks: [...pending] }), channel);
      if (status !== 200) throw new Error(`Splunk HEC at ${target} answered ${status} to the acknowledgement poll; the delivery will be retried`);
      const answered = (json.acks ?? {}) as Record<string, unknown>;
      for (const id of [...pending]) if (answered[String(id)] === true) pending.delete(id);
      if (!pending.size) return;
      if (Date.now() > deadline) throw new Error(`Splunk HEC at ${target} did not acknowledge ${pending.size} batch(es) within ${ackTimeoutMs} ms; the delivery will be retried`);
      await new Promise((r) => setTimeout(r, ackPollMs));
    }
  }

  return {
    name: 'splunk-hec',
    async deliver({ workflowId, events }) {
      const channel = randomUUID();
      const ackIds: number[] = [];
      for (let i = 0; i < events.length; i += batchSize) {
        const batch = events.slice(i, i + batchSize);
        const body = batch.map((e) => JSON.stringify(hecEnvelope(e, { ...(options.index ? { index: options.index } : {}), ...(options.host ? { host: options.host } : {}) }))).join('\n');
        const { status, json } = await post('/services/collector/event', body, channel);
        if (status !== 200) {
          log.warn('evidence not accepted by HEC', { target, workflowId, status, code: json.code, text: json.text });
          // 400: the events themselves are refused (HEC codes 5/6/12…): sending them again cannot help.
          const refused = status === 400;
          throw ApplicationFailure.create({
            type: refused ? 'cordon.evidence_refused' : 'cordon.evidence_not_delivered',
            nonRetryable: refused,
            message: `Splunk HEC at ${target} answered ${status}${typeof json.text === 'string' ? ` (${json.text})` : ''}${refused ? '' : '; the delivery will be retried'}`,
          });
        }
        if (acks) {
          if (typeof json.ackId !== 'number') throw ApplicationFailure.create({ type: 'cordon.evidence_refused', nonRetryable: true, message: `Splunk HEC at ${target} returned no ackId: turn on indexer acknowledgement for the token, or set CORDON_EVIDENCE_HEC_ACK=off` });
          ackIds.push(json.ackId);
        }
      }
      if (acks && ackIds.length) await awaitAcks(channel, ackIds);
      log.info('evidence delivered to HEC', { target, workflowId, events: events.length, batches: Math.ceil(events.length / batchSize), acknowledged: acks });
    },
  };
}
