// `npm run bench [-- --quick]`: the benchmarks, one after the other, the first two each on its own throwaway
// Temporal dev server: the in-memory reference tenant (containment.bench.ts: absolute times and
// throughput), P1 of issue 14 against the provider floor (floor.bench.ts: ratios, JSON under
// .cordon/bench/), the drift watch (watch.bench.ts: baseline store at 50,000 tokens, events per second), and
// P2 of issue 14, mass containment at the providers' scaled rate limits (mass.bench.ts, its own dev server
// and worker processes), and P3 of issue 14, Cordon against a sequential script (sequential.bench.ts, its own
// dev server and worker process). `--quick` runs fewer containments in the first, fewer runs, 0 and 200 ms
// only, in the second, 5,000 tokens in the third, 12 credentials with one worker process in the fourth, and
// 10 credentials instead of 1,000 in the fifth.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const quick = args.includes('--quick');

function run(file: string, env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(file, import.meta.url)), ...args], {
      stdio: 'inherit',
      env: { ...process.env, ...env },
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const started = Date.now();
const quickContainment: Record<string, string> = quick
  ? { BENCH_SEQUENTIAL: process.env.BENCH_SEQUENTIAL ?? '3', BENCH_CONCURRENT: process.env.BENCH_CONCURRENT ?? '6' }
  : {};
const first = await run('./containment.bench.ts', quickContainment);
console.log('');
const second = await run('./floor.bench.ts', {});
console.log('');
const third = await run('./watch.bench.ts', {});
console.log('');
const fourth = await run('./mass.bench.ts', {});
console.log('');
const fifth = await run('./sequential.bench.ts', {});
console.log(`\nnpm run bench${quick ? ' -- --quick' : ''}: ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(first || second || third || fourth || fifth);
