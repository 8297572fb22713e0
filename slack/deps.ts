// What every listener of the Slack app is given (built once in app.ts).
import type { Client } from '@temporalio/client';
import type { EnvelopeKeys } from '../codec/decision-envelope.ts';
import type { Logger } from '../logging/logger.ts';
import type { RequestContext } from './command-parser.ts';
import type { ThreadFollower } from './thread-follower.ts';
import type { Block } from '../notifiers/slack/blocks/block-kit.ts';

export interface SlackDeps {
  temporal: Client;
  taskQueue: string;
  /** Slack user ids allowed to approve; the workflow enforces it (I7), the app only passes it on. */
  approvers: string[];
  /** Slack user ids who may declare break-glass (CORDON_SLACK_BREAK_GLASS); nobody by default (I7). */
  breakGlassUsers?: string[];
  policy?: RequestContext['policy'];
  logger: Logger;
  follower: ThreadFollower;
  /**
   * Blocks of approval messages whose Reject modal (and verdict messages whose Dismiss modal) is open, by `channel|ts`: the view submission
   * carries no message, and the locked message should still show what was rejected.
   */
  rejecting: Map<string, Block[]>;
  /**
   * Signs each decision with the clicking user's id (CORDON_ENVELOPE_KEYS; docs/trust-model.md). Unset,
   * decisions from Slack count as unauthenticated Temporal-direct calls.
   */
  envelopeKeys?: EnvelopeKeys;
  /** How Slack authenticated the requests: a signature on each (HTTP receiver) or the Socket Mode connection. */
  slackTransport: 'signed_request' | 'socket_mode';
}
