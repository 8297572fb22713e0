// One HTTP server per emulated provider, on 127.0.0.1 and a port chosen free at run time.
// Every call goes through the same pipeline: faults → rate limit → route → call log.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatedProvider } from './types.ts';
import { parseRequest, type CallContext, type EmuResponse, type Router } from './http.ts';

export interface CallRecord {
  /** Global order across every provider of one tenant: lets tests check revoke-before-replace (I1). */
  seq: number;
  at: string;
  provider: EmulatedProvider;
  operation: string;
  method: string;
  path: string;
  status: number;
  credential?: string;
  target?: string;
  fault?: string;
  /**
   * A digest of what was asked (method, path with query, body; not the credentials sent): the same write
   * retried has the same digest, even when a fault answered it before the emulator named its target.
   */
  request: string;
}

export class CallLog {
  #seq = 0;
  readonly #records: CallRecord[] = [];
  /** Requests received and not answered yet, by provider and operation (a test sees what is in flight). */
  readonly #inFlight: { provider: EmulatedProvider; operation: string }[] = [];
  /** Marks a request in flight until the returned function is called (once it is answered, or never will be). */
  begin(provider: EmulatedProvider, operation: string): () => void {
    const entry = { provider, operation };
    this.#inFlight.push(entry);
    return () => {
      const i = this.#inFlight.indexOf(entry);
      if (i >= 0) this.#inFlight.splice(i, 1);
    };
  }
  inFlight(filter: Partial<Pick<CallRecord, 'provider' | 'operation'>> = {}): number {
    return this.#inFlight.filter((r) => (!filter.provider || r.provider === filter.provider) && (!filter.operation || r.operation === filter.operation)).length;
  }
  add(record: Omit<CallRecord, 'seq'>): CallRecord {
    const full = { seq: ++this.#seq, ...record };
    this.#records.push(full);
    return full;
  }
  list(filter: Partial<Pick<CallRecord, 'provider' | 'operation'>> = {}): CallRecord[] {
    return this.#records.filter(
      (r) => (!filter.provider || r.provider === filter.provider) && (!filter.operation || r.operation === filter.operation),
    );
  }
  clear(): void {
    this.#records.length = 0;
  }
}

export interface Fault {
  provider?: EmulatedProvider;
  /** An operation name from the provider's router, or omitted for every operation. */
  operation?: string;
  type: 'latency' | 'rate_limited' | 'unavailable' | 'unauthorized' | 'timeout';
  /** For latency: delay before answering normally. */
  latencyMs?: number;
  /** For rate_limited: the Retry-After to announce, in seconds. */
  retryAfterSec?: number;
  /** For unavailable: 500, 502, 503 … (default 503). */
  status?: number;
  /** How many calls the fault applies to; omitted = until cleared. */
  times?: number;
  /** The share of matching calls it applies to (0–1), drawn per call: a fault storm. Omitted = every call. */
  probability?: number;
}

/** How one provider shapes the answers the framework produces for it (each provider's API docs on errors and rate limits). */
export interface ErrorShapes {
  rateLimited(retryAfterSec: number): EmuResponse;
  unavailable(status: number): EmuResponse;
  unauthorized(): EmuResponse;
  notFound(path: string): EmuResponse;
  methodNotAllowed(path: string): EmuResponse;
  internal(message: string): EmuResponse;
}

/** A request budget per provider (and optionally per operation) in a fixed window; past it, rate_limited. */
export interface RateLimit {
  provider: EmulatedProvider;
  operation?: string;
  limit: number;
  windowSec: number;
}

export class FaultBook {
  readonly #faults: Fault[] = [];
  readonly #limits: { rule: RateLimit; windowStart: number; used: number }[] = [];

