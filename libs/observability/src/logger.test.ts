import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { createLogger, scrubPii } from './logger.js';
import { extractTraceContext, initTelemetry, withSpan } from './telemetry.js';

function capture(): { stream: Writable; lines: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { stream, lines: () => chunks.join('') };
}

describe('logger', () => {
  it('logger — a line logged inside a span carries its trace and span ids; one outside carries none (issue 16)', async () => {
    const out = capture();
    const log = createLogger({ service: 's', version: '1', level: 'info', destination: out.stream });
    const exporter = new InMemorySpanExporter();
    const t = initTelemetry({ service: 's', version: '1', exporter });
    const parent = extractTraceContext({ get: (k) => (k === 'traceparent' ? '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' : undefined), set: () => {} });
    let spanId = '';
    await withSpan(t.tracer, 'handle', parent, {}, async (span) => {
      spanId = span.spanContext().spanId;
      log.info('inside');
    });
    log.info('outside');
    await t.shutdown();
    const [inside, outside] = out.lines().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(inside?.['trace_id']).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(inside?.['span_id']).toBe(spanId);
    expect(inside?.['span_id']).not.toBe('b7ad6b7169203331');
    expect(outside?.['trace_id']).toBeUndefined();
  });

  it('logger — never prints customer text or PII, even when handed a whole ticket', () => {
    const out = capture();
    const log = createLogger({ service: 's', version: '1', level: 'info', destination: out.stream });
    log.info(
      { ticket: { ticketId: 't-1', body: 'my card 4111 1111 1111 1111 was stolen', email: 'jane@example.com' } },
      'ticket from jane@example.com phone +1 415 555 0100',
    );
    const text = out.lines();
    expect(text).toContain('t-1');
    expect(text).not.toContain('stolen');
    expect(text).not.toContain('jane@example.com');
    expect(text).not.toContain('555 0100');
    expect(text).toContain('[redacted]');
  });

  it('logger — redacts at any depth and scrubs error messages instead of hiding them (issue 11)', () => {
    const out = capture();
    const log = createLogger({ service: 's', version: '1', level: 'info', destination: out.stream });
    log.error({ a: { b: { c: { d: { e: { body: 'deep secret words', note: 'call 020 7946 0958' } } } } }, err: new Error('customer jane@example.com sent seed SUAM3ZXAHPPBMNQDSNHV6TZRHGLWDKQHJ5DFNFSRBKDWTNPVW6MCI5KEU4') }, 'failed');
    const text = out.lines();
    expect(text).not.toContain('deep secret words');
    expect(text).not.toContain('7946 0958');
    expect(text).not.toContain('jane@example.com');
    expect(text).not.toContain('SUAM3ZX');
    expect(text).toContain('customer [email] sent seed [secret]');
    expect(text).not.toMatch(/"message":"\[redacted\]"/);
  });

  it('scrubPii — masks emails, card and phone numbers and keeps the rest', () => {
    expect(scrubPii('mail a@b.co or call 020 7946 0958 re order 12')).toBe('mail [email] or call [number] re order 12');
  });
});
