// What a connector can do is what it implements: a capability is present exactly when its operations are
// methods of the connector, so no list can drift from the code. An absent operation has its reason in the
// connector's `cannot` (said to the responder when something asks for it); connectors/providers.test.ts
// checks that every capability is either implemented or explained, never both.
import { CAPABILITIES, unsupported, type Capability, type Connector } from './types.ts';

/** The methods that make each capability (re-authentication needs both its scope and its act). */
export const OPERATIONS = {
  list: ['listActive'],
  describe: ['identify'],
  revoke: ['revoke'],
  replace: ['replace'],
  forceReauth: ['reauthScope', 'forceReauth'],
  restrict: ['restrict'],
  probe: ['probe'],
  audit: ['audit'],
  revokeAllForClient: ['revokeAllForClient'],
  blockApp: ['blockApp'],
  suspendPrincipal: ['suspendPrincipal'],
  revokeByValue: ['revokeByValue'],
  tokenUse: ['readTokenUse'],
  lastUse: ['lastUse'],
} as const satisfies Record<Capability, readonly (keyof Connector)[]>;

type OperationsOf<C extends Capability> = (typeof OPERATIONS)[C][number];
/** A connector known to implement capability C: its methods for C are no longer optional. */
export type ConnectorWith<C extends Capability> = Connector & Required<Pick<Connector, OperationsOf<C>>>;

/** The capabilities of a connector, or of a connector class's prototype (for a manifest, without building one). */
export function capabilitiesOf(connector: object): Capability[] {
  return CAPABILITIES.filter((c) => OPERATIONS[c].every((op) => typeof (connector as Record<string, unknown>)[op] === 'function'));
}

export function can<C extends Capability>(connector: Connector, capability: C): connector is ConnectorWith<C> {
  return capabilitiesOf(connector).includes(capability);
}

/** Throws `unsupported` with the connector's own reason when it does not implement the capability. */
export function assertCan<C extends Capability>(connector: Connector, capability: C): asserts connector is ConnectorWith<C> {
  if (!can(connector, capability)) {
    throw unsupported(connector.provider, capability, connector.cannot[capability] ?? 'this connector does not implement it');
  }
}
