import { expect, it } from 'vitest';
import { InFlightReads } from './in-flight-reads.ts';

it('shares a read among callers while it is in flight, and forgets it once it settles', async () => {
  const reads = new InFlightReads<number>();
  let calls = 0;
  let release!: (n: number) => void;
  const call = () => {
    calls++;
    return new Promise<number>((resolve) => (release = resolve));
  };
  const a = reads.read('acct', call);
  const b = reads.read('acct', call);
  expect(calls).toBe(1);
  release(7);
  expect(await Promise.all([a, b])).toEqual([7, 7]);
  expect(reads.size).toBe(0);
  // Started after the first settled: a call of its own (never an answer from before).
  const c = reads.read('acct', call);
  expect(calls).toBe(2);
  release(8);
  expect(await c).toBe(8);
});

it('shares a failure the same way, and a later read tries again', async () => {
  const reads = new InFlightReads<number>();
  let calls = 0;
  const failing = () => {
    calls++;
    return Promise.reject(new Error('503'));
  };
  const [a, b] = await Promise.allSettled([reads.read('k', failing), reads.read('k', failing)]);
  expect([a.status, b.status, calls]).toEqual(['rejected', 'rejected', 1]);
  await expect(reads.read('k', async () => 1)).resolves.toBe(1);
});
