// The watch's durable state in one SQLite file (node:sqlite, built into Node 24): per-token baselines, verdicts
// and dismissals, event ids already ingested, owners' statuses, retired apps, Cordon's revocations, and the
// audit readers' per-provider cursors. WAL journal with synchronous=FULL: a committed ingest survives a crash
// of the process or the machine, and an interrupted one leaves nothing half-written (each ingest is one
// transaction). Figures at 50,000 tokens: docs/drift-watch.md ("Baseline store").
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Dismissal, Verdict } from '../schemas/verdict.ts';
import type { Baseline } from './baseline.ts';

export type PrincipalStatus = 'suspended' | 'offboarded' | 'role_changed' | 'reactivated';

/** A containment the watch opened for a verdict, and how it ended once settled. */
export interface ContainmentLink {
  verdictId: string;
  tokenKey: string;
  workflowId: string;
  openedAt: number;
  outcome?: string;
  closedAt?: number;
}

/** A Detection Finding waiting in the outbox for one sink. */
export interface QueuedFinding {
  seq: number;
  verdictId: string;
  revision: number;
  finding: unknown;
  attempts: number;
}

export interface BaselineStore {
  getBaseline(tokenKey: string): Baseline | undefined;
  putBaseline(baseline: Baseline): void;
  /** How many tokens have a baseline. */
  countBaselines(): number;
  hasEvent(id: string): boolean;
  markEvent(id: string, at: number): void;
  /** Forgets ingested event ids older than `before` (epoch ms): re-reads that old count as out of order instead. */
  pruneEvents(before: number): number;
  /** The token's latest verdict, open or dismissed. */
  getVerdict(tokenKey: string): Verdict | undefined;
  putVerdict(verdict: Verdict): void;
  openVerdicts(): Verdict[];
  addDismissal(verdict: Verdict, dismissal: Dismissal): void;
  dismissals(tokenKey: string): { verdictId: string; dismissal: Dismissal }[];
  getPrincipalStatus(provider: string, principal: string): { status: PrincipalStatus; at: number } | undefined;
  putPrincipalStatus(provider: string, principal: string, status: PrincipalStatus, at: number): void;
  /** Which tokens a principal owns and an app holds, for lifecycle records that arrive after the uses. */
  linkToken(provider: string, tokenKey: string, principal: string, app: string | undefined): void;
  tokensOfPrincipal(provider: string, principal: string): string[];
  tokensOfApp(provider: string, app: string): string[];
  getAppRetired(provider: string, app: string): number | undefined;
  putAppRetired(provider: string, app: string, at: number): void;
  getRevocation(tokenKey: string): number | undefined;
  putRevocation(tokenKey: string, at: number): void;
  deleteRevocation(tokenKey: string): void;
  /** Per-provider audit cursors (the lead's Schedule checkpoints them here): any JSON value. */
  getCursor(name: string): unknown;
  putCursor(name: string, value: unknown): void;
  /** The latest containment the watch opened for a verdict, if any. */
  containmentOf(verdictId: string): ContainmentLink | undefined;
  /** How many containments the watch has opened for a verdict. */
  containmentsOpenedFor(verdictId: string): number;
  /** Records that a containment was opened (or found running) for a verdict; a second call changes nothing. */
  linkContainment(verdictId: string, tokenKey: string, workflowId: string): void;
  /** Containments opened for verdicts whose outcome the watch has not settled yet. */
  openContainments(): ContainmentLink[];
  closeContainment(workflowId: string, outcome: string, at: number): void;
  /** The link of one containment the watch opened, settled or not. */
  containmentLink(workflowId: string): ContainmentLink | undefined;
  /** The Slack thread opened for a containment (docs/drift-watch.md, "Verdicts in Slack"), so a repeated pass posts none twice. */
  threadOf(workflowId: string): { channel: string; ts: string } | undefined;
  putThread(workflowId: string, channel: string, ts: string): void;
  /**
   * Queues a Detection Finding for each sink (the outbox of "Findings to the evidence sinks"), with the verdict's
   * next revision; returns that revision. Queued in the caller's transaction: a finding is never lost with its change.
   */
  queueFinding(verdictId: string, build: (revision: number) => unknown, sinks: readonly string[]): number;
  /** Findings a sink still has to take, oldest first: those due now (never tried, or whose backoff has passed). */
  dueFindings(sink: string, now: number, limit: number): QueuedFinding[];
  findingsDelivered(seqs: readonly number[], at: number): void;
  /** A failed attempt: tried again at `retryAt`, or given up (recorded, never retried) when `retryAt` is undefined. */
  findingsFailed(seqs: readonly number[], error: string, at: number, retryAt: number | undefined): void;
  findingCounts(): { pending: number; delivered: number; failed: number };
  /** Runs `fn` in one transaction: all of it is committed, or none. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS baselines (token_key TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events_seen (id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_seen_at ON events_seen (at);
CREATE TABLE IF NOT EXISTS verdicts (token_key TEXT PRIMARY KEY, status TEXT NOT NULL, data TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS verdicts_status ON verdicts (status);
CREATE TABLE IF NOT EXISTS dismissals (id INTEGER PRIMARY KEY, token_key TEXT NOT NULL, verdict_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS dismissals_token ON dismissals (token_key);
CREATE TABLE IF NOT EXISTS principals (provider TEXT NOT NULL, principal TEXT NOT NULL, status TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (provider, principal)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS token_links (provider TEXT NOT NULL, kind TEXT NOT NULL, owner TEXT NOT NULL, token_key TEXT NOT NULL, PRIMARY KEY (provider, kind, owner, token_key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS retired_apps (provider TEXT NOT NULL, app TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (provider, app)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS revocations (token_key TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS verdict_containments (workflow_id TEXT PRIMARY KEY, verdict_id TEXT NOT NULL, token_key TEXT NOT NULL, opened_at INTEGER NOT NULL, outcome TEXT, closed_at INTEGER) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS verdict_containments_verdict ON verdict_containments (verdict_id, opened_at);
CREATE TABLE IF NOT EXISTS containment_threads (workflow_id TEXT PRIMARY KEY, channel TEXT NOT NULL, ts TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS finding_outbox (seq INTEGER PRIMARY KEY, verdict_id TEXT NOT NULL, revision INTEGER NOT NULL, sink TEXT NOT NULL, data TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, due_at INTEGER NOT NULL, delivered_at INTEGER, failed_at INTEGER, last_error TEXT);
CREATE INDEX IF NOT EXISTS finding_outbox_due ON finding_outbox (sink, due_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE TABLE IF NOT EXISTS cursors (name TEXT PRIMARY KEY, data TEXT NOT NULL, updated_at TEXT NOT NULL) WITHOUT ROWID;
`;

/** Opens (creating it if needed) the store at `path`; `:memory:` for a throwaway one. */
export function openBaselineStore(path: string): BaselineStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
    db.exec(SCHEMA);
  } catch (err) {
    throw new Error(`watch store ${path}: cannot open it as a SQLite database (${(err as Error).message})`);
  }
  const statements = new Map<string, StatementSync>();
  const q = (sql: string): StatementSync => {
    let s = statements.get(sql);
    if (!s) statements.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const row = (sql: string, ...params: (string | number)[]) => q(sql).get(...params) as Record<string, string | number> | undefined;
  let depth = 0;
  return {
    getBaseline(tokenKey) {
      const r = row('SELECT data FROM baselines WHERE token_key = ?', tokenKey);
      return r ? (JSON.parse(String(r.data)) as Baseline) : undefined;
    },
    putBaseline(b) {
      q('INSERT INTO baselines (token_key, data) VALUES (?, ?) ON CONFLICT (token_key) DO UPDATE SET data = excluded.data').run(b.tokenKey, JSON.stringify(b));
    },
    countBaselines: () => Number(row('SELECT count(*) AS n FROM baselines')!.n),
    hasEvent: (id) => row('SELECT 1 AS x FROM events_seen WHERE id = ?', id) !== undefined,
    markEvent(id, at) {
      q('INSERT OR IGNORE INTO events_seen (id, at) VALUES (?, ?)').run(id, at);
    },
    pruneEvents: (before) => Number(q('DELETE FROM events_seen WHERE at < ?').run(before).changes),
    getVerdict(tokenKey) {
      const r = row('SELECT data FROM verdicts WHERE token_key = ?', tokenKey);
      return r ? Verdict.parse(JSON.parse(String(r.data))) : undefined;
    },
    putVerdict(v) {
      q('INSERT INTO verdicts (token_key, status, data) VALUES (?, ?, ?) ON CONFLICT (token_key) DO UPDATE SET status = excluded.status, data = excluded.data').run(
        v.tokenKey,
        v.status,
        JSON.stringify(Verdict.parse(v)),
      );
    },
    openVerdicts: () => (q("SELECT data FROM verdicts WHERE status = 'open' ORDER BY token_key").all() as { data: string }[]).map((r) => Verdict.parse(JSON.parse(r.data))),
    addDismissal(v, d) {
      q('INSERT INTO dismissals (token_key, verdict_id, data) VALUES (?, ?, ?)').run(v.tokenKey, v.id, JSON.stringify(Dismissal.parse(d)));
    },
    dismissals: (tokenKey) =>
      (q('SELECT verdict_id, data FROM dismissals WHERE token_key = ? ORDER BY id').all(tokenKey) as { verdict_id: string; data: string }[]).map((r) => ({
        verdictId: r.verdict_id,
        dismissal: Dismissal.parse(JSON.parse(r.data)),
      })),
    getPrincipalStatus(provider, principal) {
      const r = row('SELECT status, at FROM principals WHERE provider = ? AND principal = ?', provider, principal);
      return r ? { status: r.status as PrincipalStatus, at: Number(r.at) } : undefined;
    },
    putPrincipalStatus(provider, principal, status, at) {
      q('INSERT INTO principals (provider, principal, status, at) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET status = excluded.status, at = excluded.at WHERE excluded.at >= principals.at').run(
        provider,
        principal,
        status,
        at,
      );
    },
    linkToken(provider, tokenKey, principal, app) {
      const link = q('INSERT OR IGNORE INTO token_links (provider, kind, owner, token_key) VALUES (?, ?, ?, ?)');
      link.run(provider, 'principal', principal, tokenKey);
      if (app) link.run(provider, 'app', app, tokenKey);
    },
    tokensOfPrincipal: (provider, principal) =>
      (q("SELECT token_key FROM token_links WHERE provider = ? AND kind = 'principal' AND owner = ?").all(provider, principal) as { token_key: string }[]).map((r) => r.token_key),
    tokensOfApp: (provider, app) => (q("SELECT token_key FROM token_links WHERE provider = ? AND kind = 'app' AND owner = ?").all(provider, app) as { token_key: string }[]).map((r) => r.token_key),
    getAppRetired(provider, app) {
      const r = row('SELECT at FROM retired_apps WHERE provider = ? AND app = ?', provider, app);
      return r ? Number(r.at) : undefined;
    },
    putAppRetired(provider, app, at) {
      q('INSERT INTO retired_apps (provider, app, at) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET at = min(retired_apps.at, excluded.at)').run(provider, app, at);
    },
    getRevocation(tokenKey) {
      const r = row('SELECT at FROM revocations WHERE token_key = ?', tokenKey);
      return r ? Number(r.at) : undefined;
    },
    putRevocation(tokenKey, at) {
      q('INSERT INTO revocations (token_key, at) VALUES (?, ?) ON CONFLICT DO UPDATE SET at = excluded.at').run(tokenKey, at);
    },
    deleteRevocation(tokenKey) {
      q('DELETE FROM revocations WHERE token_key = ?').run(tokenKey);
    },
    getCursor(name) {
      const r = row('SELECT data FROM cursors WHERE name = ?', name);
      return r ? (JSON.parse(String(r.data)) as unknown) : undefined;
    },
    putCursor(name, value) {
      const data = JSON.stringify(value);
      if (data === undefined) throw new Error(`cursor ${name}: the value must be JSON (got ${typeof value})`);
      q('INSERT INTO cursors (name, data, updated_at) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at').run(name, data, new Date().toISOString());
    },
    containmentOf(verdictId) {
      const r = row('SELECT * FROM verdict_containments WHERE verdict_id = ? ORDER BY opened_at DESC, length(workflow_id) DESC, workflow_id DESC LIMIT 1', verdictId);
      return r ? linkOf(r) : undefined;
    },
    containmentsOpenedFor(verdictId) {
      return Number(row('SELECT COUNT(*) AS n FROM verdict_containments WHERE verdict_id = ?', verdictId)?.n ?? 0);
    },
    linkContainment(verdictId, tokenKey, workflowId) {
      q('INSERT INTO verdict_containments (workflow_id, verdict_id, token_key, opened_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(workflowId, verdictId, tokenKey, Date.now());
    },
    openContainments() {
      return (q('SELECT * FROM verdict_containments WHERE closed_at IS NULL ORDER BY opened_at').all() as Record<string, string | number>[]).map(linkOf);
    },
    closeContainment(workflowId, outcome, at) {
      q('UPDATE verdict_containments SET outcome = ?, closed_at = ? WHERE workflow_id = ? AND closed_at IS NULL').run(outcome, at, workflowId);
    },
    containmentLink(workflowId) {
      const r = row('SELECT * FROM verdict_containments WHERE workflow_id = ?', workflowId);
      return r ? linkOf(r) : undefined;
    },
    threadOf(workflowId) {
      const r = row('SELECT channel, ts FROM containment_threads WHERE workflow_id = ?', workflowId);
      return r ? { channel: String(r.channel), ts: String(r.ts) } : undefined;
    },
    putThread(workflowId, channel, ts) {
      q('INSERT INTO containment_threads (workflow_id, channel, ts) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(workflowId, channel, ts);
    },
    queueFinding(verdictId, build, sinks) {
      const revision = Number(row('SELECT COALESCE(MAX(revision), 0) AS n FROM finding_outbox WHERE verdict_id = ?', verdictId)?.n ?? 0) + 1;
      const data = JSON.stringify(build(revision));
      const now = Date.now();
      for (const sink of sinks) q('INSERT INTO finding_outbox (verdict_id, revision, sink, data, due_at) VALUES (?, ?, ?, ?, ?)').run(verdictId, revision, sink, data, now);
      return revision;
    },
    dueFindings(sink, now, limit) {
      return (q('SELECT seq, verdict_id, revision, data, attempts FROM finding_outbox WHERE sink = ? AND delivered_at IS NULL AND failed_at IS NULL AND due_at <= ? ORDER BY seq LIMIT ?').all(sink, now, limit) as Record<string, string | number>[]).map(
        (r) => ({ seq: Number(r.seq), verdictId: String(r.verdict_id), revision: Number(r.revision), finding: JSON.parse(String(r.data)) as unknown, attempts: Number(r.attempts) }),
      );
    },
    findingsDelivered(seqs, at) {
      for (const seq of seqs) q('UPDATE finding_outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE seq = ?').run(at, seq);
    },
    findingsFailed(seqs, error, at, retryAt) {
      for (const seq of seqs) {
        if (retryAt === undefined) q('UPDATE finding_outbox SET failed_at = ?, attempts = attempts + 1, last_error = ? WHERE seq = ?').run(at, error, seq);
        else q('UPDATE finding_outbox SET due_at = ?, attempts = attempts + 1, last_error = ? WHERE seq = ?').run(retryAt, error, seq);
      }
    },
    findingCounts() {
      const r = row('SELECT SUM(delivered_at IS NULL AND failed_at IS NULL) AS pending, SUM(delivered_at IS NOT NULL) AS delivered, SUM(failed_at IS NOT NULL) AS failed FROM finding_outbox');
      return { pending: Number(r?.pending ?? 0), delivered: Number(r?.delivered ?? 0), failed: Number(r?.failed ?? 0) };
    },
    transaction(fn) {
      // Nested calls join the outer transaction.
      if (depth > 0) return fn();
      db.exec('BEGIN IMMEDIATE');
      depth++;
      try {
        const out = fn();
        db.exec('COMMIT');
        return out;
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      } finally {
        depth--;
      }
    },
    close() {
      db.close();
    },
  };
}

function linkOf(r: Record<string, string | number | null>): ContainmentLink {
  return {
    verdictId: String(r.verdict_id),
    tokenKey: String(r.token_key),
    workflowId: String(r.workflow_id),
    openedAt: Number(r.opened_at),
    ...(r.outcome !== null && r.outcome !== undefined ? { outcome: String(r.outcome) } : {}),
    ...(r.closed_at !== null && r.closed_at !== undefined ? { closedAt: Number(r.closed_at) } : {}),
  };
}

/** The open verdicts, each with the containment the watch last opened for it: what `cordon verdicts` and the API show. */
export function openVerdictsWithContainments(store: Pick<BaselineStore, 'openVerdicts' | 'containmentOf'>): (Verdict & { containment?: string })[] {
  return store.openVerdicts().map((v) => {
    const link = store.containmentOf(v.id);
    return link ? { ...v, containment: link.workflowId } : v;
  });
}
