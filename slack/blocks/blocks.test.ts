import { describe, expect, it } from 'vitest';
import { ApprovalButtonValue } from '../../schemas/slack.ts';
import type { ContainmentStatus, EvidenceEvent } from '../../schemas/containment.ts';
import { approvalOutcome } from '../approval-outcome.ts';
import { APPROVAL_ACTIONS_BLOCK, approvalRequestBlocks, lockedApprovalBlocks, type ApprovalDetails } from './approval.ts';
import { finalReportBlocks, threadStatusBlocks } from './containment-thread.ts';
import { containModal, rejectModal } from './modals.ts';

const digest = 'ab'.repeat(32);
const details: ApprovalDetails = {
  workflowId: 'cordon-contain-INC-1-0123',
  incidentId: 'INC-1',
  stage: 'c0-wave-1',
  digest,
  description: 'Wave 1/2 for Drift token <!channel>: issue a replacement',
  credentialIds: ['memory:tok-drift-1'],
  consumers: [{ id: 'drift-chat-sync', name: 'Drift chat sync' }, { id: 'drift-lead-router' }],
  wave: 1,
  quorum: 2,
  approvals: ['U0PRIYA'],
};
const text = (blocks: unknown) => JSON.stringify(blocks);
const ev = (seq: number, step: string, actor: string, outcome: string, detail?: string): EvidenceEvent => ({ seq, at: '2026-01-01T00:00:00Z', step, actor, outcome, ...(detail ? { detail } : {}) });

describe('approval message', () => {
  it('shows credentials, consumers affected, wave, digest and approvals so far, with Approve and Reject bound to the digest', () => {
    const blocks = approvalRequestBlocks(details);
    const t = text(blocks);
    expect(t).toContain('memory:tok-drift-1');
    expect(t).toContain('Drift chat sync');
    expect(t).toContain('drift-lead-router');
    expect(t).toContain(digest);
    expect(t).toContain('*Wave*\\n1');
    expect(t).toContain('1/2: <@U0PRIYA>');
    // Text from providers cannot ping the channel.
    expect(t).not.toContain('<!channel>');
    expect(t).toContain('&lt;!channel&gt;');
    const actions = blocks.find((b) => b.block_id === APPROVAL_ACTIONS_BLOCK) as { elements: { action_id: string; value: string }[] };
    expect(actions.elements.map((e) => e.action_id)).toEqual(['cordon_approve', 'cordon_reject']);
    for (const e of actions.elements) expect(ApprovalButtonValue.parse(JSON.parse(e.value))).toEqual({ workflowId: details.workflowId, stage: 'c0-wave-1', digest });
  });

  it('locks: buttons gone, what was decided kept, decision and decider shown', () => {
    const shown = approvalRequestBlocks(details);
    const approved = lockedApprovalBlocks(shown, { state: 'approved', by: ['U0PRIYA', 'U0SVC'] });
    expect(approved.some((b) => b.type === 'actions')).toBe(false);
    expect(text(approved)).toContain('memory:tok-drift-1');
    expect(text(approved)).toContain('Approved* by <@U0PRIYA>, <@U0SVC>');
    expect((approved[0] as { text: { text: string } }).text.text).toBe('Approved: INC-1 · c0-wave-1');
    const rejected = lockedApprovalBlocks(approved, { state: 'rejected', by: 'U0SVC', reason: 'wrong <list>' });
    expect(text(rejected).match(/cordon_approval_outcome/g)).toHaveLength(1); // re-locking replaces, never stacks
    expect(text(rejected)).toContain('Rejected* by <@U0SVC>: wrong &lt;list&gt;');
  });
});

describe('approvalOutcome (from the evidence)', () => {
  const stage = 'c0-restrict';
  it('reads approvals, rejections with their reason, timeouts, deadlines and closed runs', () => {
    const approvedOnce = [ev(0, `approval:${stage}`, 'cordon', 'requested'), ev(1, `approval:${stage}`, 'U0PRIYA', 'approved', 'via slack (1/2)'), ev(2, 'approval:other', 'U0X', 'approved')];
    expect(approvalOutcome(approvedOnce, stage, true)).toEqual({ state: 'pending', approvals: ['U0PRIYA'] });
    expect(approvalOutcome(approvedOnce, stage, false)).toEqual({ state: 'approved', by: ['U0PRIYA'] });
    expect(approvalOutcome([ev(0, `approval:${stage}`, 'U0SVC', 'rejected', 'via slack: consumer list is wrong')], stage, true)).toEqual({ state: 'rejected', by: 'U0SVC', reason: 'consumer list is wrong' });
    expect(approvalOutcome([ev(0, `approval:${stage}`, 'policy', 'timeout default: proceed')], stage, false).state).toBe('timed_out');
    expect(approvalOutcome([ev(0, `approval:${stage}`, 'cordon', 'deadline passed')], stage, false)).toMatchObject({ state: 'timed_out', detail: expect.stringMatching(/fail closed/) });
    expect(approvalOutcome([ev(0, `approval:${stage}`, 'U0M', 'refused')], stage, false).state).toBe('closed');
  });
});

