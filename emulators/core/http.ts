// A small router for the provider emulators: exact control over status codes, headers and bodies,
// which is what wire faithfulness needs (design.md §5). Path parameters are percent-decoded
// (googleapis sends `alice%40example.com`; googleapis Admin SDK Directory API, users.get).
import type { IncomingHttpHeaders } from 'node:http';

export interface EmuRequest {
  method: string;
  /** Raw path as sent, without the query string. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** Parsed JSON body (undefined when the body is empty or not JSON). */
  json: unknown;
  /** Parsed form body (application/x-www-form-urlencoded), else empty. */
  form: URLSearchParams;
  /** Bearer token from the Authorization header, if any. */
  bearer: string | undefined;
  /** Basic auth from the Authorization header, if any. */
  basic: { user: string; password: string } | undefined;
}

export interface EmuResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings and Buffers as they are (set content-type yourself). */
  body?: unknown;
}

/** What a handler may record about the call, for the ordered call log. */
export interface CallContext {
  /** Which credential authenticated the call (an id, never a secret value). */
  credential?: string;
  /** The credential, principal or object the call acted on. */
  target?: string;
}

export type Handler = (req: EmuRequest, call: CallContext) => EmuResponse | Promise<EmuResponse>;

interface Route {
  method: string;
  operation: string;
  regex: RegExp;
  names: string[];
  handler: Handler;
}

export interface RouteMatch {
  operation: string;
  params: Record<string, string>;
  handler: Handler;
}

/**
 * Patterns: `/admin/directory/v1/users/:userKey/tokens/:clientId` (one segment each),
 * `*name` for the rest of the path (several segments, like googleapis' `{+name}`), and a literal
 * suffix after a parameter for Google's custom verbs: `/v1/*name\:disable`.
 */
export class Router {
  readonly #routes: Route[] = [];

  add(method: string, pattern: string, operation: string, handler: Handler): this {
    const names: string[] = [];
    const source = pattern
      .split('/')
      .map((segment) =>
        segment
          .replace(/[.+?^${}()|[\]]/g, '\\$&')
          .replace(/\\?:([A-Za-z_][A-Za-z0-9_]*)|\*([A-Za-z_][A-Za-z0-9_]*)/g, (whole, single: string, rest: string) => {
            if (whole.startsWith('\\')) return whole.slice(1); // an escaped literal colon: `\:disable`
            names.push(single ?? rest);
            return single ? '([^/]+?)' : '(.+?)';
          }),
      )
      .join('/');
    this.#routes.push({ method: method.toUpperCase(), operation, regex: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  match(method: string, path: string): RouteMatch | 'method_not_allowed' | undefined {
    let pathMatched = false;
    for (const route of this.#routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method.toUpperCase()) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        const raw = m[i + 1] ?? '';
        params[name] = raw.split('/').map(safeDecode).join('/');
      });
      return { operation: route.operation, params, handler: route.handler };
    }
    return pathMatched ? 'method_not_allowed' : undefined;
  }

  /** Operation names, for the README's "what is emulated" list and for fault targeting. */
  operations(): string[] {
    return this.#routes.map((r) => r.operation);
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function parseRequest(
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
  rawBody: Buffer,
): Omit<EmuRequest, 'params'> {
  const parsed = new URL(url, 'http://emulator.invalid');
  const type = String(headers['content-type'] ?? '');
  const text = rawBody.toString('utf8');
  let json: unknown;
  if (text && (type.includes('json') || /^\s*[[{]/.test(text))) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  const form = type.includes('application/x-www-form-urlencoded') ? new URLSearchParams(text) : new URLSearchParams();
  const auth = String(headers.authorization ?? '');
  const bearer = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim();
  let basic: EmuRequest['basic'];
  const b = /^Basic\s+(.+)$/i.exec(auth)?.[1];
  if (b) {
    const decoded = Buffer.from(b, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    basic = { user: decoded.slice(0, Math.max(i, 0)), password: i >= 0 ? decoded.slice(i + 1) : '' };
  }
  return { method: method.toUpperCase(), path: parsed.pathname, query: parsed.searchParams, headers, rawBody, json, form, bearer, basic };
}
