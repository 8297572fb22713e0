// `cordon doctor` for Slack: does the admin token authenticate, with the scopes Cordon needs? Read-only.
import { WebClient } from '@slack/web-api';
import { checkFailure as message, type PreflightCheck } from '../manifest.ts';
import { SlackConnectorConfig } from './config.ts';

/** Scopes of the Slack org owner token (Slack admin API and Audit Logs API docs). */
const SLACK_SCOPES = ['admin.users:read', 'admin.users:write', 'admin.apps:read', 'admin.apps:write', 'auditlogs:read'];

export async function checkSlack(env: Record<string, string | undefined>): Promise<PreflightCheck[]> {
  const config = SlackConnectorConfig.fromEnv(env);
  const client = new WebClient(config.adminToken.reveal(), { slackApiUrl: config.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  try {
    const r = await client.auth.test();
    const scopes = r.response_metadata?.scopes ?? [];
    const missing = SLACK_SCOPES.filter((s) => !scopes.includes(s));
    return [
      {
        provider: 'slack',
        check: 'admin token',
        ok: missing.length === 0,
        detail: `token of ${r.user ?? r.user_id} in ${r.team ?? r.team_id}${missing.length ? `; missing scopes ${missing.join(', ')}` : '; scopes sufficient'}`,
        ...(missing.length ? { fix: `reinstall Cordon's org-level app with user scopes ${missing.join(', ')} (an org owner must approve)` } : {}),
      },
    ];
  } catch (err) {
    return [{ provider: 'slack', check: 'admin token', ok: false, detail: message(err), fix: 'set CORDON_SLACK_ADMIN_TOKEN to an org owner’s user token (xoxp-) installed at the org level' }];
  }
}
