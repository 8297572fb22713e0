// The Salesloft/Drift story as the salesloft-drift scenario's Salesforce audit log tells it: two weeks of the Drift
// integration's ordinary use (its own user agent, from its vendor cloud), then the attack — bulk API use of the same
// grant from a DigitalOcean address with a script's user agent. Played into the local tenant by the watch's drill
// (`cordon drill --scenario watch-salesloft-drift`) and the drift-watch e2e tests.
import type { TokenUseEventInput } from '../../schemas/token-use.ts';

const HOUR = 3_600_000;
export const DRIFT_USER = '005Hs000003DrftAAA';
export const TOKEN = `${DRIFT_USER}:Drift`;

/** Drift's sync: a few API logins a working hour, from Amazon (its vendor cloud), with its own user agent. */
export function baseline(now: number): TokenUseEventInput[] {
  const out: TokenUseEventInput[] = [];
  for (let day = 14; day >= 1; day--) {
    for (let h = 8; h <= 18; h += 2) {
      const at = Math.floor((now - day * 24 * HOUR) / (24 * HOUR)) * 24 * HOUR + h * HOUR;
      out.push({ id: `salesforce:0Ya${String(day).padStart(2, '0')}${String(h).padStart(2, '0')}00000BaseAAA`.slice(0, 29), provider: 'salesforce', at: new Date(at).toISOString(), action: 'use', tokenKey: TOKEN, principal: DRIFT_USER, app: 'Drift', operation: 'REST API', ip: `50.8.0.${10 + (h % 7)}`, userAgent: 'Drift-Salesforce-Sync/3.4.1' });
    }
  }
  return out;
}

/** The attack: a script on DigitalOcean pulling objects in bulk with the stolen grant. */
export function attack(at: number, n: number, tag: string): TokenUseEventInput[] {
  return Array.from({ length: n }, (_, i) => ({ id: `salesforce:0Ya${tag}${String(i).padStart(5, '0')}AtkAAA`, provider: 'salesforce' as const, at: new Date(at + i * 1000).toISOString(), action: 'use' as const, tokenKey: TOKEN, principal: DRIFT_USER, app: 'Drift', operation: 'REST API', ip: '134.209.0.77', userAgent: 'python-requests/2.31.0' }));
}

/** The whole story ending `now`: the baseline, then `n` attack calls from 20 minutes ago (ids tagged with `tag`). */
export function driftReplay(now: number, options: { tag: string; calls?: number }): TokenUseEventInput[] {
  return [...baseline(now), ...attack(now - 20 * 60_000, options.calls ?? 400, options.tag)];
}
