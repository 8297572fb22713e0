// Which connectors a worker runs with, from the environment. A provider is configured when the variable
// schemas/config.ts names for it (PROVIDER_CONFIGURED_BY) is set; a half-configured one fails at start with the missing
// variable named, never later in the middle of an incident.
import { envIsSet, PROVIDER_CONFIGURED_BY, readEnv } from '../schemas/config.ts';
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
  const memoryTenantUrl = readEnv(env, 'CORDON_MEMORY_TENANT_URL');
  if (memoryTenantUrl) registry.memory = new MemoryConnector(remoteMemoryTenant(memoryTenantUrl));
  if (envIsSet(env, PROVIDER_CONFIGURED_BY.slack)) registry.slack = createSlackConnector(SlackConnectorConfig.fromEnv(env));
  if (envIsSet(env, PROVIDER_CONFIGURED_BY.salesforce)) registry.salesforce = createSalesforceConnector(SalesforceConnectorConfig.fromEnv(env));
  if (envIsSet(env, PROVIDER_CONFIGURED_BY.google)) registry.google = createGoogleConnector(GoogleConnectorConfig.fromEnv(env));
  if (envIsSet(env, PROVIDER_CONFIGURED_BY.github)) registry.github = createGitHubConnector(GitHubConnectorConfig.fromEnv(env));
  return registry;
}
