// Whether this process traces (CORDON_OTEL_ENDPOINT) and the one tracing set-up it then shares: every
// Client and Worker of the process takes `plugin`, Cordon's own spans go through `traced`. Unset, no
// OpenTelemetry module is loaded, no interceptor is installed and `traced` calls straight through.
import type { ClientPlugin } from '@temporalio/client';
import type { WorkerPlugin } from '@temporalio/worker';
import { readEnv } from '../schemas/config.ts';

export interface Tracing {
  /** Temporal's OpenTelemetry interceptors for a Client (`plugins`) or a Worker (workflow, activity and client spans). */
  readonly plugin: ClientPlugin & WorkerPlugin;
  /** Runs `fn` in a span named `name`: the Temporal calls it makes join that span's trace. */
  span<T>(name: string, attributes: Record<string, string>, fn: () => Promise<T>): Promise<T>;
  /** Sends the buffered spans now (a short-lived process calls it before it exits). */
  flush(): Promise<void>;
  /** Flushes, stops exporting and unregisters the process-wide OpenTelemetry globals. */
  shutdown(): Promise<void>;
}

let processWide: Promise<Tracing | undefined> | undefined;

/**
 * This process's tracing, set up by the first call from CORDON_OTEL_ENDPOINT (OTEL_SERVICE_NAME names the
 * process, `cordon` by default); later calls return the same. Undefined when the variable is unset.
 */
export function processTracing(env: Record<string, string | undefined> = process.env): Promise<Tracing | undefined> {
  processWide ??= (async () => {
    const endpoint = readEnv(env, 'CORDON_OTEL_ENDPOINT');
    if (!endpoint) return undefined;
    const { startOtlpTracing } = await import('./otlp-tracing.ts');
    return startOtlpTracing({ endpoint, serviceName: env.OTEL_SERVICE_NAME || 'cordon' });
  })();
  return processWide;
}

/** The plugins a Client or Worker of this process takes: the tracing plugin when tracing is on, else none. */
export async function tracingPlugins(): Promise<(ClientPlugin & WorkerPlugin)[]> {
  const tracing = await processTracing();
  return tracing ? [tracing.plugin] : [];
}

/** `fn` in a span of this process's tracing; without tracing, `fn` itself. */
export async function traced<T>(name: string, attributes: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const tracing = await processTracing();
  return tracing ? tracing.span(name, attributes, fn) : fn();
}

/** Sends what this process buffered, if it traces: before a short-lived process (the CLI) exits. */
export async function flushTracing(): Promise<void> {
  await (await processTracing())?.flush();
}

/** Stops this process's tracing, if it traces, after a final flush (a worker after it drained). */
export async function shutdownTracing(): Promise<void> {
  const tracing = await processTracing();
  processWide = Promise.resolve(undefined);
  await tracing?.shutdown();
}
