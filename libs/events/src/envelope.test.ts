import { describe, expect, it } from 'vitest';
import { HandrailError } from '@handrail/errors';
import { Area, Priority, Route } from '@handrail/contracts';
import {
  AI_ACTION,
  AREA,
  areaLabel,
  decodeEvent,
  encodeEvent,
  EnvelopeError,
  InvalidNameError,
  newEvent,
  payloadOf,
  PRIORITY,
  ROUTE,
  topology,
} from './index.js';

const producer = { service: 'test', version: '0', instance: 'i' };

describe('envelope', () => {
  it('envelope — round-trips through JSON with ids, correlation and revisions', () => {
    const first = newEvent({
      kind: 'received',
      value: { ticket: undefined },
      ticketId: 't-1',
      producer,
      revisions: { policy: 'p1' },
    });
    const second = newEvent({
      kind: 'concluded',
      value: {
        context: undefined,
        route: Route.ROUTE_ESCALATED,
        reasons: [{ code: 'low_confidence', rule: 'r', detail: 'd', evidence: [] }],
        area: Area.AREA_REFUND,
        intent: 'x',
        confidence: 0.5,
        queue: 'q',
        priority: Priority.PRIORITY_NORMAL,
      },
      ticketId: 't-1',
      producer,
      cause: first,
      revisions: { model: 'm1' },
    });
    const back = decodeEvent(encodeEvent(second));
    expect(back.eventId).toBe('t-1.concluded');
    expect(back.correlationId).toBe(first.correlationId);
    expect(back.causationId).toBe('t-1.received');
    expect(back.revisions).toEqual({ policy: 'p1', model: 'm1', kb: '' });
    expect(payloadOf(back, 'concluded').route).toBe(Route.ROUTE_ESCALATED);
  });

  it('envelope — rejects garbage, wrong versions and mismatched types with a reason', () => {
    const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
    expect(() => decodeEvent(new TextEncoder().encode('{nope'))).toThrow(EnvelopeError);
    expect(() => decodeEvent(enc([]))).toThrow(/not an object/);
    expect(() => decodeEvent(enc({ eventId: 'a', ticketId: 't', schemaVersion: 9 }))).toThrow(/schemaVersion 9/);
    expect(() =>
      decodeEvent(enc({ eventId: 'a', ticketId: 't', schemaVersion: 2, type: 'classified', received: {} })),
    ).toThrow(/does not match/);
  });

  it('names — areas, routes, priorities and actions map to the policy spelling and back, derived from proto', () => {
    expect(AREA.name(Area.AREA_TALK_TO_HUMAN)).toBe('talk_to_human');
    expect(AREA.value('faq_status')).toBe(Area.AREA_FAQ_STATUS);
    expect(AREA.parse('nonsense')).toBeUndefined();
    expect(AREA.name(Area.AREA_UNSPECIFIED)).toBeUndefined();
    expect(areaLabel(Area.AREA_UNSPECIFIED)).toBe('unknown');
    expect(AREA.names).toHaveLength(Object.values(Area).length - 1);
    expect(ROUTE.name(Route.ROUTE_AUTO_RESOLVED)).toBe('auto_resolved');
    expect(ROUTE.value('escalated')).toBe(Route.ROUTE_ESCALATED);
    expect(ROUTE.names).toEqual(['auto_resolved', 'awaiting_approval', 'escalated']);
    expect(PRIORITY.names).toEqual(['low', 'normal', 'high', 'urgent']);
    expect(PRIORITY.value('urgent')).toBe(Priority.PRIORITY_URGENT);
    expect(AI_ACTION.names).toEqual(['none', 'assist', 'draft', 'resolve']);
  });
});

describe('topology', () => {
  it('subjects — derive from one prefix and refuse unsafe tokens', () => {
    const t = topology('hr-test_1');
    expect(t.streams.events).toBe('HR_TEST_1_EVENTS');
    expect(t.subjects.event('classified', 't-abc')).toBe('hr-test_1.evt.classified.t-abc');
    expect(t.subjects.ticketTimeline('t-abc')).toBe('hr-test_1.evt.*.t-abc');
    expect(() => t.subjects.event('classified', 'a.b')).toThrow(/ticket id/);
    expect(() => topology('Bad Prefix')).toThrow(/prefix/);
  });

  it('subjects — an unsafe name is an invalid_argument in the error taxonomy', () => {
    expect(() => topology('Bad Prefix')).toThrow(InvalidNameError);
    expect(() => topology('Bad Prefix')).toThrow(HandrailError);
    expect(() => topology('Bad Prefix')).toThrow(expect.objectContaining({ code: 'invalid_argument', retryable: false }));
  });
});
