import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ack, deadLetter, DLQ_HEADERS, readStream, retry, runConsumer, type RunningConsumer } from '@handrail/bus';
import { HandrailError } from '@handrail/errors';
import { createLogger, initTelemetry } from '@handrail/observability';
import { eventually, openTestBus, type TestBus } from '@handrail/testing';

const log = createLogger({ service: 'runner-test', version: '0', level: 'silent' });
const tracer = initTelemetry({ service: 'runner-test', version: '0' }).tracer;
const decode = (d: Uint8Array) => JSON.parse(new TextDecoder().decode(d)) as { n: number };

describe('consumer runner on a real JetStream', () => {
  let tb: TestBus;
  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'runner');
  });
  afterAll(async () => {
    await tb?.cleanup();
  });

  const start = (durable: string, handler: Parameters<typeof runConsumer<{ n: number }>>[0]['handler'], concurrency = 8, maxDeliver = 3) =>
    runConsumer({
      bus: tb.bus,
      topo: tb.topo,
      stage: 'test',
      stream: tb.topo.streams.inbound,
      durable,
      filterSubject: tb.topo.subjects.inbound(durable),
      decode,
      handler,
      concurrency,
      maxDeliver,
      ackWaitMs: 2_000,
      log,
      tracer,
    });

  it('runner — a message that keeps failing is dead-lettered after max deliveries with the reason', async () => {
    let attempts = 0;
    const c = await start('keepsfailing', async () => {
      attempts++;
      throw new Error('downstream is down');
    });
    await tb.bus.js.publish(tb.topo.subjects.inbound('keepsfailing'), JSON.stringify({ n: 1 }), { msgID: 'kf-1' });
    const dead = await eventually(async () => {
      const d = await readStream(tb.bus, tb.topo.streams.deadLetter, tb.topo.subjects.allDeadLetters(), { idleMs: 200 });
      return d.find((m) => m.headers[DLQ_HEADERS.subject] === tb.topo.subjects.inbound('keepsfailing'));
    }, 30_000);
    await c.stop(1_000);
    expect(attempts).toBe(3);
    expect(dead.headers[DLQ_HEADERS.reason]).toMatch(/kept failing after 3 deliveries: downstream is down/);
    expect(dead.headers[DLQ_HEADERS.deliveries]).toBe('3');
  });

  it('runner — a dead-letter publish that fails never drops the message; a CR/LF reason is stored safely (issue 11)', async () => {
    const dlq = (await tb.bus.jsm.streams.info(tb.topo.streams.deadLetter)).config;
    await tb.bus.jsm.streams.delete(tb.topo.streams.deadLetter);
    let attempts = 0;
    const c = await start('dlqdown', async () => {
      attempts++;
      return deadLetter('bad input quoted: "line1\r\nline2" from jane@example.com');
    }, 8, 2);
    await tb.bus.js.publish(tb.topo.subjects.inbound('dlqdown'), JSON.stringify({ n: 1 }), { msgID: 'dd-1' });
    // Past max deliveries with nowhere to put it: it is kept and tried again, not lost.
    await eventually(async () => (attempts >= 2 ? true : undefined), 30_000, 100);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(attempts).toBe(2);
    await tb.bus.jsm.streams.add(dlq);
    const dead = await eventually(async () => {
      const d = await readStream(tb.bus, tb.topo.streams.deadLetter, tb.topo.subjects.allDeadLetters(), { idleMs: 200 });
      return d.find((m) => m.headers[DLQ_HEADERS.subject] === tb.topo.subjects.inbound('dlqdown'));
    }, 60_000);
    await c.stop(1_000);
    expect(dead.headers[DLQ_HEADERS.reason]).toBe('bad input quoted: "line1\\u000d\\u000aline2" from [email]');
  });

  it('runner — a non-retryable error is dead-lettered at once; a retry outcome is retried', async () => {
    const seen = new Map<number, number>();
    const c = await start('mixed', async (d) => {
      seen.set(d.value.n, (seen.get(d.value.n) ?? 0) + 1);
      if (d.value.n === 1) throw new HandrailError('invalid_argument', 'n=1 is not allowed');
      if (d.value.n === 2 && d.deliveryCount < 2) return retry(50, 'not yet');
      return ack();
    });
    for (const n of [1, 2, 3]) await tb.bus.js.publish(tb.topo.subjects.inbound('mixed'), JSON.stringify({ n }), { msgID: `mixed-${n}` });
    await eventually(async () => (c.stats().acked === 2 && c.stats().deadLettered === 1 ? true : undefined));
    await c.stop(1_000);
    expect(seen.get(1)).toBe(1);
    expect(seen.get(2)).toBe(2);
    expect(seen.get(3)).toBe(1);
  });

  it('shutdown — stop() finishes in-flight work before returning, and the rest is redelivered, nothing lost', async () => {
    const done = new Set<number>();
    let c: RunningConsumer = await start('drain', async (d) => {
      await new Promise((r) => setTimeout(r, 100));
      done.add(d.value.n);
      return ack();
    }, 4);
    for (let n = 0; n < 60; n++) await tb.bus.js.publish(tb.topo.subjects.inbound('drain'), JSON.stringify({ n }), { msgID: `drain-${n}` });
    await eventually(async () => (done.size >= 8 ? true : undefined));
    const { unfinished } = await c.stop(5_000);
    expect(unfinished).toBe(0);
    const acked = c.stats().acked;
    expect(acked).toBe(done.size);
    // A new runner on the same durable picks up everything that was not acknowledged.
    c = await start('drain', async (d) => {
      done.add(d.value.n);
      return ack();
    }, 4);
    await eventually(async () => (done.size === 60 ? true : undefined), 30_000);
    await c.stop(1_000);
    expect(done.size).toBe(60);
  });
});
