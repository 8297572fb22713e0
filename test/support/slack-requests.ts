// Requests as Slack sends them to the app's HTTP receiver (form-encoded `payload=` JSON for block_actions and
// view_submission, X-Slack-Signature v0 + X-Slack-Request-Timestamp), for the e2e tests that drive the Slack app.
import { randomBytes } from 'node:crypto';
import { slackSignatureHeaders, type PostedMessage } from '@cordon/emulators';

export type Button = { action_id: string; value: string; block_id?: string };

export function buttonsOf(m: PostedMessage): Button[] {
  return (m.blocks ?? []).flatMap((b) => ((b as { type: string }).type === 'actions' ? (b as { elements: Button[]; block_id: string }).elements.map((e) => ({ ...e, block_id: (b as { block_id: string }).block_id })) : []));
}

export async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function slackRequests(o: { url: string; signingSecret: string; team: string; channelName?: string }) {
  const post = (body: string) => fetch(o.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignatureHeaders(o.signingSecret, body) }, body });
  const payload = (p: unknown) => post(new URLSearchParams({ payload: JSON.stringify(p) }).toString());
  const userOf = (id: string) => ({ id, username: id.toLowerCase(), name: id.toLowerCase(), team_id: o.team });
  return {
    /** A click on a button of `shown` (the message as the clicker's Slack client shows it). */
    click(user: string, shown: PostedMessage, actionId: string): Promise<Response> {
      const button = buttonsOf(shown).find((b) => b.action_id === actionId);
      if (!button) throw new Error(`no ${actionId} button on the message`);
      const thread = shown.threadTs ? { thread_ts: shown.threadTs } : {};
      return payload({
        type: 'block_actions',
        user: userOf(user),
        api_app_id: 'A0CORDON01',
        token: 'deprecated-verification-token',
        container: { type: 'message', message_ts: shown.ts, channel_id: shown.channel, is_ephemeral: false, ...thread },
        trigger_id: `${Date.now()}.2.${randomBytes(4).toString('hex')}`,
        team: { id: o.team, domain: 'acme' },
        enterprise: null,
        is_enterprise_install: false,
        channel: { id: shown.channel, name: o.channelName ?? 'incident-response' },
        message: { type: 'message', user: shown.user, bot_id: shown.botId, text: shown.text, ts: shown.ts, ...thread, blocks: shown.blocks },
        state: { values: {} },
        response_url: `https://hooks.slack.com/actions/${o.team}/2/def`,
        actions: [{ action_id: button.action_id, block_id: button.block_id, text: { type: 'plain_text', text: 'x' }, value: button.value, type: 'button', action_ts: `${Date.now() / 1000}` }],
      });
    },
    /** A modal submitted with `values` (block id → action id → input state). */
    submitView(user: string, view: Record<string, unknown>, values: Record<string, Record<string, unknown>>): Promise<Response> {
      return payload({
        type: 'view_submission',
        team: { id: o.team, domain: 'acme' },
        user: userOf(user),
        api_app_id: 'A0CORDON01',
        token: 'deprecated-verification-token',
        trigger_id: `${Date.now()}.3.${randomBytes(4).toString('hex')}`,
        view: { id: 'V0TEST', team_id: o.team, type: 'modal', blocks: view.blocks, private_metadata: view.private_metadata, callback_id: view.callback_id, state: { values }, hash: '1.abc', title: view.title, app_id: 'A0CORDON01', root_view_id: 'V0TEST', previous_view_id: null, bot_id: 'B0CORDONBT' },
        response_urls: [],
        is_enterprise_install: false,
        enterprise: null,
      });
    },
  };
}
