// A finished containment with typed, chained evidence covering the kinds the export maps (identify,
// plan, approvals with a refused unauthenticated decision and a Slack-authenticated one, restriction, replacement and a failed one, revocation,
// re-authentication, verification, cut-off, a suspended principal, a failed notification), for the
// export, mapping and evidence pack tests, chained as the workflow chains them (the signature is a
// placeholder: the pack tests check what is shown, `cordon evidence verify` checks signatures).
import { at, finishedStatus } from '../../drills/status-fixture.ts';
import type { ContainmentStatus } from '../../schemas/containment.ts';
import { GENESIS_HASH, chainEvent } from '../../schemas/evidence-chain.ts';
import { EvidenceEvent, type EvidenceDraft } from '../../schemas/evidence.ts';

const SF = 'salesforce:oauthtoken:u1:abc';
const GH = 'github:pat:fine_grained:8001';
const DIGEST = 'a'.repeat(64);

// Parsed with the evidence schema below, so a fixture event the union does not accept fails here.
const drafts: Array<[number, Record<string, unknown>]> = [
  [0, { kind: 'started', actor: 'alice', workflowId: 'cordon-contain:INC-7:abc', incidentId: 'INC-7', credentialRefs: 2, mode: 'staged', severity: 'high', breakGlass: false }],
  [200, { kind: 'identified', actor: 'cordon', provider: 'github', ref: 'github pat fp=1234', live: 1, riskFlags: [], blindSpots: [], requestId: 'GH-REQ-identify' }],
  [300, { kind: 'planned', actor: 'cordon', digest: DIGEST, actions: 5, waves: 1, reauthEnds: 1, reauthConsumers: 0, leftAlone: 0 }],
  [1_000, { kind: 'approval_requested', actor: 'cordon', stage: 'c0-restrict', digest: DIGEST, description: 'restrict the <Drift> grant', credentialIds: [SF], consumerIds: [], wave: 0, quorum: 1 }],
  [3_000, { kind: 'approval_refused', actor: 'mallory', stage: 'c0-restrict', approver: 'mallory', channel: 'temporal', reason: 'not an approver', authenticatedBy: 'unauthenticated', claimedChannel: 'slack' }],
  [4_000, { kind: 'approval_decided', actor: 'bob', stage: 'c0-restrict', decision: 'approved', approver: 'bob', channel: 'slack', approvals: 1, quorum: 1, authenticatedBy: 'slack_signature', identity: { authenticatedBy: 'slack_signature', slackUserId: 'U0BOB', slackTeamId: 'T0ACME', slackTransport: 'signed_request' } }],
  [4_500, { kind: 'restricted', actor: 'bob', credentialId: SF, provider: 'salesforce', restriction: 'ip_allowlist', result: 'done', approvers: ['bob'], requestId: 'SF-REQ-restrict' }],
  [6_000, { kind: 'approval_escalated', actor: 'cordon', stage: 'c0-wave-1', after: '15m' }],
  [66_000, { kind: 'replaced', actor: 'cordon', credentialId: SF, provider: 'salesforce', consumerId: 'chat-sync', replacementId: 'r1', sink: 'local:chat', fingerprint: 'ff00' }],
  [66_500, { kind: 'replacement_not_possible', actor: 'cordon', credentialId: SF, provider: 'salesforce', consumerId: 'lead-router', reason: 'salesforce cannot mint for it' }],
  [67_000, { kind: 'reauthenticated', actor: 'cordon', provider: 'salesforce', principalId: 'u1', result: 'done', ended: 1, requestId: 'SF-REQ-reauth' }],
  [68_000, { kind: 'verified', actor: 'cordon', credentialId: SF, provider: 'salesforce', verdict: 'dead', stillActive: false, unexpectedActive: [], probe: 'dead', requestId: 'SF-REQ-verify' }],
  [69_000, { kind: 'cut_off', actor: 'cordon', credentialId: SF, provider: 'salesforce', ownerAction: 'delete the connected app' }],
  [70_000, { kind: 'revoked', actor: 'cordon', credentialId: GH, provider: 'github', method: 'tenant', result: 'done', requestId: 'GH-REQ-revoke' }],
  [80_000, { kind: 'verified', actor: 'cordon', credentialId: GH, provider: 'github', verdict: 'alive', stillActive: true, unexpectedActive: [], probe: 'alive' }],
  [81_000, { kind: 'fallback_rung', actor: 'cordon', credentialId: GH, provider: 'github', rung: 'revokeAllForClient', result: 'not_possible', detail: 'github: cannot revokeAllForClient' }],
  [85_000, { kind: 'fallback_rung', actor: 'cordon', credentialId: GH, provider: 'github', rung: 'suspendPrincipal', result: 'done', requestId: 'GH-REQ-suspend' }],
  [86_000, { kind: 'notification_failed', actor: 'cordon', notification: 'completed', reason: 'webhook refused' }],
  [90_000, { kind: 'finished', actor: 'cordon', outcome: 'not_contained', reason: 'still active after re-revoke and the fallback ladder: github:pat:fine_grained:8001' }],
];

export function typedEvidence(): EvidenceEvent[] {
  const out: EvidenceEvent[] = [];
  for (const [ms, d] of drafts) out.push(EvidenceEvent.parse(chainEvent(d as EvidenceDraft, { seq: out.length, at: at(ms), prev: out.at(-1)?.hash ?? GENESIS_HASH })));
  return out;
}

export function exportableStatus(): ContainmentStatus {
  const evidence = typedEvidence();
  const digest = evidence[evidence.length - 1]!.hash;
  return {
    ...finishedStatus(),
    workflowId: 'cordon-contain:INC-7:abc',
    incidentId: 'INC-7',
    evidence,
    evidenceDigest: digest,
    seal: { signed: true, algorithm: 'ed25519', digest, signature: 'A'.repeat(86), publicKey: 'B'.repeat(43), keyId: '0123456789abcdef' },
  };
}
