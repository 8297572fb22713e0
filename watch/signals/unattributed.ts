// A token that cannot be tied to a current owner and purpose is an incident until proven otherwise (issue 15).
// Purpose: an app on its events, or an inventory entry (policy.inventory) for the token or its app. Owner: a
// principal that is not a placeholder. Checked once per token, on its first event.
import { type Signal } from './signal.ts';

const PLACEHOLDER_OWNERS = /^(unknown|none|null|n\/a|-|ghost|deleted[-_ ]?user)$/i;

export const unattributed: Signal = {
  name: 'unattributed',
  category: 'unattributed',
  drift: false,
  evaluate({ event, baseline, inventory }) {
    if (baseline?.attributionChecked) return undefined;
    const missing: string[] = [];
    if (!event.app && !inventory) missing.push('no purpose (no app on its events and no inventory entry)');
    if (PLACEHOLDER_OWNERS.test(event.principal.trim()) && !inventory) missing.push(`no owner (principal "${event.principal}")`);
    if (missing.length === 0) return undefined;
    return {
      signal: 'unattributed',
      category: 'unattributed',
      subject: '',
      weight: 50,
      text: `cannot be tied to an owner and a purpose: ${missing.join('; ')}`,
    };
  },
};
