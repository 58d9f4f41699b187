import { describe, expect, it } from 'vitest';
import { AiAction, Area, AutomationChanged, Route, type EventEnvelope } from '@handrail/contracts';
import { newEvent } from '@handrail/events';
import { emptyTicket, type TicketView } from '@handrail/projection';
import { testPolicy } from '@handrail/testing';
import { breakerRuleFor, LoopState, planDemotions, planRestore, seedAfter } from './index.js';

const pack = testPolicy((p) => {
  p.qa.circuit_breakers = { default: { max_defect_rate: 0.2, confidence: 0.95, min_reviews: 4, severities: ['major', 'critical'] }, by_area: { faq_status: { max_defect_rate: 0.1 } } };
  p.qa.seeding = { every: 5, seeds: [{ id: 's1', area: 'refund', intent: 'refund_request', channel: 'chat', subject: '', body: 'b', draft: 'We refunded $900.', defects: ['policy_misapplication'] }] };
});
const producer = { service: 'qa-sampler', version: 't', instance: 't' };

function reviewed(id: string, area: string, defective: boolean): TicketView {
  return {
    ...emptyTicket(id),
    area,
    route: 'auto_resolved',
    times: { received: '2026-12-01T10:00:00Z', concluded: '2026-12-01T10:00:01Z', decided: '', last: '' },
    qaSampled: { reason: 'base', rate: 0.2, inclusionProbability: 0.2, factors: ['base'], stage: 'conclusion', stratum: `${area}/auto_resolved` },
    reviews: [{ reviewer: 'q', reviewerName: 'Q', defects: defective ? ['hallucination'] : [], findings: defective ? [{ category: 'hallucination', severity: 'major', note: '' }] : [], passed: !defective, note: '', time: '', blind: true, reviewMs: 0, session: '' }],
  };
}

describe('quality — the loop over the read model', () => {
  it('breakers — the area rule merges the default; an area over its bound is demoted one level, once per sequence', () => {
    expect(breakerRuleFor(pack, 'faq_status')).toMatchObject({ max_defect_rate: 0.1, min_reviews: 4, severities: ['major', 'critical'] });
    const loop = new LoopState();
    const tickets = [...Array.from({ length: 5 }, (_, i) => reviewed(`f${i}`, 'faq_status', true)), ...Array.from({ length: 5 }, (_, i) => reviewed(`r${i}`, 'routine', false))];
    const plans = planDemotions(tickets, pack, loop.automation, loop.lastChangeAt);
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatchObject({ idSuffix: 'faq_status-1', change: { action: 'demote', area: Area.AREA_FAQ_STATUS, maxAction: AiAction.AI_ACTION_DRAFT, previousAction: AiAction.AI_ACTION_RESOLVE } });
    // Once applied, only decisions after the change count: nothing more to demote.
    const env: EventEnvelope = newEvent({ kind: 'automationChanged', value: plans[0]!.change, ticketId: 'automation', producer, idSuffix: plans[0]!.idSuffix, now: new Date('2026-12-01T11:00:00Z') });
    loop.apply(env);
    expect(planDemotions(tickets, pack, loop.automation, loop.lastChangeAt)).toHaveLength(0);
    // A restore goes back to what the pack grants, with the next sequence.
    expect(planRestore('faq_status', pack, loop, 'fixed the article')).toMatchObject({ idSuffix: 'faq_status-2', change: { action: 'restore', maxAction: AiAction.AI_ACTION_RESOLVE } });
    expect(planRestore('routine', pack, loop, 'x')).toEqual({ nothing: 'routine is not demoted' });
  });

  it('seeds — a seed from the library, its id derived from the triggering ticket and shaped like any ticket id', () => {
    const a = seedAfter(pack, 't-abc');
    expect(a).toMatchObject({ seedId: 's1', expectedDefects: ['policy_misapplication'], route: Route.ROUTE_AWAITING_APPROVAL });
    expect(a?.ticketId).toMatch(/^t-[0-9a-f]{24}$/);
    expect(seedAfter(pack, 't-abc')?.ticketId).toBe(a?.ticketId);
    expect(AutomationChanged.fromPartial({}).action).toBe('');
  });
});
