import { describe, expect, it } from 'vitest';
import { ApprovalButtonValue } from '../../schemas/slack.ts';
import type { ContainmentStatus } from '../../schemas/containment.ts';
import { chainOf } from '../../schemas/evidence-chain.ts';
import { approvalOutcome } from '../../notifiers/slack/approval-outcome.ts';
import { APPROVAL_ACTIONS_BLOCK, approvalRequestBlocks, lockedApprovalBlocks, type ApprovalDetails } from '../../notifiers/slack/blocks/approval.ts';
import { threadRequestFromStatus } from '../../notifiers/slack/thread-request.ts';
import { finalReportBlocks, finalReportText, threadStatusBlocks, threadText } from '../../notifiers/slack/blocks/containment-thread.ts';
import { RETRY_ACTION, RETRY_ACTIONS_BLOCK, retriedReportBlocks, retryButtonValue, retryStartedText } from '../../notifiers/slack/blocks/retry.ts';
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
    // Approve asks Slack's confirmation first, naming the stage and incident (escaped); Reject opens a modal instead.
    const [approve, reject] = actions.elements as { style?: string; confirm?: { title: { text: string }; text: { text: string }; confirm: { text: string }; deny: { text: string } } }[];
    expect(approve).toMatchObject({ style: 'primary', confirm: { title: { text: 'Approve this stage?' }, text: { text: 'Cordon will run c0-wave-1 of INC-1 as described.' }, confirm: { text: 'Approve' }, deny: { text: 'Cancel' } } });
    expect(reject!.confirm).toBeUndefined();
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
    const approvedOnce = chainOf([{ kind: 'approval_requested', actor: 'cordon', stage, digest: 'd'.repeat(64), description: 'x', credentialIds: [], consumerIds: [], wave: 0, quorum: 2 }, { kind: 'approval_decided', actor: 'U0PRIYA', stage, decision: 'approved', approver: 'U0PRIYA', channel: 'slack', approvals: 1, quorum: 2 }, { kind: 'approval_decided', actor: 'U0X', stage: 'other', decision: 'approved', approver: 'U0X', channel: 'slack', approvals: 1, quorum: 2 }]);
    expect(approvalOutcome(approvedOnce, stage, true)).toEqual({ state: 'pending', approvals: ['U0PRIYA'] });
    expect(approvalOutcome(approvedOnce, stage, false)).toEqual({ state: 'approved', by: ['U0PRIYA'] });
    expect(approvalOutcome(chainOf([{ kind: 'approval_decided', actor: 'U0SVC', stage, decision: 'rejected', approver: 'U0SVC', channel: 'slack', approvals: 0, quorum: 2, reason: 'consumer list is wrong' }]), stage, true)).toEqual({ state: 'rejected', by: 'U0SVC', reason: 'consumer list is wrong' });
    expect(approvalOutcome(chainOf([{ kind: 'approval_defaulted', actor: 'policy', stage, onTimeout: 'proceed', severity: 'high' }]), stage, false).state).toBe('timed_out');
    // A hold default is not a decision: the stage stays open until the deadline.
    expect(approvalOutcome(chainOf([{ kind: 'approval_defaulted', actor: 'policy', stage, onTimeout: 'hold', severity: 'high' }]), stage, false).state).toBe('closed');
    expect(approvalOutcome(chainOf([{ kind: 'approval_deadline', actor: 'cordon', stage, deadline: '4h' }]), stage, false)).toMatchObject({ state: 'timed_out', detail: expect.stringMatching(/fail closed/) });
    expect(approvalOutcome(chainOf([{ kind: 'approval_fail_closed', actor: 'cordon', stage, reason: 'deadline passed without a decision' }]), stage, false).state).toBe('timed_out');
    expect(approvalOutcome(chainOf([{ kind: 'approval_refused', actor: 'U0M', stage, approver: 'U0M', channel: 'slack', reason: 'stale digest' }]), stage, false).state).toBe('closed');
    // A staged credential failing closed at this stage is not an approval event of it.
    expect(approvalOutcome(chainOf([{ kind: 'staged_fail_closed', actor: 'cordon', credentialId: 'memory:x', stage, cause: 'deadline', rejectedBy: [] }]), stage, false).state).toBe('closed');
  });

  it('says how each decider was authenticated when it was not a signed Slack click, an unauthenticated one loudest', () => {
    const decided = { kind: 'approval_decided', stage, decision: 'approved', quorum: 3 } as const;
    const evidence = chainOf([
      { ...decided, actor: 'U0PRIYA', approver: 'U0PRIYA', channel: 'slack', approvals: 1, authenticatedBy: 'slack_signature', identity: { authenticatedBy: 'slack_signature', slackUserId: 'U0PRIYA', slackTeamId: 'T0', slackTransport: 'signed_request' } },
      { ...decided, actor: 'soar-bot', approver: 'soar-bot', channel: 'api', approvals: 2, authenticatedBy: 'api_key', identity: { authenticatedBy: 'api_key', apiKeyName: 'soar', principal: 'soar-bot' } },
      { ...decided, actor: 'mallory', approver: 'mallory', channel: 'temporal', approvals: 3, authenticatedBy: 'unauthenticated', claimedChannel: 'slack' },
    ]);
    const outcome = approvalOutcome(evidence, stage, false);
    expect(outcome).toEqual({ state: 'approved', by: ['U0PRIYA', 'soar-bot', 'mallory'], via: ['', 'API key soar', 'UNAUTHENTICATED Temporal-direct call claiming slack'] });
    const line = JSON.stringify(lockedApprovalBlocks([], outcome as Exclude<typeof outcome, { state: 'pending' }>));
    expect(line).toContain('<@U0PRIYA>, soar-bot (API key soar), mallory (UNAUTHENTICATED Temporal-direct call claiming slack)');
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
  evidence: chainOf([{ kind: 'approval_decided', actor: 'U0PRIYA', stage: 'c0-restrict', decision: 'approved', approver: 'U0PRIYA', channel: 'slack', approvals: 1, quorum: 2 }, { kind: 'approval_refused', actor: 'U0MARCO', stage: 'c0-restrict', approver: 'U0MARCO', channel: 'slack', reason: 'not an approver' }]),
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

type Actions = { type: string; block_id?: string; elements: { action_id: string; value: string }[] };
const actionsOf = (blocks: readonly unknown[]) => blocks.filter((b): b is Actions => (b as { type: string }).type === 'actions');

describe('the Retry button', () => {
  const notContained: ContainmentStatus = {
    ...status,
    mode: 'direct',
    outcome: 'not_contained',
    outcomeReason: 'memory:tok-drift-1 is still alive after re-revoke and every fallback',
    credentials: [{ ...status.credentials[0]!, state: 'not_contained', replacements: [], fallbacksUsed: ['revokeAllForClient', 'blockApp', 'suspendPrincipal'] }],
  };

  it('is on a not_contained final report only, and carries the workflow id and nothing else', () => {
    const blocks = finalReportBlocks(notContained);
    const [actions, ...more] = actionsOf(blocks);
    expect(more).toHaveLength(0);
    expect(actions!.block_id).toBe(RETRY_ACTIONS_BLOCK);
    expect(actions!.elements.map((e) => [e.action_id, e.value])).toEqual([[RETRY_ACTION, notContained.workflowId]]);
    expect(retryButtonValue(actions!.elements[0]!.value)).toBe(notContained.workflowId);
    for (const outcome of ['contained', 'contained_in_tenant', 'cancelled', 'rejected', 'refused', 'running'] as const) expect(actionsOf(finalReportBlocks({ ...notContained, outcome }))).toHaveLength(0);
  });

  it('accepts only a containment workflow id as its value (a retry of a retry included)', () => {
    expect(retryButtonValue('cordon-contain-INC-1-0123456789abcdef-retry-1')).toBe('cordon-contain-INC-1-0123456789abcdef-retry-1');
    for (const bad of [undefined, '', 'other-workflow', JSON.stringify({ workflowId: 'cordon-contain-INC-1' }), 'cordon-contain-INC 1', `cordon-contain-${'x'.repeat(600)}`]) expect(retryButtonValue(bad)).toBeUndefined();
  });

  it('once retried, the report loses its button and says which run took over and who started it', () => {
    const retried = retriedReportBlocks(finalReportBlocks(notContained), `${notContained.workflowId}-retry-1`, 'U0DANA');
    expect(actionsOf(retried)).toHaveLength(0);
    expect(text(retried)).toContain(`Retried as \`${notContained.workflowId}-retry-1\` by <@U0DANA>`);
    expect(text(retried)).toContain('still alive after re-revoke'); // what failed stays readable
    expect(retryStartedText(`${notContained.workflowId}-retry-1`, notContained.workflowId, 'U0DANA')).toMatch(/^Retry started: cordon-contain-INC-1-0123-retry-1 \(retry of cordon-contain-INC-1-0123\), by <@U0DANA>/);
  });

  it('a retry run’s status message says what it retries (read back from its start evidence)', () => {
    const retry: ContainmentStatus = { ...status, workflowId: `${status.workflowId}-retry-1`, evidence: chainOf([{ kind: 'started', actor: 'U0DANA', workflowId: `${status.workflowId}-retry-1`, incidentId: 'INC-1', credentialRefs: 1, mode: 'direct', severity: 'high', breakGlass: false, retryOf: status.workflowId }]) };
    const request = threadRequestFromStatus(retry);
    expect(request).toMatchObject({ requester: 'U0DANA', severity: 'high', retryOf: status.workflowId, workflowId: retry.workflowId });
    expect(text(threadStatusBlocks(request, retry))).toContain(`Retry* of \`${status.workflowId}\``);
    expect(threadRequestFromStatus(status).retryOf).toBeUndefined();
  });
});

describe('blast radius in the thread', () => {
  const drift = status.scope[0]!.credentials[0]!;
  const other = { ...drift, id: 'tok-other-app', label: 'Reporting app token', consumers: [{ id: 'bi', name: 'BI export', kind: 'pipeline' as const }, { id: 'legacy', name: 'Legacy <sync>', kind: 'pipeline' as const }] };
  const session = { ...drift, id: 'sess-drift-sync', kind: 'session' as const, label: 'drift-sync session', consumers: [] };
  const withCollateral: ContainmentStatus = {
    ...status,
    plan: {
      mode: 'direct',
      credentials: [drift],
      actions: [],
      waves: 0,
      reauth: [{ provider: 'memory', principal: drift.principal, ends: [other, session], effects: [], leftAlone: [] }],
      digest,
    },
    collateral: [
      {
        credentialId: 'memory:tok-other-app',
        provider: 'memory',
        label: 'Reporting app token',
        principalId: 'drift-integration',
        state: 'ended',
        replacements: [{ credentialId: 'memory:tok-other-app', consumerId: 'bi', replacementId: 'r9', fingerprint: '9f8e7d6c5b4a', sink: 'local:bi', issuedAt: '2026-01-01T00:00:03Z' }],
        notReplaced: [{ consumerId: 'legacy', reason: 'owned by another run' }],
      },
      { credentialId: 'memory:sess-drift-sync', provider: 'memory', label: 'drift-sync session', principalId: 'drift-integration', state: 'ended', replacements: [], notReplaced: [] },
    ],
  };

  it('names every credential re-authentication ended and which consumers got replacements, in the status message and the final report', () => {
    for (const blocks of [threadStatusBlocks(threadRequestFromStatus(withCollateral), withCollateral), finalReportBlocks(withCollateral)]) {
      const t = text(blocks);
      expect(t).toContain('Re-authentication ended 2 other credential(s)');
      expect(t).toContain('Reporting app token (`memory:tok-other-app`) ended by re-authentication');
      expect(t).toContain('replacements: BI export (`bi`) → local:bi (fp `9f8e7d6c5b4a`)');
      expect(t).toContain('no replacement for Legacy &lt;sync&gt; (`legacy`): owned by another run');
      expect(t).toContain('drift-sync session (`memory:sess-drift-sync`) ended');
    }
    expect(text(finalReportBlocks(status))).not.toContain('Re-authentication ended'); // none: nothing shown
    // Planned but not yet ended (the status message while the run is at re-authentication).
    const planned = { ...withCollateral, outcome: 'running' as const, collateral: withCollateral.collateral.map((c) => ({ ...c, state: 'planned' as const, replacements: [], notReplaced: [] })) };
    expect(text(threadStatusBlocks(threadRequestFromStatus(planned), planned))).toContain('Re-authentication ended 0 other credential(s)* of 2 planned');
  });

  it('shows what the run waits on while a provider keeps failing, with since and the last error', () => {
    const waiting: ContainmentStatus = { ...status, outcome: 'running', stage: 'revoke', finishedAt: undefined, waitingOn: { what: 'revoking Drift OAuth token', since: '2026-01-01T00:01:00Z', attempts: 7, lastError: 'connector.unavailable: HTTP 503 <html>', escalations: 1 } } as ContainmentStatus;
    const t = text(threadStatusBlocks(threadRequestFromStatus(waiting), waiting));
    expect(t).toContain('⏳ waiting on revoking Drift OAuth token, since 2026-01-01T00:01:00Z, last error connector.unavailable: HTTP 503 &lt;html&gt; (7 round(s), escalated 1×');
    expect(text(threadStatusBlocks(threadRequestFromStatus(status), status))).not.toContain('waiting on');
  });

  it('a credential only cut off shows its owner’s action; contained_in_tenant says owners must delete it', () => {
    const action = 'Drift PAT no longer reaches org acme, but the token itself lives: its owner Dana (dana) must delete it';
    const inTenant: ContainmentStatus = {
      ...status,
      outcome: 'contained_in_tenant',
      credentials: [{ ...status.credentials[0]!, credentialId: 'github:pat-9', state: 'cut_off', replacements: [] }],
      evidence: chainOf([
        { kind: 'verified', actor: 'cordon', credentialId: 'github:pat-9', verdict: 'dead', stillActive: false, unexpectedActive: [], probe: 'skipped' },
        { kind: 'cut_off', actor: 'cordon', credentialId: 'github:pat-9', ownerAction: action },
      ]),
    };
    const report = text(finalReportBlocks(inTenant));
    expect(report).toContain('INC-1: contained in the tenant in 4.5s');
    expect(report).toContain('Contained in the tenant; owners must delete* the 1 credential(s) only cut off');
    expect(report).toContain(`\`github:pat-9\`: ${action}`);
    expect(report).toContain(`owner's action: ${action}`);
    expect(actionsOf(finalReportBlocks(inTenant))).toHaveLength(0); // not retried: nothing a run can do more
    expect(finalReportText(inTenant)).toBe('INC-1: contained in the tenant; owners must delete the 1 credential(s) only cut off');
    const root = text(threadStatusBlocks(threadRequestFromStatus(inTenant), inTenant));
    expect(root).toContain('Containment INC-1: contained in the tenant');
    expect(root).toContain(`cut off in the tenant, owner's action: ${action}`);
    expect(threadText({ incidentId: 'INC-1' }, inTenant)).toBe('Containment INC-1: contained in the tenant');
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
