// The HTTP API for SOAR platforms (design.md §3), as an importable fastify app: tests use inject()
// or a real listen, api/main.ts is the process. Every route is declared in api/routes/ and goes
// through the same steps here: authenticate → authorize the scope → validate with zod → handle.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Client } from '../client/containments.ts';
import type { z } from 'zod';
import type { ApprovalPolicy } from '../schemas/containment.ts';
import { CONTAINMENT_ID_MAX, type ErrorBody } from '../schemas/api.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { ApiError, endedByDeadline, errorHandler, frameworkError, invalidInput, issuesOf, methodNotAllowed, notFoundHandler, sendError, temporalTimeout, type Issue } from './errors.ts';
import type { ApiKeyring, Caller } from './keys.ts';
import type { EnvelopeKeys } from '../codec/decision-envelope.ts';
import { buildOpenApiDocument } from './openapi.ts';
import type { ApiRoute, RouteDeps } from './route.ts';
import { apiRoutes } from './routes/index.ts';

export interface ApiDeps {
  client: Client;
  /** Who approves API-started containments, the quorum and the timeouts: server configuration, never the caller's. */
  approvalPolicy?: z.input<typeof ApprovalPolicy>;
  taskQueue: string;
  keys: ApiKeyring;
  logger?: Logger;
  limits?: Partial<ApiLimits>;
  /** The worker's CORDON_WEBHOOK_ALLOWED_HOSTS, so a start naming another host is a 400, not a silent non-delivery. */
  webhookAllowedHosts?: readonly string[];
  /** CORDON_ENVELOPE_KEYS: decisions and cancel requests are signed with the caller's key (docs/trust-model.md). */
  envelopeKeys?: EnvelopeKeys;
  /** The drift watch's open verdicts (GET /v1/verdicts), when this machine holds its store. */
  verdicts?: RouteDeps['verdicts'];
}

/** Chosen on purpose; see the README section on the API for why each is what it is. */
export interface ApiLimits {
  /** A containment body holds at most 1,000 refs; 1 MiB covers them with ids, and refuses floods early. */
  bodyLimitBytes: number;
  /** The whole request must arrive within this (slow-loris bound). */
  requestTimeoutMs: number;
  /** Idle keep-alive sockets are closed after this. */
  keepAliveTimeoutMs: number;
  /** Each route's Temporal calls share this deadline; past it the answer is 504, never a hang. */
  temporalDeadlineMs: number;
}

export const DEFAULT_LIMITS: ApiLimits = { bodyLimitBytes: 1024 * 1024, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, temporalDeadlineMs: 15_000 };

declare module 'fastify' {
  interface FastifyInstance {
    /** Every method and path this app serves (api/openapi.test.ts compares them with the document). */
    cordonRoutes: { method: string; url: string }[];
  }
}

export function buildApp(deps: ApiDeps): FastifyInstance {
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const log = deps.logger ?? createLogger({ base: { component: 'api' } });
  const app = Fastify({
    logger: false, // Cordon's own redacting logger is used; fastify logs nothing (so no request logging either)
    bodyLimit: limits.bodyLimitBytes,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    exposeHeadRoutes: false,
    genReqId: () => randomUUID(),
    // fastify's default (100) is shorter than a containment id for a long incident id: every character
    // of the longest one may arrive percent-encoded. Longer is refused in the error shape (frameworkErrors).
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 3 * CONTAINMENT_ID_MAX },
    // Refusals by the router itself (an over-long parameter, bad percent-encoding) run no hook: the headers are set here.
    frameworkErrors: (err, request, reply) => {
      reply.header('x-request-id', request.id).header('cache-control', 'no-store');
      return sendError(reply, frameworkError(err));
    },
    // Requests node's HTTP parser refuses never reach fastify; they still get the error shape, and an
    // unknown method on a path this API serves is a 405 naming the methods it takes.
    clientErrorHandler: (err: Error & { code?: string; rawPacket?: unknown }, socket: Socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const e = clientError(err, (path) => methodsAt(served, path));
      log.info('client error', { code: err.code, status: e.status });
      const body = JSON.stringify({ error: { code: e.code, message: e.message } } satisfies ErrorBody);
      const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', connection: 'close', ...e.options.headers };
      const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      if (socket.writable) socket.write(`HTTP/1.1 ${e.status} ${STATUS_CODES[e.status]}\r\n${head}\r\n${body}`);
      socket.destroy(err);
    },
  });
  // JSON only: fastify's default text/plain parser would let a string body reach validation.
  app.removeContentTypeParser('text/plain');
  const served: { method: string; url: string }[] = [];
  app.decorate('cordonRoutes', served);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) served.push({ method, url: r.url });
  });

  const callers = new WeakMap<FastifyRequest, Caller>();
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // Status and evidence describe an incident in progress: no cache may keep them.
    reply.header('cache-control', 'no-store');
    // JSON is UTF-8 (RFC 8259): a body declared in another charset would be read wrongly, so it is refused.
    const charset = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(request.headers['content-type'] ?? '')?.[1];
    if (charset !== undefined && charset.toLowerCase() !== 'utf-8') {
      throw new ApiError(415, 'unsupported_media_type', 'send the body as application/json in UTF-8 (charset=utf-8, or no charset)');
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    // Never the body, the query string's values or the Authorization header: the route and who asked.
    log.info('request', {
      requestId: request.id,
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
      key: callers.get(request)?.name,
    });
  });
  app.setErrorHandler(errorHandler(log, limits.bodyLimitBytes));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allow = methodsAt(served, path);
    return allow.length ? sendError(reply, methodNotAllowed(request.method, path, allow)) : notFoundHandler(request, reply);
  });

  let document: unknown;
  const routeDeps: RouteDeps = {
    client: deps.client,
    taskQueue: deps.taskQueue,
    logger: log,
    ...(deps.webhookAllowedHosts ? { webhookAllowedHosts: deps.webhookAllowedHosts } : {}),
    ...(deps.approvalPolicy ? { approvalPolicy: deps.approvalPolicy } : {}),
    ...(deps.envelopeKeys ? { envelopeKeys: deps.envelopeKeys } : {}),
    ...(deps.verdicts ? { verdicts: deps.verdicts } : {}),
    openApiDocument: () => (document ??= buildOpenApiDocument(apiRoutes)),
  };

  for (const route of apiRoutes) {
    app.route({
      method: route.method,
      url: route.url,
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const caller = route.scope === null ? undefined : authorize(deps.keys, route, request);
        if (caller) callers.set(request, caller);
        const input = validate(route, request);
        const deadline = Date.now() + limits.temporalDeadlineMs;
        const answer = await deps.client
          .withDeadline(deadline, () => route.handle({ ...input, caller, deps: routeDeps, reply }))
          .catch((err: unknown) => {
            throw endedByDeadline(err, deadline) ? temporalTimeout() : err;
          });
        for (const [k, v] of Object.entries(answer.headers ?? {})) reply.header(k, v);
        return reply.status(answer.status).send(answer.body);
      },
    });
  }
  return app;
}

