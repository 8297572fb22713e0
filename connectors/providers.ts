// The one list of providers. The registry (which connectors a worker runs), `cordon doctor`, `cordon config
// check`, the README's configuration table and the local tenant read it; adding a provider is adding its
// module here (docs/adding-a-provider.md). The wire enum in schemas/credential.ts must name the same
// providers (connectors/providers.test.ts).
import { z } from 'zod';
import { CORE_AREAS, CoreEnv, variableMeta, type ConfigArea, type EnvVariableMeta } from '../schemas/config.ts';
import type { Provider } from '../schemas/credential.ts';
import { githubProvider } from './github/index.ts';
import { googleProvider } from './google/index.ts';
import { isConfigured, type ProviderManifest } from './manifest.ts';
import { memoryProvider } from './memory/index.ts';
import { salesforceProvider } from './salesforce/index.ts';
import { slackProvider } from './slack/index.ts';

export const providers: readonly ProviderManifest[] = [googleProvider, githubProvider, salesforceProvider, slackProvider, memoryProvider];

export function providerManifest(provider: Provider): ProviderManifest {
  const manifest = providers.find((p) => p.provider === provider);
  if (!manifest) throw new Error(`${provider}: no provider module in connectors/providers.ts`);
  return manifest;
}

/** The providers this environment turns on, in list order. */
export function configuredProviders(env: Record<string, string | undefined>): ProviderManifest[] {
  return providers.filter((p) => isConfigured(p, env));
}

/**
 * Every CORDON_* variable: the core ones, then each provider's, then those of local development (so the
 * README's table reads from the processes down to the dev tools).
 */
export const CordonEnv = z.object(
  Object.fromEntries([
    ...Object.entries(CoreEnv.shape).filter(([name, schema]) => variableMeta(name, schema).area !== 'dev'),
    ...providers.flatMap((p) => Object.entries(p.env.shape as Record<string, z.ZodType>)),
    ...Object.entries(CoreEnv.shape).filter(([name, schema]) => variableMeta(name, schema).area === 'dev'),
  ]) as Record<string, z.ZodType>,
);
export const CORDON_ENV_NAMES: readonly string[] = Object.keys(CordonEnv.shape);

export function envVariableMeta(name: string): EnvVariableMeta {
  const schema = CordonEnv.shape[name];
  if (!schema) throw new Error(`${name} is not a Cordon variable`);
  return variableMeta(name, schema);
}

/** Who reads a variable of this area, in words. */
export function areaTitle(area: ConfigArea): string {
  return area in CORE_AREAS ? CORE_AREAS[area as keyof typeof CORE_AREAS] : providerManifest(area as Provider).title;
}

/** The provider a variable's area names, if it is a provider's. */
export function providerOfArea(area: ConfigArea): ProviderManifest | undefined {
  return providers.find((p) => p.provider === area);
}
