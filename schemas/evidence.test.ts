import { describe, expect, it } from 'vitest';
import { ContainmentStatus } from './containment.ts';
import { canonicalJson, chainOf, eventHash, GENESIS_HASH, verifyChain } from './evidence-chain.ts';
import { evidenceLabel, evidenceSummary, evidenceSummaryText, evidenceText } from './evidence-text.ts';
import { buildEvidencePack, EVIDENCE_KINDS, EvidenceEntry, EvidenceEvent, type EvidenceDraft, type EvidenceKind } from './evidence.ts';

const g = 'github:pat:classic:1';
const D = 'd'.repeat(64);
/** One draft of every kind: a new kind without a sample fails the first test. */
const SAMPLES: { [K in EvidenceKind]: Extract<EvidenceDraft, { kind: K }> } = {
  started: { kind: 'started', actor: 'dana', workflowId: 'cordon-contain-INC-1', incidentId: 'INC-1', credentialRefs: 1, mode: 'direct', severity: 'high', breakGlass: false },
  identified: { kind: 'identified', actor: 'cordon', provider: 'github', ref: 'github pat id=1', live: 1, riskFlags: ['admin scope'], blindSpots: [] },
  planned: { kind: 'planned', actor: 'cordon', digest: D, actions: 3, waves: 0, reauthEnds: 0, reauthConsumers: 0, leftAlone: 0 },
  approval_requested: { kind: 'approval_requested', actor: 'cordon', stage: 'contain', digest: D, description: 'Contain 1 credential', credentialIds: [g], consumerIds: [], wave: 0, quorum: 1 },
  approval_decided: { kind: 'approval_decided', actor: 'bob', stage: 'contain', decision: 'approved', approver: 'bob', channel: 'slack', approvals: 1, quorum: 1 },
  approval_refused: { kind: 'approval_refused', actor: 'eve', stage: 'contain', approver: 'eve', channel: 'api', reason: 'eve is not an authorized approver' },
  approval_escalated: { kind: 'approval_escalated', actor: 'cordon', stage: 'contain', after: '15m' },
  approval_defaulted: { kind: 'approval_defaulted', actor: 'policy', stage: 'contain', onTimeout: 'hold', severity: 'high' },
  approval_deadline: { kind: 'approval_deadline', actor: 'cordon', stage: 'contain', deadline: '4h' },
  approval_fail_closed: { kind: 'approval_fail_closed', actor: 'cordon', stage: 'contain', reason: 'deadline passed without a decision' },
  staged_fail_closed: { kind: 'staged_fail_closed', actor: 'cordon', credentialId: g, stage: 'c0-restrict', cause: 'rejected', rejectedBy: ['bob'] },
  restricted: { kind: 'restricted', actor: 'bob', credentialId: g, restriction: 'ip_allowlist', result: 'done', approvers: ['bob'], undo: 'remove the allowlist' },
  restriction_not_possible: { kind: 'restriction_not_possible', actor: 'cordon', credentialId: g, reason: 'no allowlist for PATs' },
  unrestricted: { kind: 'unrestricted', actor: 'cordon', credentialId: g, result: 'done', undo: 'remove the allowlist' },
  unrestrict_failed: { kind: 'unrestrict_failed', actor: 'cordon', credentialId: g, undo: 'remove the allowlist', reason: 'HTTP 500' },
  revoked: { kind: 'revoked', actor: 'cordon', credentialId: g, method: 'tenant', result: 'done', requestId: 'req-1' },
  revoke_by_value_not_possible: { kind: 'revoke_by_value_not_possible', actor: 'cordon', credentialId: g, reason: 'not a GitHub token format' },
  replaced: { kind: 'replaced', actor: 'cordon', credentialId: g, consumerId: 'ci', replacementId: 'r1', sink: 'local:ci', fingerprint: 'ab12' },
  replacement_owned_elsewhere: { kind: 'replacement_owned_elsewhere', actor: 'cordon', credentialId: g, consumerId: 'ci', ownedBy: 'cordon-contain-INC-0' },
  replacement_not_possible: { kind: 'replacement_not_possible', actor: 'cordon', credentialId: g, consumerId: 'ci', reason: 'user consent needed' },
  reauthenticated: { kind: 'reauthenticated', actor: 'cordon', provider: 'google', principalId: 'sa-1', result: 'done', ended: 2 },
  reauth_not_possible: { kind: 'reauth_not_possible', actor: 'cordon', provider: 'google', principalId: 'sa-1', cause: 'unsupported', reason: 'would lock Cordon out' },
  verified: { kind: 'verified', actor: 'cordon', credentialId: g, verdict: 'dead', stillActive: false, unexpectedActive: [], probe: 'dead' },
  unplanned_left_alone: { kind: 'unplanned_left_alone', actor: 'cordon', credentialId: g, unplanned: ['github:pat:classic:2'] },
  re_revoked: { kind: 're_revoked', actor: 'cordon', credentialId: g, of: g, attempt: 1, result: 'already_done' },
  fallback_rung: { kind: 'fallback_rung', actor: 'cordon', credentialId: g, rung: 'suspendPrincipal', result: 'done' },
  cut_off: { kind: 'cut_off', actor: 'cordon', credentialId: g, ownerAction: 'its owner dana must delete it' },
  stopped: { kind: 'stopped', actor: 'cordon', credentialId: g, failureType: 'connector.forbidden', reason: 'HTTP 403' },
  waiting_escalated: { kind: 'waiting_escalated', actor: 'cordon', what: 'revoking PAT', since: '2026-01-01T00:00:00.000Z', attempts: 3, lastError: 'HTTP 503' },
  cancel_requested: { kind: 'cancel_requested', actor: 'dana', channel: 'cli', reason: 'wrong incident' },
  signal_ignored: { kind: 'signal_ignored', actor: 'cordon', signal: 'recordRefusal', reason: 'malformed payload: expected an object' },
  notification_failed: { kind: 'notification_failed', actor: 'cordon', notification: 'completed', reason: 'HTTP 502' },
  registry_note: { kind: 'registry_note', actor: 'cordon', note: 'release_failed', reason: 'timeout' },
  finished: { kind: 'finished', actor: 'cordon', outcome: 'contained' },
  enriched: {
    kind: 'enriched',
    actor: 'cordon',
    provider: 'slack',
    ref: 'slack oauth_token',
    credentials: [{ credentialId: 'slack:token:T1:A1:bot:ab12', label: 'bot token of Drift for Drift Bot in Acme', principal: 'Drift Bot', principalStatus: 'active', lastUsedAt: '2026-01-01T00:00:00.000Z' }],
    riskFlags: ['token holds sensitive scopes: chat:write'],
    blindSpots: [],
  },
};
const chain = () => chainOf(Object.values(SAMPLES) as EvidenceDraft[], (i) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString());

