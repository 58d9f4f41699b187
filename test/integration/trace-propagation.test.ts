import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { headers } from '@nats-io/transport-node';
import { InboundMessage } from '@handrail/contracts';
import { readStream } from '@handrail/bus';
import { ticketIdFor } from '@handrail/events';
import { eventually, openTestBus, type TestBus } from '@handrail/testing';
import { conclusions, startInProcess, type InProcessPipeline } from '../support/pipeline.js';

/**
 * No exporter and no context manager (the services' default, which spares every promise a hook):
 * a trace id that arrives with a message still leaves with every event the ticket causes.
 */
describe('trace propagation without an exporter (issue 9)', () => {
  let tb: TestBus;
  let pipeline: InProcessPipeline;
  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'tprop');
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix);
  });
  afterAll(async () => {
    await pipeline?.stop();
    await tb?.cleanup();
  });

  it('trace — the traceparent of an inbound message reaches every event of its ticket, in NATS headers', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const h = headers();
    h.set('traceparent', `00-${traceId}-00f067aa0ba902b7-01`);
    const m = InboundMessage.fromPartial({ connector: 'tprop', externalId: 'tp-1', customerId: 'c-tp', channel: 'chat', body: 'How long does standard shipping take?' });
    await tb.bus.js.publish(tb.topo.subjects.inbound('tprop'), JSON.stringify(InboundMessage.toJSON(m)), { msgID: 'tprop:tp-1', headers: h });
    const id = ticketIdFor('tprop', 'tp-1');
    await eventually(async () => (await conclusions(tb.bus, tb.topo)).get(id));
    const events = await eventually(async () => {
      const all = await readStream(tb.bus, tb.topo.streams.events, tb.topo.subjects.ticketTimeline(id), { idleMs: 300 });
      return all.some((e) => e.subject.includes('.qa_sampled.')) || all.length >= 7 ? all : undefined;
    });
    expect(events.length).toBeGreaterThanOrEqual(7);
    for (const e of events) expect(e.headers['traceparent'], e.subject).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`));
  });
});
