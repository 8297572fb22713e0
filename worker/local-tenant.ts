// The activities' dependencies for a worker against the local tenant: the connectors its environment
// configures and an encrypted local credential store (with the GitHub Actions sink beside it). The one
// wiring shared by `npm run dev`/`npm run demo` (cli/local-stack.ts), `cordon drill` and the test stacks;
// the production worker (worker/main.ts) reads its sink and notifiers from the environment instead.
import { join } from 'node:path';
import type { ActivityDeps } from '../activities/index.ts';
import type { EvidenceSigner } from '../activities/evidence-seal.ts';
import { connectorsFromEnv } from '../connectors/registry.ts';
import { LocalEncryptedStore } from '../connectors/sinks/local-store.ts';
import type { Logger } from '../logging/logger.ts';
import type { Notifier } from '../notifiers/notifier.ts';
import { composeSink } from './sink.ts';

export function localTenantDeps(options: {
  /** The CORDON_* variables that point the connectors at the tenant (its connectorEnv()). */
  env: Record<string, string | undefined>;
  /** Where replacements are sealed, and the key that seals them. */
  sinkDir: string;
  sinkKey: Buffer;
  logger?: Logger;
  notifier?: Notifier;
  /** Signs each finished run's evidence digest (the local stack's dev key). */
  evidenceSigner?: EvidenceSigner;
}): ActivityDeps & { store: LocalEncryptedStore } {
  const connectors = connectorsFromEnv(options.env);
  const store = new LocalEncryptedStore(options.sinkDir, options.sinkKey);
  return {
    connectors,
    store,
    sink: composeSink(store, connectors, join(options.sinkDir, 'github-index')),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.notifier ? { notifier: options.notifier } : {}),
    ...(options.evidenceSigner ? { evidenceSigner: options.evidenceSigner } : {}),
  };
}
