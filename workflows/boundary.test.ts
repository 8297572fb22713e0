// Determinism enforced by a tool, not by review (docs/design.md): workflow files import only the workflow
// SDK, pure schemas, other workflow modules, and activity *types*.
import { readdir, readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const dir = fileURLToPath(new URL('./', import.meta.url));
const PACKAGES = [/^@temporalio\/workflow$/, /^@temporalio\/common$/];
// Relative specifiers are resolved against workflows/ first, so a step module in a subfolder has the same
// rules: another workflow module (inside workflows/) or a schema.
const RELATIVE = [/^[\w-]+(\/[\w-]+)*\.ts$/, /^\.\.\/schemas\/[\w-]+\.ts$/];

/** `source` is a workflow file in `folder` (relative to workflows/; '' for workflows/ itself). */
export function boundaryViolations(source: string, folder = ''): string[] {
  const out: string[] = [];
  const resolve = (spec: string) => posix.join(folder || '.', spec);
  const allowed = (spec: string) => (spec.startsWith('.') ? RELATIVE.some((re) => re.test(resolve(spec))) : PACKAGES.some((re) => re.test(spec)));
  for (const m of source.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+()['"]([^'"]+)['"]/gm)) {
    if (m[4]) {
      if (!allowed(m[4])) out.push(m[4]); // a bare side-effect import
      continue;
    }
    const [, typeOnly, spec] = m;
    if (typeOnly && spec!.startsWith('.') && /^\.\.\/activities\/[\w-]+\.ts$/.test(resolve(spec!))) continue; // types vanish at compile time
    if (!allowed(spec!)) out.push(spec!);
  }
  for (const m of source.matchAll(/\b(?:require\(|import\()\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  return out;
}

it('workflow files import nothing that could break determinism', async () => {
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  expect(files.filter((f) => f.startsWith('containment/')).length).toBeGreaterThanOrEqual(8);
  for (const f of files) expect(boundaryViolations(await readFile(`${dir}${f}`, 'utf8'), posix.dirname(f).replace(/^\.$/, '')), f).toEqual([]);
});

it('catches a Node built-in, an SDK and a value import of activities', () => {
  expect(boundaryViolations("import { readFile } from 'node:fs';\nimport { Octokit } from '@octokit/rest';\nimport { createActivities } from '../activities/index.ts';")).toEqual([
    'node:fs',
    '@octokit/rest',
    '../activities/index.ts',
  ]);
  expect(boundaryViolations("import type { Activities } from '../activities/index.ts';")).toEqual([]);
  // From a step module: the same rules, one folder down.
  expect(
    boundaryViolations(
      "import type { Activities } from '../../activities/index.ts';\nimport { FAILURE_TYPES } from '../../schemas/failure-types.ts';\nimport { x } from '../definitions.ts';\nimport { y } from './context.ts';",
      'containment',
    ),
  ).toEqual([]);
  expect(boundaryViolations("import { createActivities } from '../../activities/index.ts';\nimport type { W } from '../../worker/worker.ts';\nimport { z } from '../../connectors/types.ts';", 'containment')).toEqual([
    '../../activities/index.ts',
    '../../worker/worker.ts',
    '../../connectors/types.ts',
  ]);
  expect(boundaryViolations("export * from 'node:fs';\nimport 'node:crypto';\nexport { createActivities } from '../activities/index.ts';\nimport type { X } from '../activities/../worker/worker.ts';")).toEqual([
    'node:fs',
    'node:crypto',
    '../activities/index.ts',
    '../activities/../worker/worker.ts',
  ]);
});
