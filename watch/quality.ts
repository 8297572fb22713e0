// Measured quality of the watch on labelled traffic (docs/drift-watch.md, "Measured quality"): detection rate per
// attack and per signal, false alarms per 1,000 token-days, time from event availability to verdict, throughput.
// The labelled traffic comes from local-tenant/traffic/ (a higher layer): this module only defines the labels and
// replays events through a Watch the caller opens, as a Schedule would, in batches by availability time.
import type { AuditProvider, TokenUseEventInput } from '../schemas/token-use.ts';
import type { Revocation, SignalName, WatchPolicyInput } from '../schemas/verdict.ts';
import type { Watch } from './engine.ts';

export interface AttackLabel {
  /** salesloft-drift, circleci, offboarding, … */
  scenario: string;
  tokenKey: string;
  provider: AuditProvider;
  /** first attack event's time */
  startsAt: string;
  eventIds: string[];
  /** Signals that must fire on the attack's events. */
  expectedSignals: SignalName[];
}

export interface LabelledTraffic {
  seed: number;
  start: string;
  end: string;
  events: TokenUseEventInput[];
  attacks: AttackLabel[];
  /** Cordon's revocations in the story (passed to ingest once their time has come). */
  revocations: Revocation[];
  /** Allowlists and inventory the story's organisation would configure. */
  policy: WatchPolicyInput;
  tokens: number;
  /** Sum over tokens of the days from first to last event. */
  tokenDays: number;
}

export interface SignalQuality {
  signal: SignalName;
  /** attacks labelled with this signal */
  expected: number;
  /** of those, on which it fired on an attack event */
  fired: number;
  /** findings on benign events (any weight, most stay below the threshold) */
  benignFindings: number;
  /** verdicts that opened on benign events with this signal among their reasons */
  falseAlarmVerdicts: number;
}

export interface QualityReport {
  seed: number;
  events: number;
  tokens: number;
  tokenDays: number;
  attacks: number;
  attacksFlagged: number;
  detectionRate: number;
  /** verdicts opened with no attack event behind them */
  falseAlarms: number;
  falseAlarmsPer1000TokenDays: number;
  perScenario: { scenario: string; attacks: number; flagged: number }[];
  perSignal: SignalQuality[];
  missed: { scenario: string; tokenKey: string; missingSignals: SignalName[] }[];
  /** Simulated: batch end − the event's receivedAt, for the first attack event in each attack's first verdict. */
  availabilityToVerdictSeconds: { p50: number; p95: number; max: number };
  /** Wall clock per ingest call (one batch). */
  ingestMs: { p50: number; p99: number; max: number };
  eventsPerSecond: number;
  stats: { malformed: number; duplicate: number; outOfOrder: number; late: number };
}

function percentile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Replays the traffic through `watch` in batches of `batchMinutes` by availability (`receivedAt`), as a Schedule
 * polling every `batchMinutes` would see it, and scores the verdicts and findings against the labels.
 */
