// The Salesforce audit traffic of the drift-watch e2e tests: two weeks of the Drift integration's ordinary use,
// and the Salesloft/Drift attack (bulk API use from a DigitalOcean address with a script's user agent).
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
