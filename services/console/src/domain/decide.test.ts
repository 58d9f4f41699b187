import { describe, expect, it } from 'vitest';
import { HandrailError, ValidationError } from '@handrail/errors';
import { parseActor, parseDecisionRequest, parseReviewRequest, planDecision, planReview, replyForDecision } from './decide.js';
import type { RouteName } from '@handrail/events';
import { emptyTicket, type TicketView } from '@handrail/projection';

function view(route: RouteName | undefined, o: Partial<TicketView> = {}): TicketView {
  return {
    ...emptyTicket('t1'),
    route,
    connector: 'grpc',
    draft: { text: 'Your refund is on its way.', citations: [{ articleId: 'a', passageId: 'a#1', articleVersion: 'v1' }], sentences: [], drafter: 'template-v1', templateId: 'x' },
    ...o,
  };
}

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as HandrailError).code;
  }
  return 'ok';
};

describe('decisions', () => {
  it('decision input — names the field that is wrong', () => {
    expect(() => parseDecisionRequest({ action: 'nuke' })).toThrow(/action/);
    expect(() => parseDecisionRequest({ action: 'edit' })).toThrow(/text: is required for edit/);
    expect(() => parseDecisionRequest({ action: 'approve', note: 3 })).toThrow(/note: must be a string/);
    expect(() => parseDecisionRequest([])).toThrow(ValidationError);
    expect(parseDecisionRequest({ action: 'resolve', text: ' Done. ' })).toEqual({ action: 'resolve', text: 'Done.', note: '' });
  });

  it('review input — only the defect taxonomy, an empty list is a pass', () => {
    expect(parseReviewRequest({ defects: [] })).toEqual({ defects: [], note: '' });
    expect(parseReviewRequest({ defects: ['tone_mismatch', 'hallucination', 'tone_mismatch'], note: 'x' })).toEqual({ defects: ['hallucination', 'tone_mismatch'], note: 'x' });
    expect(() => parseReviewRequest({ defects: ['rude'] })).toThrow(/defects: unknown defect "rude"/);
    expect(() => parseReviewRequest({})).toThrow(/defects/);
  });

  it('actor — missing is undefined, odd characters are refused', () => {
    expect(parseActor(undefined)).toBeUndefined();
    expect(parseActor('  ')).toBeUndefined();
    expect(parseActor('ann.lee@example.com')).toBe('ann.lee@example.com');
    expect(() => parseActor('ann lee')).toThrow(/X-Handrail-User/);
  });

  it('approve — sends the draft with its citations; edit sends the edited text; reject sends nothing', () => {
    const t = view('awaiting_approval');
    const a = planDecision(t, 'ann', { action: 'approve', text: '', note: '' });
    expect(a.reply).toEqual({ text: 'Your refund is on its way.', citations: [{ articleId: 'a', passageId: 'a#1', articleVersion: 'v1' }] });
    expect(a.decision).toMatchObject({ actor: 'ann', action: 'approve', finalText: 'Your refund is on its way.' });
    expect(planDecision(t, 'ann', { action: 'edit', text: 'Edited.', note: 'n' }).reply?.text).toBe('Edited.');
    expect(planDecision(t, 'ann', { action: 'reject', text: '', note: 'wrong article' }).reply).toBeUndefined();
  });

  it('reply — follows from the decision event: approve and edit send, reject and resolve do not', () => {
    const t = view('awaiting_approval');
    expect(replyForDecision(t, { action: 'edit', finalText: 'Edited.' })).toEqual({ text: 'Edited.', citations: t.draft?.citations });
    expect(replyForDecision(t, { action: 'reject', finalText: '' })).toBeUndefined();
    expect(replyForDecision(view('escalated'), { action: 'resolve', finalText: 'Done by phone.' })).toBeUndefined();
  });

  it('decisions — one per ticket, each action only for its route', () => {
    const decided = view('awaiting_approval', { decisions: [{ actor: 'bob', action: 'approve', finalText: 'x', note: '', time: '' }] });
    expect(code(() => planDecision(decided, 'ann', { action: 'approve', text: '', note: '' }))).toBe('already_exists');
    expect(code(() => planDecision(view('escalated'), 'ann', { action: 'approve', text: '', note: '' }))).toBe('failed_precondition');
    expect(code(() => planDecision(view('awaiting_approval'), 'ann', { action: 'resolve', text: 'x', note: '' }))).toBe('failed_precondition');
    expect(code(() => planDecision(view('auto_resolved'), 'ann', { action: 'reject', text: '', note: '' }))).toBe('failed_precondition');
    expect(code(() => planDecision(view(undefined), 'ann', { action: 'reject', text: '', note: '' }))).toBe('failed_precondition');
    expect(code(() => planDecision(undefined, 'ann', { action: 'reject', text: '', note: '' }))).toBe('not_found');
    expect(code(() => planDecision(view('awaiting_approval', { draft: undefined }), 'ann', { action: 'approve', text: '', note: '' }))).toBe('failed_precondition');
    const r = planDecision(view('escalated'), 'ann', { action: 'resolve', text: 'I refunded it.', note: '' });
    expect(r).toEqual({ decision: { ticketId: 't1', actor: 'ann', action: 'resolve', finalText: 'I refunded it.', note: '' }, reply: undefined });
  });

  it('reviews — once per reviewer, on concluded tickets only', () => {
    const t = view('auto_resolved', { reviews: [{ reviewer: 'bob', defects: [], passed: true, note: '', time: '' }] });
    expect(planReview(t, 'ann', { defects: ['hallucination'], note: '' })).toMatchObject({ reviewer: 'ann', passed: false });
    expect(code(() => planReview(t, 'bob', { defects: [], note: '' }))).toBe('already_exists');
    expect(code(() => planReview(view(undefined), 'ann', { defects: [], note: '' }))).toBe('failed_precondition');
  });
});
