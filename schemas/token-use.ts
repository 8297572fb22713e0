// One use of a token as the drift watch sees it, whatever provider's audit log it came from (design: docs/drift-watch.md).
// The providers' audit readers (connectors/<provider>/audit-reader.ts) turn their wire records into this shape;
// the watch (watch/) builds baselines and verdicts from it. Pure zod: no Node built-ins, no SDKs.
import { z } from 'zod';
import { CredentialKind } from './credential.ts';

/** Providers whose audit logs the watch reads (the reference tenant has none). */
export const AuditProvider = z.enum(['google', 'github', 'salesforce', 'slack']);
export type AuditProvider = z.infer<typeof AuditProvider>;

/**
 * What happened:
 * - `use`: the token called an API (Google `token` activity, a GitHub event with `hashed_token`, a Salesforce
 *   API login or OauthToken use, a Slack API call seen in the audit log);
 * - `authorize` / `refresh` / `revoke`: the grant was issued, refreshed or revoked;
 * - `login`: an interactive or API login of the owner (Google `login`, Salesforce LoginHistory);
 * - `scope_change`: the token's or app's scopes changed (Slack `app_scopes_expanded`, a Google re-authorize);
 * - `principal_status`: the owner was suspended, offboarded or changed role (`principalStatus` says which);
 * - `app_retired`: the app behind the token was uninstalled or retired;
 * - `provider_anomaly`: the provider's own anomaly engine flagged the token (Slack `anomaly`; `providerReasons`).
 */
export const TokenUseAction = z.enum([
  'use',
  'authorize',
  'refresh',
  'revoke',
  'login',
  'scope_change',
  'principal_status',
  'app_retired',
  'provider_anomaly',
]);
export type TokenUseAction = z.infer<typeof TokenUseAction>;

export const TokenUseEvent = z.object({
  /** Stable across re-reads of the same record (provider + the provider's own event id): pages are deduplicated on it. */
  id: z.string().min(1).max(512),
  provider: AuditProvider,
  /** When it happened (the provider's event time), ISO 8601. */
  at: z.iso.datetime({ offset: true }),
  /** When the reader received it, ISO 8601: `receivedAt - at` is the provider's lag. */
  receivedAt: z.iso.datetime({ offset: true }).optional(),
  action: TokenUseAction,
  /**
   * The token, as stably as the provider names it: GitHub's `hashed_token`, Google `<user>:<oauth client id>`,
   * Salesforce `<user id>:<connected app>`, Slack `<app or user id>:<token type>`. Baselines are keyed on it.
   * Absent for events about a principal or an app as a whole (`principal_status`, `app_retired`).
   */
  tokenKey: z.string().min(1).max(512).optional(),
  credentialKind: CredentialKind.optional(),
  /** The owner: user email or id, service account, bot or integration user. */
  principal: z.string().min(1).max(512),
  /** The OAuth client, connected app or GitHub/Slack app behind the token, when known. */
  app: z.string().min(1).max(512).optional(),
  /** The provider's operation name: Google `api_name.method_name`, GitHub `action`, Salesforce API type, Slack `action`. */
  operation: z.string().max(256).optional(),
  /** What it touched: a repository, an sObject, a Google API, a Slack channel. */
  target: z.string().max(512).optional(),
  ip: z.string().max(64).optional(),
  userAgent: z.string().max(1024).optional(),
  /** Scopes the token carried at this event (GitHub `token_scopes`, Google `scope`, Slack app scopes). */
  scopes: z.array(z.string().max(256)).max(200).optional(),
  /** How many calls, rows or objects this record stands for (1 when the provider logs each call). */
  count: z.number().int().nonnegative().default(1),
  bytes: z.number().int().nonnegative().optional(),
  /** The session or parent grant the use hangs off, for "refresh after the session should be dead". */
  sessionId: z.string().max(256).optional(),
  /** When that session or grant should have ended, ISO 8601, when the provider says. */
  sessionEndsAt: z.iso.datetime({ offset: true }).optional(),
  principalStatus: z.enum(['suspended', 'offboarded', 'role_changed', 'reactivated']).optional(),
  /** The provider's own reasons (Slack anomaly `reason`s), passed through unchanged. */
  providerReasons: z.array(z.string().max(256)).max(50).optional(),
});
export type TokenUseEvent = z.infer<typeof TokenUseEvent>;
export type TokenUseEventInput = z.input<typeof TokenUseEvent>;
