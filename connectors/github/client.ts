// Octokit clients for the three ways Cordon authenticates to GitHub (GitHub docs: GitHub App and OAuth app authentication): as its GitHub
// App (RS256 JWT) to mint installation tokens, as that installation for org work, and with the
// OAuth app's client credentials (Basic) for /applications/*. Octokit does not retry and nothing here
// waits: a rate limit surfaces as an error with its retry-after (errors.ts reads the headers the way
// @octokit/plugin-throttling does), and the provider's task queue and the Temporal activity retry policy
// do the waiting (docs/design.md §4). The throttling plugin is not loaded: with its waits turned off it
// only routed every request through Bottleneck, which cost 12-22 ms a request on an idle machine (against
// about 1 ms without it), on every call on the way to a revoke.
import { createSign } from 'node:crypto';
import { Octokit } from '@octokit/rest';
import type { GitHubConnectorConfig } from './config.ts';

export type GitHubClient = Octokit;

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** Header value for a request, computed per call (tokens expire). */
export type AuthorizationSource = () => Promise<string | undefined> | string | undefined;

export function createClient(config: Pick<GitHubConnectorConfig, 'apiUrl' | 'requestTimeoutMs'>, authorization: AuthorizationSource): GitHubClient {
  const client = new Octokit({
    baseUrl: config.apiUrl.replace(/\/$/, ''),
    userAgent: 'cordon-github-connector',
    log: silent,
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
