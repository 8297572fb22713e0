// The Slack connector's environment: its CORDON_* variables, keyed by name, with their descriptions.
// Pure zod; connectors/providers.ts joins every provider's part to the core variables of schemas/config.ts.
import { z } from 'zod';
import { variable, positiveInt, url } from '../../schemas/config.ts';

export const SlackEnv = z.object({
  CORDON_SLACK_ADMIN_TOKEN: variable(z.string().regex(/^(xoxp-|xoxe\.xoxp-)/, 'must be a user token (xoxp-) of an org owner'), {
    area: 'slack',
    secret: true,
    required: true,
    description: 'an Enterprise Grid org owner’s user token (xoxp-) with `admin.*` and `auditlogs:read`; turns the Slack connector on',
  }),
  CORDON_SLACK_AUDIT_URL: variable(url, { area: 'slack', secret: false, description: 'the Audit Logs API base; only to point at the local tenant', default: 'https://api.slack.com/audit/v1/' }),
  CORDON_SLACK_TIMEOUT_MS: variable(positiveInt, { area: 'slack', secret: false, description: 'per-request timeout in milliseconds', default: '30000' }),
});
