import { describe, expect, it } from 'vitest';
import { TicketConcluded } from '@handrail/contracts';
import { AREA, PRIORITY, ROUTE } from '@handrail/events';
import { compareStage } from './rederive.js';
import { renderImpactHtml, renderImpactText } from './render.js';
import { changeOf, impactReport } from './what-if.js';

const concluded = (route: 'escalated' | 'awaiting_approval' | 'auto_resolved', codes: string[], queue = 'refunds'): TicketConcluded =>
  TicketConcluded.fromPartial({ route: ROUTE.value(route), area: AREA.value('refund'), priority: PRIORITY.value('normal'), queue, reasons: codes.map((code) => ({ code, rule: 'r', detail: '', evidence: [] })) });

describe('what-if and re-derivation comparisons (issue 15)', () => {
  it('what-if — the same conclusion is no change; a route or reason change is, with what moved', () => {
    expect(changeOf('t1', '', concluded('escalated', ['policy_exception']), concluded('escalated', ['policy_exception']))).toBeUndefined();
    const c = changeOf('t2', '', concluded('escalated', ['policy_exception']), concluded('awaiting_approval', [], ''));
    expect(c).toMatchObject({ route: { from: 'escalated', to: 'awaiting_approval' }, queue: { from: 'refunds', to: '' }, reasonsRemoved: ['policy_exception'], reasonsAdded: [] });
  });

  it('what-if — changes are grouped by area, route and reason with counts and at most five examples', () => {
    const changes = Array.from({ length: 7 }, (_, i) => changeOf(`t${i}`, '', concluded('escalated', ['policy_exception']), i < 6 ? concluded('awaiting_approval', []) : concluded('escalated', ['no_grounding']))).filter((c) => c !== undefined);
    const r = impactReport({ policy: 'abc', policySource: 'file x', kb: '', kbSource: 'recorded' }, { from: null, to: null }, 10, 0, changes);
    expect(r.byRoute).toEqual([
      { key: 'escalated → awaiting_approval', count: 6, examples: ['t0', 't1', 't2', 't3', 't4'] },
      { key: 'escalated → escalated', count: 1, examples: ['t6'] },
    ]);
    expect(r.byReason.map((g) => [g.key, g.count])).toEqual([['-policy_exception', 7], ['+no_grounding', 1]]);
    expect(r.byArea).toEqual([{ key: 'refund', count: 7, examples: ['t0', 't1', 't2', 't3', 't4'] }]);
    expect(renderImpactText(r)).toContain('10 recorded tickets re-decided in process (nothing published), 7 would change');
    expect(renderImpactHtml({ ...r, candidate: { ...r.candidate, policySource: '<script>x</script>' } })).not.toContain('<script>x');
  });

  it('rederive — a stage compares field by field down to the value that differs', () => {
    expect(compareStage('concluded', concluded('escalated', ['a']), concluded('escalated', ['a']))).toEqual([]);
    expect(compareStage('concluded', concluded('escalated', ['a'], 'refunds'), concluded('escalated', ['a'], 'attacker'))).toEqual([{ stage: 'concluded', field: 'queue', recorded: 'refunds', now: 'attacker' }]);
    expect(compareStage('handoff', undefined, { ticketId: 'x' })).toEqual([{ stage: 'handoff', field: '(event)', recorded: '(none)', now: 'present' }]);
  });
});
