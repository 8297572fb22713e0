// The API's one error shape, {error: {code, message, issues?}}, and its one error handler. 4xx answers
// say what was wrong and what to do; 5xx answers say only that it failed and the request id, and the
// details go to the log (fastify/demo's pattern)
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { ZodError } from 'zod';
import { IdempotencyKeyReusedError, InvalidInputError, isGrpcCancelledError, isGrpcDeadlineError, isGrpcServiceError, NotAContainmentError } from '../client/containments.ts';
import type { Logger } from '../logging/logger.ts';
import type { ErrorBody } from '../schemas/api.ts';

export type Issue = { path: string; message: string };

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly options: { issues?: Issue[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }
}

export function invalidInput(issues: Issue[]): ApiError {
  return new ApiError(400, 'invalid_input', `invalid request: ${issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; ')}`, { issues });
}

/** Zod issues as dotted paths under where they were found: body.credentials.0.id, query.incident. */
export function issuesOf(where: 'body' | 'query' | 'params' | 'headers', error: ZodError): Issue[] {
  return error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
}

const GRPC_NOT_FOUND = 5;
const GRPC_UNAVAILABLE = 14;

const FASTIFY_REFUSALS: Record<string, (bodyLimitBytes: number) => [code: string, message: string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: (limit) => ['body_too_large', `the request body is larger than this API accepts (${Math.round(limit / 1024)} KiB)`],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => ['unsupported_media_type', 'send the body as application/json (UTF-8)'],
  FST_ERR_CTP_INVALID_JSON_BODY: () => ['bad_request', 'the request body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: () => ['bad_request', 'the request body is empty; send a JSON object'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => ['bad_request', 'the Content-Length does not match the body'],
};

/** The client wraps gRPC errors (ServiceError "Failed to query Workflow" → cause): look through. */
function grpcCause(err: unknown): unknown {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) if (isGrpcServiceError(e) || isGrpcDeadlineError(e)) return e;
  return undefined;
}

/** Temporal did not answer a route's calls within their deadline (limits.temporalDeadlineMs): 504, retry later. */
export function temporalTimeout(): ApiError {
  return new ApiError(504, 'temporal_timeout', 'Temporal did not answer in time; retry, and check that Temporal and a Cordon worker are running', { headers: { 'retry-after': '5' } });
}

/**
 * A call the deadline ended: grpc-js ends it as DEADLINE_EXCEEDED or, when its cancellation wins the race at
 * the deadline, as CANCELLED ("Call cancelled"); past the deadline both mean Temporal did not answer in time.
 */
export function endedByDeadline(err: unknown, deadline: number): boolean {
  return isGrpcDeadlineError(err) || (Date.now() >= deadline && isGrpcCancelledError(err));
}

/** Known failures → their answer; anything else is a 500 whose details stay in the log. */
function classify(err: unknown, bodyLimitBytes: number): ApiError | undefined {
  if (err instanceof ApiError) return err;
  const grpc = grpcCause(err);
  if (err instanceof IdempotencyKeyReusedError) {
    return new ApiError(
      422,
      'idempotency_key_reused',
      `this Idempotency-Key was already used for a different request (containment ${err.workflowId}); send a new request with a new Idempotency-Key, or repeat the first request unchanged to get its containment`,
    );
  }
  if (err instanceof NotAContainmentError) return new ApiError(404, 'not_found', err.message);
  if (err instanceof InvalidInputError) return invalidInput(err.issues.map((i) => ({ path: i.path ? `body.${i.path}` : 'body', message: i.message })));
  if (err instanceof WorkflowNotFoundError || (isGrpcServiceError(grpc) && grpc.code === GRPC_NOT_FOUND)) {
    return new ApiError(404, 'not_found', 'no containment with this id; ids come from POST /v1/containments or GET /v1/containments?incident=…');
  }
  if (grpc && isGrpcDeadlineError(grpc)) return temporalTimeout();
  if (isGrpcServiceError(grpc) && grpc.code === GRPC_UNAVAILABLE) return new ApiError(503, 'temporal_unavailable', 'Temporal is unreachable; retry later', { headers: { 'retry-after': '5' } });
  const fastifyError = err as Partial<FastifyError>;
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    // fastify's own refusals while reading the request, before any route code ran.
    const known = FASTIFY_REFUSALS[fastifyError.code ?? ''];
    const [code, message] = known ? known(bodyLimitBytes) : ['bad_request', 'the request could not be read'];
    return new ApiError(fastifyError.statusCode, code, message);
  }
  return undefined;
}

export function sendError(reply: FastifyReply, e: ApiError): FastifyReply {
  const body: ErrorBody = { error: { code: e.code, message: e.message, ...(e.options.issues ? { issues: e.options.issues } : {}) } };
  for (const [k, v] of Object.entries(e.options.headers ?? {})) reply.header(k, v);
  return reply.status(e.status).send(body);
}

export function errorHandler(log: Logger, bodyLimitBytes: number) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const known = classify(err, bodyLimitBytes);
    if (known && known.status < 500) return sendError(reply, known);
    // Never the request body or a Temporal payload: the error's name and message only, redacted by the logger.
    log.error('request failed', { requestId: request.id, method: request.method, route: request.routeOptions.url, error: err });
    if (known) return sendError(reply, known);
    return sendError(reply, new ApiError(500, 'internal', `internal error; quote request id ${request.id} to the operator`));
  };
}

/** A path this API serves, asked with a method it does not take: 405 with `Allow` (RFC 9110 §15.5.6). */
export function methodNotAllowed(method: string, path: string, allow: readonly string[]): ApiError {
  return new ApiError(405, 'method_not_allowed', `${path} does not take ${method}; it takes ${allow.join(', ')} (see /openapi.json)`, {
    headers: { allow: allow.join(', ') },
  });
}

/** fastify's router refusals (its frameworkErrors option), which would otherwise answer outside the error shape. */
export function frameworkError(err: Partial<FastifyError>): ApiError {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return new ApiError(414, 'uri_too_long', 'a path parameter is longer than any containment id; use the id or statusUrl POST /v1/containments returned');
  }
  if (err.code === 'FST_ERR_BAD_URL') return new ApiError(400, 'bad_request', 'the URL is not valid (check its percent-encoding)');
  return new ApiError(400, 'bad_request', 'the request could not be routed');
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, new ApiError(404, 'no_route', `no route ${request.method} ${request.url.split('?')[0]}; see /openapi.json`));
}
