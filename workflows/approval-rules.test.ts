import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { FAILURE_TYPES } from '../schemas/failure-types.ts';
import { approverRefusal, refuseDecision, unauthenticatedRefusal } from './approval-rules.ts';

describe('approval rules shared by containments and rotations', () => {
  const rules = { approvers: ['maria', 'bob'], requester: 'bob', subject: 'rotation' };
  it('refuses an approver off the list and the requester; break-glass lets the requester approve', () => {
    expect(approverRefusal('maria', rules)).toBeUndefined();
    expect(approverRefusal('eve', rules)).toBe('eve is not an authorized approver for this rotation');
    expect(approverRefusal('bob', rules)).toBe('bob requested this rotation and cannot approve it');
    expect(approverRefusal('bob', { ...rules, subject: 'containment', breakGlass: false })).toBe('bob requested this containment and cannot approve it (break-glass not set)');
    expect(approverRefusal('bob', { ...rules, breakGlass: true })).toBeUndefined();
  });
  it('refuses an unauthenticated decision only where the policy requires authentication', () => {
    const raw = { channel: 'temporal' as const, authenticatedBy: 'unauthenticated' as const, envelopeRefused: 'the envelope expired' };
    const cli = { channel: 'cli' as const, authenticatedBy: 'cli' as const, identity: { authenticatedBy: 'cli' as const, source: 'os_user' as const, user: 'maria' } };
    expect(unauthenticatedRefusal(raw, true, 'rotation')).toMatch(/^a rotation decision must come through an authenticated way in .*unauthenticated Temporal-direct call \(the envelope expired\)$/);
    expect(unauthenticatedRefusal(raw, false, 'rotation')).toBeUndefined();
    expect(unauthenticatedRefusal(cli, true, 'rotation')).toBeUndefined();
  });
  it('fails with the decision-refused failure type', () => {
    let thrown: unknown;
    try {
      refuseDecision('no');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ApplicationFailure);
    expect(thrown).toMatchObject({ type: FAILURE_TYPES.decision_refused, nonRetryable: true, message: 'no' });
  });
});
