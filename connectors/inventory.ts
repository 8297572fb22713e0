// The optional inventory capability (issue 7, hygiene sweeps): a connector that can list every
// credential it can see, tenant-wide, with the principals that own them and what it could not see.
// Until connectors/types.ts declares `inventory?()` on Connector, callers go through this guard.
import type { InventoryResult } from '../schemas/sweep.ts';
import type { Connector } from './types.ts';

export type { InventoryPrincipal, InventoryResult } from '../schemas/sweep.ts';

export interface InventoryCapable {
  inventory(): Promise<InventoryResult>;
}

export function canInventory(connector: Connector): connector is Connector & InventoryCapable {
  return typeof (connector as Partial<InventoryCapable>).inventory === 'function';
}
