// Where a provider's audit reader stopped, so the next read picks up from there (docs/drift-watch.md, "Audit
// readers"). Plain JSON: it is recorded in Temporal history and in the watch's checkpoint. Pure zod.
import { z } from 'zod';
import { AuditProvider } from './token-use.ts';

/** At most this many recently emitted events are remembered per stream (bounded history, bounded checkpoint). */
export const MAX_SEEN_PER_STREAM = 5000;

/**
 * One stream of a provider's audit log (a Google Reports application, a Salesforce object, GitHub's and Slack's one
 * log). Every read re-reads `overlap` before the watermark to catch events the provider showed late, and skips the
 * ones it already emitted by their id's digest in `seen`.
 */
export const AuditStreamCursor = z
  .object({
    /** The newest event time read so far, ISO 8601. */
    watermark: z.iso.datetime({ offset: true }).optional(),
    /**
     * Events emitted whose time is still inside the overlap window: `[digest of the event id, event time in ms]`,
     * oldest first. Never longer than MAX_SEEN_PER_STREAM.
     */
    seen: z.array(z.tuple([z.string().min(1).max(32), z.number().int()])).max(MAX_SEEN_PER_STREAM).default([]),
    /**
     * Reads never go back before this time (ms), even inside the overlap: set when `seen` overflowed and its oldest
     * entries were dropped, so a dropped event can never be emitted twice (a later one behind it is missed instead).
     */
    floor: z.number().int().optional(),
    /**
     * A window a read left unfinished because it ran out of pages (`maxPages`): the next read finishes it first.
     * `until` is set for providers that answer newest first (the part older than `until` is still unread).
     */
    resume: z
      .object({ from: z.number().int(), until: z.number().int().optional() })
      .strict()
      .optional(),
  })
  .strict();
export type AuditStreamCursor = z.infer<typeof AuditStreamCursor>;

export const AuditCursor = z
  .object({
    provider: AuditProvider,
    /** Stream name → its cursor (`token`, `login`, `admin` for Google; `LoginHistory` or `LoginEvent` for Salesforce; `log` otherwise). */
    streams: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'a stream name: letters, digits and _'), AuditStreamCursor).default({}),
    /** When the last read finished, ISO 8601. */
    readAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type AuditCursor = z.infer<typeof AuditCursor>;
export type AuditCursorInput = z.input<typeof AuditCursor>;
