// Emulator of the github API subset Cordon uses. Placeholder until it is built.
import { Router } from '../core/http.ts';
import type { ProviderEmulator } from '../core/provider.ts';
import type { ErrorShapes } from '../core/server.ts';
import type { GitHubScenario } from './scenario.ts';

const errors: ErrorShapes = {
  rateLimited: (s) => ({ status: 429, headers: { 'retry-after': String(s) }, body: { message: 'rate limited' } }),
  unavailable: (status) => ({ status, body: { message: 'unavailable' } }),
  unauthorized: () => ({ status: 401, body: { message: 'unauthorized' } }),
  notFound: () => ({ status: 404, body: { message: 'not found' } }),
  methodNotAllowed: () => ({ status: 405, body: { message: 'method not allowed' } }),
  internal: (m) => ({ status: 500, body: { message: m } }),
};

export function createGitHubEmulator(): ProviderEmulator<GitHubScenario> {
  return { provider: 'github', router: new Router(), errors, setBaseUrl() {}, load() {}, counts: () => ({}), connectorEnv: () => ({}) };
}
