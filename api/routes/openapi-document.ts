// GET /openapi.json: the OpenAPI 3.1 document generated from the routes' zod schemas (api/openapi.ts),
// the same one committed as api/openapi.json. Public: it describes the API, not any containment.
import { z } from 'zod';
import { defineRoute } from '../route.ts';

export const openApiDocumentRoute = defineRoute({
  method: 'GET',
  url: '/openapi.json',
  operationId: 'getOpenApiDocument',
  summary: 'This API’s OpenAPI 3.1 document',
  scope: null,
  responses: { 200: { description: 'The OpenAPI document.', schema: z.object({ openapi: z.string() }).loose() } },
  async handle({ deps }) {
    return { status: 200, body: deps.openApiDocument() };
  },
});
