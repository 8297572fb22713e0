// The provider's own anomaly engine flagged the token (Slack's audit log `anomaly` event); its reasons pass through.
import { type Signal } from './signal.ts';

export const providerAnomaly: Signal = {
  name: 'provider_anomaly',
  category: 'provider_anomaly',
  drift: false,
  evaluate({ event }) {
    if (event.action !== 'provider_anomaly') return undefined;
    const reasons = event.providerReasons?.join(', ') || 'no reason given';
    return {
      signal: 'provider_anomaly',
      category: 'provider_anomaly',
      subject: reasons,
      weight: 40,
      text: `${event.provider} flagged it as anomalous: ${reasons}`,
    };
  },
};
