import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Area, QaSampled, Route } from '@handrail/contracts';
import { follow } from '@handrail/bus';
import { encodeEvent, newEvent } from '@handrail/events';
import { createLogger } from '@handrail/observability';
import { openTestBus, type TestBus } from '@handrail/testing';

const log = createLogger({ service: 'follow-test', version: '0', level: 'silent' });

describe('follow', () => {
  let tb: TestBus;
  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'follow');
  });
  afterAll(async () => {
    await tb?.cleanup();
  });

  it('follow — a filter nothing matches yet is caught up at once on a stream that holds other events; later matches still arrive (issue 13: the guardrail follows automation changes)', async () => {
    const producer = { service: 't', version: '0', instance: 'i' };
    for (let i = 0; i < 5; i++) {
      const e = newEvent({ kind: 'qaSampled', value: QaSampled.fromPartial({ ticketId: `t-f${i}`, route: Route.ROUTE_AUTO_RESOLVED, area: Area.AREA_FAQ_STATUS }), ticketId: `t-f${i}`, producer });
      await tb.bus.js.publish(tb.topo.subjects.event('qa_sampled', `t-f${i}`), encodeEvent(e), { msgID: e.eventId });
    }
    const seen: string[] = [];
    const f = await follow(tb.bus, tb.topo.streams.events, tb.topo.subjects.eventsOfType('automation_changed'), (e) => seen.push(e.eventId), log);
    const caught = await Promise.race([f.caughtUp.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
    expect(caught).toBe(true);
    const later = newEvent({ kind: 'qaSampled', value: QaSampled.fromPartial({ ticketId: 'automation' }), ticketId: 'automation', producer });
    await tb.bus.js.publish(tb.topo.subjects.event('automation_changed', 'automation'), encodeEvent(later), { msgID: 'x1' });
    const until = Date.now() + 5000;
    while (seen.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(seen).toHaveLength(1);
    await f.stop();
  });
});
