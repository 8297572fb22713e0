import { ApplicationFailure } from '@temporalio/common';
import { expect, it } from 'vitest';
import { FAILURE_TYPES, TRANSIENT_FAILURE_TYPES } from '../schemas/failure-types.ts';
import { MAX_REGISTRY_BATCH } from '../schemas/registry.ts';
import type { RegistryEntry } from '../workflows/replacement-registry.ts';
import { IN_FLIGHT_PER_REGISTRY, oneOfFew, registryBatcher, whenFree, type RegistryOp } from './replacement-registry.ts';

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

const claimOf = (consumerId: string): RegistryOp => ({ claim: { credentialId: 'google:k1', consumerId, workflowId: 'wf-a', claimerStartedAt: '2026-11-28T00:00:00.000Z' } });
const answerOf = (op: RegistryOp): RegistryEntry => {
  const { credentialId, consumerId, workflowId } = 'claim' in op ? op.claim : op.record;
  return { credentialId, consumerId, workflowId, at: 'now' };
};

it('sends a claim alone at once; claims that arrive while the limit is in flight go out together as one update, each answered with its own entry', async () => {
  const sent: { registryId: string; ops: RegistryOp[] }[] = [];
  const answered: (() => void)[] = [];
  const batcher = registryBatcher(async (registryId, ops) => {
    sent.push({ registryId, ops });
    await new Promise<void>((r) => answered.push(r));
    return ops.map(answerOf);
  }, 2);
  const first = batcher('reg-1', claimOf('c1'));
  expect(sent.map((s) => s.ops.length)).toEqual([1]); // at once, not after a window
  const rest = ['c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'].map((c) => batcher('reg-1', claimOf(c)));
  const other = batcher('reg-2', claimOf('x1')); // another registry has its own lane
  expect(sent.map((s) => [s.registryId, s.ops.length])).toEqual([['reg-1', 1], ['reg-1', 1], ['reg-2', 1]]);
  answered.shift()!(); // c1 answered: the six waiting go as one update
  expect((await first).consumerId).toBe('c1');
  await new Promise((r) => setImmediate(r));
  expect(sent.map((s) => [s.registryId, s.ops.length])).toEqual([['reg-1', 1], ['reg-1', 1], ['reg-2', 1], ['reg-1', 6]]);
  expect(sent[3]!.ops.map((o) => ('claim' in o ? o.claim.consumerId : ''))).toEqual(['c3', 'c4', 'c5', 'c6', 'c7', 'c8']);
  while (answered.length) answered.shift()!();
  expect((await Promise.all(rest)).map((e) => e.consumerId)).toEqual(['c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8']);
  expect((await other).consumerId).toBe('x1');
});

it('fails every op of an update that failed, and only those; an op answered apart with an error gets that error alone', async () => {
  let n = 0;
  const batcher = registryBatcher(async (_id, ops) => {
    n++;
    await new Promise((r) => setImmediate(r));
    if (n === 2) throw new Error('registry unavailable');
    return ops.map((op) => ('claim' in op && op.claim.consumerId === 'bad' ? new Error('invalid registry update: consumerId') : answerOf(op)));
  }, 1);
  const a = batcher('reg', claimOf('a'));
  const b = batcher('reg', claimOf('b')); // b and c wait for a, then go together and fail together
  const c = batcher('reg', claimOf('c'));
  expect((await a).consumerId).toBe('a');
  await expect(b).rejects.toThrow('registry unavailable');
  await expect(c).rejects.toThrow('registry unavailable');
  const d = batcher('reg', claimOf('d'));
  const bad = batcher('reg', claimOf('bad'));
  const e = batcher('reg', claimOf('e'));
  await expect(bad).rejects.toThrow('invalid registry update: consumerId');
  expect([(await d).consumerId, (await e).consumerId]).toEqual(['d', 'e']);
});

it('never sends more than MAX_REGISTRY_BATCH ops in one update', async () => {
  const sizes: number[] = [];
  const batcher = registryBatcher(async (_id, ops) => {
    sizes.push(ops.length);
    await new Promise((r) => setImmediate(r));
    return ops.map(answerOf);
  }, 1);
  const all = Array.from({ length: MAX_REGISTRY_BATCH + 11 }, (_, i) => batcher('reg', claimOf(`c${i}`)));
  expect((await Promise.all(all)).length).toBe(MAX_REGISTRY_BATCH + 11);
  expect(sizes).toEqual([1, MAX_REGISTRY_BATCH, 10]);
});

// A mass child starts an owner's replacements side by side, and a loaded worker starts their activities over
// tens of milliseconds: the first claims went one by one (up to the in-flight limit) before any batch formed.
it('holds claims that come with siblings until all of them are there, then sends them as one update; a sibling that never comes holds them CLAIM_HOLD_MS at most', async () => {
  const sent: string[][] = [];
  const batcher = registryBatcher(async (_id, ops) => {
    sent.push(ops.map((o) => ('claim' in o ? o.claim.consumerId : `record ${o.record.consumerId}`)));
    return ops.map(answerOf);
  }, 3, 200);
  const group = { group: 'wf-a', size: 4 };
  const tick = () => new Promise((r) => setTimeout(r, 20));
  const claims = [batcher('reg', claimOf('c1'), group)];
  await tick();
  claims.push(batcher('reg', claimOf('c2'), group));
  await tick();
  expect(sent).toEqual([]); // two of four: nothing sent yet, though the limit has room
  const alone = batcher('reg-2', claimOf('x1')); // no siblings said: at once, as before
  expect(sent).toEqual([['x1']]);
  claims.push(batcher('reg', claimOf('c3'), group), batcher('reg', claimOf('c4'), group));
  expect(sent).toEqual([['x1'], ['c1', 'c2', 'c3', 'c4']]);
  expect((await Promise.all(claims)).map((e) => e.consumerId)).toEqual(['c1', 'c2', 'c3', 'c4']);
  await alone;

  // Three of five come; the fourth and fifth never do: the three go once they have waited 200 ms.
  sent.length = 0;
  const started = Date.now();
  const partial = ['d1', 'd2', 'd3'].map((c) => batcher('reg', claimOf(c), { group: 'wf-b', size: 5 }));
  expect((await Promise.all(partial)).length).toBe(3);
  expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  expect(sent).toEqual([['d1', 'd2', 'd3']]);

  // A record, which never waits, takes the waiting claims of a group along; their late siblings go at once.
  sent.length = 0;
  const early = batcher('reg', claimOf('e1'), { group: 'wf-c', size: 3 });
  await tick();
  expect(sent).toEqual([]);
  const record = batcher('reg', { record: { credentialId: 'google:k1', consumerId: 'r1', workflowId: 'wf-z', replacementId: 'k9' } });
  expect(sent).toEqual([['e1', 'record r1']]);
  await Promise.all([early, record]);
  await new Promise((r) => setImmediate(r)); // the lane is idle and gone
  const late = batcher('reg', claimOf('e2'), { group: 'wf-c', size: 3 });
  expect(sent).toEqual([['e1', 'record r1'], ['e2']]);
  await late;
});
