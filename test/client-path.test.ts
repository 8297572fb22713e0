// The ways in reach Temporal only through client/ (docs/architecture.md, "The client path"): no file of
// api/ or cli/ imports @temporalio/client, nor drives a workflow handle, a workflow listing or a
// connection itself. Tests are exempt: they may build their own clients.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));

/** What in one file's source goes around client/: the offending lines, named. */
export function clientPathViolations(file: string, source: string): string[] {
  const rules: [RegExp, string][] = [
    [/from\s+['"]@temporalio\/client['"]|import\(\s*['"]@temporalio\/client['"]\s*\)/, 'imports @temporalio/client'],
    [/\.workflow\.(getHandle|start|signalWithStart|list|count|execute|result)\b/, 'drives a workflow directly'],
    [/\bgetHandle\(/, 'takes a workflow handle'],
    [/\bConnection\.connect\(|\bnew WorkflowClient\(/, 'opens its own Temporal connection'],
  ];
  return source
    .split('\n')
    .flatMap((line, i) => rules.filter(([re]) => re.test(line)).map(([, what]) => `${file}:${i + 1} ${what}`));
}

describe('the client path', () => {
  it('api/ and cli/ call Temporal only through client/', () => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'api/*.ts', 'cli/*.ts'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f && !f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(20);
    expect(files.flatMap((f) => clientPathViolations(f, readFileSync(`${root}${f}`, 'utf8')))).toEqual([]);
  });

  it('catches a direct import, a type import, a handle, a listing and a connection', () => {
    expect(
      clientPathViolations(
        'api/x.ts',
        [
          "import { Client } from '@temporalio/client';",
          "import type { WorkflowHandle } from '@temporalio/client';",
          'const h = deps.client.workflow.getHandle(id);',
          'for await (const wf of client.workflow.list({ query })) {}',
          'const c = await Connection.connect({ address });',
          "import { getStatus } from '../client/containments.ts';",
        ].join('\n'),
      ),
    ).toEqual(['api/x.ts:1 imports @temporalio/client', 'api/x.ts:2 imports @temporalio/client', 'api/x.ts:3 drives a workflow directly', 'api/x.ts:3 takes a workflow handle', 'api/x.ts:4 drives a workflow directly', 'api/x.ts:5 opens its own Temporal connection']);
  });
});
