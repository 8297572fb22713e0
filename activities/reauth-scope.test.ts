// Scoping re-authentication from the scope identify already read (ScopeReport.reauthScopes) versus asking the connector.
import { expect, it } from 'vitest';
import type { Connector } from '../connectors/types.ts';
import type { Credential, Principal } from '../schemas/credential.ts';
import { scopeReauthWith } from './reauth-scope.ts';

const principal: Principal = { id: '005A', displayName: 'Drift <drift@acme.test>', type: 'integration_user', status: 'active' };
const cred = (id: string): Credential => ({ provider: 'salesforce', kind: 'session', id, label: id, principal, scopes: [], consumers: [], selfOrLastAdmin: false });

/** A connector whose reauthScope counts its calls and answers `listed`. */
function connector(listed: Credential[]): Connector & { asked: number } {
  const c = {
    provider: 'salesforce' as const,
    cannot: {},
    blindSpots: [],
    asked: 0,
    identify: async () => {
      throw new Error('not used');
    },
    listActive: async () => [],
    revoke: async () => ({ outcome: 'done' as const }),
    reauthScope: async () => {
      c.asked++;
      return { credentials: listed, effects: [] };
    },
    forceReauth: async () => ({ outcome: 'done' as const }),
  };
  return c;
}

const base = { provider: 'salesforce' as const, principal, targets: ['salesforce:grant-1'], issuedElsewhere: async () => new Map<string, { workflowId: string; consumerId: string }>() };

it('plans from the snapshot without asking the connector, minus the run\'s own targets', async () => {
  const c = connector([cred('from-connector')]);
  const target = await scopeReauthWith({ ...base, connector: c, snapshot: { principalId: '005A', credentials: [cred('grant-1'), cred('0Ak1')], effects: [] } });
  expect(c.asked).toBe(0);
  expect(target.ends.map((e) => e.id)).toEqual(['0Ak1']);
  expect(target.notPossible).toBeUndefined();
});

it('asks the connector without a snapshot, and plans a snapshot\'s refusal (I6) as not possible', async () => {
  const c = connector([cred('from-connector')]);
  expect((await scopeReauthWith({ ...base, connector: c })).ends.map((e) => e.id)).toEqual(['from-connector']);
  expect(c.asked).toBe(1);
  const refused = await scopeReauthWith({ ...base, connector: c, snapshot: { principalId: '005A', credentials: [], effects: [], notPossible: "Cordon's own user" } });
  expect(refused).toMatchObject({ ends: [], notPossible: "Cordon's own user" });
  expect(c.asked).toBe(1);
});

it('refuses a snapshot of another principal', async () => {
  await expect(scopeReauthWith({ ...base, connector: connector([]), snapshot: { principalId: '005B', credentials: [], effects: [] } })).rejects.toThrow(/given for 005A is 005B's/);
});
