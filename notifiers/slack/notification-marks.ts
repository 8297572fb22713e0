// What makes the worker's Slack posts idempotent across workers and restarts: every approval request,
// escalation and final report carries message metadata naming its workflow and a post key, and before
// posting the notifier reads the thread (conversations.replies with include_all_metadata) for a reply
// of its own bot with the same mark. Slack's copy of the thread is the record; nothing else is stored.
// Metadata is readable by anyone in the channel (Slack docs: message metadata): it holds the workflow id
// and a key made of stage names and a hash, never a credential value or the text of a message.
import { createHash } from 'node:crypto';
import { ErrorCode, type WebClient } from '@slack/web-api';
import type { Block } from './blocks/block-kit.ts';

export const NOTIFICATION_EVENT_TYPE = 'cordon_notification';

/** The post keys: one approval message per stage, one escalation per stage, one final report per run. */
export const postKey = {
  approval: (stage: string) => `approval:${stage}`,
  escalation: (stage: string) => `escalation:${stage}`,
  /** A provider escalation (I9) says what Cordon waits on; each distinct summary is posted once (hashed: the key only has to tell them apart). */
  providerEscalation: (stage: string, summary: string) => `escalation:${stage}:${createHash('sha256').update(summary).digest('hex').slice(0, 16)}`,
  final: () => 'final',
  /** The drift verdict a watch containment was opened for, with its Contain / Dismiss buttons. */
  verdict: () => 'verdict',
} as const;

export function notificationMetadata(workflowId: string, key: string): { event_type: string; event_payload: { workflow_id: string; key: string } } {
  return { event_type: NOTIFICATION_EVENT_TYPE, event_payload: { workflow_id: workflowId, key } };
}

/** The cache and lookup key of one post: `workflowId|key`. */
export const markId = (workflowId: string, key: string) => `${workflowId}|${key}`;

export interface MarkedReply {
  workflowId: string;
  key: string;
  ts: string;
  blocks: Block[];
}

/** Errors that mean "this token cannot read the thread", as opposed to a failure worth retrying. */
const UNREADABLE = new Set(['missing_scope', 'not_in_channel', 'channel_not_found', 'thread_not_found', 'not_allowed_token_type']);

export type ThreadReadResult = { replies: Map<string, MarkedReply> } | { unreadable: string };

/**
 * The replies of `threadTs` that `botUserId` posted with Cordon's mark, by markId. A thread the token
 * cannot read answers `unreadable` (the caller decides); any other failure throws (the activity retries).
 */
export async function readMarkedReplies(client: WebClient, channel: string, threadTs: string, botUserId: string): Promise<ThreadReadResult> {
  const replies = new Map<string, MarkedReply>();
  let cursor: string | undefined;
  try {
    do {
      const page = await client.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) });
      for (const m of page.messages ?? []) {
        // Only our own bot's posts count: another app in the channel could attach the same event type.
        if (m.user !== botUserId || !m.ts) continue;
        const meta = m.metadata as { event_type?: string; event_payload?: { workflow_id?: unknown; key?: unknown } } | undefined;
        const workflowId = meta?.event_payload?.workflow_id;
        const key = meta?.event_payload?.key;
        if (meta?.event_type !== NOTIFICATION_EVENT_TYPE || typeof workflowId !== 'string' || typeof key !== 'string') continue;
        const id = markId(workflowId, key);
        // The first post wins if two ever raced: that is the one later updates go to.
        if (!replies.has(id)) replies.set(id, { workflowId, key, ts: m.ts, blocks: (m.blocks ?? []) as Block[] });
      }
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
  } catch (err) {
    const code = (err as { code?: string; data?: { error?: string } }).code;
    const error = (err as { data?: { error?: string } }).data?.error;
    if (code === ErrorCode.PlatformError && error && UNREADABLE.has(error)) return { unreadable: error };
    throw err;
  }
  return { replies };
}
