// Counting the calls each activity makes, and the activity rate that spends a budget in calls.
import diagnostics from 'node:diagnostics_channel';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityExecuteInput } from '@temporalio/worker';
import { FAILURE_TYPES } from '../schemas/failure-types.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallGate, CallsPerActivity, type GateTurn, countingCalls, initialActivityRate, pacedActivityRate, processesPolling, PROVIDER_CALL_CHANNEL, providerPacer, worthRepacing, type QueueThrottle } from './provider-pacing.ts';

const server = createServer((_, res) => res.end('ok'));
let url = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const viaHttp = () => new Promise<void>((resolve, reject) => get(url, (res) => res.resume().on('end', resolve)).on('error', reject));
const viaFetch = async () => void (await (await fetch(url)).text());
const inProcess = () => diagnostics.channel(PROVIDER_CALL_CHANNEL).publish({ provider: 'memory' });

describe('countingCalls', () => {
  it('counts fetch, node:http and in-process provider calls made in its async context, and none made outside it', async () => {
    let counted = -1;
    const outside = viaFetch(); // started outside: not this activity's
    await countingCalls(
      async () => {
        await viaFetch();
        await Promise.all([viaHttp(), viaFetch()]);
        inProcess();
        await new Promise((r) => setTimeout(r, 5));
        await viaHttp();
      },
      (n) => (counted = n),
    );
    await outside;
    expect(counted).toBe(5);
  });

  it('reports the calls of an activity that throws, and keeps two activities running at once apart', async () => {
    const seen: number[] = [];
    const failing = countingCalls(
      async () => {
        await viaFetch();
        await viaFetch();
        throw new Error('429');
      },
      (n) => seen.push(n),
    );
    const other = countingCalls(async () => viaHttp(), (n) => seen.push(n));
    await expect(failing).rejects.toThrow('429');
    await other;
    expect(seen.sort()).toEqual([1, 2]);
  });

  it('stops counting when the activity ends: a call a left-behind timer makes later is not added', async () => {
    let counted = -1;
    let late: Promise<void> | undefined;
    await countingCalls(
      async () => {
        await new Promise<void>((r) => setTimeout(r, 0));
        late = new Promise<void>((r) => setTimeout(() => void viaFetch().then(r), 20));
      },
      (n) => (counted = n),
    );
    await late;
    expect(counted).toBe(0);
  });
});

