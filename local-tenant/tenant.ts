// The local tenant as Cordon uses it: the @cordon/emulators tenant, with the call log naming GitHub
// credentials by the connector's ids, and connectorEnv() giving the CORDON_<PROVIDER>_* variables that
// point every connector at it (the demo, the dev stack, the drills and the tests hand them to the
// worker; a real deployment sets the same variables by hand). The package knows nothing of Cordon:
// what Cordon calls things (variables, credential ids, the inventory formats) is written here.
import { startTenant, type Consumer as ScenarioConsumer, type EmulatedProvider, type Emulators, type GitHubCredential, type Tenant, type TenantOptions } from '@cordon/emulators';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INLINE_VARIABLE_LIMIT } from '../connectors/inventory-variable.ts';
import { providers } from '../connectors/providers.ts';
import { credentialIds as githubCredentialIds } from '../connectors/github/ids.ts';
import { credentialIds as googleCredentialIds } from '../connectors/google/ids.ts';
import type { Consumer } from '../schemas/credential.ts';

export interface LocalTenant extends Tenant {
  /** CORDON_* variables that point every connector at this tenant, with its own credentials for the loaded scenario. */
  connectorEnv(): Record<string, string>;
}

export async function startLocalTenant(options: Omit<TenantOptions, 'githubCredentialLabel'> = {}): Promise<LocalTenant> {
  const tenant = await startTenant({ ...options, githubCredentialLabel: githubCredentialId });
  return { ...tenant, connectorEnv: () => connectorEnv(tenant.emulators) };
}

/** How each emulated provider's connection becomes its connector's CORDON_* variables. */
export const EMULATOR_ENV: { readonly [P in EmulatedProvider]: (emulators: Emulators) => Record<string, string> } = {
  google: (e) => googleEnv(e.google),
  github: (e) => githubEnv(e.github),
  salesforce: (e) => salesforceEnv(e.salesforce),
  slack: (e) => slackEnv(e.slack),
};

/**
 * The variables of every provider in connectors/providers.ts (the test-only reference provider has no
 * emulator), in that list's order. A provider module without an emulator here is named, not skipped.
 */
export function connectorEnv(emulators: Emulators): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { provider } of providers.filter((p) => !p.testOnly)) {
    const of = (EMULATOR_ENV as Partial<Record<string, (e: Emulators) => Record<string, string>>>)[provider];
    if (!of) throw new Error(`connectors/providers.ts lists ${provider}, but the local tenant has no emulator for it (docs/adding-a-provider.md, step 4)`);
    Object.assign(env, of(emulators));
  }
  for (const name of INVENTORY_VARIABLES) if (env[name] && env[name].length > INVENTORY_INLINE_MAX) env[name] = `@${inventoryFile(env[name])}`;
  return env;
}

/** The consumer inventories, which take `@<path>` (connectors/inventory-variable.ts). */
const INVENTORY_VARIABLES = ['CORDON_GOOGLE_INVENTORY_JSON', 'CORDON_GITHUB_CONSUMERS', 'CORDON_SALESFORCE_CONSUMERS'] as const;
/** Above this an inventory goes to a file: half of what one environment string may hold, so that all of them fit together. */
const INVENTORY_INLINE_MAX = Math.floor(INLINE_VARIABLE_LIMIT / 2);

