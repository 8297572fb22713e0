// Validates emulated response bodies against GitHub's own OpenAPI description (the GHEC variant in
// @octokit/openapi, which also has the GHEC-only routes: credential authorizations, audit log).
// Test-only: it loads a 14 MB JSON document once per process.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }> }>>;
  components: Record<string, Record<string, unknown>>;
}

const SPEC_ID = 'https://api.github.com/ghec.json';

// ajv-formats is CommonJS with a `default` export; under Node's ESM interop the plugin sits on .default.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as typeof addFormatsModule;

let cached: { spec: OpenApiDocument; ajv: Ajv } | undefined;

function load() {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve('@octokit/openapi/package.json')), 'generated', 'ghec.json');
  const spec = JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument;
  // OpenAPI 3.0 keywords (nullable, example, x-github…) are not JSON Schema: strict off, nullable on.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema({ $id: SPEC_ID, components: openApiNullable(spec.components) });
  cached = { spec, ajv };
  return cached;
}

/** OpenAPI 3.0 `nullable: true` beside no `type` (e.g. on an anyOf) → anyOf [schema, null], which ajv understands. */
function openApiNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openApiNullable);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = openApiNullable(v);
  if (out.nullable === true && out.type === undefined) {
    delete out.nullable;
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

function rebase(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rebase);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${SPEC_ID}${v}` : rebase(v);
  return out;
}

/** Errors of `body` against the documented response of (method, path template, status); [] when valid. */
export function specErrors(method: string, pathTemplate: string, status: number, body: unknown): string[] {
  const { spec, ajv } = load();
  const op = spec.paths[pathTemplate]?.[method.toLowerCase()];
  if (!op) return [`no operation ${method} ${pathTemplate} in the GHEC description`];
  let response = op.responses[String(status)];
  if (response?.$ref) {
    const name = response.$ref.split('/').pop()!;
    response = spec.components.responses?.[name] as typeof response;
  }
  if (!response) return [`${method} ${pathTemplate} documents no ${status} response`];
  const schema = response.content?.['application/json']?.schema;
  if (!schema) return body === undefined || body === '' ? [] : [`${status} has no JSON body in the description`];
  const validate = ajv.compile(rebase(openApiNullable(schema)) as object);
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '(body)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