const status: ContainmentStatus = {
  workflowId: 'cordon-contain-INC-1-0123',
  incidentId: 'INC-1',
  mode: 'staged',
  stage: 'done',
  outcome: 'contained',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:04.500Z',
  collateral: [],
  restrictions: [],
  scope: [
    {
      provider: 'memory',
      ref: 'memory oauth_token id=tok-drift-1',
      credentials: [
        {
          provider: 'memory',
          kind: 'oauth_token',
          id: 'tok-drift-1',
          label: 'Drift integration token',
          principal: { id: 'drift-integration', displayName: 'Drift integration user', type: 'integration_user', status: 'active' },
          scopes: ['api', 'refresh_token'],
          consumers: [
            { id: 'a', name: 'Drift chat sync', kind: 'integration' },
            { id: 'b', name: 'Salesloft cadence', kind: 'pipeline' },
          ],
          selfOrLastAdmin: false,
        },
      ],
      relatedServiceAccounts: [],
      riskFlags: ['shared by 2 consumers'],
      blindSpots: ['login history'],
    },
  ],
  credentials: [
    {
      credentialId: 'memory:tok-drift-1',
      provider: 'memory',
      label: 'Drift integration token',
      state: 'verified_dead',
      transitions: [
        { state: 'identified', at: '2026-01-01T00:00:00.500Z' },
        { state: 'verified_dead', at: '2026-01-01T00:00:04.000Z' },
      ],
      replacements: [{ credentialId: 'memory:tok-drift-1', consumerId: 'a', replacementId: 'r1', fingerprint: '0a1b2c3d4e5f', sink: 'local:a', issuedAt: '2026-01-01T00:00:02Z' }],
      fallbacksUsed: [],
    },
  ],
  pendingApprovals: [],
  evidence: [ev(0, 'approval:c0-restrict', 'U0PRIYA', 'approved'), ev(1, 'approval:c0-restrict', 'U0MARCO', 'refused')],
};

describe('thread messages', () => {
  it('the status message starts with the request, then shows the scope summary and each credential’s progress', () => {
    const request = { incidentId: 'INC-1', requester: 'U0DANA', mode: 'staged', severity: 'high', refs: ['memory oauth_token id=tok-drift-1'], workflowId: status.workflowId };
    const starting = text(threadStatusBlocks(request));
    expect(starting).toContain('starting');
    expect(starting).toContain('<@U0DANA>');
    expect(starting).not.toContain('Scope');
    const done = text(threadStatusBlocks(request, status));
    expect(done).toContain('Containment INC-1: contained');
    expect(done).toContain('shared by 2 consumers: Drift chat sync, Salesloft cadence');
    expect(done).toContain('could not see: login history');
    expect(done).toContain('verified dead +4.0s');
  });

  it('the final report gives outcome, time, replacements by fingerprint, decisions and refusals', () => {
    const t = text(finalReportBlocks(status));
    expect(t).toContain('INC-1: contained in 4.5s');
    expect(t).toContain('a → local:a (fp `0a1b2c3d4e5f`)');
    expect(t).toContain('c0-restrict: approved by <@U0PRIYA>');
    expect(t).toContain('c0-restrict: <@U0MARCO>');
  });
});

describe('modals', () => {
  it('the contain form’s block ids are the parser’s field names; the reject form requires a reason', () => {
    const ids = containModal('{}').blocks.map((b) => b.block_id);
    expect(ids).toEqual(['provider', 'ref', 'incident', 'severity', 'shared', 'kind', 'reason']);
    const reject = rejectModal('{}', 'c0-wave-1', 'INC-1');
    const reason = reject.blocks.find((b) => b.block_id === 'reason') as { optional?: boolean };
    expect(reason.optional).toBeUndefined();
    expect(text(reject)).toContain('c0-wave-1');
  });
});
