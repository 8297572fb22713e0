// Many targets (repositories, sObjects, channels) the token never touched, within one hour: ten or more. Modelled
// on the open correlation "a personal access token cloning more than five private repositories within 30 minutes".
import { epochHour } from '../baseline.ts';
import { isUse, type Signal } from './signal.ts';

/** New targets in one hour that make a sweep. */
export const SWEEP_TARGETS = 10;

export const targetSweep: Signal = {
  name: 'target_sweep',
  category: 'scope_or_volume',
  drift: true,
  evaluate({ event, at, baseline }) {
    if (!baseline || !event.target || !isUse(event) || baseline.targets[event.target] !== undefined) return undefined;
    const hour = epochHour(at);
    const count = (baseline.newTargets?.hour === hour ? baseline.newTargets.count : 0) + 1;
    if (count < SWEEP_TARGETS) return undefined;
    return {
      signal: 'target_sweep',
      category: 'scope_or_volume',
      subject: String(hour),
      weight: 45,
      text: `${count} targets never touched before within one hour (latest ${event.target}, ${event.operation ?? 'use'})`,
    };
  },
};
