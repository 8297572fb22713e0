// The lanes rule on its own: children are promises the test settles by hand, so every start is observed
// in order and nothing depends on timing.
import { describe, expect, it } from 'vitest';
import { runPagesPerProvider, startInLanes } from './mass-lanes.ts';

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

describe('startInLanes tells when all its children have started', () => {
  it('once the last child has started, before the children end; never when it stops early', async () => {
    const h = harness(['google', 'google', 'google']);
    let told = 0;
    const done = startInLanes(h.window, h.providerOf, 2, h.start, () => false, () => told++);
    await h.tick();
    expect(told).toBe(0); // one child still to start
    h.settle.get(0)!();
    await h.tick();
    expect(h.started).toEqual([0, 1, 2]);
    expect(told).toBe(1); // all started; 1 and 2 still running
    h.settle.get(1)!();
    h.settle.get(2)!();
    expect(await done).toBeUndefined();
    expect(told).toBe(1);
    // A run that stops early (its history full) leaves the telling to its continuation.
    const e = harness(['google', 'google', 'google']);
    let toldEarly = 0;
    const early = startInLanes(e.window, e.providerOf, 3, e.start, () => e.started.length >= 2, () => toldEarly++);
    await e.tick();
    for (const i of [0, 1]) e.settle.get(i)!();
    expect(await early).toEqual({ end: 2, startedAhead: [] });
    expect(toldEarly).toBe(0);
  });
});

describe('runPagesPerProvider', () => {
  const ref = (provider: string, id: string) => ({ provider, kind: 'oauth_token', id }) as never;

  it('runs two pages of each provider at a time, takes a page only when a provider needs more, and keeps every ref at its place', async () => {
    // Pages of 2: [sf, g], [sf, g], [g, g], [sf, sf].
    const pages = [
      [ref('salesforce', 'a'), ref('google', 'b')],
      [ref('salesforce', 'c'), ref('google', 'd')],
      [ref('google', 'e'), ref('google', 'f')],
      [ref('salesforce', 'g'), ref('salesforce', 'h')],
    ];
    const taken: number[] = [];
    const started: { page: number; provider: string; indices: number[]; concurrency: number }[] = [];
    const settle = new Map<string, () => void>();
    const done = runPagesPerProvider(['salesforce', 'google'], pages.length, 2, 10, 2, (page) => (taken.push(page), { refs: pages[page]!, indices: undefined }), (u) => {
      started.push({ page: u.page, provider: u.provider, indices: u.indices, concurrency: u.concurrency });
      return new Promise<void>((resolve) => settle.set(`${u.page}-${u.provider}`, resolve));
    });
    const tick = () => new Promise((r) => setTimeout(r, 0));
    await tick();
    // Pages 0 and 1 give each provider its two; page 2 is not taken yet (a re-send of it is still checked).
    expect(taken).toEqual([0, 1]);
    expect(started.map((s) => `${s.page}-${s.provider}`)).toEqual(['0-salesforce', '0-google', '1-salesforce', '1-google']);
    expect(started.every((s) => s.concurrency === 5)).toBe(true);
    // Google's pages end while Salesforce's are still running: Google goes on to page 2 without waiting for them.
    settle.get('0-google')!();
    await tick();
    expect(taken).toEqual([0, 1, 2]);
    expect(started.at(-1)).toEqual({ page: 2, provider: 'google', indices: [4, 5], concurrency: 5 });
    settle.get('1-google')!();
    settle.get('2-google')!();
    await tick();
    // Google has nothing left; page 3 is all Salesforce and waits for a Salesforce page to end.
    expect(taken).toEqual([0, 1, 2, 3]);
    expect(started).toHaveLength(5);
    settle.get('0-salesforce')!();
    await tick();
    expect(started.at(-1)).toEqual({ page: 3, provider: 'salesforce', indices: [6, 7], concurrency: 5 });
    settle.get('1-salesforce')!();
    settle.get('3-salesforce')!();
    await done;
    expect(started.flatMap((s) => s.indices).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('with page runs that report all their children started, a provider\'s next page starts then, not when a straggler ends; at most twice as many run', async () => {
    // Six pages of one Slack ref each; two pages at a time.
    const pages = Array.from({ length: 6 }, (_, i) => [ref('slack', `s${i}`)]);
    const started: number[] = [];
    const ended = new Map<number, () => void>();
    const allStarted = new Map<number, () => void>();
    const done = runPagesPerProvider(['slack'], pages.length, 1, 4, 2, (page) => ({ refs: pages[page]!, indices: undefined }), (u) => {
      started.push(u.page);
      return {
        ended: new Promise<void>((resolve) => ended.set(u.page, resolve)),
        allStarted: new Promise<void>((resolve) => allStarted.set(u.page, resolve)),
      };
    });
    const tick = () => new Promise((r) => setTimeout(r, 0));
    await tick();
    expect(started).toEqual([0, 1]);
    // Page 0 has started all its children; its last one (a straggler) is still running: page 2 starts now.
    allStarted.get(0)!();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    allStarted.get(1)!();
    allStarted.get(2)!();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]); // four pages running, none ended: the cap (twice two)
    allStarted.get(3)!();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    // A straggler's page ends: its room goes to the next page.
    ended.get(0)!();
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    // A page that ends without reporting (a run recorded before) makes room when it ends.
    for (const p of [1, 2, 3]) ended.get(p)!();
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    ended.get(4)!();
    ended.get(5)!();
    await done;
  });
});
