// Worker metrics for Prometheus. Temporal's Core SDK serves them (`Runtime.install` with a Prometheus
// bind address): its own worker metrics (task latencies, slots, polls, cache) and Cordon's, which are
// recorded through the same metric meter — the workflow's at the decisions (containments by outcome,
// time to revoke; not emitted while replaying), the activities' here, by an interceptor around every
// activity: calls and failures by activity and failure type, duration, and the waits a provider's
// Retry-After imposed. Nothing secret is a label: only activity names, outcomes and failure types.
import { ApplicationFailure } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time.js';
import type { ActivityInboundCallsInterceptor, ActivityExecuteInput, ActivityInterceptorsFactory, Next } from '@temporalio/worker';
import { Runtime } from '@temporalio/worker';
import type { Context } from '@temporalio/activity';

/**
 * Installs the Temporal runtime with a Prometheus endpoint at `address` (host:port, path `/metrics`).
 * Must run before any connection is made: the runtime is created once per process.
 */
export function installMetricsRuntime(address: string, options: Parameters<typeof Runtime.install>[0] = {}): void {
  Runtime.install({ ...options, telemetryOptions: { ...options.telemetryOptions, metrics: { prometheus: { bindAddress: address } } } });
}

/** The activity interceptor that records Cordon's activity metrics (Worker option `interceptors.activity`). */
export const activityMetrics: ActivityInterceptorsFactory = (ctx: Context) => ({ inbound: new ActivityMetrics(ctx) });

class ActivityMetrics implements ActivityInboundCallsInterceptor {
  constructor(private readonly ctx: Context) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const meter = this.ctx.metricMeter;
    const activity = this.ctx.info.activityType;
    const started = performance.now();
    const calls = meter.createCounter('cordon_activity_calls', 'calls', 'Activity attempts by activity and outcome (ok, or the failure type)');
    const duration = meter.createHistogram('cordon_activity_duration', 'int', 'ms', 'Activity attempt duration');
    try {
      const out = await next(input);
      calls.add(1, { activity, outcome: 'ok' });
      return out;
    } catch (err) {
      const failure = err instanceof ApplicationFailure ? (err.type ?? 'application') : err instanceof Error ? err.name : 'error';
      calls.add(1, { activity, outcome: failure });
      // Connectors pass a provider's Retry-After as the next retry's delay: that is a rate-limit wait.
      const wait = err instanceof ApplicationFailure ? err.nextRetryDelay : undefined;
      if (wait !== undefined && wait !== null) {
        meter.createCounter('cordon_rate_limit_waits', 'waits', 'Retries delayed by a provider’s Retry-After').add(1, { activity });
        meter.createHistogram('cordon_rate_limit_wait', 'int', 'ms', 'Delay a provider’s Retry-After imposed').record(msToNumber(wait), { activity });
      }
      throw err;
    } finally {
      duration.record(Math.round(performance.now() - started), { activity });
    }
  }
}
