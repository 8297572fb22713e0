// The reference provider (tests only): an in-memory tenant that implements every capability but revocation by value, served over
// HTTP so a worker in another process reaches the same state. Not part of the public API's provider list.
import { readEnvOf } from '../../schemas/config.ts';
import { defineProvider } from '../manifest.ts';
import { MEMORY_CANNOT, MemoryConnector } from './connector.ts';
import { MemoryEnv } from './env.ts';
import { remoteMemoryTenant } from './http.ts';

export const memoryProvider = defineProvider({
  provider: 'memory',
  title: 'the reference connector (tests only)',
  env: MemoryEnv,
  configuredBy: 'CORDON_MEMORY_TENANT_URL',
  testOnly: true,
  create: (env) => new MemoryConnector(remoteMemoryTenant(readEnvOf(MemoryEnv, env, 'CORDON_MEMORY_TENANT_URL')!)),
  preflight: async () => [{ provider: 'memory', check: 'tenant', ok: true, detail: 'the reference tenant needs no credentials' }],
  credentialIds: { format: 'any id the seeded tenant gives its credentials', parse: (id: string) => (id ? { id } : undefined) },
  connector: MemoryConnector.prototype,
  cannot: MEMORY_CANNOT,
  blindSpots: [],
});
