// Cordon's Slack app (issue 5, design.md §3): the Bolt App with its listeners, split from the process
// that runs it (slack/main.ts) so tests drive the real HTTP receiver with signed requests.
// Listeners are grouped by kind, one per file, and each acks first.
import { App, HTTPReceiver, SocketModeReceiver, type BlockButtonAction, type Receiver } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Client } from '@temporalio/client';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createLogger, type Logger } from '../logging/logger.ts';
import { approveAction } from './actions/approve.ts';
import { rejectAction } from './actions/reject.ts';
import { retryAction } from './actions/retry.ts';
import { containVerdictAction } from './actions/contain-verdict.ts';
import { dismissVerdictAction } from './actions/dismiss-verdict.ts';
import { CONTAIN_VERDICT_ACTION, DISMISS_VERDICT_ACTION } from '../notifiers/slack/blocks/verdict.ts';
import { APPROVE_ACTION, REJECT_ACTION } from '../notifiers/slack/blocks/approval.ts';
import { CONTAIN_VIEW, DISMISS_VIEW, REJECT_VIEW } from './blocks/modals.ts';
import { RETRY_ACTION } from '../notifiers/slack/blocks/retry.ts';
import { boltLogger } from './bolt-logger.ts';
import type { RequestContext } from './command-parser.ts';
import { cordonCommand } from './commands/cordon.ts';
import type { SlackDeps } from './deps.ts';
import type { EnvelopeKeys } from '../codec/decision-envelope.ts';
import { ThreadFollower } from './thread-follower.ts';
import { containSubmitted } from './views/contain-submitted.ts';
import { rejectSubmitted } from './views/reject-submitted.ts';
import { dismissSubmitted } from './views/dismiss-submitted.ts';

export const SLASH_COMMAND = '/cordon';
/** Where Slack sends slash commands and interactivity (the manifest's URLs end with it). */
export const EVENTS_PATH = '/slack/events';

export interface SlackAppOptions {
  temporal: Client;
  taskQueue: string;
  signingSecret: string;
  botToken: string;
  /** Web API client options: `slackApiUrl` points the app at the emulator in tests and the local stack. */
  slackWebClient?: WebClientOptions;
  approvers: string[];
  /** Slack user ids who may declare break-glass; nobody by default. */
  breakGlassUsers?: string[];
  policy?: RequestContext['policy'];
  logger?: Logger;
  /** Socket Mode instead of the HTTP receiver (no public URL needed); needs an app-level token. */
  socketMode?: { appToken: string };
  /** How often the status message is refreshed from the workflow. */
  followIntervalMs?: number;
  /** Signs decisions with the authenticated Slack user (CORDON_ENVELOPE_KEYS). */
  envelopeKeys?: EnvelopeKeys;
}

export interface CordonSlackApp {
  app: App;
  /** Starts the receiver: HTTP on `port` (0 = any free port), or the Socket Mode connection. */
  start(port?: number): Promise<{ port?: number }>;
  stop(): Promise<void>;
}

export function createSlackApp(o: SlackAppOptions): CordonSlackApp {
  const logger = o.logger ?? createLogger({ base: { component: 'slack-app' } });
  const bolt = boltLogger(logger);
  const receiver: Receiver = o.socketMode
    ? // Bolt hands the Socket Mode client its Web API options through installerOptions (apps.connections.open).
      new SocketModeReceiver({ appToken: o.socketMode.appToken, logger: bolt, installerOptions: { clientOptions: { ...o.slackWebClient } } })
    : // Bolt verifies X-Slack-Signature (v0 HMAC-SHA256) and refuses timestamps older than 5 minutes: 401, no listener runs.
      withTwoSidedReplayWindow(new HTTPReceiver({ signingSecret: o.signingSecret, endpoints: EVENTS_PATH, logger: bolt, processBeforeResponse: false }), logger);
  const app = new App({
    receiver,
    token: o.botToken,
    logger: bolt,
    // A test or the local stack points the Web API at the emulator; no retries hide a failed post.
    clientOptions: { ...o.slackWebClient },
    // auth.test runs in start(), so a wrong token fails the start, not the first click.
    deferInitialization: true,
  });
  const web = new WebClient(o.botToken, { ...o.slackWebClient });
  const follower = new ThreadFollower({ temporal: o.temporal, web, logger, intervalMs: o.followIntervalMs ?? 2000 });
  const deps: SlackDeps = {
    temporal: o.temporal,
    taskQueue: o.taskQueue,
    approvers: o.approvers,
    breakGlassUsers: o.breakGlassUsers ?? [],
    ...(o.policy ? { policy: o.policy } : {}),
    logger,
    follower,
    rejecting: new Map(),
    ...(o.envelopeKeys ? { envelopeKeys: o.envelopeKeys } : {}),
    slackTransport: o.socketMode ? 'socket_mode' : 'signed_request',
  };

  app.command(SLASH_COMMAND, cordonCommand(deps));
  app.action<BlockButtonAction>(APPROVE_ACTION, approveAction(deps));
  app.action<BlockButtonAction>(REJECT_ACTION, rejectAction(deps));
  app.action<BlockButtonAction>(RETRY_ACTION, retryAction(deps));
  app.action<BlockButtonAction>(CONTAIN_VERDICT_ACTION, containVerdictAction(deps));
  app.action<BlockButtonAction>(DISMISS_VERDICT_ACTION, dismissVerdictAction(deps));
  app.view(CONTAIN_VIEW, containSubmitted(deps));
  app.view(REJECT_VIEW, rejectSubmitted(deps));
  app.view(DISMISS_VIEW, dismissSubmitted(deps));
  app.error(async (err) => {
    // One place for listener failures; Bolt has already answered Slack.
    logger.error('slack listener failed', { error: err });
  });

  let server: Server | undefined;
  return {
    app,
    async start(port = 3000) {
      await app.init();
      if (o.socketMode) {
        await app.start();
        logger.info('slack app connected (Socket Mode)');
        return {};
      }
      server = (await app.start(port)) as Server;
      const bound = (server.address() as AddressInfo).port;
      logger.info('slack app listening', { port: bound, path: EVENTS_PATH });
      return { port: bound };
    },
    async stop() {
      follower.stop();
      await app.stop();
    },
  };
}

/** Slack's replay window, both ways (Slack: verifying requests from Slack). */
export const REPLAY_WINDOW_SECONDS = 5 * 60;

/**
 * Bolt refuses a signed request that is too old, but not one dated in the future: a captured request
 * with a forged-forward clock would stay replayable for as long as its date lies ahead. Refused here,
 * before Bolt reads it: 401, no listener runs.
 */
function withTwoSidedReplayWindow(receiver: HTTPReceiver, logger: Logger): HTTPReceiver {
  const inner = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    const ts = Number(req.headers['x-slack-request-timestamp']);
    if (Number.isFinite(ts) && ts > Date.now() / 1000 + REPLAY_WINDOW_SECONDS) {
      logger.warn('slack request refused: timestamp in the future', { skewSeconds: Math.round(ts - Date.now() / 1000) });
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end('request timestamp is in the future');
      return;
    }
    inner(req, res);
  };
  return receiver;
}
