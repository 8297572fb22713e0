// Configuration of the Salesforce connector, from CORDON_SALESFORCE_* variables. The login URL is the only
// address: the token response's instance_url says where REST lives, so the same code reaches the emulator
// or a real org (jsforce docs; Salesforce OAuth 2.0 JWT bearer flow docs).
import { z } from 'zod';
import { Consumer } from '../../schemas/credential.ts';
import { readInventoryVariable } from '../inventory-variable.ts';

/**
 * Who consumes a connected app's grant for one user. Salesforce records no such thing (an OauthToken row
 * names an app and a user, nothing more), so it comes from the deployment's inventory; the local tenant
 * derives it from the scenario.
 */
export const SalesforceConsumerInventoryEntry = z
  .object({
    /** Connected app name, as OauthToken.AppName shows it. */
    app: z.string().min(1),
    /** Salesforce username of the user the grant belongs to. */
    user: z.string().min(1),
    /** When one user holds several grants of the app: the grant's CreatedDate (ISO), to tell them apart. */
    createdDate: z.string().optional(),
    consumers: z.array(Consumer),
  })
  .strict();
export type SalesforceConsumerInventoryEntry = z.infer<typeof SalesforceConsumerInventoryEntry>;

const ConfigSchema = z
  .object({
    /** https://login.salesforce.com, https://test.salesforce.com, a My Domain URL, or the emulator. */
    loginUrl: z.url().transform((u) => u.replace(/\/+$/, '')),
    /** Consumer key of Cordon's connected app (the JWT's `iss`). */
    clientId: z.string().min(1),
    /** The admin user Cordon logs in as (the JWT's `sub`). */
    username: z.string().min(3),
    /** PEM private key whose certificate is uploaded on the connected app. */
    privateKey: z.string().includes('PRIVATE KEY', { message: 'expected a PEM private key' }),
    /** The JWT's `aud`; defaults to the login URL (Salesforce OAuth 2.0 JWT bearer flow docs). */
    audience: z.string().optional(),
    /** jsforce defaults to 50.0, too old for AuthSession.IsCurrent; always explicit (jsforce docs). */
    apiVersion: z.string().regex(/^\d{2}\.0$/, 'an API version looks like 62.0').default('62.0'),
    consumers: z.array(SalesforceConsumerInventoryEntry).default([]),
    requestTimeoutMs: z.number().int().positive().default(30_000),
    /**
     * Salesforce's REQUEST_LIMIT_EXCEEDED carries no Retry-After (the daily allowance is a rolling 24-hour
     * window, Salesforce REST API docs: limits and errors): this is the delay the retry policy is told to wait.
     */
    rateLimitBackoffMs: z.number().int().positive().default(60_000),
  })
  .strict();
export type SalesforceConnectorConfig = z.infer<typeof ConfigSchema>;

const REQUIRED = {
  CORDON_SALESFORCE_LOGIN_URL: 'loginUrl',
  CORDON_SALESFORCE_CLIENT_ID: 'clientId',
  CORDON_SALESFORCE_USERNAME: 'username',
  CORDON_SALESFORCE_PRIVATE_KEY: 'privateKey',
} as const;

/** Reads the config from the environment; a missing or invalid variable is named in the error. */
export function salesforceConfigFromEnv(env: Record<string, string | undefined> = process.env): SalesforceConnectorConfig {
  for (const name of Object.keys(REQUIRED)) {
    if (!env[name]) throw new Error(`salesforce connector: ${name} is not set`);
  }
  const consumers = readInventoryVariable(env, 'CORDON_SALESFORCE_CONSUMERS', '[{"app","user","consumers"}]', 'salesforce connector: ') ?? [];
  const number = (name: string) => (env[name] ? Number(env[name]) : undefined);
  const input = {
    loginUrl: env.CORDON_SALESFORCE_LOGIN_URL,
    clientId: env.CORDON_SALESFORCE_CLIENT_ID,
    username: env.CORDON_SALESFORCE_USERNAME,
    // Keys pasted into one-line variables often carry literal \n.
    privateKey: env.CORDON_SALESFORCE_PRIVATE_KEY!.replace(/\\n/g, '\n'),
    ...(env.CORDON_SALESFORCE_AUDIENCE ? { audience: env.CORDON_SALESFORCE_AUDIENCE } : {}),
    ...(env.CORDON_SALESFORCE_API_VERSION ? { apiVersion: env.CORDON_SALESFORCE_API_VERSION } : {}),
    consumers,
    ...(number('CORDON_SALESFORCE_TIMEOUT_MS') !== undefined ? { requestTimeoutMs: number('CORDON_SALESFORCE_TIMEOUT_MS') } : {}),
    ...(number('CORDON_SALESFORCE_RATE_LIMIT_BACKOFF_MS') !== undefined ? { rateLimitBackoffMs: number('CORDON_SALESFORCE_RATE_LIMIT_BACKOFF_MS') } : {}),
  };
  const parsed = ConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    const variable = Object.entries(REQUIRED).find(([, f]) => f === field)?.[0] ?? `CORDON_SALESFORCE_${field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
    throw new Error(`salesforce connector: ${variable}: ${issue.message}`);
  }
  return parsed.data;
}

/** The schema, with `SalesforceConnectorConfig.fromEnv(env)` beside `.parse(...)`. */
export const SalesforceConnectorConfig = Object.assign(ConfigSchema, { fromEnv: salesforceConfigFromEnv });
