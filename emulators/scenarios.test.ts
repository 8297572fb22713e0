// Every shipped scenario loads into the local tenant, and what the tenant then holds is what the
// files say: for each provider section, every array in the file matches the emulator's count.
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioDir, scenarioDir, startTenant, type Tenant, EMULATED_PROVIDERS } from './tenant.ts';
import { loadScenario } from './scenarios/load.ts';
import type { Scenario } from './scenario.ts';

let tenant: Tenant;
beforeAll(async () => {
  tenant = await startTenant();
});
afterAll(async () => {
  await tenant.close();
});

function expectCountsMatch(scenario: Scenario) {
  const counts = tenant.counts();
  let compared = 0;
  for (const provider of EMULATED_PROVIDERS) {
    const section = scenario[provider] as Record<string, unknown> | undefined;
    if (!section) continue;
    for (const [key, value] of Object.entries(section)) {
      if (!Array.isArray(value) || !(key in counts[provider])) continue;
      expect(counts[provider][key], `${scenario.name} ${provider}.${key}`).toBe(value.length);
      compared++;
    }
  }
  expect(compared).toBeGreaterThan(0);
}

describe('shipped scenarios', async () => {
  const names = (await readdir(fileURLToPath(new URL('./scenarios/', import.meta.url)), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  it('ships the three incident scenarios', () => {
    expect(names.sort()).toEqual(['circleci', 'cloudflare-okta', 'salesloft-drift']);
  });
  for (const name of names) {
    it(`${name} loads and its counts are what the files say`, async () => {
      const scenario = await loadScenarioDir(scenarioDir(name));
      tenant.load(scenario);
      expectCountsMatch(scenario);
    });
  }
  it('the generated load scenario holds thousands of credentials', () => {
    const scenario = loadScenario(1250);
    tenant.load(scenario);
    expectCountsMatch(scenario);
    const total = EMULATED_PROVIDERS.reduce((n, p) => n + Object.entries(tenant.counts()[p]).filter(([k]) => /token|key|credential|grant|secret/i.test(k) && !/active/i.test(k)).reduce((m, [, v]) => m + v, 0), 0);
    expect(total).toBeGreaterThanOrEqual(4000);
  });
});
