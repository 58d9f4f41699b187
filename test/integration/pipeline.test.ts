import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { InboundMessage, Route } from '@handrail/contracts';
import { DLQ_HEADERS, readStream } from '@handrail/bus';
import { areaLabel, ticketIdFor } from '@handrail/events';
import { openTestBus, eventually, type TestBus } from '@handrail/testing';
import { conclusions, intakeClient, replies, startInProcess, timeline, type InProcessPipeline } from '../support/pipeline.js';
import { sampleMessage } from '../support/messages.js';

describe('pipeline end to end (issue 2)', () => {
  let tb: TestBus;
  let pipeline: InProcessPipeline;

  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'pipe');
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix);
  });

  afterAll(async () => {
    await pipeline?.stop();
    await tb?.cleanup();
  });

  it('pipeline — every ticket reaches exactly one terminal state; human-only areas are never automated', async () => {
    const client = intakeClient(pipeline.grpcAddr);
    const ids = new Map<string, string>();
    for (let i = 0; i < 33; i++) {
      const { message, expectedArea } = sampleMessage(i, 'grpc');
      const r = await client.submit(message);
      ids.set(r.ticketId, expectedArea);
    }
    client.close();
    const done = await eventually(async () => {
      const c = await conclusions(tb.bus, tb.topo);
      return [...ids.keys()].every((id) => c.has(id)) ? c : undefined;
    }, 60_000);
    for (const [id, expected] of ids) {
      const list = done.get(id) ?? [];
      expect(list, id).toHaveLength(1);
      const c = list[0]!;
      if (['privacy', 'safety', 'legal'].includes(expected)) expect(c.route, `${id} ${expected}`).not.toBe(Route.ROUTE_AUTO_RESOLVED);
      if (c.route === Route.ROUTE_ESCALATED) expect(c.reasons.length, id).toBeGreaterThan(0);
    }
    const routes = new Set([...done.values()].map((l) => l[0]!.route));
    expect(routes.has(Route.ROUTE_ESCALATED)).toBe(true);
    expect(routes.has(Route.ROUTE_AUTO_RESOLVED)).toBe(true);
    // Each auto-resolved ticket has exactly one outbound reply, and nothing else has one.
    const sent = await replies(tb.bus, tb.topo);
    for (const [id, list] of done) {
      expect(sent.get(id) ?? 0, id).toBe(list[0]!.route === Route.ROUTE_AUTO_RESOLVED ? 1 : 0);
    }
  });

  it('intake — a re-submitted external id is the same ticket, flagged duplicate, processed once', async () => {
    const client = intakeClient(pipeline.grpcAddr);
    const m = { connector: 'grpc', externalId: 'dup-1', customerId: 'c-dup', body: 'How long does standard shipping take?' };
    const a = await client.submit(m);
    const b = await client.submit(m);
    client.close();
    expect(b.ticketId).toBe(a.ticketId);
    expect(b.duplicate).toBe(true);
    const events = await eventually(async () => {
      const t = await timeline(tb.bus, tb.topo, a.ticketId);
      return t.some((e) => e.type === 'concluded') ? t : undefined;
    });
    expect(events.filter((e) => e.type === 'received')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'concluded')).toHaveLength(1);
  });

  it('intake — invalid gRPC input is INVALID_ARGUMENT naming the field, and nothing is emitted', async () => {
    const client = intakeClient(pipeline.grpcAddr);
    const err = await client.submit({ connector: 'grpc', externalId: 'bad-1', customerId: 'c-1', body: '   ' }).catch((e: unknown) => e as { code: number; details: string });
    client.close();
    expect(err).toMatchObject({ code: status.INVALID_ARGUMENT });
    expect((err as { details: string }).details).toContain('message.body');
  });

  it('dead letters — invalid and undecodable connector messages land in the DLQ with their reason', async () => {
    const bad = InboundMessage.fromPartial({ connector: 'nats', externalId: 'bad-nats', customerId: 'c 1', body: 'hi' });
    await tb.bus.js.publish(tb.topo.subjects.inbound('nats'), JSON.stringify(InboundMessage.toJSON(bad)), { msgID: 'nats:bad-nats' });
    await tb.bus.js.publish(tb.topo.subjects.inbound('nats'), 'this is not json', { msgID: 'nats:garbage' });
    // A good message published after the bad ones is still processed: nothing else is lost.
    const good = sampleMessage(1, 'nats').message;
    await tb.bus.js.publish(tb.topo.subjects.inbound('nats'), JSON.stringify(InboundMessage.toJSON(good)), { msgID: 'nats:good' });
    const dead = await eventually(async () => {
      const d = await readStream(tb.bus, tb.topo.streams.deadLetter, tb.topo.subjects.allDeadLetters(), { idleMs: 300 });
      return d.length >= 2 ? d : undefined;
    });
    const reasons = dead.map((d) => d.headers[DLQ_HEADERS.reason] ?? '');
    expect(reasons.some((r) => r.includes('message.customer_id'))).toBe(true);
    expect(reasons.some((r) => r.startsWith('undecodable'))).toBe(true);
    expect(dead.every((d) => d.headers[DLQ_HEADERS.stage] === 'intake')).toBe(true);
    const goodId = ticketIdFor('nats', good.externalId);
    const c = await eventually(async () => (await conclusions(tb.bus, tb.topo)).get(goodId));
    expect(areaLabel(c[0]!.area)).not.toBe('unknown');
  });
});
