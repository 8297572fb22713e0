// Where Cordon's clients and workers find Temporal. Local default: the dev server on 127.0.0.1:7233,
// namespace `cordon`. Production: the standard TEMPORAL_* variables or a profile file, read by
// @temporalio/envconfig (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*,
// TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE); see temporal-config/README.md.
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { DEFAULT_NAMESPACE, TASK_QUEUE } from './dev-server.ts';
import { readEnv } from '../schemas/config.ts';

export interface TemporalTarget {
  connectionOptions: NativeConnectionOptions;
  namespace: string;
  taskQueue: string;
}

export function temporalTargetFromEnv(env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  const clean = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const { connectionOptions, namespace } = loadClientConnectConfig({ overrideEnvVars: clean });
  return {
    connectionOptions: { ...connectionOptions, address: connectionOptions.address ?? '127.0.0.1:7233' },
    namespace: namespace ?? DEFAULT_NAMESPACE,
    taskQueue: readEnv(env, 'CORDON_TASK_QUEUE') ?? TASK_QUEUE,
  };
}
