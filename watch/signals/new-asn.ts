// A network (ASN) the token has not used within the known window. Weak alone (many people change ISP or
// tether a phone); it adds up with the class change, a new user agent or a new country.
import { isKnown } from '../baseline.ts';
import { describeAsn, isUse, neverSeen, type Signal } from './signal.ts';

export const newAsn: Signal = {
  name: 'new_asn',
  category: 'new_infrastructure',
  drift: true,
  evaluate({ event, at, ip, baseline, policy, allowlisted }) {
    if (!baseline || !ip || ip.asn === undefined || allowlisted.network || !isUse(event)) return undefined;
    if (isKnown(baseline.asns, String(ip.asn), at, policy.knownDays)) return undefined;
    return {
      signal: 'new_asn',
      category: 'new_infrastructure',
      subject: String(ip.asn),
      weight: 25,
      text: `used from ${describeAsn(ip)}, ${neverSeen(baseline, at, policy.knownDays)} (from ${event.ip})`,
      learn: { asns: [ip.asn] },
    };
  },
};
