import { expect, it } from 'vitest';
import { sqlitePragmas } from './dev-server.ts';

it('runs the dev server in WAL mode unless told otherwise, and refuses pragmas it does not know', () => {
  expect(sqlitePragmas({})).toEqual(['journal_mode=wal', 'synchronous=normal']);
  expect(sqlitePragmas({ CORDON_TEMPORAL_SQLITE_PRAGMAS: 'none' })).toEqual([]);
  expect(sqlitePragmas({ CORDON_TEMPORAL_SQLITE_PRAGMAS: 'synchronous=full' })).toEqual(['synchronous=full']);
  expect(() => sqlitePragmas({ CORDON_TEMPORAL_SQLITE_PRAGMAS: 'cache_size=1' })).toThrow(/CORDON_TEMPORAL_SQLITE_PRAGMAS: comma-separated journal_mode/);
});
