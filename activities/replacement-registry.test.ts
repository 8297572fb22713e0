import { ApplicationFailure } from '@temporalio/common';
import { expect, it } from 'vitest';
import { FAILURE_TYPES, TRANSIENT_FAILURE_TYPES } from '../schemas/failure-types.ts';
import { IN_FLIGHT_PER_REGISTRY, oneOfFew, whenFree } from './replacement-registry.ts';

// Found by the full chaos run: with 40 runs at once, the registry had more updates in flight than the
// server allows (10), and that refusal ended containments as if the provider had refused (I9).
it('waits out a busy registry: the in-flight update limit and an aborted update are tried again', async () => {
  let calls = 0;
  const busy = [
    'limit on number of concurrent in-flight updates has been reached (10)',
    'workflow update was aborted',
    // Found by the sequential-script benchmark (N = 100): the registry's workflow task was being retried.
    'Unable to perform workflow execution update due to Workflow Task in failed state.',
  ];
  const value = await whenFree('claim', async () => {
    calls++;
    if (calls <= busy.length) throw new Error(busy[calls - 1]);
    return 'claimed';
  });
  expect(value).toBe('claimed');
  expect(calls).toBe(busy.length + 1);
});

it('leaves a registry that stays busy as a transient failure, which the workflow retries until its deadline', async () => {
  const err = await whenFree('record', async () => {
    throw new Error('limit on number of concurrent in-flight updates has been reached (10)');
  }, 2).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect((err as ApplicationFailure).type).toBe(FAILURE_TYPES.coordination_busy);
  expect((err as ApplicationFailure).nonRetryable).toBe(false);
  expect(TRANSIENT_FAILURE_TYPES).toContain(FAILURE_TYPES.coordination_busy);
});

it('passes any other error straight through, untouched', async () => {
  const boom = new Error('registry rejected the claim: invalid input');
  let calls = 0;
  await expect(whenFree('claim', async () => {
    calls++;
    throw boom;
  })).rejects.toBe(boom);
  expect(calls).toBe(1);
});

// A grouped mass child mints all of one owner's replacements at once, each two or three updates to one registry.
it('sends at most IN_FLIGHT_PER_REGISTRY updates to one registry at once from this process, and all of them in the end', async () => {
  let running = 0;
  let most = 0;
  const call = (i: number) => async () => {
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, 5 + (i % 3)));
    running--;
    if (i === 7) throw new Error('refused');
    return i;
  };
  const results = await Promise.allSettled(Array.from({ length: 25 }, (_, i) => oneOfFew('registry-a', call(i))));
  expect(most).toBe(IN_FLIGHT_PER_REGISTRY);
  expect(results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<number>).value)).toEqual(Array.from({ length: 25 }, (_, i) => i).filter((i) => i !== 7));
  // Another registry is not held up by the first one's queue.
  let other = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT_PER_REGISTRY }, () => oneOfFew('registry-b', async () => void other++)));
  expect(other).toBe(IN_FLIGHT_PER_REGISTRY);
});
