// Scopes the token never carried before (on any event, or an explicit scope change). Needs a scope set to compare
// with; not a drift signal otherwise, since a grant's scopes are known from its first event.
import { type Signal } from './signal.ts';

export const scopeExpansion: Signal = {
  name: 'scope_expansion',
  category: 'scope_or_volume',
  drift: false,
  evaluate({ event, baseline }) {
    if (!baseline || !event.scopes || baseline.scopes.length === 0) return undefined;
    const added = event.scopes.filter((s) => !baseline.scopes.includes(s));
    if (added.length === 0) return undefined;
    return {
      signal: 'scope_expansion',
      category: 'scope_or_volume',
      subject: [...added].sort().join(' '),
      weight: 55,
      text: `scopes expanded by ${added.join(', ')} (had ${baseline.scopes.length}: ${baseline.scopes.slice(0, 8).join(', ')}${baseline.scopes.length > 8 ? ', …' : ''})`,
      learn: { scopes: added },
    };
  },
};
