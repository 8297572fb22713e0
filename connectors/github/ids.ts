// Cordon's ids for GitHub credentials: GitHub's own integer id of the thing that is revoked, prefixed
// by its kind (GitHub REST API docs: OAuth authorizations, installations, fine-grained PAT grants,
// SAML credential authorizations, deploy keys). The one place the format is written: the connector
// builds and parses ids with it, and the local tenant labels the emulator's credentials with it.
export const githubCredentialIds = {
  oauthToken: (authorizationId: number) => `oauth_token:${authorizationId}`,
  installationToken: (installationId: number) => `app_installation_token:${installationId}`,
  fineGrainedPat: (grantId: number) => `pat:fine_grained:${grantId}`,
  /** A classic PAT is seen through its SAML credential authorization for the org. */
  classicPat: (samlCredentialId: number) => `pat:classic:${samlCredentialId}`,
  deployKey: (owner: string, repo: string, keyId: number) => `deploy_key:${owner}/${repo}:${keyId}`,
};

export type GitHubCredentialIdType = 'oauth_token' | 'app_installation_token' | 'pat_fine_grained' | 'pat_classic' | 'deploy_key';

export interface ParsedGitHubCredentialId {
  type: GitHubCredentialIdType;
  /** authorization id, installation id, grant id, SAML credential id or deploy key id */
  num: number;
  repo?: string;
  owner?: string;
}

export function parseGitHubCredentialId(id: string): ParsedGitHubCredentialId | undefined {
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
