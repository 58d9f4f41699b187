import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Fields that hold customer text or PII, or secrets. They are censored at any depth (issue 11), so a
 * careless `log.info({ ticket })` cannot leak a message body however deeply it is nested. Error
 * messages are not hidden: they are scrubbed (below), so an operator still sees why.
 */
const REDACTED_KEYS = new Set([
  'body',
  'text',
  'subject',
  'email',
  'phone',
  'name',
  'address',
  'draft',
  'sentences',
  'customerText',
  'finalText',
  'metadata',
  'password',
  'token',
  'secret',
  'seed',
  'natsSeed',
  'signingKey',
  'authorization',
]);
const MAX_DEPTH = 12;

const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}/gi;
const CARD = /\b(?:\d[ -]?){13,19}\b/g;
const PHONE = /\+?\d[\d\s().-]{7,}\d/g;
// NATS nkey seeds, bearer tokens, PEM private keys, and long base64 key material.
const SECRETS: Array<[RegExp, string]> = [
  [/\bS[UOANCPX][A-Z2-7]{54,}\b/g, '[secret]'],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, 'Bearer [secret]'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[secret]'],
  [/\b[A-Za-z0-9+/]{60,}={0,2}/g, '[secret]'],
];

/** Masks secrets, emails, card and phone numbers in free text (log messages, error messages, reasons). */
export function scrubPii(s: string): string {
  let out = s;
  for (const [re, mask] of SECRETS) out = out.replace(re, mask);
  return out.replace(EMAIL, '[email]').replace(CARD, '[number]').replace(PHONE, '[number]');
}

function errorView(e: unknown): { type?: string; message: string; code?: unknown } {
  const err = e as { name?: string; message?: string; code?: unknown };
  return { type: err?.name, message: scrubPii(String(err?.message ?? e)), code: err?.code };
}

/** A copy of a log object with sensitive keys censored and every string scrubbed, at any depth. */
export function scrubValue(v: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof v === 'string') return scrubPii(v);
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Error) return errorView(v);
  if (seen.has(v) || depth > MAX_DEPTH) return '[…]';
  seen.add(v);
  if (Array.isArray(v)) return v.map((x) => scrubValue(x, depth + 1, seen));
  if (v instanceof Uint8Array) return `[${v.length} bytes]`;
  // A value that says how it serialises (Date, a secret wrapper) is logged as it says.
  const toJSON = (v as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return scrubValue(toJSON.call(v), depth + 1, seen);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = REDACTED_KEYS.has(k) && (typeof x === 'string' ? x !== '' : typeof x === 'object' && x !== null) ? '[redacted]' : scrubValue(x, depth + 1, seen);
  return out;
}

export interface LoggerSettings {
  service: string;
  version: string;
  level: LoggerOptions['level'];
  instance?: string | undefined;
  destination?: NodeJS.WritableStream | undefined;
}

export function createLogger(s: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: s.level ?? 'info',
    base: { service: s.service, version: s.version, instance: s.instance },
    // The active span's ids on every line logged inside it, so a log line leads to its trace.
    mixin() {
      const sc = trace.getSpanContext(context.active());
      return sc && isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId, trace_flags: `0${sc.traceFlags.toString(16)}`.slice(-2) } : {};
    },
    formatters: {
      log: (obj) => scrubValue(obj) as Record<string, unknown>,
    },
    hooks: {
      // Scrub the message string too: error messages sometimes quote input.
      logMethod(args, method) {
        const scrubbed = args.map((a) => (typeof a === 'string' ? scrubPii(a) : a)) as typeof args;
        method.apply(this, scrubbed);
      },
    },
    serializers: {
      err: errorView,
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return s.destination ? pino(options, s.destination as pino.DestinationStream) : pino(options);
}
