// `cordon doctor`: one cheap call per configured connector, with its own credentials, saying exactly
// what is missing and how to grant it — before an incident, not during one. Read-only everywhere.
import { google } from 'googleapis';
import { Connection } from 'jsforce';
import { WebClient } from '@slack/web-api';
import { GoogleConnectorConfig } from './google/config.ts';
import { cordonClients } from './google/auth.ts';
import { GitHubConnectorConfig } from './github/config.ts';
import { createClient, signAppJwt } from './github/client.ts';
import { SalesforceConnectorConfig } from './salesforce/config.ts';
import { JWT_BEARER_GRANT, signJwtBearerAssertion } from './salesforce/jwt-assertion.ts';
import { SlackConnectorConfig } from './slack/config.ts';
import { redactText } from '../logging/logger.ts';
import { envIsSet, PROVIDER_CONFIGURED_BY } from '../schemas/config.ts';

export interface PreflightCheck {
  provider: string;
  check: string;
  ok: boolean;
  detail: string;
  /** What to do about a failed check. */
  fix?: string;
}

/** Permissions Cordon's GitHub App needs (GitHub docs: GitHub App and OAuth app authentication): revoke, replace deploy keys, write secrets, read the audit log. */
const GITHUB_APP_PERMISSIONS: Record<string, 'read' | 'write'> = {
  administration: 'write',
  secrets: 'write',
  organization_administration: 'read',
  organization_personal_access_tokens: 'write',
};
/** Scopes of the Slack org owner token (Slack admin API and Audit Logs API docs). */
const SLACK_SCOPES = ['admin.users:read', 'admin.users:write', 'admin.apps:read', 'admin.apps:write', 'auditlogs:read'];

const message = (err: unknown) => redactText(err instanceof Error ? err.message : String(err));

/** Which real providers the environment configures, by the variable connectors/registry.ts keys on. */
export function configuredProviders(env: NodeJS.ProcessEnv): string[] {
  return (['google', 'github', 'salesforce', 'slack'] as const).filter((p) => envIsSet(env, PROVIDER_CONFIGURED_BY[p]));
}

export async function preflight(env: NodeJS.ProcessEnv): Promise<PreflightCheck[]> {
  const runs: Record<string, () => Promise<PreflightCheck[]>> = { google: () => checkGoogle(env), github: () => checkGitHub(env), salesforce: () => checkSalesforce(env), slack: () => checkSlack(env) };
  const providers = configuredProviders(env);
  if (!providers.length) {
    return [{ provider: '-', check: 'connectors', ok: false, detail: 'no connector is configured', fix: 'set the CORDON_<PROVIDER>_* variables of at least one provider (README, "Configuration")' }];
  }
  const results = await Promise.all(
    providers.map((p) =>
      runs[p]!().catch((err: unknown) => [{ provider: p, check: 'configuration', ok: false, detail: message(err), fix: 'fix the variable named above' }]),
    ),
  );
  return results.flat();
}

async function checkGoogle(env: NodeJS.ProcessEnv): Promise<PreflightCheck[]> {
  const config = GoogleConnectorConfig.fromEnv(env);
  const { admin, cloud } = cordonClients(config);
  const out: PreflightCheck[] = [];
  const rootUrl = config.rootUrl;
  try {
    const directory = google.admin({ version: 'directory_v1', auth: admin as never, rootUrl: rootUrl ?? 'https://admin.googleapis.com/' });
    const me = await directory.users.get({ userKey: config.subject }, { retry: false });
    out.push({ provider: 'google', check: 'directory', ok: me.data.isAdmin === true, detail: `impersonating ${config.subject}${me.data.isAdmin ? ' (super admin)' : ' — not a super admin'}`, ...(me.data.isAdmin ? {} : { fix: `make ${config.subject} a super admin, or set CORDON_GOOGLE_SUBJECT to one` }) });
  } catch (err) {
    out.push({ provider: 'google', check: 'directory', ok: false, detail: message(err), fix: `in the Admin console (Security → API controls → Domain-wide delegation) grant client id ${config.credentials.client_id} the Directory and Reports scopes Cordon uses (connectors/google/auth.ts ADMIN_SCOPES)` });
  }
  for (const project of config.projects) {
    try {
      const iam = google.iam({ version: 'v1', auth: cloud as never, rootUrl: rootUrl ?? 'https://iam.googleapis.com/' });
      const r = await iam.projects.serviceAccounts.list({ name: `projects/${project}`, pageSize: 1 }, { retry: false });
      out.push({ provider: 'google', check: `iam:${project}`, ok: true, detail: `service accounts of ${project} readable (${r.data.accounts?.length ?? 0} on the first page)` });
    } catch (err) {
      out.push({ provider: 'google', check: `iam:${project}`, ok: false, detail: message(err), fix: `grant ${config.credentials.client_email} roles/iam.serviceAccountKeyAdmin on project ${project}` });
    }
  }
  return out;
}

