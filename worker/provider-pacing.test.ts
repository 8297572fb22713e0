// Counting the calls each activity makes, and the activity rate that spends a budget in calls.
import diagnostics from 'node:diagnostics_channel';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityExecuteInput } from '@temporalio/worker';
import { FAILURE_TYPES } from '../schemas/failure-types.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallsPerActivity, countingCalls, initialActivityRate, pacedActivityRate, PROVIDER_CALL_CHANNEL, providerPacer, worthRepacing, type QueueThrottle } from './provider-pacing.ts';

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
    expect(initialActivityRate('slack', 7)).toBe(2);
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
    expect(await pacer.tick()).toEqual({ slack: 2, salesforce: 3.75 });
    expect(paced).toEqual([
      { queue: 'q-slack', rate: 2, why: '6 calls/s over 3 calls per activity' },
      { queue: 'q-sf', rate: 3.75, why: '75 % of 10 calls/s over 2 calls per activity' },
    ]);
  });
});
