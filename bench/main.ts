// `npm run bench [-- --quick]`: both benchmarks, one after the other, each on its own throwaway
// Temporal dev server: the in-memory reference tenant (containment.bench.ts: absolute times and
// throughput) and P1 of issue 14 against the provider floor (floor.bench.ts: ratios, JSON under
// .cordon/bench/). `--quick` runs fewer containments in the first and fewer runs, 0 and 200 ms only, in the second.
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
  ? { BENCH_SEQUENTIAL: process.env.BENCH_SEQUENTIAL ?? '5', BENCH_CONCURRENT: process.env.BENCH_CONCURRENT ?? '10' }
  : {};
const first = await run('./containment.bench.ts', quickContainment);
console.log('');
const second = await run('./floor.bench.ts', {});
console.log(`\nnpm run bench${quick ? ' -- --quick' : ''}: ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(first || second);
