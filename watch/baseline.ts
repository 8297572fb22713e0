// A token's baseline: how it is normally used (docs/drift-watch.md, "Baselines"). Pure data and the pure
// functions that update it from one event; watch/baseline-store.ts keeps it, the signals read it.
import { redactText } from '../logging/logger.ts';
import type { AuditProvider, TokenUseEvent } from '../schemas/token-use.ts';
import type { LearnedValues, SignalName, TriggerCategory } from '../schemas/verdict.ts';
import type { IpInfo } from './ip-intel.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** At most this many distinct targets are remembered per token (the least recently seen go first). */
const TARGETS_KEPT = 1000;

/** value → when last seen (epoch ms); a value not seen for `knownDays` is forgotten. */
export type FirstSeenSet = Record<string, number>;

/** A signal's finding below the verdict threshold, kept a while so several weak findings can add up. */
export interface PendingReason {
  signal: SignalName;
  category: TriggerCategory;
  subject: string;
  text: string;
  weight: number;
  eventIds: string[];
  firstAt: number;
  lastAt: number;
  learn?: LearnedValues;
}

export interface Baseline {
  tokenKey: string;
  provider: AuditProvider;
  principal: string;
  app?: string;
  firstSeen: number;
  lastSeen: number;
  /** Last `use`/`refresh` (dormancy is about use, not about lifecycle records), and its event id. */
  lastUse?: number;
  lastUseEventId?: string;
  events: number;
  calls: number;
  asns: FirstSeenSet;
  asnClasses: FirstSeenSet;
  countries: FirstSeenSet;
  userAgents: FirstSeenSet;
  clientClasses: FirstSeenSet;
  operationFamilies: FirstSeenSet;
  targets: FirstSeenSet;
  scopes: string[];
  /** epoch hour → calls in it, for the volume distribution (pruned to `knownDays`). */
  hourly: Record<string, number>;
  /** calls per UTC hour of day, all time */
  hourOfDay: number[];
  /** The distribution of calls per active hour, excluding `forHour` (cached until the hour changes). */
  volume?: { forHour: number; p50: number; p99: number; activeHours: number };
  /** Raised by a dismissed volume spike: hours up to this are normal. */
  volumeFloor: number;
  /** New targets touched in one hour (target sweep). */
  newTargets?: { hour: number; count: number };
  lastLocation?: { country: string; at: number };
  /** signal|subject pairs a dismissal acknowledged (for signals that have no values to learn). */
  acknowledged: Record<string, number>;
  pending: PendingReason[];
  /** Attribution was checked (once per token). */
  attributionChecked?: boolean;
}

export function newBaseline(event: TokenUseEvent & { tokenKey: string }, at: number): Baseline {
  const b: Baseline = {
    tokenKey: event.tokenKey,
    provider: event.provider,
    principal: event.principal,
    firstSeen: at,
    lastSeen: at,
    events: 0,
    calls: 0,
    asns: {},
    asnClasses: {},
    countries: {},
    userAgents: {},
    clientClasses: {},
    operationFamilies: {},
    targets: {},
    scopes: [],
    hourly: {},
    hourOfDay: Array<number>(24).fill(0),
    volumeFloor: 0,
    acknowledged: {},
    pending: [],
  };
  if (event.app) b.app = event.app;
  return b;
}

/** Known within the window: seen, and last seen no more than `knownDays` before `at`. */
export function isKnown(set: FirstSeenSet, value: string, at: number, knownDays: number): boolean {
  const last = set[value];
  return last !== undefined && at - last <= knownDays * DAY;
}

