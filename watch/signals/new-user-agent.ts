// A user agent the token has not sent within the known window (versions ignored: an upgrade is not new), and
// stronger, a new client class (a script where a browser or an SDK was the rule).
import { clientClass, isKnown, userAgentFamily } from '../baseline.ts';
import { isUse, type Signal } from './signal.ts';

export const newUserAgent: Signal = {
  name: 'new_user_agent',
  category: 'new_infrastructure',
  drift: true,
  evaluate({ event, at, baseline, policy, allowlisted }) {
    if (!baseline || !event.userAgent || allowlisted.userAgent || !isUse(event)) return undefined;
    const family = userAgentFamily(event.userAgent);
    if (isKnown(baseline.userAgents, family, at, policy.knownDays)) return undefined;
    const cls = clientClass(event.userAgent);
    const newClass = !isKnown(baseline.clientClasses, cls, at, policy.knownDays);
    const usual = Object.keys(baseline.clientClasses).join(', ') || 'none';
    return {
      signal: 'new_user_agent',
      category: 'new_infrastructure',
      subject: family,
      weight: newClass ? 35 : 20,
      text: newClass
        ? `new client class ${cls} (user agent "${event.userAgent.slice(0, 120)}"; usual: ${usual})`
        : `new user agent "${event.userAgent.slice(0, 120)}" (a ${cls} the token had not sent)`,
      learn: { userAgents: [family], clientClasses: [cls] },
    };
  },
};
