// The Slack connector's configuration, from CORDON_SLACK_* variables. Base URLs default to the real
// service and are overridable, so the same code talks to the local emulator or to slack.com.
import { z } from 'zod';
import { Secret } from '../../logging/secret.ts';

const ENV = {
  apiUrl: 'CORDON_SLACK_API_URL',
  auditUrl: 'CORDON_SLACK_AUDIT_URL',
  adminToken: 'CORDON_SLACK_ADMIN_TOKEN',
  timeoutMs: 'CORDON_SLACK_TIMEOUT_MS',
} as const;

const withTrailingSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

const SlackConnectorConfigSchema = z.object({
  /** Web API base, e.g. https://slack.com/api/ (WebClient's slackApiUrl). */
  apiUrl: z.url().default('https://slack.com/api/').transform(withTrailingSlash),
  /** Audit Logs API base (Enterprise Grid only): https://api.slack.com/audit/v1/. */
  auditUrl: z.url().default('https://api.slack.com/audit/v1/').transform(withTrailingSlash),
  /**
   * A user token (`xoxp-`) of an org owner, installed at org level, with admin.users:read/write,
   * admin.apps:read/write, users:read and auditlogs:read (Slack admin API and Audit Logs API docs). Kept in a Secret.
   */
  adminToken: z
    .union([z.string(), z.instanceof(Secret)])
    .transform((v) => (v instanceof Secret ? v : new Secret(v)))
    .refine((v) => /^(xoxp-|xoxe\.xoxp-)/.test(v.reveal()), 'the admin token must be a user token (xoxp-) of an org owner'),
  /** Per-request timeout; a timed-out call is a retryable `timeout` (the activity retries). */
  timeoutMs: z.coerce.number().int().positive().default(30_000),
});

export type SlackConnectorConfig = z.output<typeof SlackConnectorConfigSchema>;
export type SlackConnectorConfigInput = z.input<typeof SlackConnectorConfigSchema>;

/** Parse CORDON_SLACK_*; a missing or bad variable is named in the error (never its value). */
function fromEnv(env: NodeJS.ProcessEnv = process.env): SlackConnectorConfig {
  if (!env[ENV.adminToken]) throw new Error(`${ENV.adminToken} is not set: the Slack connector needs an org owner's user token (xoxp-) with admin.* and auditlogs:read scopes`);
  const parsed = SlackConnectorConfigSchema.safeParse({
    ...(env[ENV.apiUrl] ? { apiUrl: env[ENV.apiUrl] } : {}),
    ...(env[ENV.auditUrl] ? { auditUrl: env[ENV.auditUrl] } : {}),
    adminToken: env[ENV.adminToken],
    ...(env[ENV.timeoutMs] ? { timeoutMs: env[ENV.timeoutMs] } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path[0] as keyof typeof ENV;
    throw new Error(`${ENV[field] ?? String(field)}: ${issue.message}`);
  }
  return parsed.data;
}

export const SlackConnectorConfig = Object.assign(SlackConnectorConfigSchema, { fromEnv, env: ENV });
