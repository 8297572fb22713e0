import { describe, expect, it } from 'vitest';
import { loadScenarioDir, scenarioDir, shippedScenarioNames } from '@cordon/emulators';
import { SHIPPED_DRILLS, WATCH_DRILLS } from './scenarios.ts';

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

  it('watch drills play into a shipped scenario that seeds their provider, with a rationale and expectations', async () => {
    expect([...WATCH_DRILLS.keys()]).toEqual(['watch-salesloft-drift']);
    const names = await shippedScenarioNames();
    for (const [name, drill] of WATCH_DRILLS) {
      expect(names, name).toContain(drill.watch!.scenario);
      expect(SHIPPED_DRILLS.has(name), `${name} must not shadow a scenario drill`).toBe(false);
      const scenario = await loadScenarioDir(scenarioDir(drill.watch!.scenario));
      expect(scenario[drill.watch!.provider as 'salesforce'], name).toBeDefined();
      expect(drill.rationale, name).toBeTruthy();
    }
  });
});
