// The Google connector's environment: its CORDON_* variables, keyed by name, with their descriptions.
// Pure zod; connectors/providers.ts joins every provider's part to the core variables of schemas/config.ts.
import { z } from 'zod';
import { variable, json, list, positiveInt, url } from '../../schemas/config.ts';
import { jsonOrFileVariable } from '../inventory-variable.ts';

export const GoogleEnv = z.object({
  CORDON_GOOGLE_CREDENTIALS_JSON: variable(json('a service-account key file'), {
    area: 'google',
    secret: true,
    required: true,
    description: 'Cordon’s service-account key file (JSON), with domain-wide delegation; turns the Google connector on',
  }),
  CORDON_GOOGLE_SUBJECT: variable(z.email('must be an email address'), { area: 'google', secret: false, required: true, description: 'the Workspace super admin the service account impersonates' }),
  CORDON_GOOGLE_CUSTOMER_ID: variable(z.string().min(1), { area: 'google', secret: false, description: 'the Workspace customer id', default: 'my_customer' }),
  CORDON_GOOGLE_PROJECTS: variable(list, { area: 'google', secret: false, description: 'comma-separated projects searched for a service-account key id' }),
  CORDON_GOOGLE_INVENTORY_JSON: variable(jsonOrFileVariable('{"<credential id>": [consumer, …]}'), { area: 'google', secret: false, description: 'who consumes which credential (Google does not record it), as JSON or `@<path>` of a JSON file (a value over 128 KiB cannot be passed in the environment)' }),
  CORDON_GOOGLE_ROOT_URL: variable(url, { area: 'google', secret: false, description: 'one origin for every Google API; only to point at the local tenant' }),
  CORDON_GOOGLE_TOKEN_URL: variable(url, { area: 'google', secret: false, description: 'the OAuth token endpoint; only to point at the local tenant', default: 'https://oauth2.googleapis.com/token' }),
  CORDON_GOOGLE_TIMEOUT_MS: variable(positiveInt, { area: 'google', secret: false, description: 'per-request timeout in milliseconds', default: '30000' }),
});
