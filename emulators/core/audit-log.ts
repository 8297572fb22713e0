// Wire-shaped audit records a scenario or the control API seeds, as each provider's audit API would
// return them, with the time each becomes visible. Audit logs lag: Google's Reports API shows an event
// minutes to hours after it happened (Admin SDK Reports API docs, "Data retention and lag times"), so a
// seeded record may carry `availableAt` and stays out of every answer until the audit clock passes it.
// One clock per tenant: tests move it instead of sleeping (POST /audit-clock).
import { z } from 'zod';

const IsoTime = z.iso.datetime({ offset: true });

/**
 * One seeded record: `record` is the provider's own JSON (a Reports activity, a GitHub audit-log entry, a
 * Salesforce sObject row, a Slack audit entry), served as it is; `availableAt` is when it first shows.
 */
export const AuditSeed = z
  .object({
    availableAt: IsoTime.optional(),
    record: z.record(z.string(), z.unknown()),
  })
  .strict();
export type AuditSeed = z.infer<typeof AuditSeed>;

/** The time audit routes answer at: the wall clock, or a time a test set. */
export class AuditClock {
  #fixed: number | undefined;
  now(): number {
    return this.#fixed ?? Date.now();
  }
  /** Freezes audit answers at `iso`; undefined returns to the wall clock. */
  set(iso: string | undefined): void {
    if (iso === undefined) {
      this.#fixed = undefined;
      return;
    }
    const at = Date.parse(iso);
    if (Number.isNaN(at)) throw new Error(`audit clock: ${iso} is not an ISO time`);
    this.#fixed = at;
  }
  fixedAt(): string | undefined {
    return this.#fixed === undefined ? undefined : new Date(this.#fixed).toISOString();
  }
}

export interface AuditEntry<R> {
  /** The event's own time (ms); a record without one sorts at its availability. */
  at: number;
  availableAt: number;
  /** Insertion order: ties on `at` keep it, and it makes every entry's position unique. */
  seq: number;
  record: R;
}

/**
 * The audit records of one provider stream, oldest first. Tens of thousands load in one call: they are
 * appended unsorted and sorted once, on the next read.
 */
export class AuditLog<R> {
  #entries: AuditEntry<R>[] = [];
  #sorted = true;
  #seq = 0;

  constructor(readonly timeOf: (record: R) => number | undefined) {}

  add(record: R, availableAt?: number): AuditEntry<R> {
    const own = this.timeOf(record);
    const entry = { at: own ?? availableAt ?? Date.now(), availableAt: availableAt ?? Number.NEGATIVE_INFINITY, seq: ++this.#seq, record };
    const last = this.#entries.at(-1);
    if (last && (last.at > entry.at || (last.at === entry.at && last.seq > entry.seq))) this.#sorted = false;
    this.#entries.push(entry);
    return entry;
  }

  /** Every entry visible at `now`, oldest first (by time, then insertion). */
  visible(now: number): AuditEntry<R>[] {
    if (!this.#sorted) {
      this.#entries.sort(compareEntries);
      this.#sorted = true;
    }
    return this.#entries.filter((e) => e.availableAt <= now);
  }

  get size(): number {
    return this.#entries.length;
  }

  clear(): void {
    this.#entries = [];
    this.#sorted = true;
  }
}

export const compareEntries = (a: { at: number; seq: number }, b: { at: number; seq: number }): number => a.at - b.at || a.seq - b.seq;

/** An opaque page position: the (time, seq) of the last entry a page held. */
export function encodePosition(e: { at: number; seq: number }): string {
  return Buffer.from(`${e.at}:${e.seq}`).toString('base64url');
}

export function decodePosition(cursor: string): { at: number; seq: number } | undefined {
  const m = /^(-?\d+):(-?\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? { at: Number(m[1]), seq: Number(m[2]) } : undefined;
}

/**
 * One page of `sorted` (already in the answer's order, `descending` or not) after or before a position. Positions,
 * unlike offsets, stay right when records arrive between two page reads, as the providers' cursors do.
 */
export function pageOf<T extends { at: number; seq: number }>(
  sorted: readonly T[],
  descending: boolean,
  size: number,
  after?: { at: number; seq: number },
  before?: { at: number; seq: number },
): { page: T[]; more: boolean; earlier: boolean } {
  const inOrder = (x: { at: number; seq: number }, y: { at: number; seq: number }) => (descending ? -compareEntries(x, y) : compareEntries(x, y));
  if (before) {
    const end = sorted.findIndex((e) => inOrder(e, before) >= 0);
    const stop = end < 0 ? sorted.length : end;
    const start = Math.max(0, stop - size);
    return { page: sorted.slice(start, stop), more: stop < sorted.length, earlier: start > 0 };
  }
  const start = after ? sorted.findIndex((e) => inOrder(e, after) > 0) : 0;
  if (start < 0) return { page: [], more: false, earlier: sorted.length > 0 };
  return { page: sorted.slice(start, start + size), more: start + size < sorted.length, earlier: start > 0 };
}

/** Parses seeds with the provider's schema, naming the first bad field. */
export function parseSeeds<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S>[] {
  const parsed = z.array(schema).safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`${what}: ${first?.path.join('.') || '(root)'}: ${first?.message}`);
  }
  return parsed.data;
}

/**
 * An emulator's two audit hooks (ProviderEmulator.addAuditRecords, useAuditClock): seeds parsed with the provider's
 * schema, then handed to its state; the clock handed to its state.
 */
export function auditHooks<S extends z.ZodType>(
  provider: string,
  schema: S,
  add: (seeds: z.infer<S>[]) => void,
  useClock: (clock: AuditClock) => void,
): { addAuditRecords(records: unknown): number; useAuditClock(clock: AuditClock): void } {
  return {
    addAuditRecords(records) {
      const seeds = parseSeeds(schema, records, `${provider} audit records`);
      add(seeds);
      return seeds.length;
    },
    useAuditClock: useClock,
  };
}
