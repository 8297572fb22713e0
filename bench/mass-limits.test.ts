import { describe, expect, it } from 'vitest';
import { autoScale, scaledEmulatorLimits, throughputBound, windowUse, workerRatesFor } from './mass-limits.ts';

describe('mass benchmark rate limits', () => {
  it('scales the documented budgets, keeping their proportions, in windows that hold at least one call', () => {
    const limits = scaledEmulatorLimits(12);
    expect(limits).toEqual([
      { provider: 'google', limit: 4800, windowSec: 10 },
      { provider: 'github', limit: 166, windowSec: 10 },
      { provider: 'salesforce', limit: 139, windowSec: 10 },
      { provider: 'slack', limit: 99, windowSec: 10 },
    ]);
    // Below one call a window, the window grows instead of the budget rounding to zero.
    expect(scaledEmulatorLimits(0.1, 1).find((l) => l.provider === 'slack')).toEqual({ provider: 'slack', limit: 1, windowSec: 13 });
    // Or below the burst one activity makes: at 2×, Slack's 1.66/s in 10 s is 16 calls; 40 need 25 s.
    expect(scaledEmulatorLimits(2, 10, { slack: 40 }).find((l) => l.provider === 'slack')).toEqual({ provider: 'slack', limit: 41, windowSec: 25 });
    expect(() => scaledEmulatorLimits(0)).toThrow(/scale must be a number above 0/);
  });

  it('bounds the run by the provider whose calls take longest at its budget', () => {
    const limits = [
      { provider: 'google' as const, limit: 100, windowSec: 1 },
      { provider: 'slack' as const, limit: 10, windowSec: 2 },
    ];
    expect(throughputBound({ google: 1000, slack: 30 }, limits)).toEqual({ seconds: 10, binding: 'google' });
    expect(throughputBound({ google: 100, slack: 30 }, limits)).toEqual({ seconds: 6, binding: 'slack' });
    // A provider without a budget bounds nothing.
    expect(throughputBound({ github: 5000 }, limits)).toEqual({ seconds: 0, binding: undefined });
  });

  it('gives the workers each budget as calls per second, times the headroom', () => {
    const limits = [
      { provider: 'google' as const, limit: 100, windowSec: 1 },
      { provider: 'slack' as const, limit: 10, windowSec: 2 },
    ];
    expect(workerRatesFor(limits, 0.9)).toBe('google=90,slack=4.5');
    // By default the queues are paced at the budget itself.
    expect(workerRatesFor(limits)).toBe('google=100,slack=5');
  });

  it('chooses the scale at which the budgets admit a given rate of refs, the slowest provider binding', () => {
    // Documented: google 40/s, github 1.39/s, salesforce 1.16/s, slack 0.83/s. Slack at 8 calls a ref binds:
    // 0.83 ÷ 8 refs/s of Slack, four providers' worth of refs at that pace.
    const perRef = { google: 4, github: 5, salesforce: 6, slack: 8 };
    const scale = autoScale(1, perRef);
    expect(scale).toBeCloseTo(1 / ((4 * 0.83) / 8), 6);
    // At that scale, a quarter of 100 refs on Slack (200 calls) takes as long as 100 refs at 1/s.
    const bound = throughputBound({ google: 100, github: 125, salesforce: 150, slack: 200 }, scaledEmulatorLimits(scale, 1000));
    expect(bound.binding).toBe('slack');
    expect(bound.seconds).toBeGreaterThan(99);
    expect(bound.seconds).toBeLessThan(101);
    expect(() => autoScale(1, { google: 4, github: 5, salesforce: 6 })).toThrow(/callsPerRef\.slack must be a measured number/);
    expect(() => autoScale(0, perRef)).toThrow(/refsPerSecond must be a number above 0/);
  });

  it('counts each provider\'s admitted calls per budget window from the start, dropping calls outside the run', () => {
    const limits = [
      { provider: 'slack' as const, limit: 3, windowSec: 10 },
      { provider: 'github' as const, limit: 5, windowSec: 20 },
    ];
    const t0 = 1_000_000;
    const calls = [
      { provider: 'slack', atMs: t0 },
      { provider: 'slack', atMs: t0 + 9_999 },
      { provider: 'slack', atMs: t0 + 10_000 },
      { provider: 'slack', atMs: t0 + 29_000 },
      { provider: 'slack', atMs: t0 - 1 },
      { provider: 'github', atMs: t0 + 25_000 },
      { provider: 'google', atMs: t0 + 1 },
    ];
    expect(windowUse(calls, limits, t0, t0 + 30_000)).toEqual({ slack: [2, 1, 1], github: [0, 1] });
  });
});
