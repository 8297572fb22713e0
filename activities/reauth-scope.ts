// Scoping one principal's re-authentication (I8), read-only: the connector's list, turned into the plan's
// ReauthTarget. Shared by the scopeReauth activity and `cordon drill --plan-only`, so both plan the same.
import { assertCan } from '../connectors/capabilities.ts';
import { ConnectorError, type Connector } from '../connectors/types.ts';
import { impossibleReauth, type ReauthTarget } from '../schemas/containment.ts';
import type { Credential, Principal, Provider, ReauthScopeSnapshot } from '../schemas/credential.ts';
import { reauthTarget } from './plan.ts';

export async function scopeReauthWith(input: {
  connector: Connector;
  provider: Provider;
  principal: Principal;
  /** The run's own targets (`provider:id`): revoked anyway, never listed as collateral. */
  targets: readonly string[];
  /** Of the given ids, the replacements another run issued: left alone (I8). */
  issuedElsewhere: (ids: string[]) => Promise<ReadonlyMap<string, { workflowId: string; consumerId: string }>>;
  /** The scope identify already read with the principal's credentials (ScopeReport.reauthScopes): not read again. */
  snapshot?: ReauthScopeSnapshot;
}): Promise<ReauthTarget> {
  const { provider, principal, snapshot } = input;
  if (snapshot && snapshot.principalId !== principal.id) throw new Error(`the re-authentication scope given for ${principal.id} is ${snapshot.principalId}'s`);
  const scope = snapshot ?? (await readScope(input.connector, principal));
  // Unsupported, or refused because it would lock Cordon out (I6): planned as not possible; verification decides.
  if (scope.notPossible) return impossibleReauth(provider, principal, scope.notPossible);
  const issuedElsewhere = await input.issuedElsewhere(scope.credentials.map((c) => c.id));
  return reauthTarget({ provider, principal, scope, targets: input.targets, issuedElsewhere });
}

/** The connector's reauthScope; a refusal (unsupported, or conflict under I6) as `notPossible`. */
async function readScope(connector: Connector, principal: Principal): Promise<{ credentials: Credential[]; effects: string[]; notPossible?: string }> {
  try {
    assertCan(connector, 'forceReauth');
    return await connector.reauthScope(principal);
  } catch (err) {
    if (err instanceof ConnectorError && (err.kind === 'unsupported' || err.kind === 'conflict')) return { credentials: [], effects: [], notPossible: err.message };
    throw err;
  }
}
