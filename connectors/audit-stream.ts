// Reading a provider's audit log as a stream of TokenUseEvents with a cursor (docs/drift-watch.md, "Audit readers"):
// every read starts an overlap window before the watermark, so an event the provider shows late (Google's Reports
// API lags minutes to hours) is still picked up; events already emitted are skipped by their id's digest, so
// overlapping pages and re-reads never emit one twice; a record that cannot be read is counted, never thrown. The
// providers' readers (connectors/<provider>/audit-reader.ts) say only how to fetch a page and how to map a record.
import { createHash } from 'node:crypto';
import { TokenUseEvent, type AuditProvider, type TokenUseEventInput } from '../schemas/token-use.ts';
import { AuditCursor, MAX_SEEN_PER_STREAM, type AuditStreamCursor } from '../schemas/audit-cursor.ts';
import { ConnectorError } from './types.ts';

export interface TokenUseStats {
  /** API pages fetched. */
  pages: number;
  /** Records the pages held. */
  records: number;
  /** Events skipped because an earlier read (or an overlapping page) already emitted them. */
  duplicates: number;
  /** Records (or events inside one) that could not be read: no time, no actor, an unknown shape. */
  malformed: number;
  /** Events emitted although older than the previous watermark: the provider showed them late (not counted while finishing a resumed window). */
  late: number;
}

export interface TokenUseBatch {
  events: TokenUseEvent[];
  /** Hand it to the next read. */
  cursor: AuditCursor;
  stats: TokenUseStats;
}

export interface ReadTokenUseOptions {
  /** The reader's time, ISO 8601: `receivedAt` of the events, and where a first read starts from. Default: now. */
  now?: string;
  /** Pages per stream in one read (default 10); a read that runs out leaves the rest to the next one. */
  maxPages?: number;
  /** How far before the watermark every read goes again (default: the provider's, see each reader). */
  overlapMs?: number;
  /** Where a read without a cursor starts, ISO 8601 (default: `now` minus the overlap). */
  startAt?: string;
}

/** What one record of a stream gives: events, nothing of interest (`skip`), or a reason it cannot be read. */
export type MappedRecord = { events: TokenUseEventInput[] } | { skip: string } | { malformed: string };

export interface AuditStream<R> {
  /** The cursor's stream name. */
  name: string;
  /** The order the provider answers in: newest first (Google, Slack) or oldest first (GitHub `order=asc`, SOQL `ORDER BY`). */
  order: 'asc' | 'desc';
  /** One page of the records in [from, until] (ms; until undefined: up to the provider's now), after `token`. */
  page(window: { from: number; until: number | undefined }, token: string | undefined): Promise<{ records: R[]; next: string | undefined }>;
  map(record: R): MappedRecord;
}

export const DEFAULT_MAX_PAGES = 10;

/** The digest an emitted event is remembered by: 96 bits of SHA-256 of its id. */
export const seenDigest = (id: string): string => createHash('sha256').update(id).digest('base64url').slice(0, 16);

/** Reads every stream of one provider from the cursor and returns the new events and the cursor to continue from. */
export async function readStreams(
  provider: AuditProvider,
  streams: readonly AuditStream<any>[],
  given: AuditCursor | undefined,
  options: ReadTokenUseOptions & { defaultOverlapMs: number },
): Promise<TokenUseBatch> {
  // The cursor comes back from history or a checkpoint: checked, not trusted.
  const checked = given === undefined ? undefined : AuditCursor.safeParse(given);
  if (checked && !checked.success) {
    const first = checked.error.issues[0];
    throw new ConnectorError('invalid', provider, `${provider}: the audit cursor is not one a reader gave: ${first?.path.join('.') || '(root)'}: ${first?.message}`);
  }
  const cursor = checked?.data;
  if (cursor && cursor.provider !== provider) {
    throw new ConnectorError('invalid', provider, `${provider}: the audit cursor given is ${cursor.provider}'s; pass this provider's cursor or none`);
  }
  const nowMs = options.now === undefined ? Date.now() : Date.parse(options.now);
  if (Number.isNaN(nowMs)) throw new ConnectorError('invalid', provider, `${provider}: readTokenUse now: ${options.now} is not an ISO time`);
  const startAt = options.startAt === undefined ? undefined : Date.parse(options.startAt);
  if (startAt !== undefined && Number.isNaN(startAt)) throw new ConnectorError('invalid', provider, `${provider}: readTokenUse startAt: ${options.startAt} is not an ISO time`);
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  if (!Number.isInteger(maxPages) || maxPages < 1) throw new ConnectorError('invalid', provider, `${provider}: readTokenUse maxPages must be a positive integer, not ${maxPages}`);
  const overlapMs = options.overlapMs ?? options.defaultOverlapMs;
  if (!Number.isFinite(overlapMs) || overlapMs < 0) throw new ConnectorError('invalid', provider, `${provider}: readTokenUse overlapMs must be 0 or more, not ${overlapMs}`);

  const receivedAt = new Date(nowMs).toISOString();
  const stats: TokenUseStats = { pages: 0, records: 0, duplicates: 0, malformed: 0, late: 0 };
  const events: TokenUseEvent[] = [];
  const next: AuditCursor = { provider, streams: { ...(cursor?.streams ?? {}) }, readAt: receivedAt };
  for (const stream of streams) {
    const { emitted, state } = await readStream(stream, cursor?.streams[stream.name], { nowMs, startAt, maxPages, overlapMs, receivedAt }, stats);
    events.push(...emitted);
    next.streams[stream.name] = state;
  }
  events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.id.localeCompare(b.id));
  return { events, cursor: AuditCursor.parse(next), stats };
}

