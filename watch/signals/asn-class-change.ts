// Use from a hosting, VPS, cloud or anonymising network where the token has only used other classes of network
// (corporate and ISP networks, or its own allowlisted vendor/CI cloud). The Salesloft/Drift and CircleCI
// replays came from rented servers; a token's own automation does not move to a VPS unannounced.
import { isKnown } from '../baseline.ts';
import { RISKY_CLASSES } from '../asn-classes.ts';
import { describeAsn, isUse, type Signal } from './signal.ts';

export const asnClassChange: Signal = {
  name: 'asn_class_change',
  category: 'new_infrastructure',
  drift: true,
  evaluate({ event, at, ip, baseline, policy, allowlisted }) {
    if (!baseline || !ip || allowlisted.network || !isUse(event) || !RISKY_CLASSES.has(ip.asnClass)) return undefined;
    if (isKnown(baseline.asnClasses, ip.asnClass, at, policy.knownDays)) return undefined;
    const usual = Object.keys(baseline.asnClasses).map((c) => c.replace('_', '/'));
    return {
      signal: 'asn_class_change',
      category: 'new_infrastructure',
      subject: ip.asnClass,
      weight: 40,
      text: `moved to a ${ip.asnClass} network (${describeAsn(ip)}) from ${usual.length ? usual.join(', ') : 'allowlisted vendor'} networks only`,
      learn: { asnClasses: [ip.asnClass] },
    };
  },
};
