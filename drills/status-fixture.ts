// A finished containment status with known timestamps, for the unit tests of grading and reports:
// a staged Salesforce grant (two approvals, one consumer left to re-authorize) verified dead, and a
// GitHub PAT that stays alive through re-revoke and the fallback ladder (not contained).
import type { ContainmentStatus, EvidenceEvent } from '../schemas/containment.ts';
import type { Credential } from '../schemas/credential.ts';

const T0 = Date.parse('2026-01-10T10:00:00.000Z');
export const at = (ms: number) => new Date(T0 + ms).toISOString();

const principal = { id: 'u1', displayName: 'Integration <user>', type: 'integration_user' as const, status: 'active' as const };
const grant: Credential = {
  provider: 'salesforce',
  kind: 'refresh_token',
  id: 'oauthtoken:u1:abc',
  label: 'Drift <script>alert(1)</script> grant',
  principal,
  scopes: ['api'],
  consumers: [
    { id: 'chat-sync', name: 'Chat sync', kind: 'integration' },
    { id: 'lead-router', name: 'Lead router & co', kind: 'integration' },
  ],
  selfOrLastAdmin: false,
};
const pat: Credential = { ...grant, provider: 'github', kind: 'pat', id: 'pat:fine_grained:8001', label: 'fine-grained PAT', consumers: [] };

export function finishedStatus(): ContainmentStatus {
  const ev: Array<Omit<EvidenceEvent, 'seq'>> = [
    { at: at(0), step: 'start', actor: 'cordon-drill', outcome: 'accepted' },
    { at: at(1_000), step: 'approval:c0-restrict', actor: 'cordon', outcome: 'requested' },
    { at: at(4_000), step: 'approval:c0-restrict', actor: 'bob', outcome: 'approved', detail: 'via drill (1/1)' },
    { at: at(5_000), step: 'approval:c0-wave-1', actor: 'cordon', outcome: 'requested' },
    { at: at(6_000), step: 'approval:c0-wave-1', actor: 'cordon', outcome: 'escalated' },
    { at: at(65_000), step: 'approval:c0-wave-1', actor: 'carol', outcome: 'approved', detail: 'via slack (1/1)' },
    { at: at(66_000), step: 'replace', actor: 'cordon', outcome: 'replacement issued', credentialId: 'salesforce:oauthtoken:u1:abc', detail: 'chat-sync → local:chat' },
    { at: at(66_500), step: 'replace', actor: 'cordon', outcome: 'not possible', credentialId: 'salesforce:oauthtoken:u1:abc', detail: 'lead-router must re-authorize: salesforce: cannot replace' },
    { at: at(70_000), step: 'revoke', actor: 'cordon', outcome: 'revoked', credentialId: 'github:pat:fine_grained:8001' },
    { at: at(80_000), step: 're-revoke', actor: 'cordon', outcome: 'already_done', credentialId: 'github:pat:fine_grained:8001', detail: 'attempt 1' },
    { at: at(81_000), step: 'fallback:revokeAllForClient', actor: 'cordon', outcome: 'not possible', credentialId: 'github:pat:fine_grained:8001', detail: 'github: cannot revokeAllForClient' },
    { at: at(90_000), step: 'finish', actor: 'cordon', outcome: 'not_contained' },
  ];
  return {
    workflowId: 'cordon-contain-DRILL-x',
    incidentId: 'DRILL-x',
    mode: 'staged',
    stage: 'done',
    outcome: 'not_contained',
    outcomeReason: 'still active after re-revoke and the fallback ladder: github:pat:fine_grained:8001',
    startedAt: at(0),
    finishedAt: at(90_000),
    plan: { mode: 'staged', credentials: [grant, pat], actions: [], waves: 1, reauth: [], digest: 'a'.repeat(64) },
    collateral: [],
    restrictions: [],
    scope: [
      { provider: 'salesforce', ref: 'salesforce refresh_token client=x', credentials: [grant], relatedServiceAccounts: [], riskFlags: [], blindSpots: [] },
      { provider: 'github', ref: 'github pat fp=1234', credentials: [pat], relatedServiceAccounts: [], riskFlags: [], blindSpots: [] },
    ],
    credentials: [
      {
        credentialId: 'salesforce:oauthtoken:u1:abc',
        provider: 'salesforce',
        label: grant.label,
        state: 'verified_dead',
        transitions: [
          { state: 'identified', at: at(500) },
          { state: 'replaced', at: at(66_000) },
          { state: 'revoke_requested', at: at(67_000) },
          { state: 'revoked', at: at(68_000) },
          { state: 'verified_dead', at: at(75_000) },
        ],
        replacements: [{ credentialId: 'salesforce:oauthtoken:u1:abc', consumerId: 'chat-sync', replacementId: 'r1', fingerprint: 'ff00', sink: 'local:chat', issuedAt: at(66_000) }],
        fallbacksUsed: [],
      },
      {
        credentialId: 'github:pat:fine_grained:8001',
        provider: 'github',
        label: pat.label,
        state: 'not_contained',
        transitions: [
          { state: 'identified', at: at(500) },
          { state: 'revoke_requested', at: at(69_000) },
          { state: 'revoked', at: at(70_000) },
          { state: 'not_contained', at: at(89_000) },
        ],
        replacements: [],
        fallbacksUsed: [],
      },
    ],
    pendingApprovals: [],
    evidence: ev.map((e, seq) => ({ seq, ...e })),
  };
}
