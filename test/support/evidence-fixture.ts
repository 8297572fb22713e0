// A finished containment whose evidence has every kind the export maps (the drill fixture's
// not-contained run plus the steps it lacks: identify, plan, restrict, re-authentication, a provider
// request id on each call, verification, cut-off, a refused decision, a suspended principal), for the
// export, mapping and evidence pack tests.
import { finishedStatus, at } from '../../drills/status-fixture.ts';
import type { ContainmentStatus, EvidenceEvent } from '../../schemas/containment.ts';

export function exportableStatus(): ContainmentStatus {
  const s = finishedStatus();
  const extra: Array<Omit<EvidenceEvent, 'seq'>> = [
    { at: at(200), step: 'identify', actor: 'cordon', outcome: '2 live credential(s)', credentialId: 'github:pat:fine_grained:8001', requestId: 'GH-REQ-identify' },
    { at: at(300), step: 'plan', actor: 'cordon', outcome: 'digest 0123456789ab' },
    { at: at(3_000), step: 'approval:c0-restrict', actor: 'mallory', outcome: 'refused', detail: 'via temporal: not an approver' },
    { at: at(4_500), step: 'restrict', actor: 'bob', outcome: 'restricted', credentialId: 'salesforce:oauthtoken:u1:abc', requestId: 'SF-REQ-restrict', detail: 'ip allowlist' },
    { at: at(67_000), step: 'reauth', actor: 'cordon', outcome: 'done', detail: 'salesforce u1: 1 planned credential(s) ended', requestId: 'SF-REQ-reauth' },
    { at: at(68_000), step: 'verify', actor: 'cordon', outcome: 'dead', credentialId: 'salesforce:oauthtoken:u1:abc', requestId: 'SF-REQ-verify' },
    { at: at(69_000), step: 'verify', actor: 'cordon', outcome: 'cut off in tenant', credentialId: 'salesforce:oauthtoken:u1:abc', detail: 'owner must delete it' },
    { at: at(85_000), step: 'fallback:suspendPrincipal', actor: 'cordon', outcome: 'done', credentialId: 'github:pat:fine_grained:8001', requestId: 'GH-REQ-suspend' },
    { at: at(86_000), step: 'notify', actor: 'cordon', outcome: 'failed', detail: 'completed: webhook refused' },
  ];
  const merged = [...s.evidence.map(({ seq: _seq, ...e }) => e), ...extra].sort((a, b) => a.at.localeCompare(b.at));
  const revoke = merged.find((e) => e.step === 'revoke')!;
  revoke.requestId = 'GH-REQ-revoke';
  return { ...s, workflowId: 'cordon-contain:INC-7:abc', incidentId: 'INC-7', evidence: merged.map((e, seq) => ({ ...e, seq })) };
}