async function readStream(
  stream: AuditStream<unknown>,
  state: AuditStreamCursor | undefined,
  ctx: { nowMs: number; startAt: number | undefined; maxPages: number; overlapMs: number; receivedAt: string },
  stats: TokenUseStats,
): Promise<{ emitted: TokenUseEvent[]; state: AuditStreamCursor }> {
  const previous = state?.watermark === undefined ? undefined : Date.parse(state.watermark);
  const window = state?.resume
    ? { from: state.resume.from, until: state.resume.until }
    : { from: previous !== undefined ? previous - ctx.overlapMs : (ctx.startAt ?? ctx.nowMs - ctx.overlapMs), until: undefined };
  if (state?.floor !== undefined) window.from = Math.max(window.from, state.floor);
  const seen = new Map<string, number>(state?.seen ?? []);
  const emitted: TokenUseEvent[] = [];
  let newest = previous;
  let oldestRead: number | undefined;
  let newestRead: number | undefined;
  let token: string | undefined;
  let pages = 0;
  let unfinished = false;
  for (;;) {
    if (pages >= ctx.maxPages) {
      unfinished = true;
      break;
    }
    const page = await stream.page(window, token);
    pages += 1;
    stats.pages += 1;
    for (const record of page.records) {
      stats.records += 1;
      const mapped = stream.map(record);
      if ('malformed' in mapped) {
        stats.malformed += 1;
        continue;
      }
      if ('skip' in mapped) continue;
      for (const input of mapped.events) {
        const parsed = TokenUseEvent.safeParse({ ...input, receivedAt: ctx.receivedAt });
        if (!parsed.success) {
          stats.malformed += 1;
          continue;
        }
        const event = parsed.data;
        const at = Date.parse(event.at);
        oldestRead = Math.min(oldestRead ?? at, at);
        newestRead = Math.max(newestRead ?? at, at);
        // Outside the window (a provider rounds its time filter to the second): an earlier read had it, or it is
        // older than the floor and must not come out again.
        const digest = seenDigest(event.id);
        if (at < window.from || seen.has(digest)) {
          stats.duplicates += 1;
          continue;
        }
        seen.set(digest, at);
        // Older than what an earlier read had seen: shown late (a read finishing a resumed window is backlog, not late).
        if (previous !== undefined && at < previous && !state?.resume) stats.late += 1;
        emitted.push(event);
      }
    }
    token = page.next;
    if (!token) break;
  }
  if (newestRead !== undefined) newest = Math.max(newest ?? newestRead, newestRead);
  let resume: AuditStreamCursor['resume'];
  if (unfinished) {
    // Oldest first: carry on after the last record read. Newest first: the part older than the oldest read is left.
    resume =
      stream.order === 'asc'
        ? { from: newestRead ?? window.from }
        : { from: window.from, ...(oldestRead !== undefined ? { until: oldestRead } : window.until !== undefined ? { until: window.until } : {}) };
  }
  const keepFrom = Math.min(newest !== undefined ? newest - ctx.overlapMs : Number.POSITIVE_INFINITY, resume?.from ?? Number.POSITIVE_INFINITY, window.from);
  let kept = [...seen].filter(([, at]) => at >= keepFrom).sort((a, b) => a[1] - b[1]);
  let floor = state?.floor;
  if (kept.length > MAX_SEEN_PER_STREAM) {
    // Forget the oldest, and never read back before them again: a duplicate is worse than a missed late event.
    const cut = kept[kept.length - MAX_SEEN_PER_STREAM - 1]![1];
    kept = kept.filter(([, at]) => at > cut);
    floor = Math.max(floor ?? cut + 1, cut + 1);
  }
  return {
    emitted,
    state: {
      ...(newest !== undefined ? { watermark: new Date(newest).toISOString() } : {}),
      seen: kept,
      ...(floor !== undefined ? { floor } : {}),
      ...(resume ? { resume } : {}),
    },
  };
}
