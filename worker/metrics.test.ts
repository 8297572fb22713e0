import { ApplicationFailure } from '@temporalio/common';
import type { Context } from '@temporalio/activity';
import type { ActivityExecuteInput } from '@temporalio/worker';
import { expect, it } from 'vitest';
import { activityMetrics } from './metrics.ts';

/** A metric meter that keeps what was recorded, by metric name. */
function recordingMeter() {
  const seen: { name: string; value: number; tags: Record<string, unknown> }[] = [];
  const metric = (name: string) => ({ add: (value: number, tags = {}) => seen.push({ name, value, tags }), record: (value: number, tags = {}) => seen.push({ name, value, tags }) });
  return { seen, meter: { createCounter: metric, createHistogram: metric, createGauge: metric, createUpDownCounter: metric, withTags: () => undefined } };
}

async function run(next: () => Promise<unknown>) {
  const { seen, meter } = recordingMeter();
  const ctx = { metricMeter: meter, info: { activityType: 'revokeCredential' } } as unknown as Context;
  const out = await activityMetrics(ctx).inbound!.execute!({} as ActivityExecuteInput, next).then(
    (v) => ({ ok: v }),
    (err: unknown) => ({ err }),
  );
  return { seen, out };
}

it('counts a failed attempt by its failure type, and a provider’s Retry-After as a rate-limit wait', async () => {
  const failure = ApplicationFailure.create({ type: 'cordon.rate_limited', message: 'slow down', nextRetryDelay: 1500 });
  const { seen, out } = await run(() => Promise.reject(failure));
  expect(out).toEqual({ err: failure }); // the failure goes on to Temporal unchanged
  expect(seen.filter((s) => s.name !== 'cordon_activity_duration')).toEqual([
    { name: 'cordon_activity_calls', value: 1, tags: { activity: 'revokeCredential', outcome: 'cordon.rate_limited' } },
    { name: 'cordon_rate_limit_waits', value: 1, tags: { activity: 'revokeCredential' } },
    { name: 'cordon_rate_limit_wait', value: 1500, tags: { activity: 'revokeCredential' } },
  ]);
  expect(seen.find((s) => s.name === 'cordon_activity_duration')?.tags).toEqual({ activity: 'revokeCredential' });
});

it('counts a successful attempt as ok and records no wait', async () => {
  const { seen, out } = await run(() => Promise.resolve('done'));
  expect(out).toEqual({ ok: 'done' });
  expect(seen.map((s) => s.name)).toEqual(['cordon_activity_calls', 'cordon_activity_duration']);
  expect(seen[0]!.tags).toEqual({ activity: 'revokeCredential', outcome: 'ok' });
});
