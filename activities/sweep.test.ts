// The sweep activities' edges: a connector without an inventory and one the provider refuses are
// gaps in the report (said, not fatal); a retryable outage leaves as a retryable Temporal failure.
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createSweepActivities } from './sweep.ts';
import { MemoryConnector } from '../connectors/memory/connector.ts';
import { driftSeed } from '../connectors/memory/seeds.ts';
import { MemoryTenant } from '../connectors/memory/tenant.ts';
import { ConnectorError, type Connector } from '../connectors/types.ts';
import { createLogger } from '../logging/logger.ts';

const quiet = createLogger({ level: 'error' });
const bare = (provider: 'github' | 'slack', inventory?: () => Promise<never>): Connector =>
  ({ provider, capabilities: new Set(), blindSpots: [], ...(inventory ? { inventory } : {}) }) as unknown as Connector;

describe('sweep activities', () => {
  it('reports a connector without inventory as unsupported and a refused one as unavailable, then flags the rest', async () => {
    const acts = createSweepActivities({
      logger: quiet,
      connectors: {
        memory: new MemoryConnector(new MemoryTenant(driftSeed())),
        github: bare('github'),
        slack: bare('slack', async () => {
          throw new ConnectorError('permission', 'slack', 'slack: missing_scope admin.apps:read (token xoxp-secret-value-1234567890)');
        }),
      },
    });
    expect(await acts.sweepConfiguredProviders()).toEqual(['github', 'memory', 'slack']);
    const outcomes = await Promise.all((['github', 'memory', 'slack'] as const).map((provider) => acts.inventoryProvider({ provider })));
    expect(outcomes[0]).toEqual({ provider: 'github', missing: { state: 'unsupported', error: 'github: this connector cannot list credentials tenant-wide' } });
    expect(outcomes[2]!.missing!.state).toBe('unavailable');
    expect(outcomes[2]!.missing!.error).toContain('missing_scope');
    expect(outcomes[2]!.missing!.error).not.toContain('xoxp-secret-value-1234567890');
    const report = await acts.flagInventory({ outcomes, policy: { unusedDays: 90 } });
    expect(report.coverage.map((c) => [c.provider, c.state])).toEqual([['github', 'unsupported'], ['memory', 'inventoried'], ['slack', 'unavailable']]);
    expect(report.rows.every((r) => r.credential.provider === 'memory')).toBe(true);
  });

  it('lets a rate limit leave as a retryable failure carrying the provider’s Retry-After', async () => {
    const acts = createSweepActivities({
      logger: quiet,
      connectors: { github: bare('github', async () => { throw new ConnectorError('rate_limited', 'github', 'github: secondary rate limit', { retryAfterMs: 30_000 }); }) },
    });
    const err = await acts.inventoryProvider({ provider: 'github' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(false);
    expect((err as ApplicationFailure).nextRetryDelay).toBe(30_000);
  });
});
