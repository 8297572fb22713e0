// What one API route declares: method, path, required scope, zod schemas for what it reads and
// answers, and its handler. The same declaration drives validation, authorization and the OpenAPI
// document (api/openapi.ts), so the three cannot disagree (Nango's action shape)
import type { FastifyReply } from 'fastify';
import type { Client } from '../client/containments.ts';
import type { z } from 'zod';
import type { Logger } from '../logging/logger.ts';
import type { ApiScope, VerdictList } from '../schemas/api.ts';
import type { ApprovalPolicy } from '../schemas/containment.ts';
import type { Caller } from './keys.ts';
import type { EnvelopeKeys, Vouch } from '../codec/decision-envelope.ts';

export interface RouteDeps {
  client: Client;
  taskQueue: string;
  logger: Logger;
  /** CORDON_WEBHOOK_ALLOWED_HOSTS as the worker applies it: a start naming another host is refused up front. */
  webhookAllowedHosts?: readonly string[];
  /** The server's approval policy for API-started containments (callers cannot set it). */
  approvalPolicy?: z.input<typeof ApprovalPolicy>;
  /** The OpenAPI document of this app, for GET /openapi.json. */
  openApiDocument: () => unknown;
  /** Signs decisions and cancel requests with the caller's key name and principal (CORDON_ENVELOPE_KEYS). */
  envelopeKeys?: EnvelopeKeys;
  /** The drift watch's open verdicts, read from its store (CORDON_WATCH_DB on this machine); absent without it. */
  verdicts?: () => VerdictList['verdicts'];
}

/** The caller's authenticated identity as a signed envelope carries it; undefined without envelope keys. */
export function vouchFor(deps: RouteDeps, caller: Caller): Vouch | undefined {
  return deps.envelopeKeys && { keys: deps.envelopeKeys, identity: { authenticatedBy: 'api_key', apiKeyName: caller.name, principal: caller.principal } };
}

export interface RouteInput<P, Q, B, H> {
  params: P;
  query: Q;
  body: B;
  headers: H;
  /** The authenticated API key; undefined only on public routes. */
  caller: Caller | undefined;
  deps: RouteDeps;
  reply: FastifyReply;
}

export interface RouteAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ResponseDoc {
  description: string;
  schema: z.ZodType;
}

type Schema = z.ZodType | undefined;
type Parsed<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

export interface ApiRoute<P extends Schema = Schema, Q extends Schema = Schema, B extends Schema = Schema, H extends Schema = Schema> {
  method: 'GET' | 'POST';
  /** fastify syntax (`/v1/containments/:id`); the OpenAPI document writes it `{id}`. */
  url: string;
  operationId: string;
  summary: string;
  description?: string;
  /** The scope an API key needs; `null` for the few public routes (the OpenAPI document). */
  scope: ApiScope | null;
  params?: P;
  query?: Q;
  body?: B;
  headers?: H;
  /** Success answers; the error answers (400/401/403/404/5xx) are added from what the route declares. */
  responses: Record<number, ResponseDoc>;
  handle(input: RouteInput<Parsed<P>, Parsed<Q>, Parsed<B>, Parsed<H>>): Promise<RouteAnswer>;
}

/** Keeps each route's handler typed by its own schemas while the app holds them in one list. */
export function defineRoute<P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined, H extends Schema = undefined>(
  route: ApiRoute<P, Q, B, H>,
): ApiRoute {
  return route as unknown as ApiRoute;
}
