import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Secret } from '../../logging/secret.ts';
import { LocalEncryptedStore } from './local-store.ts';

it('stores encrypted, keeps the first delivery per key, and opens only with its key', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cordon-store-'));
  const key = randomBytes(32);
  const store = new LocalEncryptedStore(dir, key);
  const consumer = { id: 'ci', name: 'CI', kind: 'pipeline' as const };
  const first = await store.deliver({ idempotencyKey: 'wf|c|ci', replacementId: 'r1', consumer, target: { type: 'local', name: 'acme-ci' }, value: new Secret('new-secret-value-1') });
  const again = await store.deliver({ idempotencyKey: 'wf|c|ci', replacementId: 'r2', consumer, target: undefined, value: new Secret('new-secret-value-2') });
  expect(again).toEqual(first);
  expect(first.location).toBe('local:acme-ci');
  expect((await store.open('wf|c|ci'))?.reveal()).toBe('new-secret-value-1');
  const files = await readdir(dir);
  expect(files).toHaveLength(1);
  expect(await readFile(join(dir, files[0]!), 'utf8')).not.toContain('new-secret-value');
  await expect(new LocalEncryptedStore(dir, randomBytes(32)).open('wf|c|ci')).rejects.toThrow();
  expect(await store.lookup('other')).toBeUndefined();
});

it('two deliveries under one key at once, from two stores on one folder: both answer the same record, the first written', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cordon-store-'));
  const key = randomBytes(32);
  const consumer = { id: 'ci', name: 'CI', kind: 'pipeline' as const };
  // Two attempts of one replacement (two processes): neither finds a delivery when it looks, both write.
  const deliveries = Array.from({ length: 8 }, (_, i) =>
    new LocalEncryptedStore(dir, key).deliver({ idempotencyKey: 'wf|c|ci', replacementId: `r${i}`, consumer, target: undefined, value: new Secret(`new-secret-value-${i}`) }),
  );
  const answers = await Promise.all(deliveries);
  const kept = answers[0]!;
  for (const a of answers) expect(a).toEqual(kept);
  // The value kept is the one of the replacement every attempt reported.
  expect((await new LocalEncryptedStore(dir, key).open('wf|c|ci'))?.reveal()).toBe(`new-secret-value-${kept.replacementId.slice(1)}`);
  expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});
