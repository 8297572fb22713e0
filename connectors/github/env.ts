// The GitHub connector's environment: its CORDON_* variables, keyed by name, with their descriptions.
// Pure zod; connectors/providers.ts joins every provider's part to the core variables of schemas/config.ts.
import { z } from 'zod';
import { variable, json, pem, positiveInt, url } from '../../schemas/config.ts';
import { jsonOrFileVariable } from '../inventory-variable.ts';

export const GitHubEnv = z.object({
  CORDON_GITHUB_ORG: variable(z.string().min(1), { area: 'github', secret: false, required: true, description: 'the organization Cordon contains credentials in; turns the GitHub connector on' }),
  CORDON_GITHUB_APP_ID: variable(positiveInt, { area: 'github', secret: false, required: true, description: 'Cordon’s GitHub App id' }),
  CORDON_GITHUB_APP_PRIVATE_KEY: variable(pem, { area: 'github', secret: true, required: true, description: 'Cordon’s GitHub App private key (PEM; literal `\\n` allowed)' }),
  CORDON_GITHUB_INSTALLATION_ID: variable(positiveInt, { area: 'github', secret: false, required: true, description: 'the installation id of Cordon’s GitHub App in the org' }),
  CORDON_GITHUB_OAUTH_CLIENT_ID: variable(z.string().min(1), { area: 'github', secret: false, description: 'client id of the org’s OAuth app whose tokens Cordon may check and revoke (set with the secret)' }),
  CORDON_GITHUB_OAUTH_CLIENT_SECRET: variable(z.string().min(1), { area: 'github', secret: true, description: 'client secret of that OAuth app (set with the id)' }),
  CORDON_GITHUB_CONSUMERS: variable(jsonOrFileVariable('{"<credential id>": [consumer, …]}'), { area: 'github', secret: false, description: 'who holds each credential (GitHub does not record it), as JSON or `@<path>` of a JSON file (a value over 128 KiB cannot be passed in the environment)' }),
  CORDON_GITHUB_APP_KEYS: variable(json('{"<app id>": "<PEM private key>"}'), {
    area: 'github',
    secret: true,
    description: 'private keys of GitHub Apps the org owns, by app id, so the `blockApp` rung can suspend a leaked installation token’s installation',
  }),
  CORDON_GITHUB_API_URL: variable(url, { area: 'github', secret: false, description: 'the API base (GHES, or the local tenant)', default: 'https://api.github.com' }),
});
