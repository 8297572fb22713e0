// Which connectors a worker runs with, from the environment. A provider is configured when its
// CORDON_<PROVIDER>_* variables are present; a half-configured one fails at start with the missing
// variable named, never later in the middle of an incident.
import type { ConnectorRegistry } from './types.ts';
import { MemoryConnector } from './memory/connector.ts';
import { remoteMemoryTenant } from './memory/http.ts';
import { createSlackConnector, SlackConnectorConfig } from './slack/connector.ts';
import { createSalesforceConnector, SalesforceConnectorConfig } from './salesforce/connector.ts';
import { createGoogleConnector, GoogleConnectorConfig } from './google/connector.ts';
import { createGitHubConnector } from './github/connector.ts';
import { GitHubConnectorConfig } from './github/config.ts';

export function connectorsFromEnv(env: NodeJS.ProcessEnv = process.env): ConnectorRegistry {
  const registry: ConnectorRegistry = {};
  if (env.CORDON_MEMORY_TENANT_URL) registry.memory = new MemoryConnector(remoteMemoryTenant(env.CORDON_MEMORY_TENANT_URL));
  if (env.CORDON_SLACK_ADMIN_TOKEN) registry.slack = createSlackConnector(SlackConnectorConfig.fromEnv(env));
  if (env.CORDON_SALESFORCE_LOGIN_URL) registry.salesforce = createSalesforceConnector(SalesforceConnectorConfig.fromEnv(env));
  if (env.CORDON_GOOGLE_CREDENTIALS_JSON) registry.google = createGoogleConnector(GoogleConnectorConfig.fromEnv(env));
  if (env.CORDON_GITHUB_ORG) registry.github = createGitHubConnector(GitHubConnectorConfig.fromEnv(env));
  return registry;
}
