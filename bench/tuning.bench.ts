// `npm run bench:tuning`: the worker's capacity knobs (CORDON_WORKER_*) against one fixed mass workload.
// Each setting runs bench/mass.bench.ts with one worker process, BENCH_MASS_N credentials
// (default 40) and budgets far above what the machine can do (BENCH_MASS_SCALE 1000), so the
// machine binds and a knob's effect shows: refs per second, wall time and the worker's peak RSS.
// The README's "Pacing and tuning" quotes the table. JSON under .cordon/bench/tuning-<time>.json.
// Not part of `npm test` or `npm run bench`: several minutes, numbers only.
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const N = process.env.BENCH_MASS_N ?? '40';
/** name → the CORDON_WORKER_* it sets (the rest stay at the worker's defaults). */
const SETTINGS: Record<string, Record<string, string>> = {
  defaults: {},
  'cache 50': { CORDON_WORKER_CACHE_SIZE: '50' },
  'cache 400': { CORDON_WORKER_CACHE_SIZE: '400' },
  'workflow slots 10': { CORDON_WORKER_WORKFLOW_SLOTS: '10' },
  'activity slots 20': { CORDON_WORKER_ACTIVITY_SLOTS: '20' },
  'pollers 8 + 8': { CORDON_WORKER_WORKFLOW_POLLERS: '8', CORDON_WORKER_ACTIVITY_POLLERS: '8' },
};
const only = process.env.BENCH_TUNING_SETTINGS?.split(',').map((s) => s.trim());
for (const name of only ?? []) if (!SETTINGS[name]) throw new Error(`BENCH_TUNING_SETTINGS: unknown setting "${name}"; known: ${Object.keys(SETTINGS).join(', ')}`);

interface MassFigures {
  runs: { wallSec: number; perSecond: number; peakRssMiB: number[]; lost: number; outcomes: Record<string, number> }[];
}

/** Runs the mass benchmark with `env` on top of this process's and returns the JSON it wrote. */
function massRun(env: Record<string, string>): Promise<MassFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./mass.bench.ts', import.meta.url))], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_MASS_N: N, BENCH_MASS_SCALE: '1000', BENCH_MASS_WORKERS: '1', BENCH_MASS_CALIBRATION: '2', ...env },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const file = /figures written to (\S+)/.exec(out)?.[1];
      if (code !== 0 || !file) return reject(new Error(`bench: the mass benchmark exited ${code} without figures:\n${out.slice(-2000)}`));
      readFile(file, 'utf8').then((t) => resolve(JSON.parse(t) as MassFigures), reject);
    });
  });
}

const rows: { setting: string; env: Record<string, string>; refsPerSecond: number; wallSec: number; peakRssMiB: number; lost: number; loadAverage: number }[] = [];
console.log(`Cordon worker tuning — ${N} credentials over four providers, one worker process, budgets out of the way (the machine binds)`);
for (const [setting, env] of Object.entries(SETTINGS)) {
  if (only && !only.includes(setting)) continue;
  const figures = await massRun(env);
  const run = figures.runs[0]!;
  const row = { setting, env, refsPerSecond: run.perSecond, wallSec: run.wallSec, peakRssMiB: Math.max(...run.peakRssMiB), lost: run.lost, loadAverage: Math.round(loadavg()[0]! * 10) / 10 };
  rows.push(row);
  console.log(`  ${setting.padEnd(20)} ${String(row.refsPerSecond).padStart(6)} refs/s  ${String(row.wallSec).padStart(7)} s  peak RSS ${String(row.peakRssMiB).padStart(5)} MiB  lost ${row.lost}  (load average ${row.loadAverage})`);
}
const dir = join(process.cwd(), '.cordon', 'bench');
await mkdir(dir, { recursive: true });
const file = join(dir, `tuning-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await writeFile(file, JSON.stringify({ benchmark: 'worker-tuning', n: Number(N), rows }, null, 2));
console.log(`figures written to ${file}`);
