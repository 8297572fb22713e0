// A record written once, by whoever comes first: the sinks' "the first delivery under a key is kept"
// (types.ts), held across attempts running at once, in this process or another (connectors/replacement-attempts.ts).
// The record is written whole to a temporary file, then hard-linked to its name: link(2) fails with EEXIST when
// the name exists, atomically, so of two writers exactly one wins and the other reads the winner's record. A
// crash leaves either nothing under the name or the whole record (a stray temporary file at worst).
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';

/** Writes `content` to `file` unless it exists; the content now under `file` and whether it is this writer's. */
export async function writeFirst(file: string, content: string): Promise<{ content: string; won: boolean }> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, content, { mode: 0o600 });
  try {
    await link(tmp, file);
    return { content, won: true };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A filesystem without hard links: an exclusive create is as exclusive, though a crash mid-write can leave a short file.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') return await createExclusive(file, content);
    if (code !== 'EEXIST') throw err;
    return { content: await readFile(file, 'utf8'), won: false };
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

async function createExclusive(file: string, content: string): Promise<{ content: string; won: boolean }> {
  try {
    await writeFile(file, content, { mode: 0o600, flag: 'wx' });
    return { content, won: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { content: await readFile(file, 'utf8'), won: false };
  }
}
