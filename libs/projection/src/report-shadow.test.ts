import { describe, expect, it } from 'vitest';
import { TicketConcluded, TicketReceived, ShadowDecided, AiAction } from '@handrail/contracts';
import { AREA, newEvent, PRIORITY, ROUTE, type RouteName } from '@handrail/events';
import { applyEvent, emptyProjection } from './projection.js';
import { renderWeeklyHtml } from './report-html.js';
import { renderShadowText, shadowSection } from './report-shadow.js';
import { weeklyReport } from './report.js';

const producer = (service: string) => ({ service, version: 't', instance: 't' });
const conclusion = (route: RouteName, codes: string[], queue = 'billing') =>
  TicketConcluded.fromPartial({ route: ROUTE.value(route), area: AREA.value('refund'), priority: PRIORITY.value('normal'), queue, reasons: codes.map((code) => ({ code, rule: `r.${code}`, detail: '', evidence: [] })) });

/** A ticket's received and concluded events (production) and, optionally, a candidate's shadow decision. */
function ticket(state: ReturnType<typeof emptyProjection>, id: string, prod: TicketConcluded | undefined, shadow: TicketConcluded | undefined, candidate = 'cand00000001') {
  const received = newEvent({ kind: 'received', ticketId: id, producer: producer('intake'), value: TicketReceived.fromPartial({ ticket: { ticketId: id, receivedAt: '2026-11-30T10:00:00Z', customerId: 'c' } }), now: new Date('2026-11-30T10:00:00Z') });
  applyEvent(state, received);
  if (shadow) {
    const env = newEvent({ kind: 'shadowDecided', ticketId: id, producer: producer('shadow'), cause: received, idSuffix: candidate, revisions: { policy: candidate, kb: 'kb1', model: 'm' }, value: ShadowDecided.fromPartial({ concluded: shadow, aiAction: AiAction.AI_ACTION_DRAFT, production: { policy: 'prod00000001', kb: 'kb1', model: 'm' } }) });
    applyEvent(state, env);
    // A redelivered shadow event changes nothing.
    applyEvent(state, env);
  }
  if (prod) applyEvent(state, newEvent({ kind: 'concluded', ticketId: id, producer: producer('escalation'), cause: received, revisions: { policy: 'prod00000001' }, value: prod }));
}

describe('weekly report — shadow mode (issue 15)', () => {
  it('shadow — tickets compared, the same, and changed by route, area and reason with examples', () => {
    const state = emptyProjection();
    ticket(state, 't1', conclusion('escalated', ['refund_over_limit']), conclusion('awaiting_approval', []));
    ticket(state, 't2', conclusion('escalated', ['refund_over_limit']), conclusion('awaiting_approval', []));
    ticket(state, 't3', conclusion('auto_resolved', []), conclusion('auto_resolved', []));
    ticket(state, 't4', conclusion('escalated', ['safety']), conclusion('escalated', ['safety'], 'trust'));
    ticket(state, 't5', undefined, conclusion('escalated', ['safety']));
    ticket(state, 't6', conclusion('escalated', ['safety']), undefined);
    const s = shadowSection([...state.tickets.values()]);
    expect(s.candidates).toHaveLength(1);
    const c = s.candidates[0];
    expect(c).toMatchObject({ candidate: { policy: 'cand00000001', kb: 'kb1' }, production: ['prod00000001'], shadowed: 5, compared: 4, pending: 1, same: 1, sameRoute: 2, changed: 3, routeChanged: 2 });
    expect(c?.byRoute).toEqual([
      { key: 'escalated → awaiting_approval', count: 2, examples: ['t1', 't2'] },
      { key: 'escalated → escalated', count: 1, examples: ['t4'] },
    ]);
    expect(c?.byReason).toEqual([{ key: '-refund_over_limit', count: 2, examples: ['t1', 't2'] }]);
    expect(c?.changes.find((x) => x.ticketId === 't4')?.queue).toEqual({ from: 'billing', to: 'trust' });
    expect(renderShadowText('2026-W49', s)[0]).toBe('shadow in 2026-W49 — candidate policy cand00000001, KB kb1 vs production prod00000001: 4 compared (1 not concluded yet), 1 same, 3 changed, 2 of them in route');
  });

  it('shadow — the weekly report carries the comparison, and its HTML section appears only when shadow mode ran', () => {
    const on = emptyProjection();
    ticket(on, 't1', conclusion('escalated', ['refund_over_limit']), conclusion('awaiting_approval', []));
    const weeks = weeklyReport(on.tickets.values());
    expect(weeks[0]?.shadow.candidates[0]?.routeChanged).toBe(1);
    // A shadow decision is no activity on the ticket, and never touches production's view.
    expect(on.tickets.get('t1')?.route).toBe('escalated');
    const html = renderWeeklyHtml({ weeks, week: weeks[0], title: 'r', generatedAt: 'now' });
    expect(html).toContain('Shadow mode: candidate vs production');
    expect(html).toContain('escalated → awaiting_approval');
    const off = emptyProjection();
    ticket(off, 't1', conclusion('escalated', []), undefined);
    const w2 = weeklyReport(off.tickets.values());
    expect(w2[0]?.shadow.candidates).toEqual([]);
    expect(renderWeeklyHtml({ weeks: w2, week: w2[0], title: 'r', generatedAt: 'now' })).not.toContain('Shadow mode');
  });
});
