// An operation family (Google API, GitHub action category, Salesforce operation) the token never used within
// the known window: API chaining into an adjacent system.
import { isKnown, operationFamily } from '../baseline.ts';
import { isUse, neverSeen, type Signal } from './signal.ts';

export const newOperationFamily: Signal = {
  name: 'new_operation_family',
  category: 'api_chaining',
  drift: true,
  evaluate({ event, at, baseline, policy }) {
    if (!baseline || !event.operation || !isUse(event)) return undefined;
    const family = operationFamily(event.operation);
    if (isKnown(baseline.operationFamilies, family, at, policy.knownDays)) return undefined;
    return {
      signal: 'new_operation_family',
      category: 'api_chaining',
      subject: family,
      weight: 35,
      text: `called ${event.operation}${event.target ? ` on ${event.target}` : ''}: the ${family} family was ${neverSeen(baseline, at, policy.knownDays)} (usual: ${Object.keys(baseline.operationFamilies).slice(0, 6).join(', ')})`,
      learn: { operationFamilies: [family] },
    };
  },
};
