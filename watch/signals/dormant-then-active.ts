// Use after dormantDays without any. Needs learningEvents of history before the gap (a token used twice and
// forgotten is unattributed, not dormant); not gated on learningDays.
import { isUse, type Signal, DAY_MS } from './signal.ts';

export const dormantThenActive: Signal = {
  name: 'dormant_then_active',
  category: 'dormant_reactivation',
  drift: false,
  evaluate({ event, at, baseline, policy }) {
    if (!baseline?.lastUse || !isUse(event) || baseline.events < policy.learningEvents) return undefined;
    const idle = at - baseline.lastUse;
    if (idle < policy.dormantDays * DAY_MS) return undefined;
    return {
      signal: 'dormant_then_active',
      category: 'dormant_reactivation',
      subject: String(baseline.lastUse),
      weight: 50,
      text: `used again after ${Math.floor(idle / DAY_MS)} days without use (last use ${new Date(baseline.lastUse).toISOString()})`,
    };
  },
};
