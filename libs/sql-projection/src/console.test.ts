import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Area, HelpdeskOutcome, HumanDecision, Priority, QaReview, QaSampled, QaSeeded, Route, TicketClaim, type EventEnvelope } from '@handrail/contracts';
import { newEvent, type PayloadCase, type PayloadOf } from '@handrail/events';
import { applyEvent as foldEvent, emptyProjection, queuesOf } from '@handrail/projection';
import type { Db } from './db.js';
import { embeddedDb, migrate, openProjectionDb } from './db.js';
import { sqlQueues, waitForPosition } from './console.js';
import { applyEvent, storedPosition } from './projector.js';

const producer = { service: 'test', version: '0', instance: 't' };
const at = (min: number) => new Date(Date.UTC(2026, 10, 30, 9, min));
const ev = <C extends PayloadCase>(kind: C, ticketId: string, value: PayloadOf<C>, min: number, idSuffix?: string): EventEnvelope => newEvent({ kind, value, ticketId, producer, now: at(min), idSuffix });
const person = (subject: string, name: string) => ({ subject, name, roles: ['agent'], issuer: 'https://idp.test' });
const ctx = (id: string, tier = 'gold') => ({ ticketId: id, connector: 'zendesk', externalId: `n-${id}`, customerId: `c-${id}`, channel: 'email', receivedAt: at(0).toISOString(), customer: { customerId: `c-${id}`, tier, accountValue: 10, priorContacts: 0, repeatOf: [], highRisk: false } });
const received = (id: string, min: number) => ev('received', id, { ticket: { ...ctx(id), subject: `subject of ${id}`, body: 'the customer text', locale: 'en', orders: [], metadata: {} } } as PayloadOf<'received'>, min);
const concluded = (id: string, route: Route, min: number, queue = 'billing') =>
  ev('concluded', id, { context: ctx(id), route, reasons: [{ code: 'refund_over_limit', rule: 'r', detail: '', evidence: [] }, { code: 'vip', rule: 'r2', detail: '', evidence: [] }], area: Area.AREA_REFUND, intent: 'refund_request', confidence: 0.9, queue, priority: Priority.PRIORITY_HIGH } as unknown as PayloadOf<'concluded'>, min);

/** A stream a console sees: open, claimed, decided, sampled, seeded, rated bad, concluded without its received event. */
const STREAM: EventEnvelope[] = [
  received('t1', 0), concluded('t1', Route.ROUTE_AWAITING_APPROVAL, 1),
  received('t2', 2), concluded('t2', Route.ROUTE_ESCALATED, 3, 'security'),
  ev('claim', 't2', TicketClaim.fromPartial({ ticketId: 't2', person: person('u-ana', 'Ana Alvarez'), claimed: true }), 4, '1'),
  received('t3', 5), concluded('t3', Route.ROUTE_AWAITING_APPROVAL, 6),
  ev('claim', 't3', TicketClaim.fromPartial({ ticketId: 't3', person: person('u-ben', 'Ben Okafor'), claimed: true }), 7, '1'),
  ev('humanDecision', 't3', HumanDecision.fromPartial({ ticketId: 't3', actor: 'u-ben', person: person('u-ben', 'Ben Okafor'), action: 'approve' }), 8),
  ev('qaSampled', 't3', QaSampled.fromPartial({ ticketId: 't3', route: Route.ROUTE_AWAITING_APPROVAL, area: Area.AREA_REFUND, sampleReason: 'base', rate: 0.5, inclusionProbability: 0.5 }), 9),
  received('t4', 10), concluded('t4', Route.ROUTE_AUTO_RESOLVED, 11),
  ev('qaSampled', 't4', QaSampled.fromPartial({ ticketId: 't4', route: Route.ROUTE_AUTO_RESOLVED, area: Area.AREA_REFUND, sampleReason: 'base', rate: 0.2, inclusionProbability: 0.2 }), 12),
  ev('qaReview', 't4', QaReview.fromPartial({ ticketId: 't4', reviewer: 'u-rita', person: person('u-rita', 'Rita Moreau'), passed: true }), 13, 'rita'),
  concluded('t5', Route.ROUTE_ESCALATED, 14, 'security'),
  ev('qaSeeded', 't6', QaSeeded.fromPartial({ ticketId: 't6', seedId: 's-1', area: Area.AREA_REFUND, intent: 'refund_request', route: Route.ROUTE_AUTO_RESOLVED, channel: 'chat', subject: 'seeded subject', body: 'b', draftText: 'd', expectedDefects: ['hallucination'] }), 15),
  received('t7', 16), concluded('t7', Route.ROUTE_AUTO_RESOLVED, 17),
  ev('helpdeskOutcome', 't7', HelpdeskOutcome.fromPartial({ ticketId: 't7', kind: 'satisfaction', rating: 'bad', occurredAt: at(18).toISOString() }), 18),
  ev('claim', 't1', TicketClaim.fromPartial({ ticketId: 't1', person: person('u-ana', 'Ana Alvarez'), claimed: true }), 19, '1'),
  ev('claim', 't1', TicketClaim.fromPartial({ ticketId: 't1', person: person('u-ana', 'Ana Alvarez'), claimed: false }), 20, '2'),
];

