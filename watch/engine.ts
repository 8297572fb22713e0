// The drift watch engine: TokenUseEvents in, per-token baselines and verdicts out (docs/drift-watch.md).
// Pure domain code over a BaselineStore and an IpIntel: no Temporal, no provider SDK. The lead's Schedule
// calls `ingest` with what the audit readers returned; bad input is skipped and counted, never thrown.
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { redactText } from '../logging/logger.ts';
import { TokenUseEvent } from '../schemas/token-use.ts';
import { type InventoryEntry, Revocation, type SignalName, type Verdict, WatchPolicy, type WatchPolicyInput } from '../schemas/verdict.ts';
import { type Baseline, type BaselineView, describeBaseline, isLearning, learn, newBaseline, type PendingReason, updateBaseline } from './baseline.ts';
import type { BaselineStore } from './baseline-store.ts';
import { cidrMatcher, parseIp } from './ip-address.ts';
import type { IpInfo, IpIntel } from './ip-intel.ts';
import { SIGNALS } from './signals/index.ts';
import { useAfterLifecycle } from './signals/use-after-lifecycle.ts';
import type { SignalContext, SignalHit } from './signals/signal.ts';
import { addPending, combineScore, openVerdict, PENDING_WINDOW_MS, reasonKey, updateVerdict } from './verdict.ts';

export interface IngestStats {
  received: number;
  /** processed (including late ones) */
  accepted: number;
  /** not a TokenUseEvent: skipped (see malformedSamples) */
  malformed: number;
  /** accepted, but carrying fields the schema does not know (dropped) */
  unknownFields: number;
  /** an event id already ingested, in this call or an earlier one: skipped */
  duplicate: number;
  /** older than the token's last event by more than maxLatenessHours: skipped */
  outOfOrder: number;
  /** older than the token's last event, within maxLatenessHours: processed */
  late: number;
  /** about a principal or an app, or with no tokenKey: recorded, no baseline */
  withoutToken: number;
  verdictsOpened: number;
  verdictsUpdated: number;
  /** up to five, each "event <index> (<id>): <field>: <why>", never a value */
  malformedSamples: string[];
  elapsedMs: number;
}

export interface Finding {
  tokenKey: string;
  signal: SignalName;
  eventId: string;
  weight: number;
}

export interface IngestResult {
  /** Verdicts opened or updated by this call (one per token at most). */
  verdicts: Verdict[];
  stats: IngestStats;
  /** Every finding, including those below the threshold (for quality measurement and debugging). */
  findings: Finding[];
}

export interface Watch {
  readonly policy: WatchPolicy;
  ingest(events: readonly unknown[], now?: Date, options?: { revocations?: readonly Revocation[] }): IngestResult;
  /** Records Cordon's revocations (tokenKey + time): use after them is `use_after_revocation`. */
  recordRevocations(revocations: readonly Revocation[]): void;
  /** For `cordon baseline show <token>`; undefined for a token never seen. */
  baseline(tokenKey: string, now?: Date): BaselineView | undefined;
  verdict(tokenKey: string): Verdict | undefined;
  openVerdicts(): Verdict[];
  /** Dismisses the token's open verdict with a reason; its reasons' values become known to the baseline. */
  dismiss(tokenKey: string, reason: string, by: string, now?: Date): Verdict;
}

export interface WatchOptions {
  store: BaselineStore;
  ipIntel: IpIntel;
  policy?: WatchPolicyInput;
}

const DAY = 86_400_000;
const EVENT_FIELDS = new Set(Object.keys(TokenUseEvent.shape));
const MAX_SAMPLES = 5;
/** Baselines kept parsed between ingests (this process is the store's one writer); the least recently used go first. */
const BASELINE_CACHE = 10_000;