/** Versions stripped, lower-cased: an upgrade of the same client is not a new user agent. */
export function userAgentFamily(userAgent: string): string {
  // Masked first: a family is shown in verdicts and kept in the baseline.
  return redactText(userAgent)
    .toLowerCase()
    .replace(/\d+(?:[._]\d+)*/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

const CLIENT_CLASSES: readonly [RegExp, string][] = [
  [/python|requests|urllib|aiohttp|httpx|boto/, 'python'],
  [/curl|wget|httpie/, 'command-line http'],
  [/go-http-client|golang/, 'go'],
  [/powershell/, 'powershell'],
  [/okhttp|java|apache-httpclient/, 'java'],
  [/^git\/|jgit|libgit|go-git/, 'git'],
  [/\bgh\/|octokit|githubactions|github-actions/, 'github client'],
  [/google-api|gcloud|googleapis|gdata/, 'google client'],
  [/salesforce|sfdx|jsforce|dataloader|simple-salesforce/, 'salesforce client'],
  [/slack|bolt/, 'slack client'],
  [/node|axios|undici|got\b/, 'node'],
  [/mozilla|chrome|safari|firefox|edg\//, 'browser'],
];

/** What kind of client sent it: a browser, a script in a language, a provider SDK, git. */
export function clientClass(userAgent: string): string {
  const ua = userAgent.toLowerCase();
  for (const [re, name] of CLIENT_CLASSES) if (re.test(ua)) return name;
  return 'other';
}

/** `gmail.users.messages.list` → `gmail`; `git.clone` → `git`; `query.Account` → `query`. */
export function operationFamily(operation: string): string {
  return operation.split(/[.:/ ]/)[0]!.toLowerCase() || operation.toLowerCase();
}

/** Before `learningDays` and `learningEvents`, drift signals stay quiet for the token. */
export function isLearning(b: Baseline, at: number, learningDays: number, learningEvents: number): boolean {
  return at - b.firstSeen < learningDays * DAY || b.events < learningEvents;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

/** A month's distribution barely moves in a few hours: it is recomputed at most this often. */
const VOLUME_REUSE_HOURS = 6;

/**
 * p50 / p99 of calls per active hour before `hour`, pruning hours older than the window. Cached: an event within
 * VOLUME_REUSE_HOURS of the hour it was computed for (later, or late and earlier) reuses it. A distribution
 * computed before `hour` never holds `hour`'s own count, so a spike is never compared with itself.
 */
export function volumeBefore(b: Baseline, hour: number, knownDays: number): NonNullable<Baseline['volume']> {
  if (b.volume && Math.abs(hour - b.volume.forHour) < VOLUME_REUSE_HOURS && (hour >= b.volume.forHour || b.hourly[hour] === undefined)) return b.volume;
  const oldest = hour - knownDays * 24;
  const counts: number[] = [];
  for (const [h, n] of Object.entries(b.hourly)) {
    const k = Number(h);
    if (k < oldest) delete b.hourly[h];
    else if (k !== hour) counts.push(n);
  }
  counts.sort((x, y) => x - y);
  b.volume = { forHour: hour, p50: quantile(counts, 0.5), p99: quantile(counts, 0.99), activeHours: counts.length };
  return b.volume;
}

export function epochHour(at: number): number {
  return Math.floor(at / HOUR);
}

function touch(set: FirstSeenSet, value: string | undefined, at: number): void {
  if (value === undefined) return;
  const last = set[value];
  if (last === undefined || last < at) set[value] = at;
}

/** Folds one event into the baseline (after the signals have read the baseline as it was). */
export function updateBaseline(b: Baseline, event: TokenUseEvent, at: number, ip: IpInfo | undefined, allowlistedNetwork: boolean): void {
  b.events += 1;
  if (at > b.lastSeen) b.lastSeen = at;
  if (at < b.firstSeen) b.firstSeen = at;
  if (event.app && !b.app) b.app = event.app;
  b.principal = event.principal;
  const isUse = event.action === 'use' || event.action === 'refresh';
  if (isUse && (b.lastUse === undefined || at > b.lastUse)) {
    b.lastUse = at;
    b.lastUseEventId = event.id;
  }
  if (isUse) {
    b.calls += event.count;
    const hour = epochHour(at);
    b.hourly[hour] = (b.hourly[hour] ?? 0) + event.count;
    const hod = hour % 24;
    b.hourOfDay[hod] = (b.hourOfDay[hod] ?? 0) + event.count;
  }
  if (ip) {
    if (ip.asn !== undefined) touch(b.asns, String(ip.asn), at);
    if (ip.country) touch(b.countries, ip.country, at);
    // A vendor's allowlisted cloud is not the token's own network: it neither teaches the class (so a move to
    // another cloud or a VPS still shows) nor places the token for impossible travel (vendors rotate regions).
    if (!allowlistedNetwork) {
      touch(b.asnClasses, ip.asnClass, at);
      if (ip.country && (!b.lastLocation || at >= b.lastLocation.at)) b.lastLocation = { country: ip.country, at };
    }
  }
  if (event.userAgent) {
    touch(b.userAgents, userAgentFamily(event.userAgent), at);
    touch(b.clientClasses, clientClass(event.userAgent), at);
  }
  // What the token does, not what is done to it: a scope change or a revoke record is no operation of its own.
  if (isUse && event.operation) touch(b.operationFamilies, operationFamily(event.operation), at);
  if (isUse && event.target) {
    if (b.targets[event.target] === undefined) {
      const hour = epochHour(at);
      b.newTargets = { hour, count: (b.newTargets?.hour === hour ? b.newTargets.count : 0) + 1 };
    }
    touch(b.targets, event.target, at);
    const keys = Object.keys(b.targets);
    if (keys.length > TARGETS_KEPT) {
      keys.sort((x, y) => b.targets[x]! - b.targets[y]!);
      for (const k of keys.slice(0, keys.length - TARGETS_KEPT)) delete b.targets[k];
    }
  }
  if (event.scopes) for (const s of event.scopes) if (!b.scopes.includes(s)) b.scopes.push(s);
}

/** A dismissal teaches: the values its reasons were about become known as of `at`. */
export function learn(b: Baseline, values: LearnedValues, at: number): void {
  for (const asn of values.asns ?? []) touch(b.asns, String(asn), at);
  for (const c of values.asnClasses ?? []) touch(b.asnClasses, c, at);
  for (const c of values.countries ?? []) touch(b.countries, c, at);
  for (const ua of values.userAgents ?? []) touch(b.userAgents, ua, at);
  for (const c of values.clientClasses ?? []) touch(b.clientClasses, c, at);
  for (const f of values.operationFamilies ?? []) touch(b.operationFamilies, f, at);
  for (const s of values.scopes ?? []) if (!b.scopes.includes(s)) b.scopes.push(s);
  if (values.hourlyVolume !== undefined) b.volumeFloor = Math.max(b.volumeFloor, values.hourlyVolume);
}

/** What `cordon baseline show` prints: the baseline with times as ISO strings and the volume figures. */
export function describeBaseline(b: Baseline, at: number, knownDays: number) {
  const iso = (ms: number) => new Date(ms).toISOString();
  const recent = (set: FirstSeenSet) =>
    Object.entries(set)
      .filter(([, last]) => at - last <= knownDays * DAY)
      .sort((x, y) => y[1] - x[1])
      .map(([value, last]) => ({ value, lastSeen: iso(last) }));
  const volume = volumeBefore(structuredClone(b), epochHour(at) + 1, knownDays);
  return {
    tokenKey: b.tokenKey,
    provider: b.provider,
    principal: b.principal,
    app: b.app,
    firstSeen: iso(b.firstSeen),
    lastSeen: iso(b.lastSeen),
    lastUse: b.lastUse === undefined ? undefined : iso(b.lastUse),
    events: b.events,
    calls: b.calls,
    scopes: [...b.scopes].sort(),
    asns: recent(b.asns),
    asnClasses: recent(b.asnClasses),
    countries: recent(b.countries),
    userAgents: recent(b.userAgents),
    clientClasses: recent(b.clientClasses),
    operationFamilies: recent(b.operationFamilies),
    targets: Object.keys(b.targets).length,
    callsPerActiveHour: { p50: volume.p50, p99: volume.p99, activeHours: volume.activeHours, floor: b.volumeFloor },
    hourOfDayUtc: [...b.hourOfDay],
    pendingFindings: b.pending.map((p) => ({ signal: p.signal, text: p.text, weight: p.weight })),
  };
}
export type BaselineView = ReturnType<typeof describeBaseline>;
