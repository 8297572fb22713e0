// Property-based fuzzing of the `cordon` command line (fast-check), run in-process with a stand-in for
// Temporal that records every call: whatever argv it gets, `runCli` returns a documented exit code
// and says what went wrong in one `cordon: …` line (never a stack trace, never an unhandled
// rejection); an invalid command line exits 2 without opening a connection; a containment is started
// only from a request the schema accepts. FUZZ_RUNS sets the cases (300 in `npm test`, 10,000 in
// `npm run fuzz`). Not fuzzed: `dev`, `codec-server` and `drill` (they start servers or a whole
// stack) and `--leaked-value-stdin` (reads stdin).
import { WorkflowNotFoundError } from '@temporalio/common';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { ContainmentInput } from '../schemas/containment.ts';
import { EXIT, runCli } from './cordon.ts';

const RUNS = Number(process.env.FUZZ_RUNS) || 300;

/** Every call the stand-in receives, by path (`workflow.start`, `connection.close`, …). */
let calls: { path: string; args: unknown[] }[] = [];
let connects = 0;
function standIn(path: string[] = []): unknown {
  return new Proxy(function () {}, {
    get: (_t, key) => (key === 'then' || typeof key === 'symbol' ? undefined : standIn([...path, key])),
    apply: (_t, _this, args: unknown[]) => {
      const p = path.join('.');
      calls.push({ path: p, args });
      if (p === 'connection.close') return Promise.resolve();
      if (p.endsWith('getHandle')) return standIn([...path, '()']); // synchronous in the real client
      if (p.endsWith('list')) return { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('temporal stand-in: list unavailable')) }) };
      // Nothing exists yet, so a start goes as far as `workflow.start`.
      if (p.endsWith('describe')) return Promise.reject(new WorkflowNotFoundError('not found', 'x', undefined));
      return Promise.reject(new Error(`temporal stand-in: ${p} unavailable`));
    },
  });
}
const connect = async () => {
  connects++;
  return standIn() as never;
};

const saved = { keys: process.env.CORDON_CODEC_KEYS, queue: process.env.CORDON_TASK_QUEUE };
let stdout = '';
let stderr = '';
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
beforeAll(() => {
  process.env.CORDON_CODEC_KEYS = `fuzz:${Buffer.alloc(32, 7).toString('base64')}`;
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  process.on('unhandledRejection', onUnhandled);
});
let summary = '';
afterAll(() => {
  vi.restoreAllMocks();
  if (summary) console.log(summary);
  process.off('unhandledRejection', onUnhandled);
  if (saved.keys === undefined) delete process.env.CORDON_CODEC_KEYS;
  else process.env.CORDON_CODEC_KEYS = saved.keys;
});

const SKIPPED = ['dev', 'codec-server', 'drill'];
const COMMANDS = ['contain', 'status', 'approve', 'evidence', 'cancel', 'retry', 'schedule', 'inventory', 'persistence', 'doctor', 'keygen', 'help', '--help', 'config', 'watch', 'verdicts', 'baseline'];
const STRING_FLAGS = ['provider', 'kind', 'id', 'client-id', 'user', 'key-id', 'fingerprint', 'incident', 'requester', 'severity', 'approvers', 'reason', 'idempotency-key', 'stage', 'digest', 'as', 'every', 'since', 'from', 'concurrency', 'port'];
const BOOL_FLAGS = ['staged', 'break-glass', 'no-wait', 'json', 'watch', 'reject', 'csv'];
const word = fc.oneof(
  fc.constantFrom('memory', 'github', 'oauth_token', 'pat', 'tok-drift-1', 'INC-1', 'has spaces', 'critical', 'hygiene', '24h', 'alice,bob', '', '-', '--', '-x', '0'.repeat(64), 'x'.repeat(300), '/nonexistent/refs.ndjson', '=', '"'),
  fc.string({ maxLength: 20 }),
);
const token = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...STRING_FLAGS), word).map(([f, v]) => [`--${f}`, v]) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...STRING_FLAGS), word).map(([f, v]) => [`--${f}=${v}`]) },
  { weight: 2, arbitrary: fc.constantFrom(...BOOL_FLAGS).map((f) => [`--${f}`]) },
  { weight: 1, arbitrary: fc.constantFrom(...STRING_FLAGS).map((f) => [`--${f}`]) }, // a value missing
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map((f) => [`--${f}`]) }, // mostly unknown options
  { weight: 2, arbitrary: word.map((v) => [v]) },
);
const argv = fc
  .tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...COMMANDS) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }), fc.array(token, { maxLength: 8 }))
  .map(([command, rest]) => [command, ...rest.flat()])
  .filter((a) => !SKIPPED.includes(a[0]!) && !a.includes('--leaked-value-stdin'));
