// Emulator of the Slack API subset Cordon uses: Web API methods under `/api/<method>` and the
// Audit Logs API under `/audit/v1/` (@slack/web-api and Slack Web API method docs). State is real: a revoked token or an
// uninstalled app stops working on every method; sessions end per user or one by one.
import { AuditSeed, auditHooks } from '../core/audit-log.ts';
import { Router } from '../core/http.ts';
import type { ProviderEmulator } from '../core/provider.ts';
import { addAdminAppRoutes } from './admin-apps.ts';
import { addAdminSessionRoutes } from './admin-sessions.ts';
import { addAuditLogRoutes } from './audit-logs.ts';
import { addAuthRoutes } from './auth.ts';
import { addMessagingRoutes } from './messaging.ts';
import type { SlackScenario } from './scenario.ts';
import { SlackTenantState, type OpenedView, type PostedMessage } from './state.ts';
import { slackErrorShapes } from './wire.ts';

export type { OpenedView, PostedMessage } from './state.ts';

export interface SlackEmulator extends ProviderEmulator<SlackScenario> {
  /** Messages posted, updated or sent ephemerally, oldest first; filter by channel and/or thread. */
  messages(filter?: { channel?: string; threadTs?: string; includeEphemeral?: boolean }): PostedMessage[];
  /** Modals opened with views.open, oldest first. */
  views(): OpenedView[];
  /** Whether the token with this emulator-side id is still live (tests check revocation state). */
  tokenActive(tokenId: string): boolean;
  /** Active session ids of a user. */
  activeSessions(userId: string): number[];
  /** The Web API and Audit Logs base URLs, and the scenario's own (`cordonOwn`) live tokens and signing secret. */
  connection(): SlackConnection;
}

export interface SlackConnection {
  apiUrl: string;
  auditUrl: string;
  adminToken?: string;
  botToken?: string;
  signingSecret?: string;
}

export function isSlackEmulator(emulator: ProviderEmulator<never> | ProviderEmulator<SlackScenario>): emulator is SlackEmulator {
  return emulator.provider === 'slack' && typeof (emulator as Partial<SlackEmulator>).messages === 'function';
}

export function createSlackEmulator(): SlackEmulator {
  const state = new SlackTenantState();
  const router = new Router();
  addAuthRoutes(router, state);
  addAdminSessionRoutes(router, state);
  addAdminAppRoutes(router, state);
  addMessagingRoutes(router, state);
  addAuditLogRoutes(router, state);
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
    errors: slackErrorShapes,
    setBaseUrl(url) {
      baseUrl = url;
    },
    load(section) {
      state.load(section);
    },
    counts: () => state.counts(),
    ...auditHooks('slack', AuditSeed, (seeds) => state.addAuditRecords(seeds), (clock) => {
      state.auditClock = clock;
    }),
    connection() {
      const own = state.tokens.filter((t) => t.cordonOwn && !t.revoked);
      const admin = own.find((t) => t.type === 'user');
      const bot = own.find((t) => t.type === 'bot');
      return {
        apiUrl: `${baseUrl}/api/`,
        auditUrl: `${baseUrl}/audit/v1/`,
        ...(admin ? { adminToken: admin.value } : {}),
        ...(bot ? { botToken: bot.value } : {}),
        ...(state.signingSecret ? { signingSecret: state.signingSecret } : {}),
      };
    },
    messages: (filter = {}) => readMessages(filter),
    views: () => state.views.map((v) => structuredClone(v)),
    tokenActive: (tokenId) => state.tokens.some((t) => t.id === tokenId && !t.revoked),
    activeSessions: (userId) => state.activeSessionsOf(userId).map((s) => s.id),
  };
}