function parsePolicy(input: WatchPolicyInput | undefined): WatchPolicy {
  const parsed = WatchPolicy.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new Error(`watch policy: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

/** Vendor allowlists indexed by what selects a token, with their CIDR blocks compiled. */
function compileVendors(policy: WatchPolicy) {
  const vendors = policy.vendors.map((v) => ({
    ...v,
    asnSet: new Set(v.asns),
    cidrMatch: v.cidrs.map(cidrMatcher),
    uas: v.userAgents.map((u) => u.toLowerCase()),
  }));
  return (event: TokenUseEvent, ip: IpInfo | undefined): { network: boolean; userAgent: boolean } => {
    let network = false;
    let userAgent = false;
    const parsed = event.ip ? parseIp(event.ip) : undefined;
    const ua = event.userAgent?.toLowerCase();
    for (const v of vendors) {
      const mine = (event.app !== undefined && v.apps.includes(event.app)) || (event.tokenKey !== undefined && v.tokenKeys.includes(event.tokenKey)) || v.principals.includes(event.principal);
      if (!mine) continue;
      if ((ip?.asn !== undefined && v.asnSet.has(ip.asn)) || (parsed && v.cidrMatch.some((m) => m(parsed)))) network = true;
      if (ua && v.uas.some((u) => ua.includes(u))) userAgent = true;
    }
    return { network, userAgent };
  };
}

function compileInventory(entries: readonly InventoryEntry[]) {
  const byToken = new Map<string, InventoryEntry>();
  const byApp = new Map<string, InventoryEntry>();
  for (const e of entries) {
    if (e.tokenKey) byToken.set(e.tokenKey, e);
    if (e.app) byApp.set(e.app, e);
  }
  return (event: TokenUseEvent): InventoryEntry | undefined => byToken.get(event.tokenKey ?? '') ?? (event.app ? byApp.get(event.app) : undefined);
}

function describeIssue(index: number, raw: unknown, error: z.ZodError): string {
  const id = typeof (raw as { id?: unknown }).id === 'string' ? ` (${String((raw as { id: string }).id).slice(0, 80)})` : '';
  const issue = error.issues[0]!;
  return `event ${index}${id}: ${issue.path.join('.') || '(root)'}: ${issue.message}`;
}

export function openWatch(options: WatchOptions): Watch {
  const { store, ipIntel } = options;
  const policy = parsePolicy(options.policy);
  const allowlistOf = compileVendors(policy);
  const inventoryOf = compileInventory(policy.inventory);

  // Parsing a baseline costs more than its signals: keep recent ones. Cleared when a transaction fails, since
  // the cached objects then hold changes the store rolled back.
  const cache = new Map<string, Baseline>();
  function loadBaseline(tokenKey: string): Baseline | undefined {
    const hit = cache.get(tokenKey);
    if (hit) {
      cache.delete(tokenKey);
      cache.set(tokenKey, hit);
      return hit;
    }
    const loaded = store.getBaseline(tokenKey);
    if (loaded) remember(loaded);
    return loaded;
  }
  function remember(b: Baseline): void {
    cache.delete(b.tokenKey);
    cache.set(b.tokenKey, b);
    if (cache.size > BASELINE_CACHE) cache.delete(cache.keys().next().value!);
  }

  function inTransaction<T>(fn: () => T): T {
    try {
      return store.transaction(fn);
    } catch (err) {
      cache.clear();
      throw err;
    }
  }

  function recordRevocations(revocations: readonly Revocation[]): void {
    const parsed = revocations.map((r, i) => {
      const p = Revocation.safeParse(r);
      if (!p.success) throw new Error(`revocation ${i}: ${p.error.issues[0]!.path.join('.') || '(root)'}: ${p.error.issues[0]!.message}`);
      return p.data;
    });
    store.transaction(() => {
      for (const r of parsed) store.putRevocation(r.tokenKey, Date.parse(r.at));
    });
  }

  function ingest(events: readonly unknown[], now = new Date(), ingestOptions: { revocations?: readonly Revocation[] } = {}): IngestResult {
    const started = performance.now();
    const stats: IngestStats = {
      received: 0,
      accepted: 0,
      malformed: 0,
      unknownFields: 0,
      duplicate: 0,
      outOfOrder: 0,
      late: 0,
      withoutToken: 0,
      verdictsOpened: 0,
      verdictsUpdated: 0,
      malformedSamples: [],
      elapsedMs: 0,
    };
    if (ingestOptions.revocations?.length) recordRevocations(ingestOptions.revocations);
    const valid: { event: TokenUseEvent; at: number }[] = [];
    const inBatch = new Set<string>();
    for (const [i, raw] of events.entries()) {
      stats.received++;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        stats.malformed++;
        if (stats.malformedSamples.length < MAX_SAMPLES) stats.malformedSamples.push(`event ${i}: not an object`);
        continue;
      }
      const parsed = TokenUseEvent.safeParse(raw);
      if (!parsed.success) {
        stats.malformed++;
        if (stats.malformedSamples.length < MAX_SAMPLES) stats.malformedSamples.push(describeIssue(i, raw, parsed.error));
        continue;
      }
      if (Object.keys(raw).some((k) => !EVENT_FIELDS.has(k))) stats.unknownFields++;
      const event = parsed.data;
      if (inBatch.has(event.id) || store.hasEvent(event.id)) {
        stats.duplicate++;
        continue;
      }
      inBatch.add(event.id);
      valid.push({ event, at: Date.parse(event.at) });
    }
    valid.sort((a, b) => a.at - b.at || (a.event.id < b.event.id ? -1 : 1));

    const verdicts: Verdict[] = [];
    const findings: Finding[] = [];
    inTransaction(() => {
      const baselines = new Map<string, Baseline>();
      const newFindings = new Map<string, PendingReason[]>();
      const addFinding = (tokenKey: string, hit: SignalHit, eventId: string, at: number, baseline: Baseline) => {
        if (baseline.acknowledged[reasonKey(hit)] !== undefined) return;
        const list = newFindings.get(tokenKey) ?? [];
        // Reasons reach Slack and the API: a credential-shaped string in a user agent or a target is masked.
        list.push({ ...hit, subject: redactText(hit.subject), text: redactText(hit.text), eventIds: [eventId], firstAt: at, lastAt: at });
        newFindings.set(tokenKey, list);
        findings.push({ tokenKey, signal: hit.signal, eventId, weight: hit.weight });
      };
      // A lifecycle record read after the token's uses (Google's Reports API lags by hours): the last use, if it
      // came after the owner left or the app was retired, is a finding now.
      const recheckLifecycle = (tokenKey: string, lifecycle: Pick<SignalContext, 'principalStatus' | 'appRetiredAt'>) => {
        const baseline = baselines.get(tokenKey) ?? loadBaseline(tokenKey);
        if (!baseline?.lastUse || !baseline.lastUseEventId) return;
        const lastUse: SignalContext['event'] = {
          id: baseline.lastUseEventId,
          provider: baseline.provider,
          at: new Date(baseline.lastUse).toISOString(),
          action: 'use',
          tokenKey,
          principal: baseline.principal,
          count: 1,
          ...(baseline.app ? { app: baseline.app } : {}),
        };
        const out = useAfterLifecycle.evaluate({ event: lastUse, at: baseline.lastUse, ip: undefined, baseline, learning: false, policy, allowlisted: { network: false, userAgent: false }, revokedAt: undefined, inventory: undefined, ...lifecycle });
        const hits = out ? (Array.isArray(out) ? out : [out]) : [];
        if (hits.length === 0) return;
        baselines.set(tokenKey, baseline);
        for (const hit of hits) addFinding(tokenKey, hit, baseline.lastUseEventId, baseline.lastUse, baseline);
      };
      for (const { event, at } of valid) {
        if (event.action === 'principal_status' || event.action === 'app_retired' || !event.tokenKey) {
          if (event.action === 'principal_status' && event.principalStatus) {
            store.putPrincipalStatus(event.provider, event.principal, event.principalStatus, at);
            if (event.principalStatus !== 'reactivated') {
              const principalStatus = { status: event.principalStatus, at };
              for (const key of store.tokensOfPrincipal(event.provider, event.principal)) recheckLifecycle(key, { principalStatus, appRetiredAt: undefined });
            }
          }
          if (event.action === 'app_retired' && event.app) {
            store.putAppRetired(event.provider, event.app, at);
            for (const key of store.tokensOfApp(event.provider, event.app)) recheckLifecycle(key, { principalStatus: undefined, appRetiredAt: at });
          }
          stats.withoutToken++;
          stats.accepted++;
          store.markEvent(event.id, at);
          continue;
        }
        const tokenKey = event.tokenKey;
        let baseline = baselines.get(tokenKey) ?? loadBaseline(tokenKey);
        if (baseline && at < baseline.lastSeen - policy.maxLatenessHours * 3_600_000) {
          stats.outOfOrder++;
          continue;
        }
        if (baseline && at < baseline.lastSeen) stats.late++;
        stats.accepted++;
        const ip = event.ip ? ipIntel.lookup(event.ip) : undefined;
        const allowlisted = allowlistOf(event, ip);
        const ctx: SignalContext = {
          event: { ...event, tokenKey },
          at,
          ip,
          baseline,
          learning: !baseline || isLearning(baseline, at, policy.learningDays, policy.learningEvents),
          policy,
          allowlisted,
          principalStatus: store.getPrincipalStatus(event.provider, event.principal),
          appRetiredAt: event.app ? store.getAppRetired(event.provider, event.app) : undefined,
          revokedAt: store.getRevocation(tokenKey),
          inventory: inventoryOf(event),
        };
        const hits: SignalHit[] = [];
        for (const signal of SIGNALS) {
          if (signal.drift && ctx.learning) continue;
          const out = signal.evaluate(ctx);
          if (out) hits.push(...(Array.isArray(out) ? out : [out]));
        }
        if (!baseline || baseline.principal !== event.principal || (event.app && baseline.app !== event.app)) store.linkToken(event.provider, tokenKey, event.principal, event.app);
        baseline ??= newBaseline({ ...event, tokenKey }, at);
        updateBaseline(baseline, event, at, ip, allowlisted.network);
        baseline.attributionChecked = true;
        baselines.set(tokenKey, baseline);
        store.markEvent(event.id, at);
        for (const hit of hits) addFinding(tokenKey, hit, event.id, at, baseline);
      }
      for (const [tokenKey, list] of newFindings) {
        const baseline = baselines.get(tokenKey)!;
        const current = store.getVerdict(tokenKey);
        if (current?.status === 'open') {
          const updated = updateVerdict(current, list, policy, now);
          store.putVerdict(updated);
          verdicts.push(updated);
          stats.verdictsUpdated++;
          continue;
        }
        for (const f of list) baseline.pending = addPending(baseline.pending, f, f.lastAt);
        const latest = Math.max(...baseline.pending.map((p) => p.lastAt));
        baseline.pending = baseline.pending.filter((p) => latest - p.lastAt <= PENDING_WINDOW_MS);
        if (combineScore(baseline.pending) >= policy.threshold) {
          const opened = openVerdict(baseline, baseline.pending, policy, now);
          store.putVerdict(opened);
          verdicts.push(opened);
          baseline.pending = [];
          stats.verdictsOpened++;
        }
      }
      for (const b of baselines.values()) {
        store.putBaseline(b);
        remember(b);
      }
      // Event ids are kept as long as an event could still be accepted: the known window plus the lateness allowed.
      store.pruneEvents(now.getTime() - (policy.knownDays + policy.maxLatenessHours / 24 + 1) * DAY);
    });
    stats.elapsedMs = performance.now() - started;
    return { verdicts, stats, findings };
  }

  return {
    policy,
    ingest,
    recordRevocations,
    baseline(tokenKey, now = new Date()) {
      const b = store.getBaseline(tokenKey);
      return b ? describeBaseline(b, now.getTime(), policy.knownDays) : undefined;
    },
    verdict: (tokenKey) => store.getVerdict(tokenKey),
    openVerdicts: () => store.openVerdicts(),
    dismiss(tokenKey, reason, by, now = new Date()) {
      if (!reason.trim()) throw new Error('dismiss: reason: must say why (it is recorded and teaches the baseline)');
      if (!by.trim()) throw new Error('dismiss: by: must name who dismissed it');
      cache.delete(tokenKey);
      return inTransaction(() => {
        const verdict = store.getVerdict(tokenKey);
        if (!verdict || verdict.status !== 'open') throw new Error(`dismiss: token ${tokenKey} has no open verdict`);
        const at = now.getTime();
        const baseline = store.getBaseline(tokenKey);
        if (baseline) {
          for (const r of verdict.reasons) {
            if (r.learn) learn(baseline, r.learn, at);
            // A volume spike teaches its volume; everything else is also acknowledged by signal and subject.
            if (r.signal !== 'volume_spike') baseline.acknowledged[reasonKey(r)] = at;
            if (r.signal === 'use_after_revocation') store.deleteRevocation(tokenKey);
          }
          baseline.pending = [];
          store.putBaseline(baseline);
        }
        const dismissal = { reason: reason.trim(), by: by.trim(), at: now.toISOString() };
        const dismissed: Verdict = { ...verdict, status: 'dismissed', dismissal, updatedAt: now.toISOString() };
        store.putVerdict(dismissed);
        store.addDismissal(dismissed, dismissal);
        return dismissed;
      });
    },
  };
}