// Command lines that are wrong for a reason the parser must name: an unknown command, an unknown
// option, or a command without what it needs.
const surelyInvalid = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }).filter((c) => !COMMANDS.includes(c) && !SKIPPED.includes(c)).map((c) => ({ argv: [c], why: /unknown command/ })),
  fc.tuple(fc.constantFrom('contain', 'status', 'approve', 'cancel'), fc.constantFrom('--bogus', '--stag', '--ID', '--x=1')).map(([c, f]) => ({ argv: [c, 'wf-1', f], why: /Unknown option|unknown option/i })),
  fc.constantFrom(
    { argv: ['status'], why: /status needs a workflow id/ },
    { argv: ['approve', 'wf-1', '--stage', 'restrict'], why: /approve needs/ },
    { argv: ['cancel', 'wf-1'], why: /cancel needs/ },
    { argv: ['contain', '--provider', 'memory', '--kind', 'oauth_token', '--id', 'x'], why: /contain needs --incident/ },
    { argv: ['contain', '--incident', 'INC-1'], why: /contain needs --provider and --kind/ },
    { argv: ['schedule', 'hygiene'], why: /schedule needs/ },
    { argv: ['contain', '--incident'], why: /argument missing|--incident/ },
  ),
);

const tally = { cases: 0, exit: {} as Record<number, number>, connects: 0, started: 0, stackTraces: 0 };

async function run(args: string[]): Promise<{ code: number; err: string; out: string; connected: boolean; mutating: typeof calls }> {
  stdout = '';
  stderr = '';
  calls = [];
  const before = connects;
  const code = await runCli(args, { connect });
  tally.cases++;
  tally.exit[code] = (tally.exit[code] ?? 0) + 1;
  if (connects > before) tally.connects++;
  const mutating = calls.filter((c) => /^(workflow\.(start|execute|signalWithStart)|schedule\.create|.*\.(signal|executeUpdate|startUpdate|cancel|terminate))$/.test(c.path));
  tally.started += mutating.filter((c) => /start|execute|create/.test(c.path)).length;
  return { code, err: stderr, out: stdout, connected: connects > before, mutating };
}

function commonProperties(args: readonly string[], r: Awaited<ReturnType<typeof run>>): void {
  expect(Object.values(EXIT)).toContain(r.code);
  // Never a stack trace; every failure is one `cordon: …` line naming the problem.
  if (/\n\s+at /.test(r.err)) tally.stackTraces++;
  expect(r.err).not.toMatch(/\n\s+at /);
  // (`doctor` and `config check` print their failed checks as a report on stdout instead.)
  if (r.code !== EXIT.ok && !(['doctor', 'config'].includes(args[0]!) && r.code === EXIT.error && /FAIL|missing|invalid|"ok":false/i.test(r.out)))
    expect(r.err, `exit ${r.code} with no message`).toMatch(/^cordon: \S/m);
  if (r.code === EXIT.invalid) {
    expect(r.mutating).toEqual([]);
    // A malformed command line is refused before connecting; a well-formed one with an invalid
    // request is refused by the schema before any workflow call.
    if (!/^cordon: invalid input:/m.test(r.err)) expect(r.connected).toBe(false);
  }
  for (const c of r.mutating.filter((m) => m.path === 'workflow.start')) {
    // A containment start carries only what the schema accepts.
    const [type, options] = c.args as [string, { args: unknown[] }];
    if (type === 'containCredential') expect(ContainmentInput.safeParse(options.args[0]).success).toBe(true);
  }
}

it(`random command lines get a documented exit code and a one-line reason, never a stack trace (${RUNS} cases)`, async () => {
  await fc.assert(
    fc.asyncProperty(argv, async (args) => commonProperties(args, await run(args))),
    { numRuns: RUNS },
  );
  await fc.assert(
    fc.asyncProperty(surelyInvalid, async ({ argv: args, why }) => {
      const r = await run([...args]);
      commonProperties(args, r);
      expect(r.code, r.err).toBe(EXIT.invalid);
      expect(r.err).toMatch(why);
      expect(r.connected).toBe(false);
      expect(calls).toEqual([]);
    }),
    { numRuns: Math.max(50, Math.round(RUNS / 4)) },
  );
  // Let any stray promise surface before counting.
  await new Promise((r) => setTimeout(r, 50));
  expect(unhandled).toEqual([]);
  const exits = Object.entries(tally.exit).map(([k, v]) => `${v}×exit ${k}`).join(', ');
  summary = `fuzz cli: ${tally.cases} cases (${RUNS} random command lines + ${tally.cases - RUNS} surely invalid) · ${tally.exit[EXIT.invalid] ?? 0} refused as invalid (exit 2) · exit codes ${exits} · ${tally.connects} connected to Temporal (none for a malformed command line) · ${tally.started} start calls, all from valid command lines with schema-valid requests, 0 from invalid input · ${tally.stackTraces} stack traces · ${unhandled.length} unhandled rejections · 5xx n/a`;
}, 600_000);

it('a valid contain reaches the stand-in’s start with a schema-valid request (the oracle is not vacuous)', async () => {
  const r = await run(['contain', '--provider', 'memory', '--kind', 'oauth_token', '--id', 'tok-1', '--incident', 'INC-fuzz-1', '--no-wait']);
  expect(r.connected).toBe(true);
  const start = calls.find((c) => c.path === 'workflow.start');
  expect(start?.args[0]).toBe('containCredential');
  expect(ContainmentInput.safeParse((start?.args[1] as { args: unknown[] }).args[0]).success).toBe(true);
  expect(r.code).toBe(EXIT.error); // the stand-in is unavailable
  expect(r.err).toMatch(/^cordon: temporal stand-in: workflow.start unavailable/m);
});
