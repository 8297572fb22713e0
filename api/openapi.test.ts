// The committed OpenAPI document is the generated one, every served route is in it, and its schemas
// are valid JSON Schema 2020-12 (OpenAPI 3.1's dialect). Fails when a schema or route changed without
// `npx tsx api/openapi.ts --write`.
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { ApiKeyring, mintApiKey } from './keys.ts';
import { buildOpenApiDocument, OPENAPI_PATH, openApiPath, renderOpenApiDocument } from './openapi.ts';
import { apiRoutes } from './routes/index.ts';
import { CREDENTIAL_REF_IDENTIFIERS, StartContainmentBody } from '../schemas/api.ts';
import { CredentialRef } from '../schemas/credential.ts';

type Doc = { paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>; components: { schemas: Record<string, unknown> } };

// A real client on a lazy connection: building the app and serving /openapi.json never reach Temporal.
const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }), namespace: 'cordon' });
const app = buildApp({ client, taskQueue: 'unused', keys: new ApiKeyring([mintApiKey({ name: 't', principal: 't', scopes: ['read'] }).entry]) });
afterAll(async () => {
  await app.close();
});

describe('api/openapi.json', () => {
  it('is exactly what api/openapi.ts generates (run `npx tsx api/openapi.ts --write` after changing a route or schema)', () => {
    expect(readFileSync(OPENAPI_PATH, 'utf8')).toBe(renderOpenApiDocument(apiRoutes));
  });

  it('documents every route the app serves, and nothing it does not', async () => {
    await app.ready();
    const doc = buildOpenApiDocument(apiRoutes) as Doc;
    const served = app.cordonRoutes.map((r) => `${r.method.toLowerCase()} ${openApiPath(r.url)}`).sort();
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)).sort();
    expect(served).toEqual(documented);
    expect(served).toContain('post /v1/containments/{id}/approvals');
  });

  it('names the scope of every protected operation and documents its refusals', () => {
    const doc = buildOpenApiDocument(apiRoutes) as Doc;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (path === '/openapi.json') continue;
        expect(op.security, `${method} ${path}`).toEqual([{ apiKey: [expect.stringMatching(/^(start|approve|read)$/)] }]);
        expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['400', '401', '403', '500']));
      }
    }
  });

  it('has only valid JSON Schema 2020-12 components, and every $ref resolves', () => {
    const doc = buildOpenApiDocument(apiRoutes) as Doc;
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    for (const [name, schema] of Object.entries(doc.components.schemas)) ajv.addSchema(schema as object, `#/components/schemas/${name}`);
    for (const name of Object.keys(doc.components.schemas)) expect(() => ajv.getSchema(`#/components/schemas/${name}`), name).not.toThrow();
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([A-Za-z]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) expect(doc.components.schemas, r).toHaveProperty(r);
  });

  it('says what zod’s refine says: a credential ref needs at least one identifier (anyOf), and accepts the refs zod accepts', () => {
    const doc = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')) as Doc;
    const body = doc.components.schemas.StartContainmentBody as { properties: { credentials: { items: { anyOf?: unknown } } } };
    expect(body.properties.credentials.items.anyOf).toEqual([
      { required: ['id'] },
      { required: ['clientId'] },
      { required: ['keyId'] },
      { required: ['fingerprint'] },
      { required: ['leakedValue'] },
    ]);
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    for (const [name, schema] of Object.entries(doc.components.schemas)) ajv.addSchema(schema as object, `#/components/schemas/${name}`);
    const validate = ajv.getSchema('#/components/schemas/StartContainmentBody')!;
    // One valid value for each optional field of a ref: a new field must be added here, and so decided on.
    const sample: Record<string, string> = { id: 'tok-1', clientId: '0H4Hs000000DrftAAA', user: 'drift@acme.com', keyId: 'key-1', fingerprint: 'abcdef123456', leakedValue: 'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8' }; // a GitHub token's shape: the provider below is github
    const shape = (CredentialRef as unknown as { shape: Record<string, unknown> }).shape;
    expect(Object.keys(sample).sort()).toEqual(Object.keys(shape).filter((k) => k !== 'provider' && k !== 'kind').sort());
    const refs = [{}, ...Object.keys(sample).map((k) => ({ [k]: sample[k] })), { user: sample.user, id: sample.id }];
    for (const extra of refs) {
      const start = { incidentId: 'INC-1', credentials: [{ provider: 'github', kind: 'oauth_token', ...extra }] };
      const byZod = StartContainmentBody.safeParse(start).success;
      expect(validate(start), JSON.stringify(extra)).toBe(byZod);
      expect(byZod, JSON.stringify(extra)).toBe(Object.keys(extra).some((k) => (CREDENTIAL_REF_IDENTIFIERS as readonly string[]).includes(k)));
    }
  });

  it('does not advertise the test-only memory provider, which the API still accepts', () => {
    const text = readFileSync(OPENAPI_PATH, 'utf8');
    expect(text).not.toContain('"memory"');
    expect(text).toContain('"salesforce"');
    expect(StartContainmentBody.safeParse({ incidentId: 'INC-1', credentials: [{ provider: 'memory', kind: 'oauth_token', id: 'tok-1' }] }).success).toBe(true);
  });

  it('is served at /openapi.json without a key', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')));
  });
});
