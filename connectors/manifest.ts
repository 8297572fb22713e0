// The shape of a provider module: everything Cordon needs to know about one provider, stated once in
// connectors/<provider>/index.ts. connectors/providers.ts lists the modules; the registry, `cordon doctor`,
// `cordon config check`, the README's configuration table and the local tenant all read that one list.
import type { z } from 'zod';
import type { Provider } from '../schemas/credential.ts';
import { envIsSet } from '../schemas/config.ts';
import { redactText } from '../logging/logger.ts';
import { capabilitiesOf } from './capabilities.ts';
import type { Capability, Connector } from './types.ts';

/** One finding of `cordon doctor`: a cheap read-only call with the connector's own credentials. */
export interface PreflightCheck {
  provider: string;
  check: string;
  ok: boolean;
  detail: string;
  /** What to do about a failed check. */
  fix?: string;
}

export interface ProviderManifest<Id = unknown> {
  provider: Provider;
  /** Who reads its variables, in words: "the Google connector". */
  title: string;
  /** Its CORDON_* variables, keyed by name (connectors/<provider>/env.ts). */
  env: z.ZodObject;
  /** The variable whose presence turns the connector on; every other required one must then be set too. */
  configuredBy: string;
  /** Only for tests: left out of the public API's provider list. */
  testOnly?: boolean;
  /** The connector, from a configured environment; a missing or invalid variable is named in the error. */
  create(env: Record<string, string | undefined>): Connector;
  /** `cordon doctor`'s read-only checks for this provider. */
  preflight(env: Record<string, string | undefined>): Promise<PreflightCheck[]>;
  /** How Cordon names this provider's credentials, and the parser the connector (and the local tenant) use. */
  credentialIds: { format: string; parse(id: string): Id | undefined };
  /** What the connector implements, read from its methods (connectors/capabilities.ts), never listed by hand. */
  capabilities: readonly Capability[];
  /** Why each capability it lacks is missing. */
  cannot: Partial<Record<Capability, string>>;
  /** What the connector can never see, said ahead of time (repeated in each scope report). */
  blindSpots: readonly string[];
}

/**
 * A manifest whose capabilities are read from the connector class's methods: `connector` is the class's
 * prototype (or any object with its methods), so nothing is built and no list is kept by hand.
 */
export function defineProvider<Id, Env extends z.ZodObject>(
  manifest: Omit<ProviderManifest<Id>, 'capabilities' | 'env' | 'configuredBy'> & { env: Env; configuredBy: keyof Env['shape'] & string; connector: object },
): ProviderManifest<Id> {
  const { connector, ...rest } = manifest;
  return { ...rest, capabilities: capabilitiesOf(connector) };
}

/** Is the provider turned on in this environment (its `configuredBy` variable set)? */
export function isConfigured(manifest: ProviderManifest, env: Record<string, string | undefined>): boolean {
  return envIsSet(env, manifest.configuredBy);
}

/** A failed check's detail: the error's message with anything secret-shaped redacted. */
export const checkFailure = (err: unknown): string => redactText(err instanceof Error ? err.message : String(err));
