// Determinism: the committed histories replay against today's workflow code. A change that would
// break running containments fails here; guard it with patched() or re-record on purpose.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { expect, it } from 'vitest';
import { cordonDataConverter } from '../../codec/encryption-codec.ts';
import { WORKFLOWS_PATH } from '../../worker/worker.ts';
import { REPLAY_CODEC_KEYS } from './fixture.ts';

const dir = fileURLToPath(new URL('./histories/', import.meta.url));

it('replays every recorded containment history without non-determinism', async () => {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  expect(files).toEqual(['direct-contained.json', 'direct-sealed.json', 'not-contained-ladder.json', 'staged-approved.json']);
  // The first three were recorded before the evidence seal (they replay without its activity); direct-sealed has it.
  const sealed = await readFile(`${dir}direct-sealed.json`, 'utf8');
  expect(sealed).toContain('sealEvidence');
  for (const old of ['direct-contained.json', 'not-contained-ladder.json', 'staged-approved.json']) expect(await readFile(`${dir}${old}`, 'utf8')).not.toContain('sealEvidence');
  const histories = await Promise.all(
    files.map(async (f) => ({ workflowId: f, history: historyFromJSON(JSON.parse(await readFile(`${dir}${f}`, 'utf8'))) })),
  );
  const results = Worker.runReplayHistories(
    { workflowsPath: WORKFLOWS_PATH, dataConverter: cordonDataConverter(REPLAY_CODEC_KEYS, { worker: true }) },
    histories,
  );
  let replayed = 0;
  for await (const r of results) {
    expect(r.error, `${r.workflowId}: ${String(r.error)}`).toBeUndefined();
    replayed++;
  }
  expect(replayed).toBe(4);
}, 120_000);
