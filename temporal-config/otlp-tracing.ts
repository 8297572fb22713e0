// OpenTelemetry tracing exported by OTLP/HTTP, through Temporal's interceptors: a client span around the
// start carries its context in the workflow's headers, the workflow's spans (made in the sandbox, sent
// out through a sink) and every activity's span join it, so one containment is one trace. Loaded only
// when CORDON_OTEL_ENDPOINT is set (temporal-config/tracing.ts), so an untraced process loads none of it.
//
// What a span carries: Temporal's interceptors set workflow, run, activity and update ids as attributes
// and never a payload (so no leaked value, token or decision travels in a span); Cordon's own spans add
// ids only, and record a failure by its error name, never its message.
import { context, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import type { Tracing } from './tracing.ts';

/** Where an OTLP/HTTP collector takes traces: the base URL's `/v1/traces` (the OTLP specification's default path). */
export function tracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
}

/**
 * Registers the process-wide OpenTelemetry globals (tracer provider, async context, W3C trace-context
 * propagation: Temporal's interceptors read the active context and propagate through the globals) and
 * returns the plugin for every Client and Worker of the process.
 */
export function startOtlpTracing(options: { endpoint: string; serviceName: string }): Tracing {
  const resource = new Resource({ 'service.name': options.serviceName });
  const processor = new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl(options.endpoint) }));
  const provider = new BasicTracerProvider({ resource, spanProcessors: [processor] });
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable(), propagator: new W3CTraceContextPropagator() });
  const tracer = provider.getTracer('cordon');
  const plugin = new OpenTelemetryPlugin({ resource, spanProcessor: processor, tracer: provider.getTracer('@temporalio/interceptors-opentelemetry') });
  return {
    plugin,
    span: (name, attributes, fn) =>
      tracer.startActiveSpan(name, { attributes }, async (span) => {
        try {
          return await fn();
        } catch (err) {
          // The name only: a message may quote what the caller sent.
          span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
          throw err;
        } finally {
          span.end();
        }
      }),
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
