// `npm run bench:watch` (also run by `npm run bench`): the drift watch's figures on one machine, written as JSON
// under .cordon/bench/ and quoted in docs/drift-watch.md.
//   1. The baseline store at 50,000 tokens (a SQLite file, WAL, synchronous=FULL): insert, update and lookup of
//      realistic baselines (a month of hourly volume, a handful of networks, agents and operations each),
//      in ingest-sized transactions of 500 tokens.
//   2. Engine throughput: labelled traffic (local-tenant/traffic/) ingested in batches of 5,000 events into a
//      file-backed store, with the shipped IP data; events per second, end to end.
// `--quick`: 5,000 tokens and a smaller traffic set. Numbers, not pass/fail.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateTraffic } from '../local-tenant/traffic/generate.ts';
import { type Baseline, newBaseline } from '../watch/baseline.ts';
import { openBaselineStore } from '../watch/baseline-store.ts';
import { openWatch } from '../watch/engine.ts';
import { openIpIntel } from '../watch/ip-intel.ts';

const quick = process.argv.includes('--quick');
const TOKENS = quick ? 5_000 : 50_000;
const BATCH = 500;
const HOUR = 3_600_000;

function realisticBaseline(i: number, start: number): Baseline {
  const b = newBaseline({ id: `e${i}`, provider: 'github', at: new Date(start).toISOString(), action: 'use', tokenKey: `tok-${i}`, principal: `user${i}@acme.example`, app: 'deploy-bot', count: 1 }, start);
  const hour0 = Math.floor(start / HOUR);
  for (let h = 0; h < 30 * 24; h += 3) b.hourly[hour0 + h] = 1 + ((h * 7 + i) % 40);
  b.hourOfDay = b.hourOfDay.map((_, h) => (h >= 8 && h < 18 ? 120 : 6));
  for (const asn of [7922, 701, 16509]) b.asns[asn] = start + 29 * 24 * HOUR;
  b.asnClasses = { corporate_isp: start, cloud: start };
  b.countries = { US: start, GB: start };
  b.userAgents = { 'git/': start, 'gh/ (darwin)': start, 'mozilla/ (macintosh)': start };
  b.clientClasses = { git: start, 'github client': start, browser: start };
  b.operationFamilies = { git: start, api: start, repo: start, pulls: start };
  for (let t = 0; t < 12; t++) b.targets[`acme/service-${t}`] = start;
  b.scopes = ['repo', 'workflow', 'read:org'];
  b.events = 900;
  b.calls = 4000;
  b.lastSeen = start + 29 * 24 * HOUR;
  return b;
}

function time(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

const dir = mkdtempSync(join(tmpdir(), 'cordon-watch-bench-'));
const figures: Record<string, unknown> = { tokens: TOKENS, batch: BATCH, node: process.version };
try {
  // 1. The store.
  const store = openBaselineStore(join(dir, 'store.db'));
  const start = Date.parse('2026-10-01T00:00:00Z');
  const baselines = Array.from({ length: TOKENS }, (_, i) => realisticBaseline(i, start));
  const bytes = JSON.stringify(baselines[0]).length;
  const inBatches = (each: (b: Baseline) => void) => {
    for (let i = 0; i < baselines.length; i += BATCH) store.transaction(() => baselines.slice(i, i + BATCH).forEach(each));
  };
  const insertMs = time(() => inBatches((b) => store.putBaseline(b)));
  for (const b of baselines) b.events += 1;
  const updateMs = time(() => inBatches((b) => store.putBaseline(b)));
  let found = 0;
  const lookupMs = time(() => {
    for (let i = 0; i < TOKENS; i++) if (store.getBaseline(`tok-${(i * 7919) % TOKENS}`)) found++;
  });
  if (found !== TOKENS) throw new Error(`lookup found ${found} of ${TOKENS} baselines`);
  // An ingest-shaped round trip: read, change and write back 500 tokens in one transaction.
  const roundTripMs = time(() => {
    for (let i = 0; i < TOKENS; i += BATCH) {
      store.transaction(() => {
        for (let k = i; k < i + BATCH; k++) {
          const b = store.getBaseline(`tok-${k}`)!;
          b.events += 1;
          store.putBaseline(b);
        }
      });
    }
  });
  store.close();
  const fileMb = (statSync(join(dir, 'store.db')).size + (statSync(join(dir, 'store.db-wal'), { throwIfNoEntry: false })?.size ?? 0)) / 1e6;
  const perSecond = (ms: number) => Math.round((TOKENS * 1000) / ms);
  figures.store = {
    baselineBytes: bytes,
    fileMb: Math.round(fileMb),
    insertPerSecond: perSecond(insertMs),
    updatePerSecond: perSecond(updateMs),
    lookupPerSecond: perSecond(lookupMs),
    readModifyWritePerSecond: perSecond(roundTripMs),
    lookupMicroseconds: Math.round((lookupMs * 1000) / TOKENS),
  };
  console.log(`watch store, ${TOKENS.toLocaleString('en-US')} tokens (${(bytes / 1000).toFixed(1)} kB each, ${Math.round(fileMb)} MB on disk):`);
  console.log(`  insert ${perSecond(insertMs).toLocaleString('en-US')}/s, update ${perSecond(updateMs).toLocaleString('en-US')}/s, lookup ${perSecond(lookupMs).toLocaleString('en-US')}/s (${Math.round((lookupMs * 1000) / TOKENS)} µs), read-modify-write ${perSecond(roundTripMs).toLocaleString('en-US')}/s`);

  // 2. Engine throughput.
  const traffic = generateTraffic({ seed: 99, tokens: quick ? 60 : 300, days: 30, attacksPerScenario: 1 });
  const events = [...traffic.events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  let ipOpenMs = 0;
  let ipIntel!: ReturnType<typeof openIpIntel>;
  ipOpenMs = time(() => (ipIntel = openIpIntel()));
  const engineStore = openBaselineStore(join(dir, 'engine.db'));
  const watch = openWatch({ store: engineStore, ipIntel, policy: traffic.policy });
  let ingestMs = 0;
  for (let i = 0; i < events.length; i += 5000) {
    const slice = events.slice(i, i + 5000);
    ingestMs += watch.ingest(slice, new Date(Date.parse(slice[slice.length - 1]!.at) + 60_000)).stats.elapsedMs;
  }
  engineStore.close();
  const eps = Math.round((events.length * 1000) / ingestMs);
  figures.engine = { events: events.length, tokens: traffic.tokens, eventsPerSecond: eps, ipIntelOpenMs: Math.round(ipOpenMs) };
  console.log(`watch engine: ${events.length.toLocaleString('en-US')} events of ${traffic.tokens} tokens in batches of 5,000: ${eps.toLocaleString('en-US')} events/s (IP data loaded in ${Math.round(ipOpenMs)} ms)`);
  mkdirSync('.cordon/bench', { recursive: true });
  writeFileSync(join('.cordon/bench', `watch-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), `${JSON.stringify(figures, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
