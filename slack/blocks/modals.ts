// The modals: the contain form (the same inputs as `/cordon contain`; block ids are the field
// names, so the parser’s errors land under the right input), and the reject and dismiss forms, each with a reason.
import { Severity } from '../../schemas/containment.ts';
import { CredentialKind, Provider } from '../../schemas/credential.ts';
import type { ContainField } from '../command-parser.ts';
import { code, escapeText, section, type Block, type ModalView } from '../../notifiers/slack/blocks/block-kit.ts';

export const CONTAIN_VIEW = 'cordon_contain';
export const REJECT_VIEW = 'cordon_reject_reason';
export const DISMISS_VIEW = 'cordon_dismiss_verdict';
/** Every input's action id: the block id says which field it is. */
export const INPUT_ACTION = 'value';

const option = (value: string) => ({ text: { type: 'plain_text' as const, text: value }, value });

const textInput = (block: ContainField, label: string, opts: { hint?: string; placeholder?: string; optional?: boolean; multiline?: boolean } = {}): Block => ({
  type: 'input',
  block_id: block,
  optional: opts.optional ?? false,
  label: { type: 'plain_text', text: label },
  ...(opts.hint ? { hint: { type: 'plain_text', text: opts.hint } } : {}),
  element: {
    type: 'plain_text_input',
    action_id: INPUT_ACTION,
    multiline: opts.multiline ?? false,
    ...(opts.placeholder ? { placeholder: { type: 'plain_text', text: opts.placeholder } } : {}),
  },
});

const select = (block: ContainField, label: string, values: readonly string[], initial?: string, optional = false): Block => ({
  type: 'input',
  block_id: block,
  optional,
  label: { type: 'plain_text', text: label },
  element: {
    type: 'static_select',
    action_id: INPUT_ACTION,
    options: values.map(option),
    ...(initial ? { initial_option: option(initial) } : {}),
  },
});

export function containModal(privateMetadata: string): ModalView {
  return {
    type: 'modal',
    callback_id: CONTAIN_VIEW,
    private_metadata: privateMetadata,
    title: { type: 'plain_text', text: 'Contain a credential' },
    submit: { type: 'plain_text', text: 'Contain' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      select('provider', 'Provider', Provider.options),
      textInput('ref', 'Credential', { placeholder: 'id=… or client=… user=… or key=… or fp=…', hint: 'Name it by id or fingerprint. Never paste the leaked value into Slack.' }),
      textInput('incident', 'Incident id', { placeholder: 'INC-123' }),
      select('severity', 'Severity', Severity.options, 'high'),
      {
        type: 'input',
        block_id: 'shared',
        optional: true,
        label: { type: 'plain_text', text: 'Shared credential' },
        element: {
          type: 'checkboxes',
          action_id: INPUT_ACTION,
          options: [{ text: { type: 'plain_text', text: 'Contain in approved stages (restrict → waves → revoke)' }, value: 'staged' }],
        },
      },
      select('kind', 'Kind (optional)', CredentialKind.options, undefined, true),
      textInput('reason', 'Reason for approvers (optional)', { optional: true, multiline: true }),
    ],
  };
}

/** A modal that asks for one required reason (the reject and dismiss forms): its block id `reason`. */
function reasonModal(o: { callbackId: string; privateMetadata: string; title: string; submit: string; intro: string; label: string }): ModalView {
  return {
    type: 'modal',
    callback_id: o.callbackId,
    private_metadata: o.privateMetadata,
    title: { type: 'plain_text', text: o.title },
    submit: { type: 'plain_text', text: o.submit },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      section(o.intro),
      {
        type: 'input',
        block_id: 'reason',
        label: { type: 'plain_text', text: o.label },
        element: { type: 'plain_text_input', action_id: INPUT_ACTION, multiline: true, max_length: 2000 },
      },
    ],
  };
}

export function rejectModal(privateMetadata: string, stage: string, incidentId?: string): ModalView {
  return reasonModal({
    callbackId: REJECT_VIEW,
    privateMetadata,
    title: 'Reject this stage',
    submit: 'Reject',
    intro: `You are rejecting ${code(stage)}${incidentId ? ` of ${escapeText(incidentId)}` : ''}. A rejected staged wave fails closed: the shared credential is revoked at once.`,
    label: 'Reason',
  });
}

export function dismissModal(privateMetadata: string, verdictId: string): ModalView {
  return reasonModal({
    callbackId: DISMISS_VIEW,
    privateMetadata,
    title: 'Dismiss this verdict',
    submit: 'Dismiss',
    intro:
      `You are dismissing verdict ${code(verdictId)}: its containment is cancelled before anything is revoked, and the token's baseline ` +
      'learns what the verdict was about (the networks, countries, clients and volume it named become known).',
    label: 'Why is this not an incident?',
  });
}
