// The Slack app's own inputs: its configuration (from the environment) and the values it puts in
// its buttons and modals, so that a click or a submission is parsed like every other way in. Pure zod.
import { z } from 'zod';
import { ApprovalStage } from './containment.ts';

/** A Slack user id: `U…` in a workspace, `W…` in an Enterprise Grid org. */
export const SlackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id starts with U or W, e.g. U024BE7LH');

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .default('false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** CORDON_SLACK_* variables (README, "Configuration"). Secrets are checked for shape, never echoed. */
export const SlackAppEnv = z
  .object({
    CORDON_SLACK_SIGNING_SECRET: z
      .string({ error: 'set it to the app’s signing secret (Basic Information → App Credentials → Signing Secret)' })
      .min(8, 'the signing secret is longer than 8 characters: check the value'),
    CORDON_SLACK_BOT_TOKEN: z
      .string({ error: 'set it to the Bot User OAuth Token (OAuth & Permissions, xoxb-…)' })
      .startsWith('xoxb-', 'CORDON_SLACK_BOT_TOKEN must be the bot token (xoxb-…)'),
    CORDON_SLACK_API_URL: z.url({ protocol: /^https?$/ }).optional(),
    CORDON_SLACK_APPROVERS: z
      .string()
      .default('')
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .pipe(z.array(SlackUserId)),
    CORDON_SLACK_SOCKET_MODE: flag,
    CORDON_SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'CORDON_SLACK_APP_TOKEN must be an app-level token (xapp-…)').optional(),
    CORDON_SLACK_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  })
  .refine((e) => !e.CORDON_SLACK_SOCKET_MODE || e.CORDON_SLACK_APP_TOKEN, {
    message: 'Socket Mode needs CORDON_SLACK_APP_TOKEN (an xapp- token with connections:write)',
    path: ['CORDON_SLACK_APP_TOKEN'],
  });
export type SlackAppEnv = z.infer<typeof SlackAppEnv>;

/** What an Approve / Reject button carries: the workflow, the stage and the digest it was shown (I7). */
export const ApprovalButtonValue = z
  .object({
    workflowId: z.string().min(1).max(512),
    stage: ApprovalStage,
    digest: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
export type ApprovalButtonValue = z.infer<typeof ApprovalButtonValue>;

/** The reject modal remembers which message to lock once the rejection is recorded. */
export const RejectModalMetadata = ApprovalButtonValue.extend({
  channel: z.string().min(1).max(64),
  messageTs: z.string().min(1).max(64),
  threadTs: z.string().min(1).max(64).optional(),
}).strict();
export type RejectModalMetadata = z.infer<typeof RejectModalMetadata>;

/** What a drift verdict's Contain / Dismiss button carries: the containment the watch opened for it, and the verdict. */
export const VerdictButtonValue = z
  .object({
    workflowId: z.string().regex(/^cordon-contain-drift-[A-Za-z0-9._:-]{1,400}$/, 'a containment the drift watch opened (cordon-contain-drift-…)'),
    verdictId: z.string().min(1).max(128),
  })
  .strict();
export type VerdictButtonValue = z.infer<typeof VerdictButtonValue>;

/** The dismiss modal remembers the verdict message to lock once the dismissal is recorded. */
export const DismissModalMetadata = VerdictButtonValue.extend({
  channel: z.string().min(1).max(64),
  messageTs: z.string().min(1).max(64),
  threadTs: z.string().min(1).max(64).optional(),
}).strict();
export type DismissModalMetadata = z.infer<typeof DismissModalMetadata>;

/** The contain modal remembers the channel the command was run in: the thread goes there. */
export const ContainModalMetadata = z.object({ channel: z.string().min(1).max(64) }).strict();
