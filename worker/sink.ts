// The credential sink a worker delivers replacements to: GitHub Actions secrets for consumers whose
// sink says so (when a GitHub connector is configured), the encrypted local store for the rest —
// CORDON_SINK_DIR (default .cordon/credentials) under CORDON_SINK_KEY (base64, 32 bytes).
import { join } from 'node:path';
import { readEnv } from '../schemas/config.ts';
import type { ConnectorRegistry } from '../connectors/types.ts';
import { GitHubConnector } from '../connectors/github/connector.ts';
import { GitHubActionsSecretSink } from '../connectors/github/actions-secret-sink.ts';
import { LocalEncryptedStore } from '../connectors/sinks/local-store.ts';
import type { CredentialSink } from '../connectors/sinks/types.ts';

export function sinkFromEnv(env: NodeJS.ProcessEnv = process.env, connectors: ConnectorRegistry = {}): CredentialSink {
  const raw = env.CORDON_SINK_KEY;
  if (!raw) throw new Error('CORDON_SINK_KEY is not set: the encrypted credential store needs a 32-byte key (base64); npm run dev and npm run demo create one for you');
  const key = Buffer.from(raw, 'base64');
  if (key.length !== 32) throw new Error(`CORDON_SINK_KEY decodes to ${key.length} bytes; it must be 32`);
  const dir = readEnv(env, 'CORDON_SINK_DIR') ?? join(process.cwd(), '.cordon', 'credentials');
  return composeSink(new LocalEncryptedStore(dir, key), connectors, join(dir, 'github-index'));
}

/** Routes github_actions_secret targets to GitHub when a GitHub connector is configured. */
export function composeSink(local: CredentialSink, connectors: ConnectorRegistry, githubIndexDir: string): CredentialSink {
  const github = connectors.github;
  if (!(github instanceof GitHubConnector)) return local;
  return new GitHubActionsSecretSink({ octokit: github.installationClient, indexDir: githubIndexDir, fallback: local });
}
