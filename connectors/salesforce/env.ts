// The Salesforce connector's environment: its CORDON_* variables, keyed by name, with their descriptions.
// Pure zod; connectors/providers.ts joins every provider's part to the core variables of schemas/config.ts.
import { z } from 'zod';
import { variable, pem, positiveInt, url } from '../../schemas/config.ts';
import { jsonOrFileVariable } from '../inventory-variable.ts';

export const SalesforceEnv = z.object({
  CORDON_SALESFORCE_LOGIN_URL: variable(url, { area: 'salesforce', secret: false, required: true, description: 'the login URL (login.salesforce.com, test.salesforce.com or My Domain); turns the Salesforce connector on' }),
  CORDON_SALESFORCE_CLIENT_ID: variable(z.string().min(1), { area: 'salesforce', secret: false, required: true, description: 'consumer key of Cordon’s connected app (the JWT’s `iss`)' }),
  CORDON_SALESFORCE_USERNAME: variable(z.string().min(3), { area: 'salesforce', secret: false, required: true, description: 'the admin user Cordon logs in as (the JWT’s `sub`)' }),
  CORDON_SALESFORCE_PRIVATE_KEY: variable(pem, { area: 'salesforce', secret: true, required: true, description: 'the PEM private key whose certificate is on the connected app (literal `\\n` allowed)' }),
  CORDON_SALESFORCE_CONSUMERS: variable(jsonOrFileVariable('[{"app","user","consumers"}]'), { area: 'salesforce', secret: false, description: 'who consumes each connected app’s grant (Salesforce does not record it), as JSON or `@<path>` of a JSON file (a value over 128 KiB cannot be passed in the environment)' }),
  CORDON_SALESFORCE_AUDIENCE: variable(z.string().min(1), { area: 'salesforce', secret: false, description: 'the JWT’s `aud`', default: 'the login URL' }),
  CORDON_SALESFORCE_API_VERSION: variable(z.string().regex(/^\d{2}\.0$/, 'must be an API version like 62.0'), { area: 'salesforce', secret: false, description: 'the REST API version', default: '62.0' }),
  CORDON_SALESFORCE_TIMEOUT_MS: variable(positiveInt, { area: 'salesforce', secret: false, description: 'per-request timeout in milliseconds', default: '30000' }),
  CORDON_SALESFORCE_RATE_LIMIT_BACKOFF_MS: variable(positiveInt, {
    area: 'salesforce',
    secret: false,
    description: 'how long to wait after REQUEST_LIMIT_EXCEEDED (Salesforce sends no Retry-After)',
    default: '60000',
  }),
});
