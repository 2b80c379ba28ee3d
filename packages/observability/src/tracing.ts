import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** The tracing of one process: on when an OTLP endpoint is configured, a no-op otherwise. */
export interface Tracing {
  enabled: boolean;
  /** Exports what is buffered and stops; call on shutdown. */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry tracing for `service` when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, exporting over OTLP/HTTP; otherwise nothing is
 * registered and spans cost nothing. `OTEL_SERVICE_NAME` overrides the service name.
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv): Tracing {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint?.trim()) return { enabled: false, shutdown: async () => undefined };
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': env.OTEL_SERVICE_NAME?.trim() || `weft-${service}`,
    }),
    // The exporter reads the endpoint (and headers) from the OTEL_* variables itself.
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 500 }),
    ],
  });
  // Registers the W3C trace-context propagator and async context tracking globally.
  provider.register();
  return { enabled: true, shutdown: () => provider.shutdown() };
}

/**
 * Runs `work` in a span whose parent is the W3C `traceparent` given (from an HTTP header or a Kafka
 * message), and hands it the traceparent to send onward. Without tracing the given traceparent is
 * passed through unchanged, so the trace is still carried end to end.
 */
export async function inSpan<T>(
  name: string,
  options: { traceparent?: string | undefined; attributes?: Attributes },
  work: (traceparent: string | undefined, span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.traceparent
    ? propagation.extract(ROOT_CONTEXT, { traceparent: options.traceparent })
    : ROOT_CONTEXT;
  const tracer = trace.getTracer('weft');
  return tracer.startActiveSpan(
    name,
    { attributes: options.attributes ?? {} },
    parent,
    async (span) => {
      const carrier: Record<string, string> = {};
      propagation.inject(context.active(), carrier);
      try {
        const result = await work(carrier.traceparent ?? options.traceparent, span);
        return result;
      } catch (error) {
        span.recordException(error instanceof Error ? error : new Error(String(error)));
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
