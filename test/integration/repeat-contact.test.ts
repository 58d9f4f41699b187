import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { InboundMessage, Route } from '@handrail/contracts';
import { ticketIdFor } from '@handrail/events';
import { eventually, openTestBus, type TestBus } from '@handrail/testing';
import { conclusions, intakeClient, startInProcess, type InProcessPipeline } from '../support/pipeline.js';

describe('repeat contact across tickets and channels (issue 4)', () => {
  let tb: TestBus;
  let pipeline: InProcessPipeline;
  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'repeat');
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix);
  });
  afterAll(async () => {
    await pipeline?.stop();
    await tb?.cleanup();
  });

  it('repeat_contact — a second contact on the same issue, on another channel, is escalated naming the first', async () => {
    const client = intakeClient(pipeline.grpcAddr);
    const first = await client.submit({ connector: 'zendesk', externalId: 'r-1', customerId: 'c-repeat', channel: 'email', body: 'How long does standard shipping take?' });
    await eventually(async () => (await conclusions(tb.bus, tb.topo)).get(first.ticketId));
    // Same customer, other connector and channel, same issue.
    const m = InboundMessage.fromPartial({ connector: 'intercom', externalId: 'r-2', customerId: 'c-repeat', channel: 'chat', body: 'how many days does standard delivery take??' });
    await tb.bus.js.publish(tb.topo.subjects.inbound('intercom'), JSON.stringify(InboundMessage.toJSON(m)), { msgID: 'intercom:r-2' });
    const second = await eventually(async () => (await conclusions(tb.bus, tb.topo)).get(ticketIdFor('intercom', 'r-2')));
    expect(second[0]?.route).toBe(Route.ROUTE_ESCALATED);
    const reason = second[0]?.reasons.find((r) => r.code === 'repeat_contact');
    expect(reason?.evidence).toEqual([first.ticketId]);

    // A different customer asking the same thing is not a repeat contact.
    const other = await client.submit({ connector: 'zendesk', externalId: 'r-3', customerId: 'c-other', channel: 'email', body: 'How long does standard shipping take?' });
    client.close();
    const third = await eventually(async () => (await conclusions(tb.bus, tb.topo)).get(other.ticketId));
    expect(third[0]?.reasons.map((r) => r.code)).not.toContain('repeat_contact');
  });

  it('open_human_case — after a safety case, the same customer\'s next message goes to the safety queue, not to AI', async () => {
    const client = intakeClient(pipeline.grpcAddr);
    // The control first: this question alone is answered by AI for a customer with no open case.
    const control = await client.submit({ connector: 'zendesk', externalId: 'o-0', customerId: 'c-calm', channel: 'chat', body: 'How long does standard shipping take?' });
    const ctl = await eventually(async () => (await conclusions(tb.bus, tb.topo)).get(control.ticketId));
    expect(ctl[0]?.reasons.map((r) => r.code)).not.toContain('open_human_case');
    const stolen = await client.submit({ connector: 'zendesk', externalId: 'o-1', customerId: 'c-open', channel: 'chat', body: 'Someone stole my wallet with my credit card in it' });
    const first = await eventually(async () => (await conclusions(tb.bus, tb.topo)).get(stolen.ticketId));
    expect(first[0]?.route).toBe(Route.ROUTE_ESCALATED);
    const follow = await client.submit({ connector: 'zendesk', externalId: 'o-2', customerId: 'c-open', channel: 'chat', body: 'How long does standard shipping take?' });
    client.close();
    const second = await eventually(async () => (await conclusions(tb.bus, tb.topo)).get(follow.ticketId));
    expect(second[0]?.route).toBe(Route.ROUTE_ESCALATED);
    const reason = second[0]?.reasons.find((r) => r.code === 'open_human_case');
    expect(reason?.evidence).toEqual([stolen.ticketId]);
    expect(second[0]?.queue).toBe(first[0]?.queue);
  });
});
