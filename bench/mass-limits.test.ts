import { describe, expect, it } from 'vitest';
import { scaledEmulatorLimits, throughputBound, workerRatesFor } from './mass-limits.ts';

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

  it('turns call budgets into activity rates with the measured calls per activity', () => {
    const limits = [
      { provider: 'google' as const, limit: 100, windowSec: 1 },
      { provider: 'slack' as const, limit: 10, windowSec: 2 },
    ];
    expect(workerRatesFor(limits, { google: 2, slack: 1 }, 0.9)).toBe('google=45,slack=4.5');
    expect(() => workerRatesFor(limits, { google: 2 })).toThrow(/callsPerActivity\.slack must be a measured number/);
  });
});
