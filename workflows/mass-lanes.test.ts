// The lanes rule on its own: children are promises the test settles by hand, so every start is observed
// in order and nothing depends on timing.
import { describe, expect, it } from 'vitest';
import { startInLanes } from './mass-lanes.ts';

/** Children by first index, each with its provider; `start` records the order and hands back a promise the test settles. */
function harness(providers: string[]) {
  const window = providers.map((_, i) => [i]);
  const started: number[] = [];
  const settle = new Map<number, () => void>();
  const start = (group: number[]) =>
    new Promise<void>((resolve) => {
      started.push(group[0]!);
      settle.set(group[0]!, resolve);
    });
  const providerOf = (group: number[]) => providers[group[0]!]!;
  const tick = () => new Promise((r) => setTimeout(r, 0));
  return { window, started, settle, start, providerOf, tick };
}

describe('startInLanes', () => {
  it('gives each provider with refs to start its share of the slots: the slow provider first in the list does not take them all', async () => {
    // Four Salesforce children first, then four Google ones; two slots.
    const h = harness(['salesforce', 'salesforce', 'salesforce', 'salesforce', 'google', 'google', 'google', 'google']);
    const done = startInLanes(h.window, h.providerOf, 2, h.start, () => false);
    await h.tick();
    // In list order this would have been [0, 1]: both slots Salesforce, Google waiting behind them.
    expect(h.started).toEqual([0, 4]);
    // Google's children end one after the other while the first Salesforce one is still running.
    for (const g of [4, 5, 6]) {
      h.settle.get(g)!();
      await h.tick();
    }
    expect(h.started).toEqual([0, 4, 5, 6, 7]);
    // Google's last child started: Salesforce gets both slots back as they free.
    h.settle.get(7)!();
    await h.tick();
    expect(h.started).toEqual([0, 4, 5, 6, 7, 1]);
    for (const s of [0, 1, 2, 3]) {
      h.settle.get(s)?.();
      await h.tick();
    }
    expect(await done).toBeUndefined();
    expect(h.started.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('one provider alone uses every slot, in list order', async () => {
    const h = harness(['github', 'github', 'github', 'github']);
    const done = startInLanes(h.window, h.providerOf, 3, h.start, () => false);
    await h.tick();
    expect(h.started).toEqual([0, 1, 2]);
    h.settle.get(1)!();
    await h.tick();
    expect(h.started).toEqual([0, 1, 2, 3]);
    for (const i of [0, 2, 3]) h.settle.get(i)!();
    expect(await done).toBeUndefined();
  });

  it('stopped early (history full), says where the continuation starts and which children past it already started', async () => {
    const h = harness(['salesforce', 'salesforce', 'google', 'google', 'google']);
    let full = false;
    const done = startInLanes(h.window, h.providerOf, 2, h.start, () => full);
    await h.tick();
    expect(h.started).toEqual([0, 2]);
    h.settle.get(2)!();
    await h.tick();
    expect(h.started).toEqual([0, 2, 3]);
    full = true;
    h.settle.get(3)!();
    h.settle.get(0)!();
    // Child 1 (Salesforce) and child 4 (Google) were never started: the continuation starts at 1 and must skip 2 and 3.
    expect(await done).toEqual({ end: 1, startedAhead: [2, 3] });
  });
});
