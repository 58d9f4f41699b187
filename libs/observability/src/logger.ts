import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Fields that may hold customer text or PII. They are censored wherever they appear (top level or
 * one level down), so a careless `log.info({ ticket })` cannot leak a message body.
 */
const REDACTED_KEYS = [
  'body',
  'text',
  'subject',
  'message',
  'email',
  'phone',
  'name',
  'address',
  'draft',
  'sentences',
  'customerText',
];
const REDACT_PATHS = [...REDACTED_KEYS, ...REDACTED_KEYS.map((k) => `*.${k}`), '*.*.body', '*.*.text'];

const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}/gi;
const CARD = /\b(?:\d[ -]?){13,19}\b/g;
const PHONE = /\+?\d[\d\s().-]{7,}\d/g;

/** Masks emails, card and phone numbers in free text (used for log messages). */
export function scrubPii(s: string): string {
  return s.replace(EMAIL, '[email]').replace(CARD, '[number]').replace(PHONE, '[number]');
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
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    hooks: {
      // Scrub the message string too: error messages sometimes quote input.
      logMethod(args, method) {
        const scrubbed = args.map((a) => (typeof a === 'string' ? scrubPii(a) : a)) as typeof args;
        method.apply(this, scrubbed);
      },
    },
    serializers: {
      err: (e: unknown) => {
        const err = e as { name?: string; message?: string; code?: unknown; stack?: string };
        return { type: err?.name, message: scrubPii(String(err?.message ?? e)), code: err?.code };
      },
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return s.destination ? pino(options, s.destination as pino.DestinationStream) : pino(options);
}
