// One local tenant (the provider emulators) and one real worker with the real connectors per test,
// stopped after each test: the set-up the provider-level e2e files share.
import { mkdtemp } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { Notifier } from '../../notifiers/notifier.ts';
import { localTenantDeps } from '../../worker/local-tenant.ts';
import type { ConnectorRegistry } from '../../connectors/types.ts';
import type { LocalEncryptedStore } from '../../connectors/sinks/local-store.ts';
import type { Scenario } from '@cordon/emulators';
import { startLocalTenant, type LocalTenant } from '../../local-tenant/tenant.ts';
import { startTestWorker, type RunningWorker } from './temporal.ts';

export interface LocalStack {
  /** Starts the tenant with `scenario` and a worker wired to it (GitHub Actions sinks where consumers name them). */
  start(scenario: Scenario, options?: { env?: Record<string, string>; pacedPerHour?: number; notifier?: Notifier; watch?: NonNullable<Parameters<typeof startTestWorker>[1]>['watch'] }): Promise<{ connectors: ConnectorRegistry; store: LocalEncryptedStore }>;
  readonly tenant: LocalTenant;
  readonly worker: RunningWorker;
}

export function localStackPerTest(): LocalStack {
  let tenant: LocalTenant | undefined;
  let worker: RunningWorker | undefined;
  afterEach(async () => {
    await worker?.stop();
    await tenant?.close();
    worker = undefined;
    tenant = undefined;
  });
  return {
    async start(scenario, options = {}) {
      tenant = await startLocalTenant({ scenario });
      const dir = await mkdtemp(join(tmpdir(), 'cordon-stack-'));
      const { store, ...deps } = localTenantDeps({ env: { ...tenant.connectorEnv(), ...options.env }, sinkDir: dir, sinkKey: randomBytes(32), ...(options.notifier ? { notifier: options.notifier } : {}) });
      const connectors = deps.connectors;
      worker = await startTestWorker(deps, { ...(options.pacedPerHour !== undefined ? { pacedPerHour: options.pacedPerHour } : {}), ...(options.watch ? { watch: options.watch } : {}) });
      return { connectors, store };
    },
    get tenant() {
      if (!tenant) throw new Error('the local stack is not started: call start() first');
      return tenant;
    },
    get worker() {
      if (!worker) throw new Error('the local stack is not started: call start() first');
      return worker;
    },
  };
}
