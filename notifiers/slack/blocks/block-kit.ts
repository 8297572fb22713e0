// Small constructors for the Block Kit elements Cordon uses. Text that came from people or providers
// is escaped so it cannot turn into mentions or links (Slack's `&`, `<`, `>` escaping rule).
import type { types } from '@slack/bolt';

export type Block = types.KnownBlock;
export type ModalView = types.ModalView;
export type Button = types.Button;

export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack's section text limit is 3,000 characters; longer text is cut with an ellipsis. */
export function clip(text: string, max = 2900): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export const mention = (userId: string): string => (/^[UW][A-Z0-9]{2,}$/.test(userId) ? `<@${userId}>` : escapeText(userId));

export const header = (text: string): Block => ({ type: 'header', text: { type: 'plain_text', text: clip(text, 150), emoji: true } });

export const section = (mrkdwn: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: clip(mrkdwn) } });

export const fields = (pairs: [string, string][]): Block => ({
  type: 'section',
  fields: pairs.slice(0, 10).map(([label, value]) => ({ type: 'mrkdwn', text: clip(`*${label}*\n${value}`, 1900) })),
});

export const context = (...mrkdwn: string[]): Block => ({ type: 'context', elements: mrkdwn.slice(0, 10).map((text) => ({ type: 'mrkdwn', text: clip(text, 1900) })) });

export const divider = (): Block => ({ type: 'divider' });

export const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

/**
 * A primary button behind Slack's confirmation dialog: `verb` labels both the button and the dialog's
 * confirm, `text` (mrkdwn, already escaped) says what the click does.
 */
export const confirmedButton = (b: { actionId: string; verb: string; value: string; title: string; text: string }): Button => ({
  type: 'button',
  action_id: b.actionId,
  style: 'primary',
  text: { type: 'plain_text', text: b.verb },
  value: b.value,
  confirm: {
    title: { type: 'plain_text', text: b.title },
    text: { type: 'mrkdwn', text: b.text },
    confirm: { type: 'plain_text', text: b.verb },
    deny: { type: 'plain_text', text: 'Cancel' },
  },
});
