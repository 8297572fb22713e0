// Two uses from countries at least travelMinKm apart (centroids) faster than travelMinKmh. The defaults, 500 km and
// 800 km/h, are the figures Elastic's open impossible-travel rule for Google Workspace uses. Country centroids are
// coarse: travel within a country is never flagged. Not a drift signal: it needs two points, not a history.
import { countryDistanceKm } from '../country-centroids.ts';
import { isUse, type Signal } from './signal.ts';

export const impossibleTravel: Signal = {
  name: 'impossible_travel',
  category: 'new_infrastructure',
  drift: false,
  evaluate({ event, at, ip, baseline, policy, allowlisted }) {
    const last = baseline?.lastLocation;
    if (!last || !ip?.country || allowlisted.network || !isUse(event) || last.country === ip.country) return undefined;
    const km = countryDistanceKm(last.country, ip.country);
    if (km === undefined || km < policy.travelMinKm) return undefined;
    const hours = Math.max(Math.abs(at - last.at) / 3_600_000, 1 / 60);
    const kmh = km / hours;
    if (kmh < policy.travelMinKmh) return undefined;
    const minutes = Math.round(Math.abs(at - last.at) / 60_000);
    return {
      signal: 'impossible_travel',
      category: 'new_infrastructure',
      subject: `${last.country}>${ip.country}`,
      weight: 60,
      text: `used from ${ip.country} ${minutes} minutes after ${last.country}: ${Math.round(km).toLocaleString('en-US')} km, ${Math.round(kmh).toLocaleString('en-US')} km/h`,
      learn: { countries: [ip.country] },
    };
  },
};
