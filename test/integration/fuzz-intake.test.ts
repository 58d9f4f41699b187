import { status, credentials, Metadata, makeGenericClientConstructor } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { InboundMessage } from '@handrail/contracts';
import { DLQ_HEADERS, readStream } from '@handrail/bus';
import { demoServiceEnv } from '@handrail/demo';
import { CONSUMERS, ticketIdFor } from '@handrail/events';
import { startService, type RunningService } from '@handrail/runtime';
import { intakeService } from '@handrail/svc-intake';
import { eventually, openTestBus, testCredentials, type TestBus } from '@handrail/testing';
import { intakeClient } from '../support/pipeline.js';

/** A small deterministic PRNG so a failure reproduces (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Case = { bytes: Uint8Array; valid: boolean; externalId?: string; kind: string };
const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const NASTY = ['line1\r\nline2', 'tab\there', 'Ünïcödé ✓ 😀', 'quote " and \\ backslash', 'jane.doe@example.com +44 7700 900123', '4111 1111 1111 1111', '\r\n\r\nX-Injected: yes'];

function makeCase(i: number, r: () => number): Case {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const externalId = `fz-${i}-${pick(['a', 'b\r\nc', 'd e', 'ü'])}`;
  const base = { connector: 'fuzz', externalId, customerId: `c-${i % 40}`, channel: 'email', body: `Where is my order? ${pick(NASTY)}`, subject: pick(NASTY).slice(0, 40), metadata: { k: pick(NASTY) } };
  const k = Math.floor(r() * 20);
  switch (k) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
      return { bytes: enc(base), valid: true, externalId, kind: 'valid' };
    case 6:
      return { bytes: enc({ ...base, body: `${pick(NASTY)}\r\n`.repeat(5), orders: [{ order_id: 'o-1', amount: 12.5, currency: 'USD' }] }), valid: true, externalId, kind: 'valid-crlf' };
    case 7: {
      const b = enc(base);
      const bad = new Uint8Array(b.length + 2);
      bad.set(b.subarray(0, 20));
      bad.set([0xc3, 0x28], 20);
      bad.set(b.subarray(20), 22);
      return { bytes: bad, valid: false, kind: 'invalid-utf8' };
    }
    case 8:
      return { bytes: enc({ ...base, body: pick([42, { text: 'x' }, ['a'], true]) }), valid: false, kind: 'wrong-type-body' };
    case 9:
      return { bytes: enc({ ...base, metadata: pick([['a'], 'str', { n: 5 }, { o: { deep: 1 } }]) }), valid: false, kind: 'wrong-type-metadata' };
    case 10:
      return { bytes: enc({ ...base, orders: pick(['x', [{ order_id: 5 }], [{ amount: '12' }], [7]]) }), valid: false, kind: 'wrong-type-orders' };
    case 11:
      return { bytes: enc({ ...base, body: 'x'.repeat(20_001 + Math.floor(r() * 50_000)) }), valid: false, kind: 'oversize-body' };
    case 12:
      return { bytes: enc({ ...base, metadata: Object.fromEntries(Array.from({ length: 60 }, (_, j) => [`k${j}`, 'v'])) }), valid: false, kind: 'oversize-metadata-entries' };
    case 13:
      return { bytes: enc({ ...base, metadata: { big: 'v'.repeat(5_000) } }), valid: false, kind: 'oversize-metadata-value' };
    case 14:
      return { bytes: enc({ ...base, metadata: { big: 'v'.repeat(300_000) } }), valid: false, kind: 'oversize-message' };
    case 15:
      return { bytes: enc(pick(['not json\r\nat all jane@example.com', '[1,2,3]', 'null', '"str"', '{"body": "unterminated', ''])), valid: false, kind: 'not-an-object' };
    case 16:
      return { bytes: enc({ ...base, unknownField: 'x' }), valid: false, kind: 'unknown-field' };
    case 17:
      return { bytes: enc({ ...base, body: 'bell \u0007 char' }), valid: false, kind: 'control-char' };
    case 18:
      return { bytes: enc({ ...base, customerId: 'jane.doe@example.com\r\n' }), valid: false, kind: 'bad-customer-id' };
    default:
      return { bytes: enc({ ...base, body: '   ' }), valid: false, kind: 'empty-body' };
  }
}

describe('intake fuzz: every input is a ticket, a clear INVALID_ARGUMENT or a dead letter with a reason (issue 11)', () => {
  let tb: TestBus;
  let intake: RunningService;
  let grpcPort = 0;

  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'fuzz');
    intake = await startService(
      intakeService({ NATS_URL: inject('natsUrl'), HANDRAIL_PREFIX: tb.topo.prefix, LOG_LEVEL: 'silent', GRPC_PORT: '0', GRPC_HOST: '127.0.0.1', HANDRAIL_CREDENTIALS_DIR: testCredentials(), ...demoServiceEnv }, (p) => (grpcPort = p)),
    );
  });

  afterAll(async () => {
    await intake?.shutdown('test done');
    await tb?.cleanup();
  });

  it('fuzz — 5,000 inbound payloads over NATS: each one accounted for, 0 lost', async () => {
    const r = rng(11);
    const N = 5_000;
    const cases = Array.from({ length: N }, (_, i) => makeCase(i, r));
    const seqs: number[] = new Array<number>(N);
    for (let i = 0; i < N; i += 100) {
      await Promise.all(
        cases.slice(i, i + 100).map(async (c, j) => {
          const ack = await tb.bus.js.publish(tb.topo.subjects.inbound('fuzz'), c.bytes, { msgID: `fuzz-${i + j}` });
          seqs[i + j] = ack.seq;
        }),
      );
    }
    await eventually(async () => {
      const info = await tb.bus.jsm.consumers.info(tb.topo.streams.inbound, CONSUMERS.intakeInbound);
      return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
    }, 180_000, 500);
    const received = new Set((await readStream(tb.bus, tb.topo.streams.events, tb.topo.subjects.eventsOfType('received'), { idleMs: 500 })).map((m) => m.subject.split('.').at(-1)));
    const dead = new Map((await readStream(tb.bus, tb.topo.streams.deadLetter, tb.topo.subjects.deadLetter('intake'), { idleMs: 500 })).map((m) => [Number(m.headers[DLQ_HEADERS.sequence]), m.headers[DLQ_HEADERS.reason] ?? '']));
    const counts = { ticket: 0, deadLetter: 0, lost: 0, wrong: 0 };
    const lostKinds: string[] = [];
    cases.forEach((c, i) => {
      const ticket = c.valid && c.externalId ? received.has(ticketIdFor('fuzz', c.externalId)) : false;
      const reason = dead.get(seqs[i]!);
      if (ticket) counts.ticket++;
      else if (reason) counts.deadLetter++;
      else {
        counts.lost++;
        lostKinds.push(c.kind);
      }
      if ((c.valid && !ticket) || (!c.valid && !reason)) counts.wrong++;
    });
    console.log(`[fuzz] NATS: ${N} payloads → ${counts.ticket} tickets, ${counts.deadLetter} dead letters, ${counts.lost} lost`);
    expect(lostKinds).toEqual([]);
    expect(counts.wrong).toBe(0);
    expect(counts.ticket + counts.deadLetter).toBe(N);
    for (const reason of dead.values()) {
      expect(reason).toMatch(/^(invalid_argument|undecodable): /);
      expect(reason).not.toMatch(/[\r\n]|jane\.doe@example\.com|7700 900123/);
    }
  }, 300_000);

  it('fuzz — 600 gRPC requests incl. 1.5-3 MB and broken protobuf: each is a ticket or INVALID_ARGUMENT naming the field', async () => {
    const client = intakeClient(`127.0.0.1:${grpcPort}`);
    const r = rng(7);
    const counts = { ticket: 0, invalid: 0, other: 0 };
    const others: string[] = [];
    for (let i = 0; i < 500; i++) {
      const c = Math.floor(r() * 6);
      const m: Partial<InboundMessage> = { connector: 'fuzzg', externalId: `g-${i}\r\n`, customerId: `c-${i % 10}`, body: `Where is my order?\r\n${NASTY[i % NASTY.length]}` };
      if (c === 1) m.body = 'x'.repeat(1_500_000 + Math.floor(r() * 1_500_000));
      if (c === 2) m.metadata = { big: 'v'.repeat(1_000_000 + Math.floor(r() * 2_000_000)) };
      if (c === 3) m.metadata = Object.fromEntries(Array.from({ length: 200 }, (_, j) => [`k${j}`, 'v']));
      if (c === 4) m.customerId = 'jane@example.com';
      try {
        await client.submit(m);
        counts.ticket++;
      } catch (err) {
        const e = err as { code?: number; details?: string };
        if (e.code === status.INVALID_ARGUMENT && /^message\.[a-z_]+/.test(e.details ?? '')) counts.invalid++;
        else {
          counts.other++;
          others.push(`${e.code}: ${e.details}`);
        }
      }
    }
    client.close();
    // Broken protobuf: bytes that are not a SubmitMessageRequest.
    const Raw = makeGenericClientConstructor({}, 'raw');
    const raw = new Raw(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
    for (let i = 0; i < 100; i++) {
      const garbage = Buffer.from(Array.from({ length: 5 + (i % 40) }, (_, j) => (j * 37 + i * 11 + 0x0a) & 0xff));
      garbage[0] = 0x0a;
      garbage[1] = 0xff;
      await new Promise<void>((resolve) =>
        raw.makeUnaryRequest('/handrail.v1.IntakeService/SubmitMessage', (b: Buffer) => b, (b: Buffer) => b, garbage, new Metadata(), (err) => {
          if (!err) counts.ticket++;
          else if (err.code === status.INVALID_ARGUMENT) counts.invalid++;
          else {
            counts.other++;
            others.push(`${err.code}: ${err.details}`);
          }
          resolve();
        }),
      );
    }
    raw.close();
    console.log(`[fuzz] gRPC: 600 requests → ${counts.ticket} tickets, ${counts.invalid} INVALID_ARGUMENT, ${counts.other} other`);
    expect(others).toEqual([]);
    expect(counts.ticket + counts.invalid).toBe(600);
    expect(counts.ticket).toBeGreaterThan(50);
  }, 300_000);
});
