// A reference tenant modelled on the Salesloft/Drift breach (design.md §5): the Drift integration
// user's OAuth token shared by three consumers, a related sync service account, an admin, an
// unrelated app's token that must survive, and Cordon's own credential (which I6 protects).
import type { MemorySeed } from './tenant.ts';

export const DRIFT_LEAKED_VALUE = 'mem_leaked_drift_7Qm2xPz9LkWv4RtY8sNc';

export function driftSeed(overrides: Partial<Pick<MemorySeed, 'faults'>> = {}): MemorySeed {
  return {
    principals: [
      { id: 'drift-integration', displayName: 'Drift Integration User', type: 'integration_user', status: 'active', related: ['svc-drift-sync'] },
      { id: 'svc-drift-sync', displayName: 'drift-sync service account', type: 'service_account', status: 'active' },
      { id: 'alice', displayName: 'Alice Admin', type: 'user', status: 'active', isAdmin: true },
      { id: 'cordon-bot', displayName: 'Cordon connector', type: 'service_account', status: 'active' },
    ],
    credentials: [
      {
        id: 'tok-drift-1',
        kind: 'oauth_token',
        principalId: 'drift-integration',
        label: 'Drift OAuth token',
        clientId: 'drift-app',
        scopes: ['api', 'refresh_token'],
        createdAt: '2025-03-02T10:00:00Z',
        lastUsedAt: '2025-08-14T03:12:00Z',
        consumers: [
          { id: 'drift-chat-sync', name: 'Drift chat sync', kind: 'integration', egress: ['44.215.108.0/24'] },
          { id: 'drift-lead-router', name: 'Drift lead router', kind: 'integration', egress: ['54.86.50.0/24'] },
          { id: 'salesloft-cadence', name: 'Salesloft cadence', kind: 'pipeline', egress: ['34.201.12.77'] },
        ],
        value: DRIFT_LEAKED_VALUE,
      },
      { id: 'sess-drift-sync', kind: 'session', principalId: 'svc-drift-sync', label: 'drift-sync session', clientId: 'drift-app', createdAt: '2025-08-01T00:00:00Z', consumers: [] },
      { id: 'tok-other-app', kind: 'oauth_token', principalId: 'drift-integration', label: 'Reporting app token', clientId: 'reporting-app', createdAt: '2025-01-05T00:00:00Z', consumers: [{ id: 'bi', name: 'BI export', kind: 'pipeline' }] },
      { id: 'tok-alice-1', kind: 'oauth_token', principalId: 'alice', label: 'Alice Drift grant', clientId: 'drift-app', createdAt: '2025-06-01T00:00:00Z', consumers: [] },
      { id: 'cordon-own', kind: 'api_key', principalId: 'cordon-bot', label: 'Cordon connector key', createdAt: '2025-01-01T00:00:00Z', consumers: [], cordonOwn: true },
    ],
    faults: { ignoreRevoke: {}, writeLatencyMs: 0, ...overrides.faults },
  };
}

/**
 * `n` vendor tokens `tok-0`…, each held by its own integration user with one consumer (mass containment
 * tests): re-authenticating one principal (which ends all its tokens, I8) never touches another ref. The
 * `stubborn` token is one the provider will not kill, even with the fallback ladder.
 */
export function vendorTokensSeed(n: number, stubborn: number): MemorySeed {
  return {
    principals: Array.from({ length: n }, (_, i) => ({ id: `vendor-${i}`, displayName: `Vendor integration ${i}`, type: 'integration_user' as const, status: 'active' as const })),
    credentials: Array.from({ length: n }, (_, i) => ({
      id: `tok-${i}`,
      kind: 'oauth_token' as const,
      principalId: `vendor-${i}`,
      label: `vendor token ${i}`,
      clientId: `app-${i}`,
      createdAt: '2025-01-01T00:00:00Z',
      consumers: [{ id: `consumer-${i}`, name: `consumer ${i}`, kind: 'integration' as const }],
    })),
    faults: { ignoreRevoke: { [`tok-${stubborn}`]: 'never' }, writeLatencyMs: 0 },
  };
}
