// The GitHub provider module: everything Cordon knows about a GitHub organization, in one object.
import { defineProvider } from '../manifest.ts';
import { GitHubConnectorConfig } from './config.ts';
import { createGitHubConnector, GITHUB_BLIND_SPOTS, GITHUB_CANNOT, GitHubConnector } from './connector.ts';
import { GitHubEnv } from './env.ts';
import { CREDENTIAL_ID_FORMAT, parseCredentialId } from './ids.ts';
import { checkGitHub } from './preflight.ts';

export const githubProvider = defineProvider({
  provider: 'github',
  title: 'the GitHub connector',
  env: GitHubEnv,
  configuredBy: 'CORDON_GITHUB_ORG',
  create: (env) => createGitHubConnector(GitHubConnectorConfig.fromEnv(env)),
  preflight: checkGitHub,
  credentialIds: { format: CREDENTIAL_ID_FORMAT, parse: parseCredentialId },
  connector: GitHubConnector.prototype,
  cannot: GITHUB_CANNOT,
  blindSpots: GITHUB_BLIND_SPOTS,
});
