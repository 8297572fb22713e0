// `cordon doctor`: one cheap call per configured connector, with its own credentials, saying exactly
// what is missing and how to grant it — before an incident, not during one. Read-only everywhere. Each
// provider's checks live in its module (connectors/<provider>/preflight.ts).
import { checkFailure, type PreflightCheck } from './manifest.ts';
import { configuredProviders } from './providers.ts';

export type { PreflightCheck } from './manifest.ts';

export async function preflight(env: NodeJS.ProcessEnv): Promise<PreflightCheck[]> {
  const configured = configuredProviders(env);
  if (!configured.length) {
    return [{ provider: '-', check: 'connectors', ok: false, detail: 'no connector is configured', fix: 'set the CORDON_<PROVIDER>_* variables of at least one provider (README, "Configuration")' }];
  }
  const results = await Promise.all(
    configured.map((p) =>
      p.preflight(env).catch((err: unknown) => [{ provider: p.provider, check: 'configuration', ok: false, detail: checkFailure(err), fix: 'fix the variable named above' }]),
    ),
  );
  return results.flat();
}
