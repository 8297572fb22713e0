// The workflow bundle as the worker runs it: zod and the schemas are evaluated once per V8 context
// and shared, frozen, by every run (workflows/shared-modules.ts); a run evaluates only the workflow
// modules. Checked in the SDK's own reusable context, after its own deep freeze.
import vm from 'node:vm';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleCordonWorkflows } from '../worker/worker.ts';
import { formatWorkflowStack } from '../workflows/stack-traces.ts';

type ModuleCache = Record<string, { exports: Record<string, unknown> } | undefined>;
let context: vm.Context;
let bundleCode: string;

beforeAll(async () => {
  const bundle = { code: await bundleCordonWorkflows() };
  bundleCode = bundle.code;
  // The source map matters only to stack traces; the SDK's creator wants it parsed, which is slow for a 4 MB bundle.
  const creator = await ReusableVMWorkflowCreator.create({ code: bundle.code, filename: 'workflow-bundle.js', sourceMap: { version: 3, sources: [], names: [], mappings: '' } } as never, 60_000, new Set());
  context = (creator as unknown as { context: vm.Context }).context;
}, 300_000);

/** The module ids one run evaluates on its own: what its first workflow task pays for. */
function modulesOfOneRun(): string[] {
  return vm.runInContext(
    `globalThis.__TEMPORAL_ACTIVATOR__ = { moduleCache: new Map() };
     __TEMPORAL__.importWorkflows();
     const ids = [...globalThis.__TEMPORAL_ACTIVATOR__.moduleCache.keys()];
     delete globalThis.__TEMPORAL_ACTIVATOR__;
     ids`,
    context,
  ) as string[];
}

const shared = () => vm.runInContext('__webpack_module_cache__', context) as ModuleCache;

describe('the workflow bundle', () => {
  it('carries an empty inline source map where the SDK reads one: nothing to parse in each workflow thread', () => {
    const at = bundleCode.lastIndexOf('//# sourceMappingURL=data:application/json;base64,');
    expect(at).toBeGreaterThan(0);
    const map = JSON.parse(Buffer.from(bundleCode.slice(at).split('base64,')[1]!.trim(), 'base64').toString()) as { mappings: string; sources: string[] };
    expect(map).toMatchObject({ version: 3, sources: [], mappings: '' });
    // The SDK's bundler wrote 2.4 MB of map after 1.5 MB of code; the code is all that is left.
    expect(bundleCode.length - at).toBeLessThan(200);
  });
});

describe('the shared workflow modules', () => {
  it('leave a run only the workflow modules to evaluate: no zod, no schema', () => {
    const ids = modulesOfOneRun();
    expect(ids).toContain('./workflows/contain-credential.ts');
    expect(ids.filter((id) => id.includes('/schemas/') || id.includes('/zod/'))).toEqual([]);
  });

  it('are frozen by the worker, and every exported schema still parses and refuses after the freeze', () => {
    const cache = shared();
    const schemaModules = ['containment', 'credential', 'evidence', 'envelope', 'verdict', 'rotation', 'watch', 'mass', 'registry', 'sweep', 'token-use', 'evidence-delivery', 'undecodable'].map((name) => `./schemas/${name}.ts`);
    let schemas = 0;
    for (const id of schemaModules) {
      const mod = cache[id];
      expect(mod, id).toBeDefined();
      expect(Object.isFrozen(mod), id).toBe(true);
      for (const [name, value] of Object.entries(mod!.exports)) {
        const schema = value as { _zod?: unknown; safeParse?: (v: unknown) => { success: boolean } };
        if (!schema?._zod || typeof schema.safeParse !== 'function') continue;
        expect(Object.isFrozen(schema), `${id} ${name}`).toBe(true);
        for (const junk of [undefined, {}, 'x', [{}], { id: '', provider: 'nope', credentials: [{}] }]) expect(() => schema.safeParse!(junk), `${id} ${name}`).not.toThrow();
        schemas++;
      }
    }
    expect(schemas).toBeGreaterThan(50);
    const { ContainmentInput } = cache['./schemas/containment.ts']!.exports as { ContainmentInput: { parse(v: unknown): Record<string, unknown>; safeParse(v: unknown): { success: boolean; error?: { issues: { path: unknown[] }[] } } } };
    const input = { incidentId: 'INC-1', requester: 'bench', credentials: [{ provider: 'memory', kind: 'oauth_token', id: 'tok-1' }], webhookUrl: 'https://hooks.example.com/x' };
    // Twice: the second parse runs on what the first one left in zod's internals.
    for (let i = 0; i < 2; i++) expect(ContainmentInput.parse(input)).toMatchObject({ incidentId: 'INC-1', mode: 'direct', severity: 'high', breakGlass: false });
    const bad = ContainmentInput.safeParse({ ...input, incidentId: 'has space', webhookUrl: 'https://u:p@example.com' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(['incidentId', 'webhookUrl']);
  });
});

// workflows/stack-traces.ts: the SDK's promise hook reads a stack for every promise a workflow creates; in the
// sandbox those format to nothing, while an error raised by workflow code keeps its frames.
describe('stack traces in the sandbox', () => {
  it('keep the frames of a workflow error, unmapped, with the formatter frozen in place', () => {
    const stack = vm.runInContext(`(function failingStep() { return new Error('boom'); })().stack`, context) as string;
    expect(stack).toMatch(/^Error: boom\n {4}at failingStep \(/);
    expect(vm.runInContext(`Object.isFrozen(Error) && typeof Error.prepareStackTrace === 'function'`, context)).toBe(true);
  });

  it('format the SDK promise hook’s own stacks to nothing, and nothing else', () => {
    const frame = (file: string) => ({ getFileName: () => file, toString: () => `init (${file}:246:30)` });
    const hook = '/app/node_modules/@temporalio/worker/lib/workflow/vm-shared.js';
    expect(formatWorkflowStack(new Error('hook'), [frame(hook), frame('/app/workflow-bundle.js')])).toBe('');
    expect(formatWorkflowStack(new Error('mine'), [frame('/app/workflow-bundle.js'), frame(hook)])).toBe(`Error: mine\n    at init (/app/workflow-bundle.js:246:30)\n    at init (${hook}:246:30)`);
    expect(formatWorkflowStack(new TypeError('empty'), [])).toBe('TypeError: empty');
  });

  it('name the file the installed SDK’s promise hook really reads its stacks in (an SDK upgrade that moves it fails here)', () => {
    const installed = createRequire(import.meta.url).resolve('@temporalio/worker/lib/workflow/vm-shared.js');
    const source = readFileSync(installed, 'utf8');
    expect(source).toContain('promiseHooks.createHook');
    expect(source).toContain('new ErrorCtor().stack');
    expect(formatWorkflowStack(new Error('hook'), [{ getFileName: () => installed, toString: () => `init (${installed}:246:30)` }])).toBe('');
  });
});