describe('the activity rate that spends a call budget', () => {
  it('weighs recent activities most: each reading keeps three quarters of the past', () => {
    const k = new CallsPerActivity();
    k.record(4);
    k.record(4);
    expect(k.read()).toBeUndefined(); // two activities are not enough to go on
    k.record(4);
    expect(k.read()).toBe(4);
    // The workload changes to one call per activity: the figure follows within a few readings.
    const readings: number[] = [];
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 3; j++) k.record(1);
      readings.push(k.read()!);
    }
    expect(readings[0]).toBeCloseTo((9 + 3) / (2.25 + 3), 6);
    expect(readings.every((r, i) => i === 0 || r < readings[i - 1]!)).toBe(true);
    expect(readings[3]).toBeLessThan(1.5);
  });

  it('divides the budget by the calls per activity; starts from the assumed figure; re-paces only past 5 %', () => {
    expect(pacedActivityRate(20, 4)).toBe(5);
    expect(pacedActivityRate(20, 0)).toBe(200); // activities that made no call: a tenth of one each
    expect(initialActivityRate('github', 13)).toBeCloseTo(10, 9); // a Retry-After says when: the whole budget
    expect(initialActivityRate('slack', 7)).toBeCloseTo((7 * 0.95) / 3.5, 9); // its windows are short: a twentieth kept free
    expect(initialActivityRate('salesforce', 10)).toBeCloseTo((10 * 0.75) / 2.5, 9); // no Retry-After: a quarter kept free
    expect(initialActivityRate('memory', 7)).toBe(3.5);
    expect(worthRepacing(undefined, 5)).toBe(true);
    expect(worthRepacing(5, 5.2)).toBe(false);
    expect(worthRepacing(5, 5.3)).toBe(true);
    expect(worthRepacing(5, 4.7)).toBe(true);
  });

  it('the pacer counts the calls of each activity on a provider queue and paces that queue at budget ÷ calls per activity', async () => {
    const paced: { queue: string; rate: number; why: string }[] = [];
    const throttle: QueueThrottle = {
      slow: async () => {},
      sweep: async () => [],
      pace: async (queue, rate, why) => {
        paced.push({ queue, rate, why });
        return true;
      },
      clearPaces: async () => {},
      read: async () => ({ processes: 1 }),
    };
    const pacer = providerPacer(throttle, { slack: 'q-slack', github: 'q-github', salesforce: 'q-sf' }, { slack: 6, github: undefined, salesforce: 10 });
    const run = async (provider: string, calls: number, fail?: Error) => {
      const interceptor = pacer.interceptor(provider)({} as never).inbound!;
      await interceptor.execute!({} as ActivityExecuteInput, async () => {
        for (let i = 0; i < calls; i++) await viaHttp();
        if (fail) throw fail;
        return undefined;
      }).catch((err: unknown) => {
        if (err !== fail) throw err;
      });
    };
    expect(await pacer.tick()).toEqual({}); // nothing seen yet
    for (const n of [3, 3, 3]) await run('slack', n);
    // Attempts a 429 cut short do not count; other failures do (their calls were the activity's own).
    await run('slack', 1, ApplicationFailure.create({ type: FAILURE_TYPES.rate_limited, message: '429', nextRetryDelay: 1000 }));
    await run('slack', 3, ApplicationFailure.create({ type: FAILURE_TYPES.unavailable, message: '503' }));
    for (const n of [5, 5, 5]) await run('github', n); // unpaced: counted, never paced
    for (const n of [2, 2, 2]) await run('salesforce', n);
    expect(await pacer.tick()).toEqual({ slack: (6 * 0.95) / 3, salesforce: 3.75 });
    expect(paced).toEqual([
      { queue: 'q-slack', rate: (6 * 0.95) / 3, why: '95 % of 6 calls/s over 3 calls per activity' },
      { queue: 'q-sf', rate: 3.75, why: '75 % of 10 calls/s over 2 calls per activity' },
    ]);
  });
});

/** A clock that moves only when something sleeps on it: the gate's waits, measured without waiting. */
function fakeClock() {
  let t = 0;
  const slept: number[] = [];
  // A sleep lets what is already due run first (an admitted activity starting), then moves the clock.
  const sleep = async (ms: number) => {
    await new Promise((r) => setTimeout(r, 0));
    slept.push(ms);
    t += ms;
  };
  return { slept, now: () => t, advance: (ms: number) => void (t += ms), sleep };
}

/** The admitted turn, or a failure naming the refusal. */
const admitted = (t: GateTurn) => {
  if (!t.admitted) throw new Error(`refused for ${t.retryInMs} ms`);
  return t;
};