/** The methods served at a concrete path (`/v1/containments/abc` is `/v1/containments/:id`), sorted. */
export function methodsAt(served: readonly { method: string; url: string }[], path: string): string[] {
  const segments = (p: string) => p.replace(/\/+$/, '').split('/');
  const want = segments(path);
  const matches = (url: string) => {
    const route = segments(url);
    return route.length === want.length && route.every((s, i) => (s.startsWith(':') ? want[i] !== '' : s === want[i]));
  };
  return [...new Set(served.filter((r) => matches(r.url)).map((r) => r.method))].sort();
}

/** What to answer a request node's HTTP parser refused (fastify's defaults, in the API's error shape). */
function clientError(err: { code?: string; rawPacket?: unknown }, allowedAt: (path: string) => string[]): ApiError {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return new ApiError(408, 'request_timeout', 'the request did not arrive in time');
  if (err.code === 'HPE_HEADER_OVERFLOW') return new ApiError(431, 'headers_too_large', 'the request headers are larger than this API accepts');
  if (err.code === 'HPE_INVALID_METHOD') {
    const [, method, target] = /^(\S{1,32}) (\/\S*) HTTP\/1\.[01]\r?\n/.exec(Buffer.isBuffer(err.rawPacket) ? err.rawPacket.toString('latin1') : '') ?? [];
    const path = target?.split('?')[0];
    const allow = path ? allowedAt(path) : [];
    const name = method && /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(method) ? method : 'this method';
    if (path && allow.length) return methodNotAllowed(name, path, allow);
    return new ApiError(path ? 404 : 400, path ? 'no_route' : 'bad_request', `no route ${name} ${path ?? ''}; see /openapi.json`.replace(' ;', ';'));
  }
  return new ApiError(400, 'bad_request', 'the request is not valid HTTP/1.1');
}

/** 401 without a valid key, 403 when the key lacks the route's scope; before any input is read. */
function authorize(keys: ApiKeyring, route: ApiRoute, request: FastifyRequest): Caller {
  const header = request.headers.authorization;
  const bearer = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  const challenge = { headers: { 'www-authenticate': 'Bearer realm="cordon"' } };
  if (!bearer) throw new ApiError(401, 'unauthenticated', 'send an API key as `Authorization: Bearer <key>`', challenge);
  const caller = keys.identify(bearer);
  if (!caller) throw new ApiError(401, 'unauthenticated', 'the API key is not valid', challenge);
  if (!caller.scopes.includes(route.scope!)) {
    throw new ApiError(403, 'forbidden', `the API key "${caller.name}" lacks the "${route.scope}" scope needed for ${route.operationId}`);
  }
  return caller;
}

/** Every part the route declares, parsed by its zod schema; all issues at once, as one 400. */
function validate(route: ApiRoute, request: FastifyRequest) {
  const issues: Issue[] = [];
  const parse = (where: 'params' | 'query' | 'body' | 'headers', schema: z.ZodType | undefined, value: unknown): unknown => {
    if (!schema) return undefined;
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    issues.push(...issuesOf(where, r.error));
    return undefined;
  };
  const input = {
    params: parse('params', route.params, request.params),
    query: parse('query', route.query, request.query),
    headers: parse('headers', route.headers, request.headers),
    body: parse('body', route.body, request.body),
  };
  if (issues.length) throw invalidInput(issues);
  return input;
}
