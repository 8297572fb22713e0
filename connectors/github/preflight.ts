// `cordon doctor` for GitHub: is Cordon's App installed on the org with the permissions it needs? Read-only.
import { checkFailure as message, type PreflightCheck } from '../manifest.ts';
import { createClient, signAppJwt } from './client.ts';
import { GitHubConnectorConfig } from './config.ts';

/** Permissions Cordon's GitHub App needs (GitHub docs: GitHub App and OAuth app authentication): revoke, replace deploy keys, write secrets, read the audit log. */
const GITHUB_APP_PERMISSIONS: Record<string, 'read' | 'write'> = {
  administration: 'write',
  secrets: 'write',
  organization_administration: 'read',
  organization_personal_access_tokens: 'write',
};

export async function checkGitHub(env: Record<string, string | undefined>): Promise<PreflightCheck[]> {
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
