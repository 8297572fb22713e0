// The Retry button on a `not_contained` final report and the thread message once a retry started.
// The button carries only the workflow id (no secret, nothing else to trust): the click is authorized
// and the run re-read by the listener (slack/actions/retry.ts).
import { WORKFLOW_ID_PREFIX } from '../../../schemas/containment.ts';
import { code, context, escapeText, mention, section, type Block } from './block-kit.ts';

export const RETRY_ACTION = 'cordon_retry';
export const RETRY_ACTIONS_BLOCK = 'cordon_retry_actions';

/** What a Retry button's value may be: a containment workflow id (retries of retries included). */
const RETRY_VALUE = new RegExp(`^${WORKFLOW_ID_PREFIX}-[A-Za-z0-9._:-]{1,400}$`);

/** The workflow id a Retry button carries, or undefined when the value is not one. */
export function retryButtonValue(raw: string | undefined): string | undefined {
  return raw && raw.length <= 512 && RETRY_VALUE.test(raw) ? raw : undefined;
}

export function retryActionsBlock(workflowId: string, incidentId: string): Block {
  return {
    type: 'actions',
    block_id: RETRY_ACTIONS_BLOCK,
    elements: [
      {
        type: 'button',
        action_id: RETRY_ACTION,
        text: { type: 'plain_text', text: 'Retry' },
        value: workflowId,
        confirm: {
          title: { type: 'plain_text', text: 'Retry this containment?' },
          text: {
            type: 'mrkdwn',
            text: `Cordon will run the containment of ${escapeText(incidentId)} again as ${code(`${workflowId}-retry-<n>`)}, followed in this thread. What was revoked is not found again; replacements already issued stay.`,
          },
          confirm: { type: 'plain_text', text: 'Retry' },
          deny: { type: 'plain_text', text: 'Cancel' },
        },
      },
    ],
  };
}

export function retryStartedText(retryId: string, retryOf: string, by: string): string {
  return `Retry started: ${retryId} (retry of ${retryOf}), by ${mention(by)}; followed in this thread.`;
}

export function retryStartedBlocks(retryId: string, retryOf: string, by: string): Block[] {
  return [
    section(`🔁 *Retry started*: ${code(retryId)} by ${mention(by)}, followed in this thread: approvals and its final report come here, the status message above now shows it.`),
    context(`Retry of ${code(retryOf)}: what was revoked is not found again; replacements already issued stay.`),
  ];
}

/** The final report once retried: the Retry button gone, which run took over and who started it. */
export function retriedReportBlocks(shown: readonly Block[], retryId: string, by: string): Block[] {
  return [...shown.filter((b) => b.block_id !== RETRY_ACTIONS_BLOCK), context(`🔁 Retried as ${code(retryId)} by ${mention(by)}`)];
}
