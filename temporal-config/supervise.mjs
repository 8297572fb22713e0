// Runs one command (the Temporal dev server) so that it cannot outlive the Node process that started
// it: `node supervise.mjs <command> [args…]`, started by dev-server.ts with a pipe on our standard
// input. When that process ends in any way (exit, crash, SIGKILL), the kernel closes the pipe, we read
// end of file and stop the command: SIGTERM, then SIGKILL after a grace period. Linux has no portable
// parent-death signal reachable from Node, and macOS none at all; a closed pipe works on both.
// SIGTERM, SIGINT and SIGHUP sent to us are passed on the same way. We exit with the command's code.
// Plain JavaScript on purpose: it runs on bare `node`, without tsx, and starts in milliseconds.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: node supervise.mjs <command> [args…]\n');
  process.exit(2);
}
const GRACE_MS = Number(process.env.CORDON_SUPERVISE_GRACE_MS ?? 5_000);

// The command writes straight to our stdout/stderr (the starter's pipes); its stdin is not ours to share.
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
let done = false;
let killTimer;
const stop = () => {
  if (done) return;
  child.kill('SIGTERM');
  killTimer ??= setTimeout(() => {
    if (!done) child.kill('SIGKILL');
  }, GRACE_MS);
};
child.once('error', (err) => {
  process.stderr.write(`supervise: cannot start ${command}: ${err.message}\n`);
  process.exit(127);
});
child.once('exit', (code, signal) => {
  done = true;
  clearTimeout(killTimer);
  process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
});
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, stop);
// The starter's end of the pipe closes only when it is gone (or when it stops us on purpose).
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.on('close', stop);
process.stdin.resume();
