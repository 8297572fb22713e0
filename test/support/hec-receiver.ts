// A local receiver that behaves like Splunk's HTTP Event Collector where Cordon relies on it: it checks
// `Authorization: Splunk <token>`, refuses a request without `X-Splunk-Request-Channel` when
// acknowledgements are on, parses the body as HEC envelopes one after another and checks each
// (`event` present, `time` in epoch seconds, only the envelope keys HEC knows, indexed `fields` flat
// strings), answers `{text, code, ackId}`, and reports an ackId as indexed only from the second poll
// of `/services/collector/ack` on (so a sender that does not poll, or polls once, is caught).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const ENVELOPE_KEYS = new Set(['time', 'host', 'source', 'sourcetype', 'index', 'event', 'fields']);

export interface HecReceiver {
  url: string;
  /** Every event accepted, in order (the envelope's `event`), across requests. */
  events: unknown[];
  envelopes: Record<string, unknown>[];
  requests: { path: string; authorized: boolean; channel?: string; envelopes: number; status: number }[];
  /** ackIds polled at least twice and so answered true. */
  acknowledged: Set<number>;
  /** Answer the next n event posts with this status (e.g. 503), before accepting again. */
  failNext(n: number, status: number): void;
  close(): Promise<void>;
}

/** Splits a body of JSON objects written one after another (with or without whitespace between). */
export function splitConcatenatedJson(body: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === '}') {
      depth--;
      if (depth === 0) out.push(JSON.parse(body.slice(start, i + 1)));
      if (depth < 0) throw new Error('unbalanced }');
    } else if (depth === 0 && !/\s/.test(ch)) throw new Error(`unexpected ${JSON.stringify(ch)} between events`);
  }
  if (depth !== 0 || inString) throw new Error('truncated event');
  return out;
}

function envelopeProblem(env: unknown): string | undefined {
  if (!env || typeof env !== 'object' || Array.isArray(env)) return 'not an object';
  const e = env as Record<string, unknown>;
  for (const k of Object.keys(e)) if (!ENVELOPE_KEYS.has(k)) return `unknown envelope key ${k}`;
  if (!('event' in e) || e.event === null || e.event === '') return 'no event';
  if ('time' in e && (typeof e.time !== 'number' || e.time > 1e11)) return 'time is not epoch seconds';
  if ('fields' in e) {
    const f = e.fields;
    if (!f || typeof f !== 'object' || Array.isArray(f)) return 'fields is not an object';
    for (const [k, v] of Object.entries(f)) if (typeof v !== 'string' && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) return `field ${k} is not a string`;
  }
  return undefined;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startHecReceiver(options: { token: string; acknowledgements?: boolean }): Promise<HecReceiver> {
  const acks = options.acknowledgements ?? true;
  let nextAck = 0;
  const polls = new Map<string, Map<number, number>>(); // channel → ackId → times polled
  let failures: { n: number; status: number } = { n: 0, status: 503 };
  const state: Omit<HecReceiver, 'url' | 'close' | 'failNext'> = { events: [], envelopes: [], requests: [], acknowledged: new Set() };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const answer = (status: number, json: unknown, envelopes = 0) => {
        state.requests.push({ path: url.pathname, authorized: status !== 401 && status !== 403, ...(channel ? { channel } : {}), envelopes, status });
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      };
      const channel = (req.headers['x-splunk-request-channel'] as string | undefined) ?? url.searchParams.get('channel') ?? undefined;
      const body = await bodyOf(req);
      const auth = req.headers.authorization;
      if (!auth) return answer(401, { text: 'Token is required', code: 2 });
      if (auth !== `Splunk ${options.token}`) return answer(403, { text: 'Invalid token', code: 4 });
      if (req.method !== 'POST') return answer(405, { text: 'Method not allowed' });
      if (acks && !channel) return answer(400, { text: 'Data channel is missing', code: 10 });
      if (url.pathname === '/services/collector/event') {
        if (failures.n > 0) {
          failures.n--;
          return answer(failures.status, { text: 'Server is busy', code: 9 });
        }
        let envelopes: unknown[];
        try {
          envelopes = splitConcatenatedJson(body);
        } catch {
          return answer(400, { text: 'Invalid data format', code: 6 });
        }
        if (!envelopes.length) return answer(400, { text: 'No data', code: 5 });
        for (const env of envelopes) {
          const problem = envelopeProblem(env);
          if (problem) return answer(400, { text: `Invalid data format: ${problem}`, code: 6 });
        }
        for (const env of envelopes as Record<string, unknown>[]) {
          state.envelopes.push(env);
          state.events.push(env.event);
        }
        if (!acks) return answer(200, { text: 'Success', code: 0 }, envelopes.length);
        const ackId = nextAck++;
        const ch = polls.get(channel!) ?? new Map<number, number>();
        ch.set(ackId, 0);
        polls.set(channel!, ch);
        return answer(200, { text: 'Success', code: 0, ackId }, envelopes.length);
      }
      if (url.pathname === '/services/collector/ack') {
        const ids = (JSON.parse(body || '{}') as { acks?: number[] }).acks ?? [];
        const ch = polls.get(channel!) ?? new Map<number, number>();
        const out: Record<string, boolean> = {};
        for (const id of ids) {
          const seen = ch.get(id);
          if (seen === undefined) {
            out[String(id)] = false;
            continue;
          }
          ch.set(id, seen + 1);
          out[String(id)] = seen + 1 >= 2;
          if (out[String(id)]) state.acknowledged.add(id);
        }
        return answer(200, { acks: out });
      }
      return answer(404, { text: 'Not found', code: 404 });
    })().catch((err: unknown) => res.writeHead(500).end(String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ...state,
    failNext(n, status) {
      failures = { n, status };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
