// One real Temporal dev server per e2e run (free ports, throwaway SQLite file) and one workflow
// bundle, shared by every e2e file (per-test servers and bundles are too slow on a 2-core machine).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startDevServer, type DevServer } from '../../temporal-config/dev-server.ts';
import { bundleCordonWorkflows } from '../../worker/worker.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
    temporalCliPath: string;
    workflowBundlePath: string;
  }
}

let server: DevServer | undefined;
let dir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  dir = await mkdtemp(join(tmpdir(), 'cordon-e2e-'));
  server = await startDevServer({ dataDir: dir, headless: true, startTimeoutMs: 90_000 });
  const bundlePath = join(dir, 'workflow-bundle.js');
  await writeFile(bundlePath, await bundleCordonWorkflows());
  project.provide('temporalAddress', server.address);
  project.provide('temporalNamespace', server.namespace);
  project.provide('temporalCliPath', server.temporalPath);
  project.provide('workflowBundlePath', bundlePath);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}
