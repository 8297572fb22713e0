// The worker process: `npm run worker`. Everything comes from the environment (README, "Configuration").
import { codecKeysFromEnv } from '../codec/encryption-codec.ts';
import { connectorsFromEnv } from '../connectors/registry.ts';
import { sinkFromEnv } from '../connectors/sinks/from-env.ts';
import { createLogger } from '../logging/logger.ts';
import { temporalTargetFromEnv } from '../temporal-config/connection.ts';
import { createCordonWorker } from './worker.ts';

const log = createLogger({ base: { component: 'worker' } });

try {
  const target = temporalTargetFromEnv();
  const connectors = connectorsFromEnv();
  if (Object.keys(connectors).length === 0) {
    throw new Error('no connector is configured: set the CORDON_<PROVIDER>_* variables of at least one provider (README, "Configuration")');
  }
  const worker = await createCordonWorker({
    target,
    codecKeys: codecKeysFromEnv(process.env),
    deps: { connectors, sink: sinkFromEnv(process.env, connectors), logger: log },
  });
  log.info('worker ready', { address: target.connectionOptions.address, namespace: target.namespace, taskQueue: target.taskQueue, connectors: Object.keys(connectors) });
  process.send?.({ ready: true });
  await worker.run();
} catch (err) {
  log.error('worker failed to start', { error: err });
  process.exitCode = 1;
}
