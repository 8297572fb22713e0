import { expect, it } from 'vitest';
import { readEnv } from '../schemas/config.ts';
import { startOtlpReceiver } from '../test/support/otlp-receiver.ts';
import { startOtlpTracing, tracesUrl } from './otlp-tracing.ts';
import { processTracing, traced } from './tracing.ts';

it('is off without CORDON_OTEL_ENDPOINT: no tracing, and traced() just runs the function', async () => {
  expect(await processTracing({})).toBeUndefined();
  expect(await traced('cordon.test', {}, async () => 42)).toBe(42);
  // Memoized for the process: a later call does not switch it on.
  expect(await processTracing({ CORDON_OTEL_ENDPOINT: 'http://127.0.0.1:4318' })).toBeUndefined();
});

it('names the variable when the endpoint is not an http(s) URL', () => {
  expect(() => readEnv({ CORDON_OTEL_ENDPOINT: 'collector:4318' }, 'CORDON_OTEL_ENDPOINT')).toThrow(/^CORDON_OTEL_ENDPOINT: must be an http\(s\) URL/);
});

it('sends traces to the collector’s /v1/traces', () => {
  expect(tracesUrl('http://otel:4318')).toBe('http://otel:4318/v1/traces');
  expect(tracesUrl('http://otel:4318/')).toBe('http://otel:4318/v1/traces');
  expect(tracesUrl('https://otel.example/tenant-a/v1/traces')).toBe('https://otel.example/tenant-a/v1/traces');
});

it('records a failed span by its error name, never the message (a message may quote what the caller sent)', async () => {
  const receiver = await startOtlpReceiver();
  const tracing = startOtlpTracing({ endpoint: receiver.url, serviceName: 'cordon-unit' });
  try {
    const failure = Object.assign(new Error('ghp_notarealtokenbutsecretlooking0000 was refused'), { name: 'InvalidInputError' });
    await expect(tracing.span('cordon.failing', { 'cordon.incident_id': 'INC-1' }, () => Promise.reject(failure))).rejects.toBe(failure);
    expect(await tracing.span('cordon.nested', {}, () => tracing.span('cordon.inner', {}, async () => 'ok'))).toBe('ok');
    await tracing.flush();
    const failed = receiver.spans.find((s) => s.name === 'cordon.failing');
    expect(failed).toMatchObject({ service: 'cordon-unit', attributes: { 'cordon.incident_id': 'INC-1' } });
    expect(receiver.bodies.join('')).toContain('InvalidInputError');
    expect(receiver.bodies.join('')).not.toContain('ghp_notarealtoken');
    // Spans started inside a span are its children (the context follows the awaits).
    const outer = receiver.spans.find((s) => s.name === 'cordon.nested')!;
    const inner = receiver.spans.find((s) => s.name === 'cordon.inner')!;
    expect(inner.parentSpanId).toBe(outer.spanId);
    expect(inner.traceId).toBe(outer.traceId);
  } finally {
    await tracing.shutdown();
    await receiver.close();
  }
});
