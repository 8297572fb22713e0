// The GitHub connector's configuration: CORDON_GITHUB_* variables, parsed by zod. The base URL is
// overridable so the same code talks to api.github.com, a GHES host or the local emulator.
import { z } from 'zod';
import { Consumer } from '../../schemas/credential.ts';
import { readInventoryVariable } from '../inventory-variable.ts';

const ConsumerInventory = z.record(z.string(), z.array(Consumer));

export const GitHubConnectorConfigSchema = z
  .object({
    apiUrl: z.string().url().default('https://api.github.com'),
    org: z.string().min(1),
    /** Cordon's own GitHub App: its JWT mints the installation token every other call uses. */
    appId: z.coerce.number().int().positive(),
    appPrivateKey: z.string().includes('PRIVATE KEY', { message: 'a PEM private key' }),
    installationId: z.coerce.number().int().positive(),
    /** The org's OAuth app whose tokens Cordon may check and revoke (Basic auth, GitHub docs: GitHub App and OAuth app authentication). */
    oauthClientId: z.string().min(1).optional(),
    oauthClientSecret: z.string().min(1).optional(),
    /**
     * Who holds each credential, keyed by the connector's credential id: GitHub does not record
     * consumers, so this inventory is the operator's.
     */
    consumers: ConsumerInventory.default({}),
    /**
     * Private keys (PEM) of other GitHub Apps the org owns, by app id. Only an app itself, with its JWT, can
     * suspend one of its installations by API; with its key here, blockApp suspends a leaked installation token's
     * installation. Apps the org does not own cannot be suspended from here.
     */
    appKeys: z.record(z.string().regex(/^\d+$/, 'app ids are numbers'), z.string().includes('PRIVATE KEY', { message: 'a PEM private key' })).default({}),
    requestTimeoutMs: z.number().int().positive().default(15_000),
  })
  .refine((c) => Boolean(c.oauthClientId) === Boolean(c.oauthClientSecret), {
    message: 'set both CORDON_GITHUB_OAUTH_CLIENT_ID and CORDON_GITHUB_OAUTH_CLIENT_SECRET, or neither',
    path: ['oauthClientSecret'],
  });
export type GitHubConnectorConfig = z.infer<typeof GitHubConnectorConfigSchema>;

const REQUIRED = {
  CORDON_GITHUB_ORG: 'the organization Cordon contains credentials in',
  CORDON_GITHUB_APP_ID: "Cordon's GitHub App id",
  CORDON_GITHUB_APP_PRIVATE_KEY: "Cordon's GitHub App private key (PEM)",
  CORDON_GITHUB_INSTALLATION_ID: "the installation id of Cordon's GitHub App in the org",
} as const;

/** Reads CORDON_GITHUB_*; a missing or malformed variable is named in the error. */
export function githubConfigFromEnv(env: NodeJS.ProcessEnv = process.env): GitHubConnectorConfig {
  for (const [name, what] of Object.entries(REQUIRED)) {
    if (!env[name]) throw new Error(`github connector: ${name} is not set (${what})`);
  }
  const consumers = readInventoryVariable(env, 'CORDON_GITHUB_CONSUMERS', '{"<credential id>": [consumer, …]}', 'github connector: ') ?? {};
  let appKeys: unknown = {};
  if (env.CORDON_GITHUB_APP_KEYS) {
    try {
      appKeys = JSON.parse(env.CORDON_GITHUB_APP_KEYS);
    } catch {
      throw new Error('github connector: CORDON_GITHUB_APP_KEYS is not JSON (expected {"<app id>": "<PEM private key>"})');
    }
    if (appKeys && typeof appKeys === 'object') appKeys = Object.fromEntries(Object.entries(appKeys).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/\\n/g, '\n') : v]));
  }
  const parsed = GitHubConnectorConfigSchema.safeParse({
    ...(env.CORDON_GITHUB_API_URL ? { apiUrl: env.CORDON_GITHUB_API_URL } : {}),
    org: env.CORDON_GITHUB_ORG,
    appId: env.CORDON_GITHUB_APP_ID,
    // Env files often carry PEMs with literal \n.
    appPrivateKey: env.CORDON_GITHUB_APP_PRIVATE_KEY!.replace(/\\n/g, '\n'),
    installationId: env.CORDON_GITHUB_INSTALLATION_ID,
    ...(env.CORDON_GITHUB_OAUTH_CLIENT_ID ? { oauthClientId: env.CORDON_GITHUB_OAUTH_CLIENT_ID } : {}),
    ...(env.CORDON_GITHUB_OAUTH_CLIENT_SECRET ? { oauthClientSecret: env.CORDON_GITHUB_OAUTH_CLIENT_SECRET } : {}),
    consumers,
    appKeys,
  });
  if (!parsed.success) {
    const names: Record<string, string> = {
      apiUrl: 'CORDON_GITHUB_API_URL',
      org: 'CORDON_GITHUB_ORG',
      appId: 'CORDON_GITHUB_APP_ID',
      appPrivateKey: 'CORDON_GITHUB_APP_PRIVATE_KEY',
      installationId: 'CORDON_GITHUB_INSTALLATION_ID',
      oauthClientId: 'CORDON_GITHUB_OAUTH_CLIENT_ID',
      oauthClientSecret: 'CORDON_GITHUB_OAUTH_CLIENT_SECRET',
      consumers: 'CORDON_GITHUB_CONSUMERS',
      appKeys: 'CORDON_GITHUB_APP_KEYS',
    };
    const issue = parsed.error.issues[0]!;
    throw new Error(`github connector: ${names[String(issue.path[0])] ?? 'config'}: ${issue.message}`);
  }
  return parsed.data;
}

/** The zod schema, with `fromEnv` beside it (one import for the registry). */
export const GitHubConnectorConfig = Object.assign(GitHubConnectorConfigSchema, { fromEnv: githubConfigFromEnv });
