// Activities of the hygiene and persistence sweeps (issue 7). Built like createActivities(deps) and
// merged into the same worker: the connectors are the same registry. Nothing here writes to a
// provider; the sweeps only list. Activity names are recorded in history: never rename one.
import { ApplicationFailure } from '@temporalio/common';
import type { ConnectorRegistry, Connector } from '../connectors/types.ts';
import { ConnectorError } from '../connectors/types.ts';
import { canInventory } from '../connectors/inventory.ts';
import type { Provider } from '../schemas/credential.ts';
import { PersistenceSweepInput, type HygienePolicy, type HygieneReport, type PersistenceReport } from '../schemas/sweep.ts';
import { createLogger, redactText, type Logger } from '../logging/logger.ts';
import { flagInventories, type ProviderInventoryOutcome } from './sweeps/flags.ts';
import { findPersistence } from './sweeps/persistence.ts';
import { FAILURE_TYPES, mapFailures } from './failures.ts';

export interface SweepActivityDeps {
  connectors: ConnectorRegistry;
  logger?: Logger;
}

export function createSweepActivities(deps: SweepActivityDeps) {
  const log = deps.logger ?? createLogger({ base: { component: 'sweep-activities' } });
  const connectorFor = (provider: Provider): Connector => {
    const c = deps.connectors[provider];
    if (!c) {
      throw ApplicationFailure.create({ type: FAILURE_TYPES.no_connector, nonRetryable: true, message: `no ${provider} connector is configured on this worker` });
    }
    return c;
  };

  return {
    sweepConfiguredProviders: async (): Promise<Provider[]> => Object.keys(deps.connectors).sort() as Provider[],

    /**
     * One provider's inventory. A connector without an inventory, or one the provider refuses
     * (permission, auth), is reported as a gap rather than failing the whole sweep; rate limits and
     * outages are retried by Temporal with the provider's Retry-After first.
     */
    inventoryProvider: mapFailures(async (input: { provider: Provider }): Promise<ProviderInventoryOutcome> => {
      const connector = deps.connectors[input.provider];
      if (!connector) return { provider: input.provider, missing: { state: 'unavailable', error: `no ${input.provider} connector is configured on this worker` } };
      if (!canInventory(connector)) {
        return { provider: input.provider, missing: { state: 'unsupported', error: `${input.provider}: this connector cannot list credentials tenant-wide` } };
      }
      try {
        const inventory = await connector.inventory();
        log.info('inventoried', { provider: input.provider, credentials: inventory.credentials.length });
        return { provider: input.provider, inventory };
      } catch (err) {
        if (err instanceof ConnectorError && !err.retryable) {
          log.warn('inventory refused', { provider: input.provider, kind: err.kind });
          return { provider: input.provider, missing: { state: 'unavailable', error: redactText(err.message) } };
        }
        throw err;
      }
    }),

    flagInventory: async (input: { outcomes: ProviderInventoryOutcome[]; policy: HygienePolicy }): Promise<HygieneReport> => {
      const report = flagInventories(input.outcomes, input.policy, new Date());
      log.info('hygiene sweep flagged', { credentials: report.rows.length, flagged: report.flagged.length });
      return report;
    },

    findPersistence: mapFailures(async (raw: PersistenceSweepInput): Promise<PersistenceReport> => {
      const input = PersistenceSweepInput.parse(raw);
      const report = await findPersistence(connectorFor(input.provider), input);
      log.info('persistence sweep', { provider: input.provider, principal: input.principal.id, findings: report.findings.length });
      return report;
    }),
  };
}

export type SweepActivities = ReturnType<typeof createSweepActivities>;
