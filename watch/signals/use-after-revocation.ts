// Use after Cordon revoked the token (the revocations the engine is given), beyond revocationGraceSeconds for
// requests in flight: the containment did not hold. Doubles as the check after every containment.
import { isUse, type Signal } from './signal.ts';

export const useAfterRevocation: Signal = {
  name: 'use_after_revocation',
  category: 'use_after_revocation',
  drift: false,
  evaluate({ event, at, revokedAt, policy, ip }) {
    if (revokedAt === undefined || !isUse(event) || at <= revokedAt + policy.revocationGraceSeconds * 1000) return undefined;
    return {
      signal: 'use_after_revocation',
      category: 'use_after_revocation',
      subject: String(revokedAt),
      weight: 100,
      text: `used ${Math.round((at - revokedAt) / 60_000)} minutes after Cordon revoked it (${new Date(revokedAt).toISOString()})${event.ip ? ` from ${event.ip}${ip?.asn ? ` (AS${ip.asn})` : ''}` : ''}`,
    };
  },
};
