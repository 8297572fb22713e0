// The contract between one provider's emulator and the tenant that hosts it.
import type { Provider } from '../../schemas/credential.ts';
import type { CallContext, Router } from './http.ts';
import type { ErrorShapes } from './server.ts';

export interface ProviderEmulator<Section> {
  provider: Provider;
  router: Router;
  errors: ErrorShapes;
  /** Headers added to every answer (rate-limit signals). */
  decorate?: (operation: string, call: CallContext) => Record<string, string>;
  /** Told once the server listens: some answers must point back at the emulator (Salesforce instance_url). */
  setBaseUrl(url: string): void;
  /** Replace all state with a scenario section; undefined leaves an empty tenant. */
  load(section: Section | undefined): void;
  /** What is seeded now, by kind (e.g. `{ users: 3, tokens: 5 }`): tests compare it with the scenario file. */
  counts(): Record<string, number>;
  /**
   * Environment variables (CORDON_<PROVIDER>_*) that point Cordon's connector at this emulator,
   * with the connector's own credentials for the loaded scenario. The demo, the dev stack and the
   * tests hand them to the worker; a real tenant sets the same variables by hand.
   */
  connectorEnv(): Record<string, string>;
}
