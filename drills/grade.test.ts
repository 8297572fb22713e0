import { describe, expect, it } from 'vitest';
import { DrillReport, DrillTargets } from '../schemas/drill.ts';
import { gradeDrill } from './grade.ts';
import { appendEvidence, at, finishedStatus } from './status-fixture.ts';

const PAT_LIMIT = { match: 'pat:fine_grained:8001', reason: 'org access only' };
const grade = (targets: Parameters<typeof DrillTargets.parse>[0], status = finishedStatus()) =>
  gradeDrill(status, { name: 'fixture', description: 'd', targets: DrillTargets.parse(targets) }, { now: Date.parse('2030-01-01T00:00:00Z') });

describe('gradeDrill', () => {
  it('measures time to revoke and to verified dead from the run start, per credential', () => {
    const r = grade({ expectNotContained: [PAT_LIMIT] });
    expect(DrillReport.parse(r)).toEqual(r);
    const sf = r.credentials.find((c) => c.provider === 'salesforce')!;
    expect(sf.timeToRevokeMs).toBe(68_000);
    expect(sf.timeToVerifiedDeadMs).toBe(75_000);
    expect(sf.timeline.map((t) => t.offsetMs)).toEqual([500, 66_000, 67_000, 68_000, 75_000]);
    const gh = r.credentials.find((c) => c.provider === 'github')!;
    expect(gh).toMatchObject({ finalState: 'not_contained', expected: 'not_contained', expectedReason: 'org access only', timeToRevokeMs: 70_000 });
    expect(gh.timeToVerifiedDeadMs).toBeUndefined();
    expect(r.durationMs).toBe(90_000);
  });

  it('measures approval waits from request to the deciding approval, and notes escalation', () => {
    const r = grade({});
    expect(r.approvals).toEqual([
      expect.objectContaining({ stage: 'c0-restrict', waitMs: 3_000, outcome: 'approved', deciders: ['bob'], escalated: false }),
      expect.objectContaining({ stage: 'c0-wave-1', waitMs: 60_000, outcome: 'approved', deciders: ['carol'], escalated: true }),
    ]);
  });

  it('lists consumers left without a replacement with the provider’s reason, and the fallback steps', () => {
    const r = grade({});
    expect(r.brokenConsumers).toEqual([
      { credentialId: 'salesforce:oauthtoken:u1:abc', consumerId: 'lead-router', consumerName: 'Lead router & co', reason: 'must re-authorize: salesforce: cannot replace' },
    ]);
    expect(r.fallbackSteps.map((f) => `${f.step} ${f.outcome}`)).toEqual(['replacement_not_possible not possible', 're_revoked attempt 1: already_done', 'fallback_rung revokeAllForClient: not_possible']);
  });

  it('decides approval waits from typed fields: the quorum’s last approval, not the first', () => {
    const s = finishedStatus();
    const stage = 'c9-quorum';
    appendEvidence(s, { kind: 'approval_requested', actor: 'cordon', stage, digest: 'a'.repeat(64), description: 'x', credentialIds: [], consumerIds: [], wave: 0, quorum: 2 }, at(10_000));
    appendEvidence(s, { kind: 'approval_decided', actor: 'bob', stage, decision: 'approved', approver: 'bob', channel: 'slack', approvals: 1, quorum: 2 }, at(12_000));
    appendEvidence(s, { kind: 'approval_decided', actor: 'carol', stage, decision: 'approved', approver: 'carol', channel: 'api', approvals: 2, quorum: 2 }, at(17_000));
    const wait = grade({}, s).approvals.find((a) => a.stage === stage);
    expect(wait).toMatchObject({ waitMs: 7_000, outcome: 'approved', deciders: ['bob', 'carol'] });
  });

  it('shows the evidence chain’s final digest in the report', () => {
    const s = finishedStatus();
    expect(grade({}, s).evidenceSeal).toEqual({ digest: s.evidenceDigest, events: s.evidence.length, signed: false });
  });

  it('passes when the known provider limit is reported not contained and everything else meets the targets', () => {
    const r = grade({ containWithin: '2m', revokeWithin: '2m', maxApprovalWait: '2m', maxFallbackSteps: 0, expectNotContained: [PAT_LIMIT] });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.verdict).toBe('pass');
  });

  it('fails a credential that is not contained when the drill expected it dead', () => {
    const r = grade({});
    expect(r.verdict).toBe('fail');
    expect(r.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(['state:github:pat:fine_grained:8001', 'contain:github:pat:fine_grained:8001']);
  });

  it('fails each target that is missed: time to verified dead, time to revoke, approval wait, fallbacks, broken consumers', () => {
    const r = grade({ containWithin: '1m', revokeWithin: '1m', maxApprovalWait: '30s', maxFallbackSteps: 0, maxBrokenConsumers: 0, expectNotContained: [PAT_LIMIT] });
    expect(r.verdict).toBe('fail');
    expect(r.checks.filter((c) => !c.ok).map((c) => c.id).sort()).toEqual(
      ['approval:c0-wave-1', 'broken-consumers', 'contain:salesforce:oauthtoken:u1:abc', 'revoke:github:pat:fine_grained:8001', 'revoke:salesforce:oauthtoken:u1:abc'].sort(),
    );
  });

  it('counts fallbacks only on credentials expected to be contained', () => {
    const s = finishedStatus();
    appendEvidence(s, { kind: 'fallback_rung', actor: 'cordon', rung: 'blockApp', result: 'done', credentialId: 'salesforce:oauthtoken:u1:abc' }, s.finishedAt!);
    const r = grade({ maxFallbackSteps: 0, expectNotContained: [PAT_LIMIT] }, s);
    expect(r.checks.find((c) => c.id === 'fallbacks')).toMatchObject({ ok: false, actual: '1' });
  });

  it('fails a known limit that reads verified dead, and an expectation that matches nothing', () => {
    const s = finishedStatus();
    s.credentials[1]!.state = 'verified_dead';
    const r = grade({ expectNotContained: [PAT_LIMIT, { match: 'deploy_key:nope', reason: 'x' }] }, s);
    expect(r.checks.filter((c) => !c.ok).map((c) => c.id).sort()).toEqual(['expectation:deploy_key:nope', 'state:github:pat:fine_grained:8001']);
  });

  it('fails a run that is still running, or that found nothing', () => {
    const running = { ...finishedStatus(), outcome: 'running' as const };
    delete running.finishedAt;
    expect(grade({ expectNotContained: [PAT_LIMIT] }, running).checks.find((c) => c.id === 'finished')).toMatchObject({ ok: false });
    const empty = { ...finishedStatus(), credentials: [], scope: [{ provider: 'github' as const, ref: 'github pat', credentials: [], relatedServiceAccounts: [], riskFlags: [], blindSpots: [] }] };
    const r = grade({}, empty);
    expect(r.verdict).toBe('fail');
    expect(r.checks.find((c) => c.id === 'identified:github pat')).toMatchObject({ ok: false });
  });
});
