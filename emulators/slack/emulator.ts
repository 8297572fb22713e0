// Emulator of the Slack API subset Cordon uses: Web API methods under `/api/<method>` and the
// Audit Logs API under `/audit/v1/` (@slack/web-api and Slack Web API method docs). State is real: a revoked token or an
// uninstalled app stops working on every method; sessions end per user or one by one.
import { Router } from '../core/http.ts';
import type { ProviderEmulator } from '../core/provider.ts';
import type { ErrorShapes } from '../core/server.ts';
import { registerAuditLogs } from './audit-logs.ts';
import type { SlackScenario } from './scenario.ts';
import { SlackTenantState, type OpenedView, type PostedMessage } from './state.ts';
import { registerWebApi } from './web-api.ts';

export type { OpenedView, PostedMessage } from './state.ts';

/**
 * Slack's framework-produced answers: 429 + integer Retry-After (the SDK's only non-200 it reads),
 * `invalid_auth` as HTTP 200 for expired auth, `unknown_method` as HTTP 200 for a method that does
 * not exist, and a JSON body on 5xx (the SDK surfaces it as WebAPIHTTPError.body).
 */
const errors: ErrorShapes = {
  rateLimited: (retryAfterSec) => ({ status: 429, headers: { 'retry-after': String(retryAfterSec) }, body: { ok: false, error: 'ratelimited' } }),
  unavailable: (status) => ({ status, body: { ok: false, error: status === 503 ? 'service_unavailable' : 'fatal_error' } }),
  unauthorized: () => ({ status: 200, body: { ok: false, error: 'invalid_auth' } }),
  notFound: (path) => (path.startsWith('/api/') ? { status: 200, body: { ok: false, error: 'unknown_method' } } : { status: 404, body: { ok: false, error: 'not_found' } }),
  methodNotAllowed: () => ({ status: 405, body: { ok: false, error: 'method_not_allowed' } }),
  internal: () => ({ status: 500, body: { ok: false, error: 'fatal_error' } }),
};

export interface SlackEmulator extends ProviderEmulator<SlackScenario> {
  /** Messages posted, updated or sent ephemerally, oldest first; filter by channel and/or thread. */
  messages(filter?: { channel?: string; threadTs?: string; includeEphemeral?: boolean }): PostedMessage[];
  /** Modals opened with views.open, oldest first. */
  views(): OpenedView[];
  /** Whether the token with this emulator-side id is still live (tests check revocation state). */
  tokenActive(tokenId: string): boolean;
  /** Active session ids of a user. */
  activeSessions(userId: string): number[];
}

export function isSlackEmulator(emulator: ProviderEmulator<never> | ProviderEmulator<SlackScenario>): emulator is SlackEmulator {
  return emulator.provider === 'slack' && typeof (emulator as Partial<SlackEmulator>).messages === 'function';
}

export function createSlackEmulator(): SlackEmulator {
  const state = new SlackTenantState();
  const router = new Router();
  registerWebApi(router, state);
  registerAuditLogs(router, state);
  const readMessages = (filter: { channel?: string | undefined; threadTs?: string | undefined; includeEphemeral?: boolean }) =>
    state.messages
      .filter(
        (m) =>
          (!filter.channel || m.channel === filter.channel) &&
          (!filter.threadTs || m.threadTs === filter.threadTs || m.ts === filter.threadTs) &&
          (filter.includeEphemeral || !m.ephemeralTo),
      )
      .map((m) => structuredClone(m));
  // Not a Slack route: lets a process that does not host the tenant (the Slack app's end-to-end
  // tests) read what was posted. GET /_emulator/messages?channel=&thread_ts=&include_ephemeral=1
  router.add('GET', '/_emulator/messages', 'emulator.messages', (req) => ({
    status: 200,
    body: { messages: readMessages({ channel: req.query.get('channel') ?? undefined, threadTs: req.query.get('thread_ts') ?? undefined, includeEphemeral: req.query.get('include_ephemeral') === '1' }), views: state.views },
  }));
  let baseUrl = '';
  return {
    provider: 'slack',
    router,
    errors,
    setBaseUrl(url) {
      baseUrl = url;
    },
    load(section) {
      state.load(section);
    },
    counts: () => state.counts(),
    connectorEnv() {
      const env: Record<string, string> = {
        CORDON_SLACK_API_URL: `${baseUrl}/api/`,
        CORDON_SLACK_AUDIT_URL: `${baseUrl}/audit/v1/`,
      };
      const own = state.tokens.filter((t) => t.cordonOwn && !t.revoked);
      const admin = own.find((t) => t.type === 'user');
      const bot = own.find((t) => t.type === 'bot');
      if (admin) env.CORDON_SLACK_ADMIN_TOKEN = admin.value;
      if (bot) env.CORDON_SLACK_BOT_TOKEN = bot.value;
      if (state.signingSecret) env.CORDON_SLACK_SIGNING_SECRET = state.signingSecret;
      return env;
    },
    messages: (filter = {}) => readMessages(filter),
    views: () => state.views.map((v) => structuredClone(v)),
    tokenActive: (tokenId) => state.tokens.some((t) => t.id === tokenId && !t.revoked),
    activeSessions: (userId) => state.activeSessionsOf(userId).map((s) => s.id),
  };
}
