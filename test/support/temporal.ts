// Test-side access to the run's real Temporal dev server (started by test/e2e/global-setup.ts).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { NativeConnection } from '@temporalio/worker';
import { inject } from 'vitest';
import type { Client } from '@temporalio/client';
import type { ActivityDeps } from '../../activities/index.ts';
import type { CodecKeys } from '../../codec/encryption-codec.ts';
import type { EnvelopeKeys } from '../../codec/decision-envelope.ts';
import { connectClient } from '../../client/containments.ts';
import type { TemporalTarget } from '../../temporal-config/connection.ts';
import { createCordonWorker, type CordonWorker } from '../../worker/worker.ts';
type CordonWorkerOptions = Parameters<typeof createCordonWorker>[0];
import { createLogger } from '../../logging/logger.ts';

export function testTarget(taskQueue = `cordon-test-${randomBytes(4).toString('hex')}`): TemporalTarget {
  return { connectionOptions: { address: inject('temporalAddress') }, namespace: inject('temporalNamespace'), taskQueue };
}

export function testCodecKeys(): CodecKeys {
  return { activeKeyId: 'test', keys: new Map([['test', randomBytes(32)]]) };
}

/** A fresh envelope keyring (one key, id `test`), as CORDON_ENVELOPE_KEYS would give it. */
export function testEnvelopeKeys(): EnvelopeKeys {
  return { activeKeyId: 'test', keys: new Map([['test', randomBytes(32)]]) };
}

export interface RunningWorker {
  worker: CordonWorker;
  client: Client;
  target: TemporalTarget;
  keys: CodecKeys;
  /** The worker checks envelopes with these: ways in under test sign with them. */
  envelopeKeys: EnvelopeKeys;
  stop(): Promise<void>;
}

/** A real worker in this process, on its own task queue, with the run's prebuilt workflow bundle. */
export async function startTestWorker(deps: ActivityDeps, options: { keys?: CodecKeys; envelopeKeys?: EnvelopeKeys; target?: TemporalTarget; pacedPerHour?: number; providerRates?: Record<string, number | undefined>; watch?: CordonWorkerOptions['watch'] } = {}): Promise<RunningWorker> {
  const target = options.target ?? testTarget();
  const keys = options.keys ?? testCodecKeys();
  const envelopeKeys = options.envelopeKeys ?? testEnvelopeKeys();
  const connection = await NativeConnection.connect({ address: target.connectionOptions.address });
  const code = await readFile(inject('workflowBundlePath'), 'utf8');
  const quiet = { ...deps, logger: deps.logger ?? createLogger({ level: 'warn' }) };
  // Tests pace the credential-revocation queue fast unless they test the pacing itself.
  const worker = await createCordonWorker({ target, codecKeys: keys, envelopeKeys, deps: quiet, connection, workflowBundle: { code }, pacedPerHour: options.pacedPerHour ?? 36_000, ...(options.providerRates ? { providerRates: options.providerRates } : {}), watch: options.watch });
  const running = worker.run();
  const client = await connectClient(target, keys);
  return {
    worker,
    client,
    target,
    keys,
    envelopeKeys,
    stop: async () => {
      worker.shutdown();
      await running;
      await connection.close();
      await client.connection.close();
    },
  };
}

/** A history as searchable text: every byte field (payload data, metadata) decoded as UTF-8. */
export function historyText(history: unknown): string {
  const parts: string[] = [];
  const walk = (v: unknown) => {
    if (v instanceof Uint8Array) parts.push(Buffer.from(v).toString('utf8'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
    else if (typeof v === 'string') parts.push(v);
  };
  walk(history);
  return parts.join('\n');
}
