// The OpenAPI 3.1 document, generated from the routes' own zod schemas (api/routes/), so what is
// documented is what is validated. Committed as api/openapi.json; api/openapi.test.ts fails when the
// two drift. Regenerate with:
//
//   npx tsx api/openapi.ts --write
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  ApprovalBody,
  ContainmentList,
  ContainmentView,
  DecisionAnswer,
  CancelAnswer,
  ErrorBody,
  EvidenceExport,
  JSON_SCHEMA_REFINEMENTS,
  StartContainmentBody,
  StartedContainment,
  WebhookEvent,
} from '../schemas/api.ts';
import { Provider } from '../schemas/credential.ts';
import type { ApiRoute } from './route.ts';

export const OPENAPI_PATH = fileURLToPath(new URL('./openapi.json', import.meta.url));

type JsonSchema = Record<string, unknown>;

/** Named components: shown once under #/components/schemas and referenced from the operations. */
const REQUEST_COMPONENTS = { StartContainmentBody, ApprovalBody } as const;
const RESPONSE_COMPONENTS = { StartedContainment, ContainmentView, ContainmentList, DecisionAnswer, CancelAnswer, EvidenceExport, ErrorBody, WebhookEvent } as const;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/**
 * Providers the API accepts but does not advertise: `memory` is the in-memory reference connector the
 * end-to-end tests run the engine on (a worker has it only with CORDON_MEMORY_TENANT_URL); no deployment
 * configures it, so the public document does not offer it.
 */
const UNADVERTISED_PROVIDERS: ReadonlySet<string> = new Set(['memory']);

/** zod's .refine is invisible to z.toJSONSchema: the refinements schemas/api.ts spells out are added where their schema appears. */
const override: NonNullable<Parameters<typeof z.toJSONSchema>[1]>['override'] = ({ zodSchema, jsonSchema }) => {
  const extra = JSON_SCHEMA_REFINEMENTS.get(zodSchema as unknown as z.ZodType);
  if (extra) Object.assign(jsonSchema, structuredClone(extra));
  if ((zodSchema as unknown) === Provider && Array.isArray(jsonSchema.enum)) jsonSchema.enum = jsonSchema.enum.filter((p) => !UNADVERTISED_PROVIDERS.has(String(p)));
};

function componentsOf(named: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { io, target: 'draft-2020-12', unrepresentable: 'any', override, uri: (id) => `#/components/schemas/${id}` });
  const out: Record<string, JsonSchema> = {};
  for (const [id, s] of Object.entries(schemas)) {
    const { $schema: _schema, $id: _id, ...rest } = s as JsonSchema;
    out[id] = rest;
  }
  return out;
}

function schemaFor(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const named = Object.entries(io === 'input' ? REQUEST_COMPONENTS : RESPONSE_COMPONENTS).find(([, s]) => s === schema);
  if (named) return ref(named[0]);
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any', override }) as JsonSchema;
  return rest;
}

/** Path, query and header parameters from an object schema's properties. */
function parametersOf(where: 'path' | 'query' | 'header', schema: z.ZodType | undefined): JsonSchema[] {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => {
    const { description, ...rest } = s;
    return {
      name: where === 'header' ? name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => `${dash}${c.toUpperCase()}`) : name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ref('ErrorBody') } } });

function operationOf(route: ApiRoute): JsonSchema {
  const responses: Record<string, unknown> = {};
  for (const [status, doc] of Object.entries(route.responses)) {
    responses[status] = { description: doc.description, content: { 'application/json': { schema: schemaFor(doc.schema, 'output') } } };
  }
  const readsInput = route.params || route.query || route.body || route.headers;
  if (readsInput) responses['400'] = errorResponse('Invalid input: `error.issues` names every wrong field (body.…, query.…, params.…). Nothing was started or changed.');
  if (route.scope) {
    responses['401'] = errorResponse('No API key, or not a valid one.');
    responses['403'] = errorResponse(`The API key lacks the \`${route.scope}\` scope.`);
  }
  if (route.params) {
    responses['404'] = errorResponse('No Cordon containment with this id.');
    responses['414'] = errorResponse('A path parameter is far longer than any containment id (`uri_too_long`).');
  }
  if (route.operationId === 'startContainment') {
    responses['422'] = errorResponse('The Idempotency-Key was already used for a different request (`idempotency_key_reused`); nothing was started. Use a new key.');
  }
  if (route.operationId === 'listVerdicts') responses['404'] = errorResponse('This API does not hold the drift watch store (`not_found`): set CORDON_WATCH_DB on it.');
  if (route.operationId === 'getDryRunPlans') responses['409'] = errorResponse('The dry run is still planning, or has no such page (`not_ready`): follow its statusUrl until COMPLETED.');
  if (route.operationId === 'decideApproval') responses['409'] = errorResponse('Refused by the approval rules (`decision_refused`), or the containment has ended (`containment_closed`).');
  if (route.body) {
    responses['413'] = errorResponse('The body is larger than the API accepts (1 MiB by default).');
    responses['415'] = errorResponse('The body is not application/json in UTF-8 (no charset, or charset=utf-8).');
  }
  responses['500'] = errorResponse('Internal error; the message carries only a request id (also in the X-Request-Id header).');
  if (route.scope) {
    responses['503'] = errorResponse('Temporal is unreachable; retry after Retry-After seconds.');
    responses['504'] = errorResponse('Temporal did not answer in time; retry after Retry-After seconds.');
  }
  const parameters = [...parametersOf('path', route.params), ...parametersOf('query', route.query), ...parametersOf('header', route.headers)];
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(route.scope ? { security: [{ apiKey: [route.scope] }], 'x-cordon-scope': route.scope } : { security: [] }),
    ...(parameters.length ? { parameters } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaFor(route.body, 'input') } } } } : {}),
    responses,
  };
}

/** fastify's `/v1/containments/:id` as OpenAPI's `/v1/containments/{id}`. */
export const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

export function buildOpenApiDocument(routes: readonly ApiRoute[]): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) (paths[openApiPath(route.url)] ??= {})[route.method.toLowerCase()] = operationOf(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cordon API',
      version: '1',
      description:
        'Start, follow, approve, cancel and export containments of stolen SaaS credentials (design.md §3). ' +
        'Authenticate with `Authorization: Bearer <API key>`; each operation names the scope it needs (start, approve, read). ' +
        'Errors are `{"error": {"code", "message", "issues?"}}`. Webhooks (approval_needed, escalation, completed, not_contained) are POSTed to the ' +
        '`webhookUrl` given at start as a `WebhookEvent`, signed in the `Cordon-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.',
    },
    servers: [{ url: 'http://127.0.0.1:8787', description: 'api/main.ts default (CORDON_API_PORT)' }],
    paths,
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A Cordon API key (api/keys.ts mint); scopes: start, approve, read.' } },
      schemas: { ...componentsOf(REQUEST_COMPONENTS, 'input'), ...componentsOf(RESPONSE_COMPONENTS, 'output') },
    },
  };
}

export function renderOpenApiDocument(routes: readonly ApiRoute[]): string {
  return `${JSON.stringify(buildOpenApiDocument(routes), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { apiRoutes } = await import('./routes/index.ts');
  const text = renderOpenApiDocument(apiRoutes);
  if (process.argv.includes('--write')) {
    writeFileSync(OPENAPI_PATH, text);
    process.stdout.write(`wrote ${OPENAPI_PATH}\n`);
  } else process.stdout.write(text);
}
