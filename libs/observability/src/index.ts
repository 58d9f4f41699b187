export { createLogger, scrubPii } from './logger.js';
export type { Logger, LoggerSettings } from './logger.js';
export {
  initTelemetry, enableContextManager,
  injectTraceContext,
  extractTraceContext,
  withSpan,
  SpanKind,
  SpanStatusCode,
} from './telemetry.js';
export type { Telemetry, TelemetrySettings, HeaderCarrier, Span, Tracer, Context } from './telemetry.js';
export { createMetrics } from './metrics.js';
export type { Metrics, ConsumerLag } from './metrics.js';
