// Determinism enforced by a tool, not by review (docs/design.md): workflow files import only the workflow
// SDK, pure schemas, other workflow modules, and activity *types*.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const dir = fileURLToPath(new URL('./', import.meta.url));
const ALLOWED = [/^@temporalio\/workflow$/, /^@temporalio\/common$/, /^\.\/[\w-]+\.ts$/, /^\.\.\/schemas\/[\w-]+\.ts$/];

export function boundaryViolations(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+()['"]([^'"]+)['"]/gm)) {
    if (m[4]) {
      if (!ALLOWED.some((re) => re.test(m[4]!))) out.push(m[4]); // a bare side-effect import
      continue;
    }
    const [, typeOnly, spec] = m;
    if (typeOnly && /^\.\.\/activities\/[\w-]+\.ts$/.test(spec!)) continue; // types vanish at compile time
    if (!ALLOWED.some((re) => re.test(spec!))) out.push(spec!);
  }
  for (const m of source.matchAll(/\b(?:require\(|import\()\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  return out;
}

it('workflow files import nothing that could break determinism', async () => {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  expect(files.length).toBeGreaterThanOrEqual(4);
  for (const f of files) expect(boundaryViolations(await readFile(`${dir}${f}`, 'utf8')), f).toEqual([]);
});

it('catches a Node built-in, an SDK and a value import of activities', () => {
  expect(boundaryViolations("import { readFile } from 'node:fs';\nimport { Octokit } from '@octokit/rest';\nimport { createActivities } from '../activities/index.ts';")).toEqual([
    'node:fs',
    '@octokit/rest',
    '../activities/index.ts',
  ]);
  expect(boundaryViolations("import type { Activities } from '../activities/index.ts';")).toEqual([]);
  expect(boundaryViolations("export * from 'node:fs';\nimport 'node:crypto';\nexport { createActivities } from '../activities/index.ts';\nimport type { X } from '../activities/../worker/worker.ts';")).toEqual([
    'node:fs',
    'node:crypto',
    '../activities/index.ts',
    '../activities/../worker/worker.ts',
  ]);
});
