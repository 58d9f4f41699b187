import type { QaUnit } from '@handrail/qa';
import type { TicketView } from './projection.js';
import { isoWeek } from './report.js';

/**
 * A ticket view as the QA loop's functions see it (libs/qa): the inclusion probability of its sample
 * (none when it was sampled outside the design, e.g. for a bad satisfaction rating), its reviews,
 * what produced it, the person's decision and the helpdesk's outcome.
 */
export function qaUnitOf(t: TicketView): QaUnit {
  const s = t.qaSampled;
  const inDesign = s && !t.seed && !s.factors.includes('csat_bad');
  const pi = inDesign ? s.inclusionProbability || s.rate : undefined;
  const state = t.outcomes.filter((o) => o.kind === 'solved' || o.kind === 'reopened').at(-1)?.kind;
  const d = t.decisions[0];
  return {
    ticketId: t.ticketId,
    area: t.area,
    route: t.route ?? '',
    channel: t.channel,
    intent: t.intent,
    week: isoWeek(t.times.received || t.times.concluded || t.times.last),
    concludedAt: t.times.concluded,
    pi: pi && pi > 0 ? Math.min(1, pi) : undefined,
    seed: t.seed ? { expected: t.seed.expected } : undefined,
    reviews: t.reviews.map((r) => ({ reviewer: r.reviewer, reviewerName: r.reviewerName, findings: r.findings, time: r.time, reviewMs: r.reviewMs, session: r.session })),
    citations: d?.citations.length ? d.citations : (t.draft?.citations ?? []),
    drafter: t.draft?.drafter ?? '',
    template: t.draft?.templateId ?? '',
    promptVersion: t.draft?.drafter.startsWith('llm') ? t.revisions.policy : '',
    reasons: t.reasons.map((r) => r.code),
    decision: d ? { actor: d.actor, actorName: d.actorName, action: d.action, reviewMs: d.reviewMs, edited: (d.edit?.changeRatio ?? 0) > 0, overridden: Boolean(d.override) } : undefined,
    outcome: state === 'solved' ? 'solved' : state === 'reopened' ? 'reopened' : 'unknown',
    repeat: t.reasons.some((r) => r.code === 'repeat_contact') || t.outcomes.some((o) => o.kind === 'reopened'),
  };
}

export function qaUnitsOf(tickets: Iterable<TicketView>): QaUnit[] {
  const out: QaUnit[] = [];
  for (const t of tickets) if (t.route) out.push(qaUnitOf(t));
  return out;
}
