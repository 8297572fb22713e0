import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenarioDir, scenarioDir } from '../emulators/tenant.ts';
import { SHIPPED_DRILLS } from './scenarios.ts';

const SCENARIOS = fileURLToPath(new URL('../emulators/scenarios/', import.meta.url));

describe('the shipped drills', () => {
  it('cover every shipped scenario directory, by the same name', () => {
    const dirs = readdirSync(SCENARIOS).filter((d) => statSync(`${SCENARIOS}${d}`).isDirectory());
    expect([...SHIPPED_DRILLS.keys()].sort()).toEqual(dirs.sort());
  });

  it('name only providers their scenario seeds, and give a reason for every known limit', async () => {
    for (const [name, drill] of SHIPPED_DRILLS) {
      const scenario = await loadScenarioDir(scenarioDir(name));
      for (const ref of drill.refs) expect(scenario[ref.provider as 'google'], `${name}: ${ref.provider}`).toBeDefined();
      for (const e of drill.targets.expectNotContained) expect(e.reason.length).toBeGreaterThan(20);
      expect(drill.rationale, name).toBeTruthy();
    }
  });
});
