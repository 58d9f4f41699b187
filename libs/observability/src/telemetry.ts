import {
  context,
  propagation,
  trace,
  SpanKind,
  SpanStatusCode,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

export { SpanKind, SpanStatusCode };
export type { Span, Tracer, Context };

export interface TelemetrySettings {
  service: string;
  version: string;
  /** OTLP/HTTP endpoint; without it and without `exporter`, spans are not recorded but trace ids still propagate. */
  otlpEndpoint?: string | undefined;
  /** For tests: export synchronously to this exporter (e.g. an InMemorySpanExporter). */
  exporter?: SpanExporter | undefined;
}

export interface Telemetry {
  tracer: Tracer;
  shutdown(): Promise<void>;
}

let propagatorInstalled = false;

/**
 * Without an exporter nothing records spans, so no context manager is installed: Node 20's
 * AsyncLocalStorage puts a hook on every promise, which cost more CPU per message than the stage's
 * own work. Trace context still travels — the consumer runner hands it to the handler explicitly and
 * `emit` injects it — so a trace id that arrives in a message's headers leaves in the next one.
 */
function installPropagation(): void {
  if (propagatorInstalled) return;
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  propagatorInstalled = true;
}

/** For code that relies on the active context (tests, tools): the AsyncLocalStorage context manager. */
let contextManagerEnabled = false;
export function enableContextManager(): void {
  contextManagerEnabled = true;
  const cm = new AsyncLocalStorageContextManager();
  cm.enable();
  context.setGlobalContextManager(cm);
}

export function initTelemetry(s: TelemetrySettings): Telemetry {
  if (!s.otlpEndpoint && !s.exporter) {
    installPropagation();
    // Handlers still run inside their trace's context (from the message headers), so each log line
    // carries the trace and span ids (the logger's mixin) even when no spans are exported.
    if (!contextManagerEnabled) enableContextManager();
    return { tracer: trace.getTracer(s.service, s.version), shutdown: async () => {} };
  }
  const processor = s.exporter
    ? new SimpleSpanProcessor(s.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: `${s.otlpEndpoint}/v1/traces` }));
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': s.service, 'service.version': s.version }),
    spanProcessors: [processor],
    textMapPropagator: new W3CTraceContextPropagator(),
    instrumentations: [],
  });
  sdk.start();
  propagatorInstalled = true;
  return { tracer: trace.getTracer(s.service, s.version), shutdown: () => sdk.shutdown() };
}

export interface HeaderCarrier {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/** Writes the active trace context (traceparent/tracestate) into message headers. */
export function injectTraceContext(carrier: HeaderCarrier, ctx: Context = context.active()): void {
  propagation.inject(ctx, carrier, {
    set: (c, k, v) => c.set(k, v),
  });
}

/** Reads a trace context from message headers; a message without one starts a new trace. */
export function extractTraceContext(carrier: HeaderCarrier): Context {
  return propagation.extract(context.active(), carrier, {
    get: (c, k) => c.get(k),
    keys: () => ['traceparent', 'tracestate'],
  });
}

/**
 * Runs `fn` inside a span that is a child of `parent`, recording errors and ending the span. `fn` gets
 * the span and the context to propagate (the span within `parent`), for code that passes it on explicitly.
 */
export async function withSpan<T>(
  tracer: Tracer,
  name: string,
  parent: Context,
  attributes: Record<string, string | number | boolean>,
  fn: (span: Span, ctx: Context) => Promise<T>,
  kind: SpanKind = SpanKind.CONSUMER,
): Promise<T> {
  const span = tracer.startSpan(name, { kind, attributes }, parent);
  const ctx = trace.setSpan(parent, span);
  try {
    return await context.with(ctx, () => fn(span, ctx));
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    span.end();
  }
}