describe('the call gate: one process never lands a batch of calls ahead of its provider budget', () => {
  it('admits while the bucket holds calls, then makes the next activity wait until the calls made are paid for', async () => {
    const clock = fakeClock();
    const gate = new CallGate(10, 10, clock); // 10 calls a second, a second of them in the bucket
    const a = admitted(await gate.admit(4));
    expect(a.waitedMs).toBe(0);
    a.settle(34); // charged 4, made 34 (a batch): 24 calls in debt
    expect(gate.tokens).toBe(-24);
    const b = admitted(await gate.admit(4));
    expect(b.waitedMs).toBe(2400); // 24 calls at 10 a second
    b.settle(4);
    b.settle(100); // settles once
    expect(gate.tokens).toBe(-4);
    clock.advance(10_000);
    expect(gate.tokens).toBe(10); // refilled up to the burst, never past it
  });

  it('admits in order, each charged before the next is weighed; refuses one whose wait would outlast the longest, charging it nothing', async () => {
    const clock = fakeClock();
    const gate = new CallGate(2, 2, clock);
    const turns = (await Promise.all([gate.admit(2), gate.admit(2), gate.admit(2)])).map(admitted);
    // The first spends the bucket, the second goes at zero (not in debt), the third waits for the second's two calls.
    expect(turns.map((t) => t.waitedMs)).toEqual([0, 0, 1000]);
    const refusing = new CallGate(1, 1, clock);
    admitted(await refusing.admit(1)).settle(60); // 59 calls over the bucket: a minute to pay
    const refused = await refusing.admit(1, 5_000);
    expect(refused).toEqual({ admitted: false, retryInMs: 59_000 });
    expect(refusing.tokens).toBe(-59); // the refusal charged nothing
  });

  it('an activity waiting its turn goes as soon as one in flight settles for less than it was charged', async () => {
    const gate = new CallGate(10, 10); // the real clock
    const a = admitted(await gate.admit(10)); // charged the bucket
    admitted(await gate.admit(10)); // at zero: admitted, 10 in debt
    const c = gate.admit(10); // a second to pay
    await new Promise((r) => setTimeout(r, 50));
    a.settle(0); // it made none: the 10 come back
    expect(admitted(await c).waitedMs).toBeLessThan(500);
  });

  it('a charge still in flight makes the next one wait for its settlement, not refused at once; calls made past the longest wait refuse it', async () => {
    const gate = new CallGate(1, 1); // the real clock: one call a second
    const a = admitted(await gate.admit(100)); // charged 100 up front (the most one made lately): 99 owed, not yet made
    const b = gate.admit(1);
    await new Promise((r) => setTimeout(r, 50));
    a.settle(1); // it made one
    expect(admitted(await b).waitedMs).toBeLessThan(1_000);
    // Calls made: the same debt refuses at once, with the time it takes to pay.
    const c = new CallGate(1, 1);
    admitted(await c.admit(1)).settle(100);
    const refused = await c.admit(1, 5_000);
    expect(refused.admitted).toBe(false);
    expect(!refused.admitted && refused.retryInMs).toBeGreaterThan(98_000);
  });

  it('the pacer charges the most calls an activity made lately, so a burst of batches cannot be admitted on an estimate', async () => {
    const clock = fakeClock();
    const gates: CallGate[] = [];
    const throttle: QueueThrottle = { slow: async () => {}, sweep: async () => [], pace: async () => true, clearPaces: async () => {}, read: async () => ({ processes: 1 }) };
    const pacer = providerPacer(throttle, { salesforce: 'q-sf', github: 'q-gh' }, { salesforce: 40, github: undefined }, { gate: (rate) => (gates.push(new CallGate(rate, rate, clock)), gates.at(-1)!) });
    const started: number[] = [];
    let made = 0;
    // The waits go to the worker's metrics (cordon_provider_gate_wait, by provider).
    const waits: { name: string; ms: number; provider: unknown }[] = [];
    const ctx = { metricMeter: { createHistogram: (name: string) => ({ record: (ms: number, tags: Record<string, unknown>) => waits.push({ name, ms, provider: tags.provider }) }) } };
    const run = (provider: string, calls: number, hold?: Promise<void>) =>
      pacer.interceptor(provider)(ctx as never).inbound!.execute!({} as ActivityExecuteInput, async () => {
        started.push(clock.now());
        for (let i = 0; i < calls; i++) inProcess();
        made += calls;
        await hold;
        return undefined;
      });
    expect(gates.map((g) => g.callsPerSecond)).toEqual([]);
    // Nothing seen yet: each is charged the whole bucket (30 calls, 75 % of 40 a second): the first empties it, the
    // second goes at zero, the third waits the second's second. (Charged its estimate of 2.5, the third would have gone too.)
    await Promise.all([run('salesforce', 30), run('salesforce', 30), run('salesforce', 30)]);
    expect(gates.map((g) => g.callsPerSecond)).toEqual([30]);
    expect(started).toEqual([0, 0, 1000]);
    expect(made).toBe(90);
    expect(waits).toEqual([{ name: 'cordon_provider_gate_wait', ms: 1000, provider: 'salesforce' }]);
    // Now charged 30 each up front, the most one made: while none has finished, the third and fourth wait a second each
    // (charged their estimate of 2.5, all four would have started at once).
    clock.advance(10_000);
    started.length = 0;
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const four = Promise.all([run('salesforce', 5, hold), run('salesforce', 5, hold), run('salesforce', 5, hold), run('salesforce', 5, hold)]);
    while (started.length < 4) await new Promise((r) => setTimeout(r, 0));
    release();
    await four;
    expect(started.map((t) => t - started[0]!)).toEqual([0, 0, 1000, 2000]);
    const before = clock.now();
    for (let i = 0; i < 5; i++) await run('github', 50);
    expect(clock.now()).toBe(before); // unpaced: no gate
  });

  it('the pacer refuses, before any call, an activity the gate would hold past its longest wait: a rate-limited failure with the wait as its retry', async () => {
    const clock = fakeClock();
    const throttle: QueueThrottle = { slow: async () => {}, sweep: async () => [], pace: async () => true, clearPaces: async () => {}, read: async () => ({ processes: 1 }) };
    const pacer = providerPacer(throttle, { salesforce: 'q-sf' }, { salesforce: 4 }, { gate: (rate) => new CallGate(rate, rate, clock) });
    let ran = 0;
    const run = (calls: number) =>
      pacer.interceptor('salesforce')({} as never).inbound!.execute!({} as ActivityExecuteInput, async () => {
        ran += 1;
        for (let i = 0; i < calls; i++) inProcess();
        return undefined;
      });
    await run(33); // 3 calls a second; 30 over the bucket: ten seconds to pay
    const refusal = await run(1).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(ApplicationFailure);
    expect((refusal as ApplicationFailure).type).toBe(FAILURE_TYPES.rate_limited);
    expect((refusal as ApplicationFailure).nextRetryDelay).toBe(10_000);
    expect((refusal as ApplicationFailure).message).toMatch(/salesforce: this worker's calls are 10 s ahead of the paced budget \(3 calls\/s\); retried when they are paid for, no call made/);
    expect(ran).toBe(1); // the refused activity made no call
  });

  it('takes a new rate as this process’s share of the budget changes: what was owed stays owed, a fuller bucket is cut to the new burst', async () => {
    const clock = fakeClock();
    const gate = new CallGate(10, 10, clock);
    admitted(await gate.admit(10)).settle(30); // 20 calls over the bucket: two seconds to pay at 10 a second
    gate.setRate(5, 5);
    expect(gate.tokens).toBe(-20);
    clock.advance(2_000);
    expect(gate.tokens).toBe(-10); // paid at the new rate from here
    clock.advance(10_000);
    expect(gate.tokens).toBe(5); // full at the new burst
    gate.setRate(20, 20);
    expect(gate.tokens).toBe(5);
    clock.advance(1_000);
    expect(gate.tokens).toBe(20);
    gate.setRate(2, 2);
    expect([gate.tokens, gate.callsPerSecond, gate.burst]).toEqual([2, 2, 2]);
  });
});

describe('the worker processes sharing a provider queue', () => {
  it('counts the distinct identities among the pollers the server reports, seen within the last 90 s', () => {
    const now = 1_000_000_000;
    const at = (msAgo: number) => ({ seconds: Math.floor((now - msAgo) / 1000), nanos: ((now - msAgo) % 1000) * 1e6 });
    const pollers = [
      { identity: '11@a', lastAccessTime: at(1_000) },
      { identity: '11@a', lastAccessTime: at(2_000) }, // the same process on another poll
      { identity: '12@b', lastAccessTime: at(60_000) }, // a long poll ago: still there
      { identity: '13@c', lastAccessTime: at(120_000) }, // gone
      { identity: null, lastAccessTime: at(0) },
      { identity: '14@d' }, // never seen
    ];
    expect(processesPolling(pollers, now)).toBe(2);
    expect(processesPolling([], now)).toBe(0);
  });
});
