// The credential set of the P3 benchmark (bench/sequential.bench.ts) and of the mass crash test
// (test/e2e/mass-crash.test.ts): Google service-account keys and GitHub deploy keys of the generated load
// scenario (emulators/scenarios/load.ts), kinds an admin can re-issue, taken as whole owners
// (sequential-outcomes.ts wholePrincipals says why), and what a worker process needs to contain them.
import { connectorsFromEnv } from '../connectors/registry.ts';
import { canInventory } from '../connectors/inventory.ts';
import { readInventoryVariable } from '../connectors/inventory-variable.ts';
import { parseCredentialId } from '../connectors/github/ids.ts';
import type { Client } from '@temporalio/client';
import type { LocalTenant } from '../local-tenant/tenant.ts';
import type { ContainmentStatus } from '../schemas/containment.ts';
import type { Credential, CredentialRef } from '../schemas/credential.ts';
import { groupByOwner } from '../workflows/mass-owners.ts';
import { wholePrincipals, type SideRecord, type Target } from './sequential-outcomes.ts';

const KIND = { google: 'service_account_key', github: 'deploy_key' } as const;

/** A credential of the set, with what a script needs to name it. */
export interface SetCredential extends Target {
  provider: 'google' | 'github';
  ref: CredentialRef;
  /** Google: the key's resource name and its service account's; GitHub: the repository and key id. */
  google?: { keyName: string; parent: string };
  github?: { owner: string; repo: string; keyId: number };
}

/** The live Google service-account keys and GitHub deploy keys, as the providers list them (fresh connectors). */
async function inventory(tenant: LocalTenant): Promise<(Credential & { provider: 'google' | 'github' })[]> {
  const connectors = connectorsFromEnv(tenant.connectorEnv());
  const out: (Credential & { provider: 'google' | 'github' })[] = [];
  for (const provider of ['google', 'github'] as const) {
    const c = connectors[provider];
    if (!c || !canInventory(c)) throw new Error(`the ${provider} connector cannot list credentials`);
    for (const cred of (await c.inventory()).credentials) if (cred.kind === KIND[provider]) out.push({ ...cred, provider });
  }
  return out;
}

/** N credentials, half Google service-account keys, half GitHub deploy keys, as whole owners, interleaved. */
export async function credentialSet(tenant: LocalTenant, n: number): Promise<SetCredential[]> {
  const listed: Record<'google' | 'github', SetCredential[]> = { google: [], github: [] };
  for (const cred of await inventory(tenant)) {
    if (cred.selfOrLastAdmin) continue;
    const provider = cred.provider;
    const base = { provider, credentialId: `${provider}:${cred.id}`, principal: `${provider}:${cred.principal.id}`, consumers: cred.consumers.map((x) => x.id), ref: { provider, kind: cred.kind, id: cred.id } as CredentialRef };
    if (provider === 'google') {
      const m = /^(projects\/[^/]+\/serviceAccounts\/[^/]+)\/keys\/[^/]+$/.exec(cred.id);
      if (!m) throw new Error(`${cred.id} is not a service-account key's resource name`);
      listed.google.push({ ...base, google: { keyName: cred.id, parent: m[1]! } });
    } else {
      const p = parseCredentialId(cred.id);
      if (p?.type !== 'deploy_key') throw new Error(`${cred.id} is not a deploy key id`);
      listed.github.push({ ...base, github: { owner: p.owner!, repo: p.repo!, keyId: p.num } });
    }
  }
  const g = wholePrincipals(listed.google, Math.ceil(n / 2));
  const h = wholePrincipals(listed.github, n - g.length);
  // Interleaved, so that a mass containment's first children reach both providers.
  return Array.from({ length: Math.max(g.length, h.length) }, (_, i) => [g[i], h[i]]).flat().filter((x): x is SetCredential => !!x);
}

/** The live credentials of the set's kinds (`provider:id`), with the tenant's faults cleared first. */
export async function liveKeys(tenant: LocalTenant): Promise<Set<string>> {
  tenant.clearFaults();
  return new Set((await inventory(tenant)).map((c) => `${c.provider}:${c.id}`));
}

/**
 * The Google and GitHub connectors' variables for a worker process, their consumer inventories cut to the set:
 * a load scenario's whole inventory is larger than one environment variable may be (E2BIG from the kernel past
 * 128 KiB). Whole owners are in the set, so every credential re-authentication ends still has its consumers.
 */
export function workerConnectorEnv(tenant: LocalTenant, set: readonly SetCredential[]): Record<string, string> {
  const env = Object.fromEntries(Object.entries(tenant.connectorEnv()).filter(([k]) => k.startsWith('CORDON_GOOGLE_') || k.startsWith('CORDON_GITHUB_')));
  const cut = (name: string, provider: string) => {
    // Inline JSON, or `@<path>` of a file: the local tenant hands an inventory above 64 KiB over as a file.
    const all = (readInventoryVariable(env, name, 'a JSON object of consumers by credential') ?? {}) as Record<string, unknown>;
    env[name] = JSON.stringify(Object.fromEntries(set.filter((c) => c.provider === provider).map((c) => [c.credentialId.slice(provider.length + 1), all[c.credentialId.slice(provider.length + 1)]])));
  };
  cut('CORDON_GOOGLE_INVENTORY_JSON', 'google');
  cut('CORDON_GITHUB_CONSUMERS', 'github');
  return env;
}

/** The results of a finished mass containment's children, one per owner (workflows/mass-owners.ts: named after the owner's first ref), 25 read at a time. */
export async function childResults(client: Client, workflowId: string, refs: readonly CredentialRef[]): Promise<{ workflowId: string; status: ContainmentStatus }[]> {
  const ids = groupByOwner(refs).map((g) => `${workflowId}-${g[0]!}`);
  const out: { workflowId: string; status: ContainmentStatus }[] = [];
  for (let i = 0; i < ids.length; i += 25) {
    const statuses = await Promise.all(ids.slice(i, i + 25).map((id) => client.workflow.getHandle(id).result() as Promise<ContainmentStatus>));
    statuses.forEach((status, k) => out.push({ workflowId: ids[i + k]!, status }));
  }
  return out;
}

/** What Cordon says it did, from its runs' results: every replacement kept (its own and its collateral's), every credential it verified dead. */
export function sideRecordOf(statuses: readonly ContainmentStatus[]): SideRecord {
  const replacements: SideRecord['replacements'][number][] = [];
  const verifiedGone = new Set<string>();
  for (const s of statuses) {
    for (const c of [...s.credentials, ...s.collateral]) for (const r of c.replacements) replacements.push({ credentialId: c.credentialId, consumerId: r.consumerId, replacementId: `${c.provider}:${r.replacementId}` });
    for (const c of s.credentials) if (c.transitions.some((t) => t.state === 'verified_dead')) verifiedGone.add(c.credentialId);
  }
  return { replacements, verifiedGone: [...verifiedGone] };
}
