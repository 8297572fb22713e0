// A drift verdict in the containment's thread (docs/drift-watch.md, "Verdicts in Slack"): the score, the
// severity and each reason in words with how many audit events are behind it, then Contain and Dismiss.
// Only what the verdict says is shown: token keys, principals, reasons and counts — never an event payload
// or a credential value (a verdict holds none).
import type { Verdict } from '../../../schemas/verdict.ts';
import type { VerdictButtonValue } from '../../../schemas/slack.ts';
import { code, confirmedButton, context, escapeText, fields, header, mention, section, type Block } from './block-kit.ts';

export const CONTAIN_VERDICT_ACTION = 'cordon_verdict_contain';
export const DISMISS_VERDICT_ACTION = 'cordon_verdict_dismiss';
export const VERDICT_ACTIONS_BLOCK = 'cordon_verdict_actions';
export const VERDICT_OUTCOME_BLOCK = 'cordon_verdict_outcome';

/** A reason's events: the verdict keeps the first 50 ids of each reason. */
const MAX_EVENT_IDS = 50;

export function verdictText(v: Pick<Verdict, 'provider' | 'tokenKey' | 'score' | 'severity'>): string {
  return `Drift verdict: ${v.provider} token ${v.tokenKey.slice(0, 64)}, score ${v.score} (${v.severity})`;
}

export function reasonLines(v: Pick<Verdict, 'reasons'>): string[] {
  return v.reasons.map((r) => {
    const n = r.eventIds.length >= MAX_EVENT_IDS ? `${MAX_EVENT_IDS}+ events` : `${r.eventIds.length} event${r.eventIds.length === 1 ? '' : 's'}`;
    return `• ${escapeText(r.text)} _(${n}, weight ${r.weight})_`;
  });
}

/** The verdict post; `mode` says whether the containment waits for approval (buttons) or is already running. */
export function verdictBlocks(v: Verdict, containment: { workflowId: string; mode: 'staged' | 'direct' }): Block[] {
  const value = JSON.stringify({ workflowId: containment.workflowId, verdictId: v.id } satisfies VerdictButtonValue);
  const blocks: Block[] = [
    header(`🔎 Drift verdict: score ${v.score} (${v.severity})`),
    fields([
      ['Token', `${escapeText(v.provider)} ${code(v.tokenKey.slice(0, 200))}`],
      ['Owner', `${escapeText(v.principal)}${v.app ? ` · app ${escapeText(v.app)}` : ''}`],
      ['Triggers', v.triggers.map((t) => t.replace(/_/g, ' ')).join(', ')],
      ['Containment', containment.mode === 'staged' ? 'staged: waits for approval' : 'direct: running now (policy)'],
    ]),
    section(`*Why*\n${reasonLines(v).join('\n')}`),
    context(`Verdict ${code(v.id)} · opened ${escapeText(v.openedAt)}`, `Workflow ${code(containment.workflowId)}`),
  ];
  if (containment.mode === 'direct') return blocks;
  blocks.push({
    type: 'actions',
    block_id: VERDICT_ACTIONS_BLOCK,
    elements: [
      confirmedButton({
        actionId: CONTAIN_VERDICT_ACTION,
        verb: 'Contain',
        value,
        title: 'Contain this token?',
        text: 'This approves the stage of the staged containment that is waiting now, bound to its plan digest, like Approve on its approval message.',
      }),
      { type: 'button', action_id: DISMISS_VERDICT_ACTION, text: { type: 'plain_text', text: 'Dismiss…' }, value },
    ],
  });
  return blocks;
}

/** The verdict post once settled: buttons gone, what happened and who did it added. */
export function lockedVerdictBlocks(shown: readonly Block[], outcome: { state: 'dismissed'; by: string; reason: string } | { state: 'ended'; outcome: string }): Block[] {
  const kept = shown.filter((b) => b.block_id !== VERDICT_ACTIONS_BLOCK && b.block_id !== VERDICT_OUTCOME_BLOCK);
  const line = outcome.state === 'dismissed' ? `🙅 *Dismissed* by ${mention(outcome.by)}: ${escapeText(outcome.reason)}` : `⏹️ *Containment ended ${escapeText(outcome.outcome.replace(/_/g, ' '))}*`;
  return [...kept, { type: 'section', block_id: VERDICT_OUTCOME_BLOCK, text: { type: 'mrkdwn', text: line } }];
}