describe('typed evidence events', () => {
  it('has a sample of every kind, each parsing with the union and rendering to its own sentence', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...EVIDENCE_KINDS].sort());
    const texts = chain().map((e) => {
      expect(EvidenceEvent.parse(e)).toEqual(e);
      const text = evidenceText(e);
      expect(text).not.toMatch(/undefined|\[object Object\]/);
      return text;
    });
    expect(new Set(texts).size).toBe(texts.length);
    expect(evidenceText(chain().find((e) => e.kind === 'approval_decided')!)).toBe('approval contain approved by bob via slack (1/1)');
  });

  it('says how the person behind a decision, refusal or cancel request was authenticated', () => {
    const [slack, api, cli, raw, refused, cancel] = chainOf([
      { kind: 'approval_decided', actor: 'U0BOB', stage: 'contain', decision: 'approved', approver: 'U0BOB', channel: 'slack', approvals: 1, quorum: 3, authenticatedBy: 'slack_signature', identity: { authenticatedBy: 'slack_signature', slackUserId: 'U0BOB', slackTeamId: 'T0ACME', slackTransport: 'socket_mode' } },
      { kind: 'approval_decided', actor: 'bob', stage: 'contain', decision: 'approved', approver: 'bob', channel: 'api', approvals: 2, quorum: 3, authenticatedBy: 'api_key', identity: { authenticatedBy: 'api_key', apiKeyName: 'soar', principal: 'bob' } },
      { kind: 'approval_decided', actor: 'carol', stage: 'contain', decision: 'approved', approver: 'carol', channel: 'cli', approvals: 3, quorum: 3, authenticatedBy: 'cli', identity: { authenticatedBy: 'cli', source: 'operator_id', user: 'carol@acme.example' } },
      { kind: 'approval_decided', actor: 'eve', stage: 'wave', decision: 'rejected', approver: 'eve', channel: 'temporal', approvals: 0, quorum: 1, authenticatedBy: 'unauthenticated', claimedChannel: 'slack' },
      { kind: 'approval_refused', actor: 'eve', stage: 'wave', approver: 'eve', channel: 'temporal', reason: 'eve already approved stage wave', authenticatedBy: 'unauthenticated', claimedChannel: 'api', envelopeRefused: 'the envelope expired' },
      { kind: 'cancel_requested', actor: 'dana', channel: 'temporal', authenticatedBy: 'unauthenticated' },
    ]);
    expect([slack, api, cli, raw, refused, cancel].map((e) => evidenceText(e!))).toEqual([
      'approval contain approved by U0BOB via slack (Slack (Socket Mode connection), user U0BOB in T0ACME) (1/3)',
      'approval contain approved by bob via api (API key soar, principal bob) (2/3)',
      'approval contain approved by carol via cli (CLI, operator id carol@acme.example) (3/3)',
      'approval wave rejected by eve via temporal (UNAUTHENTICATED Temporal-direct call, claimed slack without proof) (0/1)',
      'approval wave: decision by eve via temporal (UNAUTHENTICATED Temporal-direct call, claimed api without proof; envelope refused: the envelope expired) refused: eve already approved stage wave',
      'cancel requested by dana via temporal (UNAUTHENTICATED Temporal-direct call)',
    ]);
    // An identity of one way in under another's method is not an event the union accepts.
    expect(EvidenceEvent.safeParse({ ...api, identity: { authenticatedBy: 'api_key', slackUserId: 'U0BOB' } }).success).toBe(false);
  });

  it('refuses an event with a field of another kind, or without its chain links', () => {
    const [started] = chain();
    expect(EvidenceEvent.safeParse({ ...started, detail: 'free text' }).success).toBe(false);
    const { hash: _hash, ...unhashed } = started!;
    expect(EvidenceEvent.safeParse(unhashed).success).toBe(false);
  });

  it('reads a run recorded before typed evidence as legacy entries (text kept, no chain)', () => {
    const legacy = {
      workflowId: 'cordon-contain-OLD',
      incidentId: 'OLD',
      mode: 'direct',
      stage: 'done',
      outcome: 'contained',
      startedAt: '2025-12-01T00:00:00.000Z',
      scope: [],
      credentials: [],
      pendingApprovals: [],
      evidence: [
        { seq: 0, at: '2025-12-01T00:00:00.000Z', step: 'start', actor: 'dana', outcome: 'accepted', detail: '1 credential ref(s), mode direct, severity high' },
        { seq: 1, at: '2025-12-01T00:00:05.000Z', step: 'revoke', actor: 'cordon', outcome: 'revoked', credentialId: g, requestId: 'r-9' },
      ],
    };
    const s = ContainmentStatus.parse(legacy);
    expect(s.evidence.map((e) => e.kind)).toEqual(['legacy', 'legacy']);
    expect(s.evidence[1]).toMatchObject({ step: 'revoke', outcome: 'revoked', credentialId: g, requestId: 'r-9' });
    expect(evidenceText(s.evidence[0]!)).toBe('start: accepted — 1 credential ref(s), mode direct, severity high');
    expect(evidenceLabel(s.evidence[1]!)).toBe('revoke');
    expect(() => buildEvidencePack(s)).toThrow(/before evidence was chained \(event 0 is free text\)/);
    // A typed event is never taken for legacy.
    expect(EvidenceEntry.parse(chain()[0]).kind).toBe('started');
  });
});