describe('sql-projection — the console\'s work lists', () => {
  let db: Db;
  const memory = STREAM.reduce(foldEvent, emptyProjection());
  beforeAll(async () => {
    db = await embeddedDb();
    await migrate(db);
    for (const [i, e] of STREAM.entries()) await applyEvent(db, i + 1, e.time, e);
  }, 60_000);
  afterAll(async () => db?.close());

  it('sqlQueues — the lists and counts from SQL are exactly what the in-memory read model computes, for every viewer and filter', async () => {
    const now = at(90);
    const sla = (q: string) => (q === 'security' ? 30 : 60);
    const subjectOf = (id: string) => memory.tickets.get(id)?.subject ?? '';
    for (const viewer of ['u-ana', 'u-ben', 'u-rita']) {
      for (const filter of [{}, { claim: 'mine' as const }, { claim: 'unclaimed' as const }, { queue: 'security' }, { breached: true }, { q: 'n-t2' }]) {
        const want = queuesOf(memory.tickets.values(), { viewer, now, slaMinutes: sla, filter });
        expect(await sqlQueues(db, { viewer, now, slaMinutes: sla, filter, subjectOf }), `${viewer} ${JSON.stringify(filter)}`).toEqual(want);
      }
    }
    const all = await sqlQueues(db, { viewer: 'u-ana', now, slaMinutes: sla, subjectOf });
    // And they are the lists a person expects: not a comparison of two empty answers.
    expect(all.awaitingApproval.map((t) => [t.ticketId, t.ticketNumber, t.customerTier, t.claimedBy, t.subject])).toEqual([['t1', 'n-t1', 'gold', '', 'subject of t1']]);
    expect(all.escalated).toEqual([{ queue: 'security', tickets: [expect.objectContaining({ ticketId: 't2', claimedBy: 'u-ana', claimedByName: 'Ana Alvarez', reasons: ['refund_over_limit', 'vip'] }), expect.objectContaining({ ticketId: 't5', ticketNumber: 'n-t5' })] }]);
    expect(all.qaSample.map((t) => t.ticketId).sort()).toEqual(['t3', 't4', 't6', 't7']);
    expect(all.counts).toEqual({ awaitingApproval: 1, escalated: 2, qaSample: 4, decided: 1, breached: 3 });
    // Nobody reviews their own decision or reviews twice.
    expect((await sqlQueues(db, { viewer: 'u-ben', now, subjectOf })).qaSample.map((t) => t.ticketId)).not.toContain('t3');
    expect((await sqlQueues(db, { viewer: 'u-rita', now, subjectOf })).qaSample.map((t) => t.ticketId)).not.toContain('t4');
  });

  it('waitForPosition — true once the stored position reaches the sequence, false after the timeout', async () => {
    expect(await storedPosition(db)).toBe(STREAM.length);
    expect(await waitForPosition(db, STREAM.length, { timeoutMs: 10 })).toBe(true);
    const t0 = Date.now();
    expect(await waitForPosition(db, STREAM.length + 1, { timeoutMs: 150 })).toBe(false);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('openProjectionDb — an unreachable server fails at start naming DATABASE_URL and its host, never the password', async () => {
    const err = await openProjectionDb({ url: 'postgres://handrail:s3cret-pw@127.0.0.1:1/handrail' }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^DATABASE_URL \(127\.0\.0\.1:1\): cannot reach or migrate the SQL projection/);
    expect((err as Error).message).not.toContain('s3cret-pw');
  });
});
