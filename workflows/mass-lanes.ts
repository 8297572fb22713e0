// How a mass containment's run starts its children: in provider lanes. Pure (no Temporal API), so the
// workflow (workflows/mass-containment.ts) stays deterministic and the rule is tested on its own.

/**
 * Starts `window`'s children (`start` resolves when one ends), at most `concurrency` at once, in provider
 * lanes: each provider that still has children to start may have its share of the slots running (the
 * slots divided by those providers), and the next child started is the first in list order whose lane has
 * room. A provider at its rate limit (its children slow) so holds its share, not every slot: before,
 * after a while every slot held a child of the slowest provider and the others' refs waited behind its
 * backlog. A provider whose refs have all started leaves its share to the others. Stops starting once
 * `full()` says (after the first child); returns, when it stopped early, the first index of the first child
 * it left and the children it started past it, for the continuation.
 */
export async function startInLanes(
  window: number[][],
  providerOf: (group: number[]) => string,
  concurrency: number,
  start: (group: number[]) => Promise<void>,
  full: () => boolean,
): Promise<{ end: number; startedAhead: number[] } | undefined> {
  const pending = [...window];
  const toStart = new Map<string, number>();
  for (const g of pending) toStart.set(providerOf(g), (toStart.get(providerOf(g)) ?? 0) + 1);
  const inLane = new Map<string, number>();
  const running = new Set<Promise<void>>();
  const started: number[] = [];
  while (pending.length) {
    if (started.length && full()) break;
    const share = Math.ceil(concurrency / [...toStart.values()].filter((n) => n > 0).length);
    const next = running.size < concurrency ? pending.findIndex((g) => (inLane.get(providerOf(g)) ?? 0) < share) : -1;
    if (next < 0) {
      await Promise.race(running);
      continue;
    }
    const group = pending.splice(next, 1)[0]!;
    const provider = providerOf(group);
    toStart.set(provider, toStart.get(provider)! - 1);
    inLane.set(provider, (inLane.get(provider) ?? 0) + 1);
    started.push(group[0]!);
    const p: Promise<void> = start(group).finally(() => {
      inLane.set(provider, inLane.get(provider)! - 1);
      running.delete(p);
    });
    running.add(p);
  }
  await Promise.all(running);
  if (!pending.length) return undefined;
  const end = pending[0]![0]!;
  return { end, startedAhead: started.filter((first) => first > end) };
}
