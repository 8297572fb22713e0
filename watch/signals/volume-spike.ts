// Calls in the current hour above max(p99 × volumeFactor, p99 + volumeMinExcess, dismissed floor × 1.5), where p99 is
// the token's own distribution of calls per active hour over the known window, once it has volumeMinActiveHours.
import { epochHour, volumeBefore } from '../baseline.ts';
import { formatCount, isUse, type Signal } from './signal.ts';

export const volumeSpike: Signal = {
  name: 'volume_spike',
  category: 'scope_or_volume',
  drift: true,
  evaluate({ event, at, baseline, policy }) {
    if (!baseline || !isUse(event)) return undefined;
    const hour = epochHour(at);
    const v = volumeBefore(baseline, hour, policy.knownDays);
    if (v.activeHours < policy.volumeMinActiveHours) return undefined;
    const now = (baseline.hourly[hour] ?? 0) + event.count;
    const limit = Math.max(v.p99 * policy.volumeFactor, v.p99 + policy.volumeMinExcess, baseline.volumeFloor * 1.5);
    if (now <= limit) return undefined;
    const from = new Date(hour * 3_600_000).toISOString().slice(11, 16);
    return {
      signal: 'volume_spike',
      category: 'scope_or_volume',
      subject: '',
      weight: now > limit * 4 ? 70 : 55,
      text: `${formatCount(now)} calls in the hour from ${from} UTC against a p99 of ${formatCount(v.p99)} per active hour (p50 ${formatCount(v.p50)}, ${v.activeHours} active hours)`,
      learn: { hourlyVolume: now },
    };
  },
};
