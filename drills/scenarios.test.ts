import { describe, expect, it } from 'vitest';
import { loadScenarioDir, scenarioDir, shippedScenarioNames } from '@cordon/emulators';
import { SHIPPED_DRILLS } from './scenarios.ts';

describe('the shipped drills', () => {
  it('cover every shipped scenario directory, by the same name', async () => {
    expect([...SHIPPED_DRILLS.keys()].sort()).toEqual(await shippedScenarioNames());
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
