// How a mass containment's runs start their children (provider lanes) and a paged run its page runs
// (pages per provider). Pure (no Temporal API), so the workflow (workflows/mass-containment.ts) stays
// deterministic and the rules are tested on their own.

import type { CredentialRef } from '../schemas/credential.ts';

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
  /** Called once every child of the window has started (not when this run stops early): the rest is their ending. */
  allStarted?: () => void,
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
  if (!pending.length) allStarted?.();
  await Promise.all(running);
  if (!pending.length) return undefined;
  const end = pending[0]![0]!;
  return { end, startedAhead: started.filter((first) => first > end) };
}

/** One provider's refs of one page, run as a page run of their own. */
interface ProviderPage {
  page: number;
  provider: string;
  refs: CredentialRef[];
  indices: number[];
  concurrency: number;
}

/**
 * A live paged run's pages, per provider (patch mass-pages-per-provider): each page's refs are split by
 * provider, and each provider runs `pagesAtOnce` of its own pages at a time, in page order, with its share
 * of `concurrency`. A provider so moves through its pages at its own rate: before, two whole pages ran at a
 * time and the third started only once one had finished, so when two pages had only their slowest
 * provider's refs left, every other provider's refs on later pages waited (P2 at 10,000 refs: 149
 * Salesforce children running, 1,034 Salesforce activities queued, nothing else moving). An owner's refs
 * are of one provider, so they stay in one page run. Child ids are unchanged (`<mass id>-<index>`).
 */
export async function runPagesPerProvider(
  refProviders: readonly string[],
  pageCount: number,
  pageSize: number,
  concurrency: number,
  pagesAtOnce: number,
  takePage: (page: number) => { refs: CredentialRef[]; indices: number[] | undefined },
  start: (unit: ProviderPage) => Promise<void> | PageRun,
): Promise<void> {
  // Pages are taken (and dropped from the run's memory) only as a provider with room needs more: a page not
  // yet taken is still held, so a client re-sending it with other refs is still refused.
  let nextPage = 0;
  const queues = new Map<string, Omit<ProviderPage, 'concurrency'>[]>();
  const takeNext = () => {
    const page = nextPage++;
    const { refs, indices } = takePage(page);
    // This page's unit of each provider (a provider's queue may hold several pages: look it up here, not there).
    const units = new Map<string, Omit<ProviderPage, 'concurrency'>>();
    refs.forEach((ref, i) => {
      let unit = units.get(ref.provider);
      if (!unit) {
        units.set(ref.provider, (unit = { page, provider: ref.provider, refs: [], indices: [] }));
        const queue = queues.get(ref.provider) ?? [];
        queues.set(ref.provider, queue);
        queue.push(unit);
      }
      unit.refs.push(ref);
      unit.indices.push(indices?.[i] ?? page * pageSize + i);
    });
  };
  const providers = new Set(refProviders);
  const share = Math.max(1, Math.ceil(concurrency / Math.max(1, providers.size)));
  /** Per provider: its page runs not ended, and those of them still starting children. */
  const runningOf = new Map<string, number>();
  const startingOf = new Map<string, number>();
  const running = new Set<Promise<void>>();
  const starting = new Set<Promise<void>>();
  const count = (m: Map<string, number>, provider: string, by: number) => m.set(provider, (m.get(provider) ?? 0) + by);
  // A page run that reports when it has started all its children (PageRun) makes room for its provider's next
  // page then, not when its last child ends: two pages of a provider started together drain together, and
  // while their last children (a straggler in a Retry-After, a slow owner) ran, that provider's rate went
  // unused (P2 at 2,000 refs: Slack made no call for 20 to 70 seconds at each page turnover). A draining
  // page still holds its stragglers' slots: at most twice `pagesAtOnce` of a provider's pages run at once.
  const hasRoom = (provider: string) => (startingOf.get(provider) ?? 0) < pagesAtOnce && (runningOf.get(provider) ?? 0) < 2 * pagesAtOnce;
  const wantsMore = () => [...providers].some((p) => hasRoom(p) && !queues.get(p)?.length);
  /** Starts every queued page whose provider has room. */
  const startWhatFits = () => {
    for (const [provider, queue] of queues) {
      while (queue.length && hasRoom(provider)) {
        const unit = queue.shift()!;
        count(runningOf, provider, 1);
        count(startingOf, provider, 1);
        const run = start({ ...unit, concurrency: share });
        const ended = 'ended' in run ? run.ended : run;
        // A page run that does not report it has started all its children is starting until it ends.
        const allStarted = 'ended' in run ? Promise.race([run.allStarted, run.ended]) : run;
        const s: Promise<void> = allStarted.finally(() => {
          count(startingOf, provider, -1);
          starting.delete(s);
        });
        starting.add(s);
        const p: Promise<void> = ended.finally(() => {
          count(runningOf, provider, -1);
          running.delete(p);
        });
        running.add(p);
      }
    }
  };
  for (;;) {
    startWhatFits();
    // A provider with room and nothing queued takes the next page, until every provider is full or no page is left.
    while (nextPage < pageCount && wantsMore()) {
      takeNext();
      startWhatFits();
    }
    if (!running.size) return;
    await Promise.race([...running, ...starting]);
  }
}

/** A page run as its starter sees it: when it ends, and when it has started all its children (patch mass-page-all-started). */
export interface PageRun {
  ended: Promise<void>;
  allStarted: Promise<void>;
}
