// writeFirst: of writers at once, exactly one wins and every one reads its record; also where the filesystem
// has no hard links (link(2) refused with EPERM, as on some network and FUSE mounts).
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

const noHardLinks = vi.hoisted(() => ({ on: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...fs,
    link: async (from: string, to: string) => {
      if (noHardLinks.on) throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' });
      return fs.link(from, to);
    },
  };
});
const { writeFirst } = await import('./first-write.ts');

afterEach(() => {
  noHardLinks.on = false;
});

describe.each([
  ['with hard links', false],
  ['without hard links', true],
])('writeFirst %s', (_name, withoutLinks) => {
  it('of eight writers at once, one wins and all read its record; no temporary file is left', async () => {
    noHardLinks.on = withoutLinks;
    const dir = await mkdtemp(join(tmpdir(), 'cordon-first-write-'));
    const file = join(dir, 'record.json');
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => writeFirst(file, `record ${i}`)));
    expect(results.filter((r) => r.won)).toHaveLength(1);
    const winner = results.find((r) => r.won)!.content;
    for (const r of results) expect(r.content).toBe(winner);
    expect(await readdir(dir)).toEqual(['record.json']);
  });
});
