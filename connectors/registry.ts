// Which connectors a worker runs with, from the environment: every provider of connectors/providers.ts
// whose `configuredBy` variable is set. A half-configured one fails at start with the missing variable
// named, never later in the middle of an incident.
import type { ConnectorRegistry } from './types.ts';
import { configuredProviders } from './providers.ts';

export function connectorsFromEnv(env: NodeJS.ProcessEnv = process.env): ConnectorRegistry {
  return Object.fromEntries(configuredProviders(env).map((p) => [p.provider, p.create(env)]));
}
