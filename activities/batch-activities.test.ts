// The batch activities a mass child uses (Containment.batchCalls): what each adds over its one-by-one twin.
// The connector is the activities' injected dependency; the end-to-end behaviour is in test/e2e/mass-owners.test.ts.
import { expect, it } from 'vitest';
import { ConnectorError, type Connector, type ConnectorRegistry } from '../connectors/types.ts';
import type { Credential } from '../schemas/credential.ts';
import { createLogger } from '../logging/logger.ts';
import { createActivities } from './index.ts';
import { FAILURE_TYPES } from './failures.ts';

const owner = { id: 'sa@acme.example', displayName: 'sa', type: 'service_account', status: 'active' } as const;
const key = (id: string): Credential => ({ provider: 'google', kind: 'service_account_key', id, label: `key ${id}`, principal: owner, scopes: [], consumers: [], selfOrLastAdmin: false });

function setUp(live: string[], refuse: Record<string, ConnectorError> = {}) {
  const calls: string[] = [];
  const connector = {
    provider: 'google',
    cannot: {},
    listActive: async () => (calls.push('listActive'), live.map(key)),
    revoke: async (c: Credential) => {
      calls.push(`revoke ${c.id}`);
      if (refuse[c.id]) throw refuse[c.id];
      return { outcome: 'done' as const };
    },
  } as Partial<Connector> as Connector;
  const registry = { issuedElsewhere: async () => [] } as never;
  const activities = createActivities({ connectors: { google: connector } as ConnectorRegistry, sink: {} as never, registry, logger: createLogger({ level: 'error' }) });
  return { activities, calls };
}

it('verifyCredentials lists a principal once for all of its credentials and judges each on its own', async () => {
  const { activities, calls } = setUp(['k2', 'r1']);
  const items = ['k1', 'k2', 'k3'].map((id) => ({ credential: key(id), replacementIds: ['r1'], planned: [] }));
  const results = await activities.verifyCredentials({ items, workflowId: 'wf' });
  expect(calls).toEqual(['listActive']);
  expect(results.map((v) => v.stillActive)).toEqual([false, true, false]);
  // k2 is still listed: for k1 and k3 it is another active key of the owner, not named by the plan (left alone, I8).
  expect(results.map((v) => v.unplanned.map((c) => c.id))).toEqual([['k2'], [], ['k2']]);
});

it('revokeCredentials answers each credential, a failed one by its failure type, without failing the others', async () => {
  const { activities, calls } = setUp([], { k2: new ConnectorError('rate_limited', 'google', 'google: 429 on keys.delete', { retryAfterMs: 1000 }) });
  const results = await activities.revokeCredentials({ items: ['k1', 'k2', 'k3'].map((id) => ({ credential: key(id) })) });
  expect(calls.sort()).toEqual(['revoke k1', 'revoke k2', 'revoke k3']);
  expect(results).toEqual([{ revoked: { outcome: 'done' } }, { failed: FAILURE_TYPES.rate_limited }, { revoked: { outcome: 'done' } }]);
});

it('refuses a batch of two providers, naming them (its task queue is one provider\u2019s)', async () => {
  const { activities } = setUp([]);
  const github = { ...key('g1'), provider: 'github' as const };
  await expect(activities.revokeCredentials({ items: [{ credential: key('k1') }, { credential: github }] })).rejects.toThrow(/one provider.*google, github/);
});
