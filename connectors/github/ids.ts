// Cordon's ids for GitHub credentials: the kind and the number GitHub gives it (a SAML credential
// authorization's id, an installation id, a fine-grained grant id, a deploy key id with its repository).
// The one source of the scheme: the connector builds and parses ids here, and the emulator names
// credentials in its call log the same way.
export type GitHubCredentialType = 'oauth_token' | 'app_installation_token' | 'pat_fine_grained' | 'pat_classic' | 'deploy_key';

export interface ParsedGitHubCredentialId {
  type: GitHubCredentialType;
  /** authorization id, installation id, grant id, SAML credential id or deploy key id */
  num: number;
  repo?: string;
  owner?: string;
}

export const credentialIds = {
  oauthToken: (authorizationId: number) => `oauth_token:${authorizationId}`,
  installation: (installationId: number) => `app_installation_token:${installationId}`,
  pat: (patType: 'classic' | 'fine_grained', id: number) => `pat:${patType}:${id}`,
  deployKey: (owner: string, repo: string, keyId: number) => `deploy_key:${owner}/${repo}:${keyId}`,
};

export const CREDENTIAL_ID_FORMAT = 'oauth_token:<id>, app_installation_token:<installation id>, pat:classic:<id>, pat:fine_grained:<id> or deploy_key:<owner>/<repo>:<key id>';

export function parseCredentialId(id: string): ParsedGitHubCredentialId | undefined {
  let m = /^oauth_token:(\d+)$/.exec(id);
  if (m) return { type: 'oauth_token', num: Number(m[1]) };
  m = /^app_installation_token:(\d+)$/.exec(id);
  if (m) return { type: 'app_installation_token', num: Number(m[1]) };
  m = /^pat:fine_grained:(\d+)$/.exec(id);
  if (m) return { type: 'pat_fine_grained', num: Number(m[1]) };
  m = /^pat:classic:(\d+)$/.exec(id);
  if (m) return { type: 'pat_classic', num: Number(m[1]) };
  m = /^deploy_key:([^/]+)\/([^:]+):(\d+)$/.exec(id);
  if (m) return { type: 'deploy_key', owner: m[1]!, repo: m[2]!, num: Number(m[3]) };
  return undefined;
}
