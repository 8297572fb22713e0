// Octokit clients for the three ways Cordon authenticates to GitHub (GitHub docs: GitHub App and OAuth app authentication): as its GitHub
// App (RS256 JWT) to mint installation tokens, as that installation for org work, and with the
// OAuth app's client credentials (Basic) for /applications/*. The throttling plugin is on but never
// waits, and Octokit itself does not retry: a rate limit surfaces as an error with its retry-after,
// and the Temporal activity retry policy does the waiting (docs/design.md §4).
import { createSign } from 'node:crypto';
import { Octokit } from '@octokit/rest';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck';
import type { GitHubConnectorConfig } from './config.ts';

const GitHubOctokit = Octokit.plugin(throttling);
export type GitHubClient = InstanceType<typeof GitHubOctokit>;

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** Header value for a request, computed per call (tokens expire). */
export type AuthorizationSource = () => Promise<string | undefined> | string | undefined;

export function createClient(config: Pick<GitHubConnectorConfig, 'apiUrl' | 'requestTimeoutMs'>, authorization: AuthorizationSource): GitHubClient {
  // The plugin's default write pacing (1 write/s) would sleep inside the activity: unpaced groups.
  const unpaced = () => new Bottleneck.Group({ maxConcurrent: 10 });
  // `global` and `auth` are read by the plugin like the other groups but missing from its option type:
  // passed as a variable, not a literal, so the type check accepts them.
  const throttle = {
    onRateLimit: () => false,
    onSecondaryRateLimit: () => false,
    global: unpaced(),
    auth: unpaced(),
    write: unpaced(),
    search: unpaced(),
    notifications: unpaced(),
  };
  const client = new GitHubOctokit({
    baseUrl: config.apiUrl.replace(/\/$/, ''),
    userAgent: 'cordon-github-connector',
    log: silent,
    throttle,
  });
  client.hook.before('request', async (options) => {
    const value = await authorization();
    if (value) options.headers.authorization = value;
    options.headers['x-github-api-version'] = '2022-11-28';
    options.request = { ...options.request, signal: AbortSignal.timeout(config.requestTimeoutMs) };
  });
  return client;
}

/** A GitHub App JWT: RS256, iss = app id, iat 60 s in the past for clock drift, exp 9 minutes on. */
export function signAppJwt(appId: number, privateKeyPem: string, nowSec = Math.floor(Date.now() / 1000)): string {
  const encode = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode({ iat: nowSec - 60, exp: nowSec + 540, iss: appId })}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(privateKeyPem).toString('base64url')}`;
}

export function basicAuthorization(clientId: string, clientSecret: string): string {
  return `basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
}
