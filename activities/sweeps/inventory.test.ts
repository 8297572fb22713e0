// Each connector's inventory against the local tenant's emulators with the shipped scenarios (the
// real SDKs: @octokit/rest, jsforce, @slack/web-api), and the reference connector: what is listed,
// what the flags make of it, and that each says what it could not see.
import { afterEach, describe, expect, it } from 'vitest';
import { canInventory } from '../../connectors/inventory.ts';
import { MemoryConnector } from '../../connectors/memory/connector.ts';
import { driftSeed } from '../../connectors/memory/seeds.ts';
import { MemoryTenant } from '../../connectors/memory/tenant.ts';
import { connectorsFromEnv } from '../../connectors/registry.ts';
import type { Connector } from '../../connectors/types.ts';
import { loadScenarioDir, scenarioDir } from '@cordon/emulators';
import { startLocalTenant, type LocalTenant } from '../../local-tenant/tenant.ts';
import type { HygieneReport } from '../../schemas/sweep.ts';
import { flagInventories } from './flags.ts';

let tenant: LocalTenant | undefined;
afterEach(async () => {
  await tenant?.close();
  tenant = undefined;
});

async function sweep(connector: Connector | undefined, now = new Date('2025-09-01T00:00:00Z')): Promise<HygieneReport> {
  expect(connector && canInventory(connector)).toBe(true);
  if (!connector || !canInventory(connector)) throw new Error('no inventory');
  return flagInventories([{ provider: connector.provider, inventory: await connector.inventory() }], { unusedDays: 90 }, now);
}
const flagsOf = (r: HygieneReport, id: string) => r.rows.find((x) => x.credential.id === id)?.flags.map((f) => f.kind);

describe('github inventory (circleci scenario)', () => {
  it('lists SAML-authorized tokens and PATs, installations and the inventoried repos’ deploy keys, flagging `repo`', async () => {
    tenant = await startLocalTenant({ scenario: await loadScenarioDir(scenarioDir('circleci')) });
    const report = await sweep(connectorsFromEnv(tenant.connectorEnv()).github, new Date('2023-01-05T00:00:00Z'));
    expect(report.rows.map((r) => r.credential.id).sort()).toEqual(
      ['app_installation_token:40100200', 'app_installation_token:51234567', 'deploy_key:acme-robotics/firmware:7101', 'deploy_key:acme-robotics/infra-terraform:7102', 'oauth_token:7001', 'pat:classic:7301'].sort(),
    );
    expect(flagsOf(report, 'oauth_token:7001')).toEqual(['over_broad_scope', 'shared']);
    expect(flagsOf(report, 'pat:classic:7301')).toEqual(['over_broad_scope']);
    expect(flagsOf(report, 'deploy_key:acme-robotics/firmware:7101')).toEqual([]);
    expect(report.rows.find((r) => r.credential.id === 'app_installation_token:51234567')!.credential.selfOrLastAdmin).toBe(true);
    expect(report.coverage[0]!.blindSpots.some((b) => b.includes('repositories named in CORDON_GITHUB_CONSUMERS'))).toBe(true);
    expect(tenant.calls({ provider: 'github', operation: 'orgs.listPatGrants' }).length).toBeGreaterThan(0);
    expect(tenant.calls({ provider: 'github', operation: 'orgs.listSamlSsoAuthorizations' }).length).toBeGreaterThan(0);
  });
});

describe('salesforce and slack inventories (salesloft-drift scenario)', () => {
  it('lists every OAuth grant of the org with its user, and flags the Drift grant as shared', async () => {
    tenant = await startLocalTenant({ scenario: await loadScenarioDir(scenarioDir('salesloft-drift')) });
    const report = await sweep(connectorsFromEnv(tenant.connectorEnv()).salesforce);
    expect(report.rows).toHaveLength(3);
    const drift = report.rows.find((r) => r.credential.principal.id === '005Hs000003DrftAAA')!;
    expect(drift.flags.map((f) => f.kind)).toEqual(['shared']);
    expect(drift.credential.consumers.map((c) => c.id).sort()).toEqual(['drift-chat-sync', 'drift-lead-router', 'salesloft-cadence']);
    expect(report.coverage[0]!.blindSpots.some((b) => b.includes('scopes of a grant are not readable'))).toBe(true);
  });

  it('lists one entry per approved Slack app with its scopes and last sighting, Cordon’s own marked', async () => {
    tenant = await startLocalTenant({ scenario: await loadScenarioDir(scenarioDir('salesloft-drift')) });
    const report = await sweep(connectorsFromEnv(tenant.connectorEnv()).slack);
    expect(report.rows.map((r) => r.credential.clientId).sort()).toEqual(['A0CORDON01', 'A0DRIFT001', 'A0SLOFT001']);
    const drift = report.rows.find((r) => r.credential.clientId === 'A0DRIFT001')!;
    expect(drift.credential.lastUsedAt).toBe('2025-08-18T02:45:10.000Z');
    expect(drift.flags).toEqual([]);
    expect(report.rows.find((r) => r.credential.clientId === 'A0CORDON01')!.credential.selfOrLastAdmin).toBe(true);
    expect(report.coverage[0]!.blindSpots.some((b) => b.includes('one entry per approved app'))).toBe(true);
  });
});

describe('reference connector inventory', () => {
  it('lists the live credentials of the reference tenant, and flags the shared, long-unused Drift token', async () => {
    const report = await sweep(new MemoryConnector(new MemoryTenant(driftSeed())), new Date('2025-12-01T00:00:00Z'));
    expect(report.rows.map((r) => r.credential.id).sort()).toEqual(['cordon-own', 'sess-drift-sync', 'tok-alice-1', 'tok-drift-1', 'tok-other-app']);
    expect(flagsOf(report, 'tok-drift-1')).toEqual(['unused', 'shared']);
    expect(flagsOf(report, 'tok-other-app')).toEqual([]);
  });
});
