import { describe, expect, it } from 'vitest';
import { Area, HumanDecision, Priority, QaReview, QaSampled, Route, type EventEnvelope } from '@handrail/contracts';
import { newEvent, type PayloadCase, type PayloadOf } from '@handrail/events';
import { applyEvent, emptyProjection, queuesOf, type ProjectionState } from './projection.js';

const producer = { service: 'test', version: '0', instance: 't' };
const at = (min: number) => new Date(Date.UTC(2025, 0, 6, 9, min));

function ev<C extends PayloadCase>(kind: C, ticketId: string, value: PayloadOf<C>, min = 0, idSuffix?: string): EventEnvelope {
  return newEvent({ kind, value, ticketId, producer, now: at(min), correlationId: `corr-${ticketId}`, idSuffix });
}

const ticket = (id: string) => ({
  ticketId: id, connector: 'grpc', externalId: `x-${id}`, channel: 'email', customerId: 'c-1', subject: 'Refund', body: 'Where is my refund of $30?',
  receivedAt: at(0).toISOString(), locale: 'en', customer: { customerId: 'c-1', tier: 'gold', accountValue: 120, priorContacts: 1, repeatOf: [], highRisk: false }, orders: [], metadata: {},
});

const context = (id: string) => {
  const { subject: _s, body: _b, locale: _l, orders: _o, metadata: _m, ...rest } = ticket(id);
  return rest;
};

function concluded(id: string, route: Route, extra: Partial<PayloadOf<'concluded'>> = {}): EventEnvelope {
  return ev('concluded', id, {
    context: context(id), route, reasons: [{ code: 'low_confidence', rule: 'escalation.low_confidence', detail: '0.4 < 0.7', evidence: ['0.4'] }],
    area: Area.AREA_REFUND, intent: 'refund_request', confidence: 0.88, queue: 'billing', priority: Priority.PRIORITY_HIGH, ...extra,
  }, 3);
}

function build(events: EventEnvelope[]): ProjectionState {
  return events.reduce(applyEvent, emptyProjection());
}

