// A Cordon worker process runs one Temporal worker per task queue; when one fails, none may run on without it.
import { expect, it } from 'vitest';
import { runAll, type QueueWorker } from './worker.ts';

/** A worker that runs until shut down, or fails when told. */
function fake(name: string) {
  let stop!: () => void;
  let fail!: (err: Error) => void;
  const running = new Promise<void>((resolve, reject) => {
    stop = resolve;
    fail = reject;
  });
  const w = { name, stopped: false, run: () => running, shutdown: () => ((w.stopped = true), stop()), fail };
  return w satisfies QueueWorker;
}

it('stops every other queue worker when one fails, and fails naming its task queue', async () => {
  const [main, google, github] = [fake('cordon'), fake('cordon-provider-google'), fake('cordon-provider-github')];
  const running = runAll([main, google, github]);
  google.fail(new Error('poll failed: heap'));
  await expect(running).rejects.toThrow(/task queue cordon-provider-google failed \(poll failed: heap\); every other queue's worker was stopped/);
  expect([main.stopped, github.stopped, google.stopped]).toEqual([true, true, false]);
});

it('ends quietly when every worker is shut down', async () => {
  const ws = [fake('a'), fake('b')];
  const running = runAll(ws);
  for (const w of ws) w.shutdown();
  await expect(running).resolves.toBeUndefined();
});
