// Use after the owner was suspended, offboarded or changed role, or after the app was retired, as the audit logs
// said (principal_status, app_retired events). Suspension and offboarding are unambiguous; a role change is not.
import { isUse, type Signal, type SignalHit } from './signal.ts';

export const useAfterLifecycle: Signal = {
  name: 'use_after_lifecycle',
  category: 'owner_or_app_lifecycle',
  drift: false,
  evaluate({ event, at, principalStatus, appRetiredAt }) {
    if (!isUse(event)) return undefined;
    const hits: SignalHit[] = [];
    if (principalStatus && principalStatus.status !== 'reactivated' && at > principalStatus.at) {
      const role = principalStatus.status === 'role_changed';
      hits.push({
        signal: 'use_after_lifecycle',
        category: 'owner_or_app_lifecycle',
        subject: principalStatus.status,
        weight: role ? 50 : 90,
        text: `used ${Math.round((at - principalStatus.at) / 3_600_000)} h after its owner ${event.principal} was ${role ? 'moved to another role' : principalStatus.status} (${new Date(principalStatus.at).toISOString()})`,
      });
    }
    if (appRetiredAt !== undefined && at > appRetiredAt) {
      hits.push({
        signal: 'use_after_lifecycle',
        category: 'owner_or_app_lifecycle',
        subject: 'app_retired',
        weight: 80,
        text: `used after its app ${event.app} was retired (${new Date(appRetiredAt).toISOString()})`,
      });
    }
    return hits;
  },
};