describe('projection', () => {
  it('projection — builds a ticket view from received, classified, draft_checked, concluded, handoff and qa_sampled', () => {
    const s = build([
      ev('received', 't1', { ticket: ticket('t1') }),
      ev('classified', 't1', { context: context('t1'), classification: { area: Area.AREA_REFUND, intent: 'refund_request', confidence: 0.88, sentiment: -0.1, entities: [], riskFlags: ['money'], outOfScope: false, modelVersion: 'm', models: [], opinions: [], modelDoubts: [] }, signals: { injection: [], riskKeywords: [] } }, 1),
      ev('draftChecked', 't1', {
        context: context('t1'),
        classification: undefined,
        plan: { intendedRoute: Route.ROUTE_AWAITING_APPROVAL, reasons: [] },
        draft: { text: 'Refunds take 5 days.', sentences: [{ text: 'Refunds take 5 days.', citations: [{ articleId: 'a', passageId: 'a#1', articleVersion: 'v1' }] }], citations: [{ articleId: 'a', passageId: 'a#1', articleVersion: 'v1' }], templateId: 'tpl', drafter: 'template-v1' },
        verdicts: [{ check: 'tone', passed: true, code: 'ok', detail: '', evidence: [] }],
        passed: true,
        relevance: undefined,
      }, 2),
      concluded('t1', Route.ROUTE_AWAITING_APPROVAL),
      ev('qaSampled', 't1', QaSampled.fromPartial({ ticketId: 't1', route: Route.ROUTE_AWAITING_APPROVAL, area: Area.AREA_REFUND, sampleReason: 'route', rate: 0.2 }), 4),
      ev('handoff', 't1', { ticketId: 't1', packet: { summary: 'refund late', kbFindings: ['refund-times'], triggers: ['low_confidence'], suggestedNextStep: 'check the return' } }, 5),
    ]);
    const t = s.tickets.get('t1');
    expect(t).toMatchObject({
      ticketId: 't1', correlationId: 'corr-t1', customerId: 'c-1', channel: 'email', body: 'Where is my refund of $30?', area: 'refund', intent: 'refund_request',
      confidence: 0.88, riskFlags: ['money'], route: 'awaiting_approval', queue: 'billing', priority: 'high',
      reasons: [{ code: 'low_confidence', evidence: ['0.4'] }], qaSampled: { reason: 'route', rate: 0.2, inclusionProbability: 0.2 },
      handoff: { summary: 'refund late', suggestedNextStep: 'check the return' },
      customer: { tier: 'gold', accountValue: 120 },
    });
    expect(t?.draft?.citations).toEqual([{ articleId: 'a', passageId: 'a#1', articleVersion: 'v1' }]);
    expect(t?.verdicts).toHaveLength(1);
    expect(t?.times.received).toBe(at(0).toISOString());
    expect(t?.times.concluded).toBe(at(3).toISOString());
  });

  it('projection — applying the same event twice changes nothing, and an old view is never mutated', () => {
    const d = ev('humanDecision', 't1', HumanDecision.fromPartial({ ticketId: 't1', actor: 'ann', action: 'approve', finalText: 'ok', note: '', previousRoute: Route.ROUTE_AWAITING_APPROVAL }), 6);
    const s = build([ev('received', 't1', { ticket: ticket('t1') }), concluded('t1', Route.ROUTE_AWAITING_APPROVAL)]);
    const before = s.tickets.get('t1');
    applyEvent(s, d);
    applyEvent(s, d);
    expect(s.tickets.get('t1')?.decisions).toHaveLength(1);
    expect(before?.decisions).toHaveLength(0);
  });

  it('projection — one review per reviewer, several reviewers per ticket', () => {
    const review = (who: string, defects: string[], min: number) =>
      ev('qaReview', 't1', QaReview.fromPartial({ ticketId: 't1', reviewer: who, defects, note: '', passed: defects.length === 0 }), min, who);
    const s = build([concluded('t1', Route.ROUTE_AUTO_RESOLVED), review('ann', [], 7), review('bob', ['tone_mismatch'], 8)]);
    expect(s.tickets.get('t1')?.reviews.map((r) => [r.reviewer, r.passed])).toEqual([['ann', true], ['bob', false]]);
  });

  it('queues — undecided approvals oldest first, escalations by queue and urgency, QA sample minus what I reviewed', () => {
    const s = build([
      concluded('a1', Route.ROUTE_AWAITING_APPROVAL),
      concluded('e1', Route.ROUTE_ESCALATED, { queue: 'billing', priority: Priority.PRIORITY_NORMAL }),
      concluded('e2', Route.ROUTE_ESCALATED, { queue: 'billing', priority: Priority.PRIORITY_URGENT }),
      concluded('e3', Route.ROUTE_ESCALATED, { queue: 'privacy', priority: Priority.PRIORITY_HIGH }),
      concluded('d1', Route.ROUTE_AWAITING_APPROVAL),
      ev('humanDecision', 'd1', HumanDecision.fromPartial({ ticketId: 'd1', actor: 'ann', action: 'reject', finalText: '', note: '', previousRoute: Route.ROUTE_AWAITING_APPROVAL }), 9),
      ev('qaSampled', 'a1', QaSampled.fromPartial({ ticketId: 'a1', route: Route.ROUTE_AWAITING_APPROVAL, area: Area.AREA_REFUND, sampleReason: 'route', rate: 1 })),
      ev('qaSampled', 'e1', QaSampled.fromPartial({ ticketId: 'e1', route: Route.ROUTE_ESCALATED, area: Area.AREA_REFUND, sampleReason: 'route', rate: 1 })),
      ev('qaReview', 'e1', QaReview.fromPartial({ ticketId: 'e1', reviewer: 'ann', defects: [], note: '', passed: true }), 10, 'ann'),
    ]);
    const q = queuesOf(s.tickets.values(), { viewer: 'ann' });
    expect(q.awaitingApproval.map((t) => t.ticketId)).toEqual(['a1']);
    expect(q.escalated.map((g) => [g.queue, g.tickets.map((t) => t.ticketId)])).toEqual([['billing', ['e2', 'e1']], ['privacy', ['e3']]]);
    expect(q.qaSample.map((t) => t.ticketId)).toEqual(['a1']);
    expect(queuesOf(s.tickets.values(), { viewer: 'bob' }).qaSample.map((t) => t.ticketId)).toEqual(['a1', 'e1']);
    expect(q.counts).toEqual({ awaitingApproval: 1, escalated: 3, qaSample: 1, decided: 1, breached: 0 });
  });
});