  setRateLimit(rule: RateLimit): void {
    this.clearRateLimits(rule.provider, rule.operation);
    this.#limits.push({ rule: { ...rule }, windowStart: Date.now(), used: 0 });
  }
  clearRateLimits(provider?: EmulatedProvider, operation?: string): void {
    for (let i = this.#limits.length - 1; i >= 0; i--) {
      const r = this.#limits[i]!.rule;
      if ((!provider || r.provider === provider) && (operation === undefined || r.operation === operation)) this.#limits.splice(i, 1);
    }
  }
  rateLimits(): RateLimit[] {
    return this.#limits.map((l) => ({ ...l.rule }));
  }
  /** Counts this call against the matching budgets; a spent one answers with the rest of its window. */
  #overBudget(provider: EmulatedProvider, operation: string): Fault | undefined {
    const now = Date.now();
    for (const l of this.#limits) {
      if (l.rule.provider !== provider || (l.rule.operation && l.rule.operation !== operation)) continue;
      if (now - l.windowStart >= l.rule.windowSec * 1000) {
        l.windowStart = now;
        l.used = 0;
      }
      l.used += 1;
      if (l.used > l.rule.limit) {
        return { provider, type: 'rate_limited', retryAfterSec: Math.max(1, Math.ceil((l.windowStart + l.rule.windowSec * 1000 - now) / 1000)) };
      }
    }
    return undefined;
  }
  add(fault: Fault): void {
    this.#faults.push({ ...fault });
  }
  clear(provider?: EmulatedProvider): void {
    this.clearRateLimits(provider);
    for (let i = this.#faults.length - 1; i >= 0; i--) {
      if (!provider || this.#faults[i]!.provider === provider) this.#faults.splice(i, 1);
    }
  }
  /** A spent rate limit, else the first fault that applies to this call (consuming one of its `times`). */
  take(provider: EmulatedProvider, operation: string): Fault | undefined {
    const limited = this.#overBudget(provider, operation);
    if (limited) return limited;
    const i = this.#faults.findIndex(
      (f) =>
        (!f.provider || f.provider === provider) &&
        (!f.operation || f.operation === operation) &&
        (f.probability === undefined || Math.random() < f.probability),
    );
    if (i < 0) return undefined;
    const fault = this.#faults[i]!;
    if (fault.times !== undefined) {
      fault.times -= 1;
      if (fault.times <= 0) this.#faults.splice(i, 1);
    }
    return fault;
  }
  list(): Fault[] {
    return this.#faults.map((f) => ({ ...f }));
  }
}

export interface EmulatorServer {
  provider: EmulatedProvider;
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startEmulatorServer(options: {
  provider: EmulatedProvider;
  router: Router;
  errors: ErrorShapes;
  log: CallLog;
  faults: FaultBook;
  port?: number;
  /** Headers added to every answer (e.g. GitHub's x-ratelimit-*, Salesforce's Sforce-Limit-Info). */
  decorate?: (operation: string, call: CallContext) => Record<string, string>;
}): Promise<EmulatorServer> {
  const { provider, router, errors, log, faults } = options;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const parsed = parseRequest(req.method ?? 'GET', req.url ?? '/', req.headers, body);
        const match = router.match(parsed.method, parsed.path);
        const operation = match && match !== 'method_not_allowed' ? match.operation : 'unknown';
        const call: CallContext = {};
        const request = createHash('sha256').update(`${parsed.method} ${req.url ?? '/'}\n`).update(body).digest('hex').slice(0, 16);
        let answer: EmuResponse;
        let faultName: string | undefined;
        const fault = faults.take(provider, operation);
        const answered = log.begin(provider, operation);
        res.once('close', answered);
        if (fault?.type === 'timeout') {
          // Never answer: the client's own timeout is what is under test.
          answered();
          log.add({ at: new Date().toISOString(), provider, operation, method: parsed.method, path: parsed.path, status: 0, fault: 'timeout', request });
          return;
        }
        if (fault?.type === 'latency') await new Promise((r) => setTimeout(r, fault.latencyMs ?? 1000));
        if (fault && fault.type !== 'latency') {
          faultName = fault.type;
          answer =
            fault.type === 'rate_limited'
              ? errors.rateLimited(fault.retryAfterSec ?? 1)
              : fault.type === 'unauthorized'
                ? errors.unauthorized()
                : errors.unavailable(fault.status ?? 503);
        } else if (!match) {
          answer = errors.notFound(parsed.path);
        } else if (match === 'method_not_allowed') {
          answer = errors.methodNotAllowed(parsed.path);
        } else {
          try {
            answer = await match.handler({ ...parsed, params: match.params }, call);
          } catch (err) {
            answer = errors.internal(err instanceof Error ? err.message : String(err));
          }
        }
        const headers: Record<string, string> = { ...(options.decorate?.(operation, call) ?? {}), ...(answer.headers ?? {}) };
        let payload: string | Buffer | undefined;
        if (answer.body === undefined || answer.body === null) payload = undefined;
        else if (typeof answer.body === 'string' || Buffer.isBuffer(answer.body)) payload = answer.body;
        else {
          payload = JSON.stringify(answer.body);
          headers['content-type'] ??= 'application/json; charset=utf-8';
        }
        log.add({
          at: new Date().toISOString(),
          provider,
          operation,
          method: parsed.method,
          path: parsed.path,
          status: answer.status,
          ...(call.credential ? { credential: call.credential } : {}),
          ...(call.target ? { target: call.target } : {}),
          ...(faultName ? { fault: faultName } : {}),
          request,
        });
        res.writeHead(answer.status, headers);
        res.end(payload);
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    provider,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
