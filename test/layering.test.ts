// The layering of docs/layering.md, enforced: every relative import of non-test code goes to the same
// folder or to a lower layer, and sibling folders do not import each other in a cycle. Workspace
// packages (package.json `workspaces`) are sealed: nothing in one reaches outside its folder, and
// nothing outside reaches into it except through its package name.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));

/** The `layers` block of docs/layering.md: one line per layer, lowest first; folders on a line are peers. */
export function layersFromDoc(markdown: string): Map<string, number> {
  const block = /```layers\n([\s\S]*?)```/.exec(markdown)?.[1];
  if (!block) throw new Error('docs/layering.md has no ```layers block');
  const rank = new Map<string, number>();
  block
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .forEach((line, i) => line.split(/\s+/).forEach((folder) => rank.set(folder, i)));
  return rank;
}

/** Imports allowed against the order, each with its reason in docs/layering.md ("The one exception"). */
const EXCEPTIONS = new Set(['activities/replacement-registry.ts -> workflows/replacement-registry.ts']);
/** Not layered: test code may import anything. */
const UNLAYERED = new Set(['test', 'bench']);

interface Arrow {
  from: string;
  to: string;
}

export function importsOf(file: string, source: string): Arrow[] {
  const out: Arrow[] = [];
  const specs = [
    ...source.matchAll(/^\s*(?:import|export)\s+(?:type\s+)?[^'";]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm),
    ...source.matchAll(/^\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/gm),
    ...source.matchAll(/\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]!);
  for (const spec of specs) out.push({ from: file, to: normalize(join(dirname(file), spec)) });
  return out;
}

export function layerViolations(arrows: Arrow[], rank: Map<string, number>): string[] {
  const bad: string[] = [];
  for (const { from, to } of arrows) {
    const a = from.split('/')[0]!;
    const b = to.split('/')[0]!;
    if (a === b || !from.includes('/') || UNLAYERED.has(a) || EXCEPTIONS.has(`${from} -> ${to}`)) continue;
    const ra = rank.get(a);
    const rb = rank.get(b);
    if (ra === undefined || rb === undefined || rb >= ra) bad.push(`${from} -> ${to}`);
  }
  return bad;
}

/** Cycles among sibling folders (same parent), e.g. connectors/github ⇄ connectors/sinks. */
export function siblingCycles(arrows: Arrow[]): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of arrows) {
    if (EXCEPTIONS.has(`${from} -> ${to}`)) continue;
    const a = dirname(from);
    const b = dirname(to);
    if (a === b || dirname(a) !== dirname(b)) continue;
    graph.set(a, (graph.get(a) ?? new Set()).add(b));
  }
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const walk = (node: string, path: string[]) => {
    if (path.includes(node)) return void cycles.push([...path.slice(path.indexOf(node)), node]);
    if (seen.has(node)) return;
    for (const next of graph.get(node) ?? []) walk(next, [...path, node]);
    seen.add(node);
  };
  for (const node of graph.keys()) walk(node, []);
  return cycles;
}

/**
 * Every module specifier and `new URL('…', import.meta.url)` path of a file: static, side-effect and
 * dynamic imports, re-exports, relative or bare.
 */
