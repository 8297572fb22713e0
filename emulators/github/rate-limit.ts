// GitHub's primary rate limit: a budget per credential per hour (the scenario's rateLimitPerHour,
// 5,000 by default; 60 for anonymous calls), `x-ratelimit-*` headers on every answer, 403 with
// `x-ratelimit-remaining: 0` once spent, and GET /rate_limit, which spends nothing (GitHub REST API
// docs: rate limits for the REST API).
import type { EmuResponse, Router } from '../core/http.ts';
import { callerRoute } from './access.ts';
import type { Caller, GitHubState } from './state.ts';
import { githubError } from './wire.ts';

const RATE_LIMIT_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';
const ANONYMOUS_LIMIT_PER_HOUR = 60; // https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api

export function bucketFor(state: GitHubState, label: string | undefined): { limit: number; used: number; reset: number } {
  const key = label ?? 'anonymous';
  const now = Math.floor(Date.now() / 1000);
  let b = state.buckets.get(key);
  if (!b || b.reset <= now) {
    b = { limit: label ? (state.section?.rateLimitPerHour ?? 5000) : ANONYMOUS_LIMIT_PER_HOUR, used: 0, reset: now + 3600 };
    state.buckets.set(key, b);
  }
  return b;
}

export function rateLimitHeaders(state: GitHubState, label: string | undefined): Record<string, string> {
  const b = bucketFor(state, label);
  return {
    'x-ratelimit-limit': String(b.limit),
    'x-ratelimit-remaining': String(Math.max(0, b.limit - b.used)),
    'x-ratelimit-reset': String(b.reset),
    'x-ratelimit-used': String(b.used),
    'x-ratelimit-resource': 'core',
  };
}

/** Primary limit: one point per call; exhausted → 403 with x-ratelimit-remaining: 0 (GitHub REST API docs: rate limits). */
export function consume(state: GitHubState, caller: Caller, label: string | undefined): EmuResponse | undefined {
  const b = bucketFor(state, label);
  if (b.used >= b.limit) {
    const who =
      caller.type === 'installation'
        ? `installation ID ${caller.installation.id}`
        : caller.type === 'user'
          ? `user ID ${caller.member.id}`
          : caller.type === 'anonymous'
            ? '127.0.0.1'
            : `app ${label}`;
    return githubError(403, `API rate limit exceeded for ${who}.`, RATE_LIMIT_DOCS, rateLimitHeaders(state, label));
  }
  b.used += 1;
  return undefined;
}

export function addRateLimitRoutes(router: Router, state: GitHubState): void {
  const route = callerRoute(router, state);

  route('GET', '/rate_limit', 'rateLimit.get', (_req, call) => {
    const b = bucketFor(state, call.credential);
    const rate = { limit: b.limit, remaining: Math.max(0, b.limit - b.used), reset: b.reset, used: b.used };
    const other = (limit: number) => ({ limit, remaining: limit, reset: b.reset, used: 0 });
    return {
      status: 200,
      body: {
        resources: { core: rate, search: other(30), graphql: other(5000), integration_manifest: other(5000), code_search: other(10) },
        rate,
      },
    };
  }, { counts: false });
}
