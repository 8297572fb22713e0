// Scoping one principal's re-authentication (I8), read-only: the connector's list, turned into the plan's
// ReauthTarget. Shared by the scopeReauth activity and `cordon drill --plan-only`, so both plan the same.
import { assertCan } from '../connectors/capabilities.ts';
import { ConnectorError, type Connector } from '../connectors/types.ts';
import type { ReauthTarget } from '../schemas/containment.ts';
import type { Credential, Principal, Provider } from '../schemas/credential.ts';
import { reauthTarget } from './plan.ts';

export async function scopeReauthWith(input: {
  connector: Connector;
  provider: Provider;
  principal: Principal;
  /** The run's own targets (`provider:id`): revoked anyway, never listed as collateral. */
  targets: readonly string[];
  /** Of the given ids, the replacements another run issued: left alone (I8). */
  issuedElsewhere: (ids: string[]) => Promise<ReadonlyMap<string, { workflowId: string; consumerId: string }>>;
}): Promise<ReauthTarget> {
  const { provider, principal } = input;
  let scope: { credentials: Credential[]; effects: string[] };
  try {
    const connector = input.connector;
    assertCan(connector, 'forceReauth');
    scope = await connector.reauthScope(principal);
  } catch (err) {
    // Unsupported, or refused because it would lock Cordon out (I6): planned as not possible; verification decides.
    if (err instanceof ConnectorError && (err.kind === 'unsupported' || err.kind === 'conflict')) {
      return { provider, principal, ends: [], effects: [], leftAlone: [], notPossible: err.message };
    }
    throw err;
  }
  const issuedElsewhere = await input.issuedElsewhere(scope.credentials.map((c) => c.id));
  return reauthTarget({ provider, principal, scope, targets: input.targets, issuedElsewhere });
}
