// A finished containment status with known timestamps, for the unit tests of grading and reports:
// a staged Salesforce grant (two approvals, one consumer left to re-authorize) verified dead, and a
// GitHub PAT that stays alive through re-revoke and the fallback ladder (not contained).
import type { ContainmentStatus } from '../schemas/containment.ts';
import { GENESIS_HASH, chainEvent } from '../schemas/evidence-chain.ts';
import type { EvidenceDraft, EvidenceEvent } from '../schemas/evidence.ts';
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
  const sf = 'salesforce:oauthtoken:u1:abc';
  const gh = 'github:pat:fine_grained:8001';
  const ev: Array<[number, EvidenceDraft]> = [
    [0, { kind: 'started', actor: 'cordon-drill', workflowId: 'cordon-contain-DRILL-x', incidentId: 'DRILL-x', credentialRefs: 2, mode: 'staged', severity: 'high', breakGlass: false }],
    [1_000, { kind: 'approval_requested', actor: 'cordon', stage: 'c0-restrict', digest: 'a'.repeat(64), description: 'Restrict the grant', credentialIds: [sf], consumerIds: [], wave: 0, quorum: 1 }],
    [4_000, { kind: 'approval_decided', actor: 'bob', stage: 'c0-restrict', decision: 'approved', approver: 'bob', channel: 'drill', approvals: 1, quorum: 1 }],
    [5_000, { kind: 'approval_requested', actor: 'cordon', stage: 'c0-wave-1', digest: 'a'.repeat(64), description: 'Wave 1', credentialIds: [sf], consumerIds: ['chat-sync', 'lead-router'], wave: 1, quorum: 1 }],
    [6_000, { kind: 'approval_escalated', actor: 'cordon', stage: 'c0-wave-1', after: '15m' }],
    [65_000, { kind: 'approval_decided', actor: 'carol', stage: 'c0-wave-1', decision: 'approved', approver: 'carol', channel: 'slack', approvals: 1, quorum: 1 }],
    [66_000, { kind: 'replaced', actor: 'cordon', credentialId: sf, consumerId: 'chat-sync', replacementId: 'r1', sink: 'local:chat', fingerprint: 'ff00' }],
    [66_500, { kind: 'replacement_not_possible', actor: 'cordon', credentialId: sf, consumerId: 'lead-router', reason: 'salesforce: cannot replace' }],
    [70_000, { kind: 'revoked', actor: 'cordon', credentialId: gh, method: 'tenant', result: 'done' }],
    [80_000, { kind: 're_revoked', actor: 'cordon', credentialId: gh, of: gh, attempt: 1, result: 'already_done' }],
    [81_000, { kind: 'fallback_rung', actor: 'cordon', credentialId: gh, rung: 'revokeAllForClient', result: 'not_possible', detail: 'github: cannot revokeAllForClient' }],
    [90_000, { kind: 'finished', actor: 'cordon', outcome: 'not_contained' }],
  ];
  const evidence: EvidenceEvent[] = [];
  for (const [ms, draft] of ev) evidence.push(chainEvent(draft, { seq: evidence.length, at: at(ms), prev: evidence.at(-1)?.hash ?? GENESIS_HASH }));
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
    evidence,
    evidenceDigest: evidence.at(-1)!.hash,
  };
}

/** Appends a typed event to a status's chain, as the workflow's `record` does. */
export function appendEvidence(s: ContainmentStatus, draft: EvidenceDraft, atIso: string): EvidenceEvent {
  const e = chainEvent(draft, { seq: s.evidence.length, at: atIso, prev: s.evidenceDigest ?? GENESIS_HASH });
  s.evidence.push(e);
  s.evidenceDigest = e.hash;
  return e;
}