export function specifiersOf(source: string): string[] {
  return [
    ...source.matchAll(/^\s*(?:import|export)\s+(?:type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]/gm),
    ...source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
    ...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
    ...source.matchAll(/\bnew URL\(\s*[`'"](\.{1,2}\/[^`'"$]*)/g),
  ].map((m) => m[1]!);
}

/** The npm package a bare specifier names (`@scope/name/sub` → `@scope/name`), or undefined for a relative one or a Node built-in. */
export function packageOf(spec: string): string | undefined {
  if (spec.startsWith('.') || spec.startsWith('node:')) return undefined;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * What breaks a workspace package's seal: a file in `dir` whose relative path leaves `dir`, or that
 * imports an npm package its package.json does not list; a file outside that reaches into `dir` by path.
 */
export function packageViolations(dir: string, deps: Set<string>, files: { path: string; source: string }[]): string[] {
  const bad: string[] = [];
  const inside = (p: string) => p === dir || p.startsWith(`${dir}/`);
  for (const { path, source } of files) {
    for (const spec of specifiersOf(source)) {
      const pkg = packageOf(spec);
      if (pkg === undefined && spec.startsWith('.')) {
        const target = normalize(join(dirname(path), spec));
        if (inside(path) && !inside(target)) bad.push(`${path} -> ${target} (outside the package)`);
        if (!inside(path) && inside(target)) bad.push(`${path} -> ${target} (import the package by its name)`);
      } else if (pkg !== undefined && inside(path) && !deps.has(pkg)) bad.push(`${path} -> ${pkg} (not in ${dir}/package.json)`);
    }
  }
  return bad;
}

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && !f.startsWith('node_modules/') && existsSync(join(root, f)));
}

interface PackageJson {
  name: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}
const readPackage = (dir: string) => JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as PackageJson;
const WORKSPACES = readPackage('.').workspaces ?? [];

/** The only folders whose non-test code may import the emulators package: the local tenant and the CLI that starts it. */
const EMULATOR_IMPORTERS = new Set(['local-tenant', 'cli']);

function sourceFiles(): string[] {
  return trackedFiles().filter((f) => !f.endsWith('.test.ts') && !WORKSPACES.some((w) => f.startsWith(`${w}/`)));
}

describe('layering (docs/layering.md)', () => {
  const rank = layersFromDoc(readFileSync(join(root, 'docs/layering.md'), 'utf8'));
  const files = sourceFiles();
  const arrows = files.flatMap((f) => importsOf(f, readFileSync(join(root, f), 'utf8')));

  it('places every top-level folder with code in a layer', () => {
    const folders = new Set(files.filter((f) => f.includes('/')).map((f) => f.split('/')[0]!));
    expect([...folders].filter((f) => !rank.has(f) && !UNLAYERED.has(f))).toEqual([]);
  });

  it('type-checks every top-level folder with code (tsconfig.json include)', () => {
    const include = new Set<string>(JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')).include);
    const folders = new Set(files.filter((f) => f.includes('/')).map((f) => f.split('/')[0]!));
    expect([...folders].filter((f) => !include.has(f))).toEqual([]);
    expect([...include].filter((f) => !f.includes('*') && !existsSync(join(root, f)))).toEqual([]);
  });

  it('has no import arrow running back up, nor between peers', () => {
    expect(arrows.length).toBeGreaterThan(300);
    expect(layerViolations(arrows, rank)).toEqual([]);
  });

  it('has no import cycle between sibling folders', () => {
    expect(siblingCycles(arrows)).toEqual([]);
  });

  it('keeps every workspace package sealed: nothing imported from outside it but its listed dependencies, and imported only by name', () => {
    expect(WORKSPACES).toContain('emulators');
    const all = trackedFiles().map((path) => ({ path, source: readFileSync(join(root, path), 'utf8') }));
    for (const dir of WORKSPACES) {
      const pkg = readPackage(dir);
      const deps = new Set([pkg.name, ...Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies })]);
      expect(all.filter((f) => f.path.startsWith(`${dir}/`)).length, dir).toBeGreaterThan(20);
      expect(packageViolations(dir, deps, all), dir).toEqual([]);
    }
  });

  it('lets only local-tenant/ and cli/ (and tests) import @cordon/emulators: nothing of the runtime depends on it', () => {
    const importers = files.filter((f) => specifiersOf(readFileSync(join(root, f), 'utf8')).some((s) => packageOf(s) === '@cordon/emulators'));
    expect(importers.length).toBeGreaterThan(2);
    expect(importers.filter((f) => !EMULATOR_IMPORTERS.has(f.split('/')[0]!) && !UNLAYERED.has(f.split('/')[0]!))).toEqual([]);
  });

  it('catches a package file reaching out, an unlisted dependency and a path into the package', () => {
    expect(
      packageViolations('emulators', new Set(['zod']), [
        { path: 'emulators/google/emulator.ts', source: "import { credentialIds } from '../../connectors/google/ids.ts';\nimport { z } from 'zod';\nimport { X } from '../core/http.ts';" },
        { path: 'emulators/github/spec.test.ts', source: "import Ajv from 'ajv';\nimport { createHash } from 'node:crypto';" },
        { path: 'emulators/tenant.ts', source: "const dir = new URL('../docs/', import.meta.url);\nconst own = new URL(`./scenarios/${name}/`, import.meta.url);" },
        { path: 'cli/local-stack.ts', source: "import { startTenant } from '../emulators/tenant.ts';\nimport { Scenario } from '@cordon/emulators';" },
      ]),
    ).toEqual([
      'emulators/google/emulator.ts -> connectors/google/ids.ts (outside the package)',
      'emulators/github/spec.test.ts -> ajv (not in emulators/package.json)',
      'emulators/tenant.ts -> docs/ (outside the package)',
      'cli/local-stack.ts -> emulators/tenant.ts (import the package by its name)',
    ]);
  });

  it('catches an upward arrow, a peer arrow and a sibling cycle', () => {
    const r = layersFromDoc('```layers\nschemas\nconnectors notifiers\nworker\napi slack\n```');
    expect(
      layerViolations(
        [
          ...importsOf('worker/main.ts', "import { x } from '../api/webhooks.ts';\nimport type { Y } from '../schemas/a.ts';"),
          ...importsOf('api/main.ts', "const m = await import('../slack/app.ts');"),
          ...importsOf('connectors/types.ts', "export type { S } from '../notifiers/notifier.ts';"),
        ],
        r,
      ),
    ).toEqual(['worker/main.ts -> api/webhooks.ts', 'api/main.ts -> slack/app.ts', 'connectors/types.ts -> notifiers/notifier.ts']);
    expect(
      siblingCycles([
        { from: 'connectors/github/connector.ts', to: 'connectors/sinks/types.ts' },
        { from: 'connectors/sinks/from-env.ts', to: 'connectors/github/connector.ts' },
      ]),
    ).toEqual([['connectors/github', 'connectors/sinks', 'connectors/github']]);
  });
});