export function measureQuality(traffic: LabelledTraffic, watch: Watch, options: { batchMinutes?: number } = {}): QualityReport {
  const batchMs = (options.batchMinutes ?? 5) * 60_000;
  const available = (e: TokenUseEventInput) => Date.parse(e.receivedAt ?? e.at);
  const events = [...traffic.events].sort((a, b) => available(a) - available(b));
  const revocations = [...traffic.revocations].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const attackOfEvent = new Map<string, string>();
  for (const a of traffic.attacks) for (const id of a.eventIds) attackOfEvent.set(id, a.tokenKey);
  const receivedAt = new Map<string, number>();

  const flagged = new Map<string, number>(); // attack token → seconds from availability to verdict
  const fired = new Map<string, Set<SignalName>>(); // attack token → signals fired on attack events
  const benignFindings = new Map<SignalName, number>();
  const falseAlarmVerdicts = new Map<SignalName, number>();
  let falseAlarms = 0;
  const ingestMs: number[] = [];
  let totalMs = 0;
  const totals = { malformed: 0, duplicate: 0, outOfOrder: 0, late: 0 };
  const countedVerdicts = new Set<string>();

  let i = 0;
  let r = 0;
  let windowEnd = events.length ? Math.floor(available(events[0]!) / batchMs) * batchMs + batchMs : 0;
  while (i < events.length) {
    const batch: TokenUseEventInput[] = [];
    while (i < events.length && available(events[i]!) < windowEnd) {
      const e = events[i++]!;
      if (!receivedAt.has(e.id)) receivedAt.set(e.id, available(e));
      batch.push(e);
    }
    const due: Revocation[] = [];
    while (r < revocations.length && Date.parse(revocations[r]!.at) < windowEnd) due.push(revocations[r++]!);
    if (batch.length || due.length) {
      const result = watch.ingest(batch, new Date(windowEnd), { revocations: due });
      ingestMs.push(result.stats.elapsedMs);
      totalMs += result.stats.elapsedMs;
      totals.malformed += result.stats.malformed;
      totals.duplicate += result.stats.duplicate;
      totals.outOfOrder += result.stats.outOfOrder;
      totals.late += result.stats.late;
      for (const f of result.findings) {
        if (attackOfEvent.get(f.eventId) === f.tokenKey) {
          const set = fired.get(f.tokenKey) ?? new Set<SignalName>();
          set.add(f.signal);
          fired.set(f.tokenKey, set);
        } else benignFindings.set(f.signal, (benignFindings.get(f.signal) ?? 0) + 1);
      }
      for (const v of result.verdicts) {
        const attackIds = v.reasons.flatMap((reason) => reason.eventIds).filter((id) => attackOfEvent.get(id) === v.tokenKey);
        if (attackIds.length > 0) {
          if (!flagged.has(v.tokenKey)) {
            const first = Math.min(...attackIds.map((id) => receivedAt.get(id) ?? windowEnd));
            flagged.set(v.tokenKey, (windowEnd - first) / 1000 + result.stats.elapsedMs / 1000);
          }
        } else if (!countedVerdicts.has(v.id)) {
          countedVerdicts.add(v.id);
          falseAlarms++;
          for (const s of new Set(v.reasons.map((reason) => reason.signal))) falseAlarmVerdicts.set(s, (falseAlarmVerdicts.get(s) ?? 0) + 1);
        }
      }
    }
    windowEnd += batchMs;
  }

  const signals = [...new Set(traffic.attacks.flatMap((a) => a.expectedSignals))].sort();
  for (const s of [...benignFindings.keys(), ...falseAlarmVerdicts.keys()]) if (!signals.includes(s)) signals.push(s);
  const perSignal: SignalQuality[] = signals.map((signal) => {
    const expecting = traffic.attacks.filter((a) => a.expectedSignals.includes(signal));
    return {
      signal,
      expected: expecting.length,
      fired: expecting.filter((a) => fired.get(a.tokenKey)?.has(signal)).length,
      benignFindings: benignFindings.get(signal) ?? 0,
      falseAlarmVerdicts: falseAlarmVerdicts.get(signal) ?? 0,
    };
  });
  const scenarios = [...new Set(traffic.attacks.map((a) => a.scenario))];
  const latencies = [...flagged.values()];
  return {
    seed: traffic.seed,
    events: traffic.events.length,
    tokens: traffic.tokens,
    tokenDays: traffic.tokenDays,
    attacks: traffic.attacks.length,
    attacksFlagged: traffic.attacks.filter((a) => flagged.has(a.tokenKey)).length,
    detectionRate: traffic.attacks.length ? traffic.attacks.filter((a) => flagged.has(a.tokenKey)).length / traffic.attacks.length : 1,
    falseAlarms,
    falseAlarmsPer1000TokenDays: traffic.tokenDays ? (falseAlarms * 1000) / traffic.tokenDays : 0,
    perScenario: scenarios.map((scenario) => {
      const of = traffic.attacks.filter((a) => a.scenario === scenario);
      return { scenario, attacks: of.length, flagged: of.filter((a) => flagged.has(a.tokenKey)).length };
    }),
    perSignal,
    missed: traffic.attacks
      .map((a) => ({ scenario: a.scenario, tokenKey: a.tokenKey, missingSignals: a.expectedSignals.filter((s) => !fired.get(a.tokenKey)?.has(s)), flagged: flagged.has(a.tokenKey) }))
      .filter((m) => !m.flagged || m.missingSignals.length > 0)
      .map(({ flagged: _flagged, ...m }) => m),
    availabilityToVerdictSeconds: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), max: latencies.length ? Math.max(...latencies) : 0 },
    ingestMs: { p50: percentile(ingestMs, 0.5), p99: percentile(ingestMs, 0.99), max: ingestMs.length ? Math.max(...ingestMs) : 0 },
    eventsPerSecond: totalMs > 0 ? Math.round((traffic.events.length * 1000) / totalMs) : 0,
    stats: totals,
  };
}

/** The report as the lines `npm run watch:quality` prints. */
export function formatQuality(report: QualityReport, label: string): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const lines = [
    `${label} (seed ${report.seed}): ${report.events.toLocaleString('en-US')} events, ${report.tokens} tokens, ${report.tokenDays.toLocaleString('en-US')} token-days`,
    `  attacks flagged: ${report.attacksFlagged}/${report.attacks} (${pct(report.detectionRate)}); false alarms: ${report.falseAlarms} (${report.falseAlarmsPer1000TokenDays.toFixed(2)} per 1,000 token-days)`,
    ...report.perScenario.map((s) => `    ${s.scenario.padEnd(22)} ${s.flagged}/${s.attacks}`),
    `  per signal: fired on attacks / expected; benign findings; false-alarm verdicts`,
    ...report.perSignal.map((s) => `    ${s.signal.padEnd(26)} ${String(s.fired).padStart(3)}/${String(s.expected).padEnd(3)} ${String(s.benignFindings).padStart(6)} ${String(s.falseAlarmVerdicts).padStart(4)}`),
    `  availability → verdict (5-minute polling): p50 ${report.availabilityToVerdictSeconds.p50.toFixed(0)} s, p95 ${report.availabilityToVerdictSeconds.p95.toFixed(0)} s, max ${report.availabilityToVerdictSeconds.max.toFixed(0)} s`,
    `  ingest per batch: p50 ${report.ingestMs.p50.toFixed(1)} ms, p99 ${report.ingestMs.p99.toFixed(1)} ms; throughput ${report.eventsPerSecond.toLocaleString('en-US')} events/s`,
    `  skipped: ${report.stats.duplicate} duplicate, ${report.stats.outOfOrder} out of order, ${report.stats.malformed} malformed; ${report.stats.late} late (processed)`,
  ];
  if (report.missed.length) lines.push(`  missed: ${report.missed.map((m) => `${m.scenario} ${m.tokenKey.slice(0, 24)} [${m.missingSignals.join(', ')}]`).join('; ')}`);
  return lines.join('\n');
}
