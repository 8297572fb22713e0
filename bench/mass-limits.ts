// Rate limits for the mass-containment benchmark (P2 of issue 14), pure: the providers' documented
// budgets (worker/provider-pacing.ts DOCUMENTED_PROVIDER_RATES: Google Directory 2,400/min, GitHub App
// 5,000/h, Salesforce 100,000/day, Slack Tier 3 50/min) with time compressed by `scale`, as emulator
// budgets (emulators/core FaultBook rules) and as the workers' call budgets (CORDON_PROVIDER_RATES), and
// the bound on throughput those budgets allow.
import { DOCUMENTED_PROVIDER_RATES } from '../worker/provider-pacing.ts';

export const BENCH_PROVIDERS = ['google', 'github', 'salesforce', 'slack'] as const;
export type BenchProvider = (typeof BENCH_PROVIDERS)[number];

/** A fixed-window budget as the emulators take it (Tenant.setRateLimit). */
export interface RateLimit {
  provider: BenchProvider;
  limit: number;
  windowSec: number;
}

/**
 * One emulator budget per provider: the documented calls per second times `scale`, in windows of
 * `windowSec` (10 s: long enough that the bursts a paced queue still makes, several calls per activity,
 * fit; short enough that no provider gets a head start worth counting), longer when that window would
 * hold less than one call or less than `minCallsPerWindow` of that provider. Proportions between providers stay those of the catalog; `scale` 60 turns an
 * hour's budget into a minute's.
 */
export function scaledEmulatorLimits(scale: number, windowSec = 10, minCallsPerWindow: Readonly<Partial<Record<string, number>>> = {}): RateLimit[] {
  if (!(scale > 0)) throw new Error(`scale must be a number above 0, got ${scale}`);
  return BENCH_PROVIDERS.map((provider) => {
    const perSec = DOCUMENTED_PROVIDER_RATES[provider]! * scale;
    // A window must hold at least one call, and the burst one activity makes (minCallsPerWindow): a paced
    // queue admits activities at the average rate, but each one's calls go out together.
    const least = Math.max(1, minCallsPerWindow[provider] ?? 1);
    const window = perSec * windowSec >= least ? windowSec : Math.ceil(least / perSec);
    return { provider, limit: Math.floor(perSec * window), windowSec: window };
  });
}

/** Calls per second a budget admits on average. */
export const callsPerSecond = (l: Pick<RateLimit, 'limit' | 'windowSec'>) => l.limit / l.windowSec;

/**
 * The scale at which the documented budgets admit `refsPerSecond` refs spread evenly over the providers,
 * given the calls one ref of each provider makes (`callsPerRef`, measured): each provider's share of the
 * refs goes at its budget divided by its calls per ref, so the slowest provider binds them all.
 */
export function autoScale(refsPerSecond: number, callsPerRef: Readonly<Partial<Record<string, number>>>): number {
  if (!(refsPerSecond > 0)) throw new Error(`refsPerSecond must be a number above 0, got ${refsPerSecond}`);
  const perProvider = BENCH_PROVIDERS.map((p) => {
    const k = callsPerRef[p];
    if (k === undefined || !(k > 0)) throw new Error(`callsPerRef.${p} must be a measured number above 0, got ${k}`);
    return DOCUMENTED_PROVIDER_RATES[p]! / k;
  });
  return refsPerSecond / (BENCH_PROVIDERS.length * Math.min(...perProvider));
}

/**
 * The worker's CORDON_PROVIDER_RATES for these budgets: each budget's calls per second times `headroom`
 * (1: the budget itself; below 1 keeps a share free). The workers turn calls into activities themselves,
 * from the calls they count (worker/provider-pacing.ts).
 */
export function workerRatesFor(limits: readonly RateLimit[], headroom = 1): string {
  return limits.map((l) => `${l.provider}=${Math.round(callsPerSecond(l) * headroom * 1000) / 1000}`).join(',');
}

/**
 * The shortest time the budgets allow for `calls` (per provider, the calls the run had to make): each
 * provider's calls at its budget's rate, the providers side by side, so the slowest one binds.
 */
export function throughputBound(calls: Readonly<Partial<Record<string, number>>>, limits: readonly RateLimit[]): { seconds: number; binding: string | undefined } {
  let seconds = 0;
  let binding: string | undefined;
  for (const [provider, n] of Object.entries(calls)) {
    if (!n) continue;
    const l = limits.find((x) => x.provider === provider);
    if (!l) continue; // an unpaced provider bounds nothing
    const s = n / callsPerSecond(l);
    if (s > seconds) {
      seconds = s;
      binding = provider;
    }
  }
  return { seconds, binding };
}

/**
 * Admitted calls per budget window, per provider, from `t0Ms` (the run's start) to `endMs`: where the
 * binding provider's windows are not full, the run left its budget unused (a slow start, a throttle held
 * past the window, a lane with nothing ready, the tail).
 */
export function windowUse(calls: readonly { provider: string; atMs: number }[], limits: readonly RateLimit[], t0Ms: number, endMs: number): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const l of limits) out[l.provider] = Array.from({ length: Math.max(1, Math.ceil((endMs - t0Ms) / (l.windowSec * 1000))) }, () => 0);
  for (const c of calls) {
    const l = limits.find((x) => x.provider === c.provider);
    if (!l) continue;
    const i = Math.floor((c.atMs - t0Ms) / (l.windowSec * 1000));
    const row = out[c.provider]!;
    if (i >= 0 && i < row.length) row[i]! += 1;
  }
  return out;
}