/** Writes an inventory too large for the environment to a file named by its content (written once) and returns its path. */
function inventoryFile(json: string): string {
  const dir = join(tmpdir(), 'cordon-local-tenant-inventories');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${createHash('sha256').update(json).digest('hex').slice(0, 32)}.json`);
  if (!existsSync(path)) {
    // Written under a temporary name and renamed, so that a process reading it never sees half a file.
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, json, { mode: 0o600 });
    renameSync(partial, path);
  }
  return path;
}

/** The id the GitHub connector gives a scenario credential (connectors/github/ids.ts). */
export function githubCredentialId(c: GitHubCredential, org: string): string {
  switch (c.kind) {
    case 'oauth_token':
      return githubCredentialIds.oauthToken(c.id);
    case 'app_installation_token':
      return githubCredentialIds.installation(c.installationId);
    case 'pat':
      return githubCredentialIds.pat(c.patType === 'fine_grained' ? 'fine_grained' : 'classic', c.id);
    case 'deploy_key':
      return githubCredentialIds.deployKey(org, c.repo, c.id);
  }
}

/** A scenario's consumers are what the connectors read from their inventory variables: the compiler checks it here. */
const asConsumers = (consumers: readonly ScenarioConsumer[]): Consumer[] => [...consumers];

function googleEnv(google: Emulators['google']): Record<string, string> {
  const connection = google.connection();
  if (!connection) return {};
  return {
    CORDON_GOOGLE_ROOT_URL: connection.rootUrl,
    CORDON_GOOGLE_TOKEN_URL: connection.tokenUrl,
    CORDON_GOOGLE_CREDENTIALS_JSON: JSON.stringify(connection.keyFile),
    CORDON_GOOGLE_SUBJECT: connection.subject,
    CORDON_GOOGLE_CUSTOMER_ID: connection.customerId,
    CORDON_GOOGLE_PROJECTS: connection.projects.join(','),
    CORDON_GOOGLE_INVENTORY_JSON: JSON.stringify(googleInventory(google.state)),
  };
}

/**
 * Who consumes what, keyed by the connector's credential ids: the inventory (CMDB) a real deployment
 * would configure, since Google's APIs do not know it.
 */
function googleInventory(state: Emulators['google']['state']): Record<string, Consumer[]> {
  const inventory: Record<string, Consumer[]> = {};
  const add = (id: string, consumers: readonly ScenarioConsumer[]) => {
    if (consumers.length === 0) return;
    const known = inventory[id] ?? [];
    for (const c of asConsumers(consumers)) if (!known.some((k) => k.id === c.id)) known.push(c);
    inventory[id] = known;
  };
  for (const g of state.grants) add(googleCredentialIds.grant(g.userKey, g.clientId), g.consumers);
  for (const a of state.asps) add(googleCredentialIds.asp(a.userKey, a.codeId), a.consumers);
  for (const s of state.sessions) add(googleCredentialIds.sessions(s.userKey), s.consumers);
  for (const [name, k] of state.keys) add(name, k.consumers);
  return inventory;
}

function githubEnv(github: Emulators['github']): Record<string, string> {
  const connection = github.connection();
  if (!connection) return {};
  const env: Record<string, string> = { CORDON_GITHUB_API_URL: connection.apiUrl, CORDON_GITHUB_ORG: connection.org };
  if (connection.app) {
    env.CORDON_GITHUB_APP_ID = String(connection.app.id);
    env.CORDON_GITHUB_APP_PRIVATE_KEY = connection.app.privateKeyPem;
    env.CORDON_GITHUB_INSTALLATION_ID = String(connection.app.installationId);
  }
  if (connection.oauthApp) {
    env.CORDON_GITHUB_OAUTH_CLIENT_ID = connection.oauthApp.clientId;
    env.CORDON_GITHUB_OAUTH_CLIENT_SECRET = connection.oauthApp.clientSecret;
  }
  // GitHub does not record who holds a credential: the consumer inventory is the operator's, keyed
  // by the connector's credential ids.
  const inventory: Record<string, Consumer[]> = {};
  for (const c of connection.credentials) if (c.consumers.length) inventory[githubCredentialId(c, connection.org)] = asConsumers(c.consumers);
  env.CORDON_GITHUB_CONSUMERS = JSON.stringify(inventory);
  return env;
}

function salesforceEnv(salesforce: Emulators['salesforce']): Record<string, string> {
  const connection = salesforce.connection();
  if (!connection) return {};
  // Salesforce has no record of who consumes a grant: the inventory comes from the scenario, as a real
  // deployment's would come from its own CMDB (connectors/salesforce/config.ts). One entry per (app,
  // user); per grant, pinned by CreatedDate, only where that user's grants of the app have different
  // consumers (keeps the variable small for the load scenario).
  const byPair = new Map<string, SalesforceGrant[]>();
  for (const g of connection.grants) {
    const key = `${g.app}|${g.user}`;
    byPair.set(key, [...(byPair.get(key) ?? []), g]);
  }
  const inventory: Array<{ app: string; user: string; createdDate?: string; consumers: Consumer[] }> = [];
  for (const grants of byPair.values()) {
    const first = grants[0]!;
    const entry = { app: first.app, user: first.user };
    const same = grants.every((g) => JSON.stringify(g.consumers) === JSON.stringify(first.consumers));
    if (same) inventory.push({ ...entry, consumers: asConsumers(first.consumers) });
    else for (const g of grants) inventory.push({ ...entry, createdDate: g.createdDate, consumers: asConsumers(g.consumers) });
  }
  return {
    CORDON_SALESFORCE_LOGIN_URL: connection.loginUrl,
    CORDON_SALESFORCE_CLIENT_ID: connection.clientId,
    CORDON_SALESFORCE_USERNAME: connection.username,
    CORDON_SALESFORCE_PRIVATE_KEY: connection.privateKeyPem,
    CORDON_SALESFORCE_API_VERSION: connection.apiVersion,
    CORDON_SALESFORCE_CONSUMERS: JSON.stringify(inventory),
  };
}
type SalesforceGrant = NonNullable<ReturnType<Emulators['salesforce']['connection']>>['grants'][number];

function slackEnv(slack: Emulators['slack']): Record<string, string> {
  const connection = slack.connection();
  const env: Record<string, string> = { CORDON_SLACK_API_URL: connection.apiUrl, CORDON_SLACK_AUDIT_URL: connection.auditUrl };
  if (connection.adminToken) env.CORDON_SLACK_ADMIN_TOKEN = connection.adminToken;
  if (connection.botToken) env.CORDON_SLACK_BOT_TOKEN = connection.botToken;
  if (connection.signingSecret) env.CORDON_SLACK_SIGNING_SECRET = connection.signingSecret;
  return env;
}