async function checkGitHub(env: NodeJS.ProcessEnv): Promise<PreflightCheck[]> {
  const config = GitHubConnectorConfig.fromEnv(env);
  const app = createClient(config, () => `Bearer ${signAppJwt(config.appId, config.appPrivateKey)}`);
  try {
    const { data } = await app.request('GET /app/installations/{installation_id}', { installation_id: config.installationId });
    const granted = (data.permissions ?? {}) as Record<string, string>;
    const missing = Object.entries(GITHUB_APP_PERMISSIONS).filter(([k, level]) => !(granted[k] === 'write' || granted[k] === level));
    return [
      {
        provider: 'github',
        check: 'app installation',
        ok: missing.length === 0,
        detail: `installation ${config.installationId} on ${(data.account as { login?: string } | null)?.login ?? config.org}${missing.length ? `; missing ${missing.map(([k, l]) => `${k}:${l}`).join(', ')}` : '; permissions sufficient'}`,
        ...(missing.length ? { fix: `in the GitHub App's settings grant ${missing.map(([k, l]) => `${k} (${l})`).join(', ')}, then accept the new permissions on the org's installation` } : {}),
      },
      ...(config.oauthClientId ? [] : [{ provider: 'github', check: 'oauth app', ok: true, detail: 'no OAuth app configured: OAuth tokens can be revoked only through /credentials/revoke or the fallback ladder' }]),
    ];
  } catch (err) {
    return [{ provider: 'github', check: 'app installation', ok: false, detail: message(err), fix: 'check CORDON_GITHUB_APP_ID, CORDON_GITHUB_APP_PRIVATE_KEY and CORDON_GITHUB_INSTALLATION_ID (the App must be installed on the org)' }];
  }
}

async function checkSalesforce(env: NodeJS.ProcessEnv): Promise<PreflightCheck[]> {
  const config = SalesforceConnectorConfig.fromEnv(env);
  const assertion = signJwtBearerAssertion({ clientId: config.clientId, username: config.username, audience: config.audience ?? config.loginUrl, privateKey: config.privateKey });
  const res = await fetch(`${config.loginUrl}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }),
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; instance_url?: string; error?: string; error_description?: string };
  if (!res.ok || !body.access_token || !body.instance_url) {
    return [{ provider: 'salesforce', check: 'jwt login', ok: false, detail: `${res.status} ${body.error ?? ''}: ${body.error_description ?? ''}`, fix: `pre-authorize ${config.username} on the connected app (Manage → Profiles/Permission Sets) and upload the certificate of CORDON_SALESFORCE_PRIVATE_KEY` }];
  }
  const conn = new Connection({ instanceUrl: body.instance_url, accessToken: body.access_token, version: config.apiVersion });
  try {
    await conn.query('SELECT Id FROM UserLogin LIMIT 1');
    return [{ provider: 'salesforce', check: 'jwt login', ok: true, detail: `logged in as ${config.username}; UserLogin readable (Manage Users)` }];
  } catch (err) {
    return [{ provider: 'salesforce', check: 'permissions', ok: false, detail: message(err), fix: `give ${config.username} the Manage Users permission (needed to freeze users and see every user's OAuth grants)` }];
  }
}

async function checkSlack(env: NodeJS.ProcessEnv): Promise<PreflightCheck[]> {
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
