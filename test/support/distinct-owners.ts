// Mass-containment tests pick one credential per owner (a service account, a repository), so each ref is a
// child of its own (workflows/mass-owners.ts groups refs of one owner into one child).
import { expect } from 'vitest';
import { canInventory } from '../../connectors/inventory.ts';
import type { ConnectorRegistry } from '../../connectors/types.ts';
import type { Credential, CredentialRef } from '../../schemas/credential.ts';

/** One credential of `kind` from each of `n` different owners, as the connector's inventory lists them. */
export async function keysOfDistinctOwners(connectors: ConnectorRegistry, provider: 'google' | 'github', kind: string, n: number): Promise<Credential[]> {
  const c = connectors[provider];
  if (!c || !canInventory(c)) throw new Error(`the ${provider} connector cannot list credentials`);
  const byOwner = new Map<string, Credential>();
  for (const k of (await c.inventory()).credentials) if (k.kind === kind && !k.selfOrLastAdmin && !byOwner.has(k.principal.id)) byOwner.set(k.principal.id, k);
  const picked = [...byOwner.values()].slice(0, n);
  expect(picked).toHaveLength(n);
  return picked;
}

/** A credential as a mass containment takes it: by provider, kind and id. */
export const refOf = (k: Credential): CredentialRef => ({ provider: k.provider, kind: k.kind, id: k.id }) as CredentialRef;
