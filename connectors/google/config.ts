// The Google connector's configuration, from CORDON_GOOGLE_* variables. Base URLs default to the
// real services and are overridable, so the same code talks to the local emulator (one origin for
// every API) or to admin.googleapis.com / iam.googleapis.com / oauth2.googleapis.com.
import { z } from 'zod';
import { Consumer } from '../../schemas/credential.ts';
import { Secret } from '../../logging/secret.ts';
import { readInventoryVariable } from '../inventory-variable.ts';

const ENV = {
  credentialsJson: 'CORDON_GOOGLE_CREDENTIALS_JSON',
  subject: 'CORDON_GOOGLE_SUBJECT',
  rootUrl: 'CORDON_GOOGLE_ROOT_URL',
  tokenUrl: 'CORDON_GOOGLE_TOKEN_URL',
  customerId: 'CORDON_GOOGLE_CUSTOMER_ID',
  projects: 'CORDON_GOOGLE_PROJECTS',
  inventory: 'CORDON_GOOGLE_INVENTORY_JSON',
  timeoutMs: 'CORDON_GOOGLE_TIMEOUT_MS',
} as const;

/** The fields of a service-account JSON key file the connector needs (keys.create's privateKeyData). */
const KeyFile = z.object({
  type: z.literal('service_account'),
  client_email: z.email(),
  client_id: z.string().min(1),
  private_key_id: z.string().min(1),
  private_key: z.string().includes('PRIVATE KEY', { message: 'private_key is not a PEM private key' }),
});

const withTrailingSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

const GoogleConnectorConfigSchema = z.object({
  /**
   * Cordon's own service-account key file, JSON. The account needs domain-wide delegation for the
   * Directory/Reports scopes (Google Workspace docs: domain-wide delegation) and roles/iam.serviceAccountKeyAdmin on the projects.
   */
  credentials: z
    .union([z.string(), z.instanceof(Secret)])
    .transform((v, ctx) => {
      const text = v instanceof Secret ? v.reveal() : v;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not JSON (expected a service-account key file)' });
        return z.NEVER;
      }
      const parsed = KeyFile.safeParse(json);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: `not a service-account key file: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}` });
        return z.NEVER;
      }
      const { private_key: key, ...identity } = parsed.data;
      return { ...identity, privateKey: new Secret(key) };
    }),
  /** The Workspace super admin the service account impersonates (JWT `sub`). */
  subject: z.email(),
  /** One origin for every Google API (the emulator); unset = each API's real host. */
  rootUrl: z.url().transform(withTrailingSlash).optional(),
  /** The OAuth token endpoint; google-auth-library hard-codes the real one, so the connector redirects it. */
  tokenUrl: z.url().default('https://oauth2.googleapis.com/token'),
  customerId: z.string().min(1).default('my_customer'),
  /** Projects searched for a key id when a ref names no service account. */
  projects: z.array(z.string().min(1)).default([]),
  /**
   * Who consumes which credential (credential id → consumers), from Cordon's inventory: Google's APIs
   * do not know which integration or pipeline holds a key or a grant.
   */
  inventory: z.record(z.string(), z.array(Consumer)).default({}),
  timeoutMs: z.coerce.number().int().positive().default(30_000),
});

export type GoogleConnectorConfig = z.output<typeof GoogleConnectorConfigSchema>;
export type GoogleConnectorConfigInput = z.input<typeof GoogleConnectorConfigSchema>;

/** Parse CORDON_GOOGLE_*; a missing or bad variable is named in the error (never its value). */
function fromEnv(env: NodeJS.ProcessEnv = process.env): GoogleConnectorConfig {
  if (!env[ENV.credentialsJson])
    throw new Error(`${ENV.credentialsJson} is not set: the Google connector needs its service-account key file (JSON) with domain-wide delegation`);
  if (!env[ENV.subject]) throw new Error(`${ENV.subject} is not set: the Google connector needs the Workspace admin it impersonates`);
  const inventory = readInventoryVariable(env, ENV.inventory, '{"<credential id>": [consumer, …]}');
  const parsed = GoogleConnectorConfigSchema.safeParse({
    credentials: env[ENV.credentialsJson],
    subject: env[ENV.subject],
    ...(env[ENV.rootUrl] ? { rootUrl: env[ENV.rootUrl] } : {}),
    ...(env[ENV.tokenUrl] ? { tokenUrl: env[ENV.tokenUrl] } : {}),
    ...(env[ENV.customerId] ? { customerId: env[ENV.customerId] } : {}),
    ...(env[ENV.projects] ? { projects: env[ENV.projects]!.split(',').map((p) => p.trim()).filter(Boolean) } : {}),
    ...(inventory !== undefined ? { inventory } : {}),
    ...(env[ENV.timeoutMs] ? { timeoutMs: env[ENV.timeoutMs] } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path[0] as keyof typeof ENV | 'credentials';
    const name = field === 'credentials' ? ENV.credentialsJson : (ENV[field] ?? String(field));
    throw new Error(`${name}: ${issue.message}`);
  }
  return parsed.data;
}

export const GoogleConnectorConfig = Object.assign(GoogleConnectorConfigSchema, { fromEnv, env: ENV });
