// `npm run watch:quality [-- --quick]`: the drift watch's measured quality (docs/drift-watch.md, "Measured
// quality") on two labelled sets from local-tenant/traffic/: the tuning seed, the one thresholds were tuned on,
// and a held-out seed never looked at while tuning, reported beside it. 300 benign tokens over 30 days and
// three instances of each attack scenario per set (`--quick`: 100 tokens, one instance). Prints the report and
// writes it as JSON under .cordon/bench/. Exits 1 when a set misses the targets of issue 15.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateTraffic } from '../local-tenant/traffic/generate.ts';
import { openBaselineStore } from '../watch/baseline-store.ts';
import { openWatch } from '../watch/engine.ts';
import { openIpIntel } from '../watch/ip-intel.ts';
import { formatQuality, measureQuality, type QualityReport } from '../watch/quality.ts';

export const TUNING_SEED = 1;
export const HELD_OUT_SEED = 424242;

const quick = process.argv.includes('--quick');
const ipIntel = openIpIntel();
const reports: Record<string, QualityReport> = {};
for (const [label, seed] of [
  ['tuning set', TUNING_SEED],
  ['held-out set', HELD_OUT_SEED],
] as const) {
  const traffic = generateTraffic({ seed, tokens: quick ? 100 : 300, days: 30, attacksPerScenario: quick ? 1 : 3 });
  const store = openBaselineStore(':memory:');
  const report = measureQuality(traffic, openWatch({ store, ipIntel, policy: traffic.policy }));
  store.close();
  reports[label] = report;
  console.log(formatQuality(report, label));
}
mkdirSync('.cordon/bench', { recursive: true });
writeFileSync(join('.cordon/bench', `watch-quality-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), `${JSON.stringify(reports, null, 2)}\n`);
const failed = Object.values(reports).filter((r) => r.detectionRate < 0.95 || r.falseAlarmsPer1000TokenDays > 1);
process.exit(failed.length ? 1 : 0);