describe('the hash chain', () => {
  it('links each event to the one before, from the genesis hash, over the canonical JSON', () => {
    const events = chain();
    expect(events[0]!.prev).toBe(GENESIS_HASH);
    for (const [i, e] of events.entries()) {
      if (i > 0) expect(e.prev).toBe(events[i - 1]!.hash);
      expect(e.hash).toBe(eventHash(e as unknown as Record<string, unknown>));
    }
    expect(verifyChain(events)).toEqual({ ok: true, digest: events.at(-1)!.hash, events: events.length });
    // Key order does not change the hash; any value does.
    expect(canonicalJson({ b: 1, a: [2, { d: 'x', c: null }] })).toBe('{"a":[2,{"c":null,"d":"x"}],"b":1}');
    const reordered = Object.fromEntries(Object.entries(events[3]!).reverse());
    expect(eventHash(reordered)).toBe(events[3]!.hash);
  });

  it('names the first broken event: a changed field, a removed event, a re-ordered pair', () => {
    const changed = chain();
    (changed[4] as { approver: string }).approver = 'mallory';
    expect(verifyChain(changed)).toMatchObject({ ok: false, index: 4, seq: 4, kind: 'approval_decided', reason: expect.stringMatching(/does not match its content/) });
    const removed = chain();
    removed.splice(2, 1);
    expect(verifyChain(removed)).toMatchObject({ ok: false, index: 2, reason: expect.stringMatching(/seq is 3 where 2 was expected/) });
    const swapped = chain();
    [swapped[5], swapped[6]] = [swapped[6]!, swapped[5]!];
    expect(verifyChain(swapped)).toMatchObject({ ok: false, index: 5 });
  });
});

describe('the chain summary every report shows', () => {
  it('gives the digest and the seal state: signed, unsigned with why, not sealed yet, or no chain', () => {
    const evidence = chain();
    const digest = evidence.at(-1)!.hash;
    const signed = { signed: true as const, algorithm: 'ed25519' as const, digest, signature: 'A'.repeat(86), publicKey: 'B'.repeat(43), keyId: '0123456789abcdef' };
    expect(evidenceSummaryText(evidenceSummary({ evidence, evidenceDigest: digest, seal: signed }))).toBe(`evidence digest ${digest} (${evidence.length} events), signed by key 0123456789abcdef`);
    expect(evidenceSummaryText(evidenceSummary({ evidence, evidenceDigest: digest, seal: { signed: false, digest, reason: 'no key' } }))).toMatch(/, UNSIGNED: no key$/);
    expect(evidenceSummaryText(evidenceSummary({ evidence, evidenceDigest: digest }))).toMatch(/not sealed yet/);
    expect(evidenceSummaryText(evidenceSummary({ evidence: [] }))).toMatch(/no chain/);
  });
});
