// The audit cursor engine against an in-memory stream: overlap re-reads without duplicates, late events, pages left
// for the next read, the bounded memory of emitted events, malformed records, and refused options.
import { describe, expect, it } from 'vitest';
import { MAX_SEEN_PER_STREAM } from '../schemas/audit-cursor.ts';
import { readStreams, type AuditStream } from './audit-stream.ts';
import { ConnectorError } from './types.ts';

interface Row {
  id: string;
  at: number;
  shows?: number;
}

const T0 = Date.parse('2026-03-02T10:00:00Z');

/** A provider log over `rows`, answering in `order`, `size` rows per page, hiding rows until `now` passes `shows`. */
function fakeStream(rows: Row[], order: 'asc' | 'desc', size: number, clock: { now: number }): AuditStream<Row> & { pagesServed: number } {
  const stream = {
    name: 'log',
    order,
    pagesServed: 0,
    async page(window: { from: number; until: number | undefined }, token: string | undefined) {
      stream.pagesServed += 1;
      const visible = rows
        .filter((r) => (r.shows ?? r.at) <= clock.now && r.at >= window.from && (window.until === undefined || r.at <= window.until))
        .sort((a, b) => (order === 'asc' ? a.at - b.at : b.at - a.at) || a.id.localeCompare(b.id));
      const start = Number(token ?? 0);
      return { records: visible.slice(start, start + size), next: start + size < visible.length ? String(start + size) : undefined };
    },
    map: (r: Row) =>
      r.id.startsWith('bad')
        ? { malformed: 'no time' }
        : r.id.startsWith('skip')
          ? { skip: 'not a token' }
          : { events: [{ id: `github:${r.id}`, provider: 'github' as const, at: new Date(r.at).toISOString(), action: 'use' as const, principal: 'p', tokenKey: 't' }] },
  };
  return stream;
}

const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: `r${String(from + i).padStart(5, '0')}`, at: T0 + (from + i) * 1000 }));
const options = (clock: { now: number }, extra: Record<string, unknown> = {}) => ({ now: new Date(clock.now).toISOString(), startAt: new Date(T0 - 60_000).toISOString(), defaultOverlapMs: 10 * 60_000, ...extra });

describe('readStreams', () => {
  it('re-reads the overlap without emitting twice, and counts a late event', async () => {
    const clock = { now: T0 + 60_000 };
    const data: Row[] = [...rows(30), { id: 'late', at: T0 + 5_000, shows: T0 + 120_000 }, { id: 'bad1', at: T0 + 1 }, { id: 'skip1', at: T0 + 2 }];
    const stream = fakeStream(data, 'desc', 7, clock);
    const first = await readStreams('github', [stream], undefined, options(clock));
    expect(first.events.map((e) => e.id)).toEqual(rows(30).map((r) => `github:${r.id}`));
    expect(first.stats).toMatchObject({ records: 32, malformed: 1, duplicates: 0, late: 0, pages: 5 });
    expect(first.cursor.streams.log!.watermark).toBe(new Date(T0 + 29_000).toISOString());
    clock.now = T0 + 180_000;
    const second = await readStreams('github', [stream], first.cursor, options(clock));
    expect(second.events.map((e) => e.id)).toEqual(['github:late']);
    expect(second.stats).toMatchObject({ late: 1, duplicates: 30 });
    expect(second.events[0]!.receivedAt).toBe(new Date(T0 + 180_000).toISOString());
    const third = await readStreams('github', [stream], second.cursor, options(clock));
    expect(third.events).toEqual([]);
  });

  for (const order of ['asc', 'desc'] as const) {
    it(`${order}: a read out of pages resumes where it stopped, and every event comes once`, async () => {
      const clock = { now: T0 + 3_600_000 };
      const stream = fakeStream(rows(95), order, 10, clock);
      const seen: string[] = [];
      let late = 0;
      let cursor;
      for (let i = 0; i < 30; i++) {
        const batch = await readStreams('github', [stream], cursor, options(clock, { maxPages: 2 }));
        seen.push(...batch.events.map((e) => e.id));
        late += batch.stats.late;
        cursor = batch.cursor;
        if (!batch.cursor.streams.log!.resume && !batch.events.length) break;
      }
      expect(seen.sort()).toEqual(rows(95).map((r) => `github:${r.id}`));
      // Backlog left by a short read is not the provider being late.
      expect(late).toBe(0);
    });
  }

  it('remembers at most MAX_SEEN_PER_STREAM events and then never reads back before the ones it forgot', async () => {
    const clock = { now: T0 + 3 * 3_600_000 };
    const n = MAX_SEEN_PER_STREAM + 500;
    const stream = fakeStream(rows(n), 'asc', 1000, clock);
    const first = await readStreams('github', [stream], undefined, options(clock, { overlapMs: 3 * 3_600_000, maxPages: 100 }));
    expect(first.events).toHaveLength(n);
    const state = first.cursor.streams.log!;
    expect(state.seen).toHaveLength(MAX_SEEN_PER_STREAM);
    expect(state.floor).toBe(T0 + 499 * 1000 + 1);
    const again = await readStreams('github', [stream], first.cursor, options(clock, { overlapMs: 3 * 3_600_000, maxPages: 100 }));
    expect(again.events).toEqual([]);
    // The cursor is plain JSON: it survives Temporal history and a checkpoint.
    expect(JSON.parse(JSON.stringify(first.cursor))).toEqual(first.cursor);
  });

  it('refuses bad options and a cursor of another provider with an invalid ConnectorError naming them', async () => {
    const clock = { now: T0 };
    const stream = fakeStream([], 'asc', 10, clock);
    const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as ConnectorError);
    expect(await refusal(readStreams('github', [stream], undefined, options(clock, { maxPages: 0 })))).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/maxPages/) });
    expect(await refusal(readStreams('github', [stream], undefined, options(clock, { now: 'soon' })))).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/now: soon/) });
    expect(await refusal(readStreams('github', [stream], { provider: 'slack', streams: {} }, options(clock)))).toBeInstanceOf(ConnectorError);
  });
});
