// A country the token has not been used from within the known window (vendor networks on the allowlist excepted).
import { isKnown } from '../baseline.ts';
import { isUse, neverSeen, type Signal } from './signal.ts';

export const newCountry: Signal = {
  name: 'new_country',
  category: 'new_infrastructure',
  drift: true,
  evaluate({ event, at, ip, baseline, policy, allowlisted }) {
    if (!baseline || !ip?.country || allowlisted.network || !isUse(event)) return undefined;
    if (isKnown(baseline.countries, ip.country, at, policy.knownDays)) return undefined;
    return {
      signal: 'new_country',
      category: 'new_infrastructure',
      subject: ip.country,
      weight: 25,
      text: `used from ${ip.country}, ${neverSeen(baseline, at, policy.knownDays)} (usual: ${Object.keys(baseline.countries).join(', ') || 'none yet'})`,
      learn: { countries: [ip.country] },
    };
  },
};