describe('queues for people (issue 10)', () => {
  it('queues — helpdesk number, customer, age and SLA from the pack; breaches first; filters by queue, claim and text', () => {
    const s = build([
      concluded('e1', Route.ROUTE_ESCALATED, { queue: 'billing', priority: Priority.PRIORITY_URGENT }),
      concluded('e2', Route.ROUTE_ESCALATED, { queue: 'privacy', priority: Priority.PRIORITY_NORMAL }),
      ev('claim', 'e2', { ticketId: 'e2', person: { subject: 'u-ana', issuer: 'i', name: 'Ana', roles: ['agent'] }, claimed: true, previousOwner: '', previousOwnerName: '' }, 5, '1'),
    ]);
    // No `received` event here: age counts from the conclusion at 09:03; read at 11:00. Privacy's SLA is 60 min (breached), billing's 4 h.
    const now = new Date(Date.UTC(2025, 0, 6, 11, 0));
    const sla = (q: string) => (q === 'privacy' ? 60 : 240);
    const q = queuesOf(s.tickets.values(), { viewer: 'u-ana', now, slaMinutes: sla });
    const items = q.escalated.flatMap((g) => g.tickets);
    expect(items.map((i) => [i.ticketId, i.ticketNumber, i.customerId, i.ageMinutes, i.slaMinutes, i.breached, i.claimedByName])).toEqual([
      ['e1', 'x-e1', 'c-1', 117, 240, false, ''],
      ['e2', 'x-e2', 'c-1', 117, 60, true, 'Ana'],
    ]);
    expect(q.counts.breached).toBe(1);
    expect(q.queues).toEqual(['billing', 'privacy']);
    const only = (filter: Parameters<typeof queuesOf>[1]) => queuesOf(s.tickets.values(), { viewer: 'u-ana', now, slaMinutes: sla, ...filter }).escalated.flatMap((g) => g.tickets.map((t) => t.ticketId));
    expect(only({ filter: { queue: 'billing' } })).toEqual(['e1']);
    expect(only({ filter: { claim: 'mine' } })).toEqual(['e2']);
    expect(only({ filter: { claim: 'unclaimed' } })).toEqual(['e1']);
    expect(only({ filter: { breached: true } })).toEqual(['e2']);
    expect(only({ filter: { q: 'X-E1' } })).toEqual(['e1']);
  });

  it('projection — deliveries and helpdesk outcomes (issue 14): a bad satisfaction rating puts the ticket in the QA queue', () => {
    const s = build([
      ev('received', 't9', { ticket: ticket('t9') }),
      concluded('t9', Route.ROUTE_AUTO_RESOLVED),
      ev('replySent', 't9', { ticketId: 't9', connector: 'zendesk', ticketKey: 'zendesk:n:1', kind: 'reply', visibility: 'public', providerMessageId: '77', idempotencyKey: 'k', attempts: 3, assignedGroup: '' }, 4, 'reply'),
      ev('replyFailed', 't9', { ticketId: 't9', connector: 'zendesk', ticketKey: 'zendesk:n:1', kind: 'note', reason: 'rejected', detail: 'HTTP 422', attempts: 1, httpStatus: 422 }, 5, 'note'),
      ev('helpdeskOutcome', 't9', { ticketId: 't9', connector: 'zendesk', ticketKey: 'zendesk:n:1', kind: 'satisfaction', rating: 'bad', score: 'bad', occurredAt: at(6).toISOString(), providerEventId: 'e' }, 6, 'satisfaction.x'),
    ]);
    const t = s.tickets.get('t9');
    expect(t?.deliveries.map((d) => [d.kind, d.delivered, d.reason])).toEqual([['reply', true, ''], ['note', false, 'rejected']]);
    expect(t?.outcomes).toEqual([{ kind: 'satisfaction', rating: 'bad', time: at(6).toISOString() }]);
    expect(t?.qaSampled).toMatchObject({ reason: 'csat_bad', rate: 1, factors: ['csat_bad'] });
    expect(queuesOf(s.tickets.values(), { viewer: 'ann' }).qaSample.map((q) => q.ticketId)).toEqual(['t9']);
  });
});
