// The approval message: exactly what the approver is agreeing to (credentials, consumers affected,
// wave, plan digest — design.md I7), with Approve and Reject; and its locked form once decided.
import type { ApprovalButtonValue } from '../../../schemas/slack.ts';
import type { ApprovalOutcome } from '../approval-outcome.ts';
import { code, confirmedButton, context, escapeText, fields, header, mention, section, type Block } from './block-kit.ts';

export const APPROVE_ACTION = 'cordon_approve';
export const REJECT_ACTION = 'cordon_reject';
export const APPROVAL_ACTIONS_BLOCK = 'cordon_approval_actions';
export const APPROVAL_OUTCOME_BLOCK = 'cordon_approval_outcome';

export interface ApprovalDetails {
  workflowId: string;
  incidentId: string;
  stage: string;
  digest: string;
  description: string;
  credentialIds: string[];
  /** Consumers cut over in this stage, with their names when the plan is known. */
  consumers: { id: string; name?: string }[];
  wave: number;
  quorum: number;
  /** Approvals already counted (quorum > 1). */
  approvals: string[];
  escalated?: boolean;
}

export function approvalText(d: Pick<ApprovalDetails, 'incidentId' | 'stage'>): string {
  return `Approval needed for ${d.incidentId}, stage ${d.stage}`;
}

export function approvalRequestBlocks(d: ApprovalDetails): Block[] {
  const value = JSON.stringify({ workflowId: d.workflowId, stage: d.stage, digest: d.digest } satisfies ApprovalButtonValue);
  const consumers = d.consumers.length ? d.consumers.map((c) => (c.name && c.name !== c.id ? `${escapeText(c.name)} (${code(c.id)})` : code(c.id))).join('\n') : '_none: this stage changes no consumer_';
  return [
    header(`${d.escalated ? '⏰ Still waiting' : '🛑 Approval needed'}: ${d.incidentId} · ${d.stage}`),
    section(escapeText(d.description)),
    fields([
      ['Credentials', d.credentialIds.map(code).join('\n')],
      ['Consumers affected', consumers],
      ['Wave', d.wave === 0 ? '0 (before any wave)' : String(d.wave)],
      ['Approvals', `${d.approvals.length}/${d.quorum}${d.approvals.length ? `: ${d.approvals.map(mention).join(', ')}` : ''}`],
    ]),
    context(`Plan digest ${code(d.digest)}: your decision is bound to this plan`, `Workflow ${code(d.workflowId)}`),
    {
      type: 'actions',
      block_id: APPROVAL_ACTIONS_BLOCK,
      elements: [
        confirmedButton({
          actionId: APPROVE_ACTION,
          verb: 'Approve',
          value,
          title: 'Approve this stage?',
          text: `Cordon will run ${escapeText(d.stage)} of ${escapeText(d.incidentId)} as described.`,
        }),
        { type: 'button', action_id: REJECT_ACTION, style: 'danger', text: { type: 'plain_text', text: 'Reject…' }, value },
      ],
    },
  ];
}

export function outcomeLine(o: ApprovalOutcome): string {
  switch (o.state) {
    case 'approved':
      return `✅ *Approved* by ${o.by.map((who, i) => `${mention(who)}${o.via?.[i] ? ` (${escapeText(o.via[i])})` : ''}`).join(', ')}`;
    case 'rejected':
      return `❌ *Rejected* by ${mention(o.by)}${o.via ? ` (${escapeText(o.via)})` : ''}${o.reason ? `: ${escapeText(o.reason)}` : ''}`;
    case 'timed_out':
      return `⏱️ *Timed out*: ${o.detail}`;
    case 'closed':
      return `⏹️ *Closed*: ${o.detail}`;
    case 'pending':
      return `⏳ ${o.approvals.length} approval(s) so far${o.approvals.length ? `: ${o.approvals.map(mention).join(', ')}` : ''}`;
  }
}

/**
 * The locked message: the request as it was shown, the buttons gone, the decision and the decider
 * added. Built from the message's own blocks so what was approved stays readable.
 */
export function lockedApprovalBlocks(shown: readonly Block[], o: Exclude<ApprovalOutcome, { state: 'pending' }>): Block[] {
  const kept = shown.filter((b) => b.block_id !== APPROVAL_ACTIONS_BLOCK && b.block_id !== APPROVAL_OUTCOME_BLOCK && b.type !== 'header');
  const title = o.state === 'approved' ? 'Approved' : o.state === 'rejected' ? 'Rejected' : o.state === 'timed_out' ? 'Timed out' : 'Closed';
  const oldHeader = shown.find((b) => b.type === 'header') as { text?: { text?: string } } | undefined;
  const subject = oldHeader?.text?.text?.replace(/^[^:]*:\s*/, '') ?? 'approval';
  return [header(`${title}: ${subject}`), ...kept, { type: 'section', block_id: APPROVAL_OUTCOME_BLOCK, text: { type: 'mrkdwn', text: outcomeLine(o) } }];
}

export function lockedText(d: Pick<ApprovalDetails, 'incidentId' | 'stage'>, o: ApprovalOutcome): string {
  return `${d.incidentId} ${d.stage}: ${outcomeLine(o).replace(/[*_]/g, '')}`;
}
