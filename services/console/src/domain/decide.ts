import { HandrailError, NotFoundError, ValidationError } from '@handrail/errors';
import { DEFECTS, type CitationView, type DecisionAction, type Defect, type TicketView } from '@handrail/projection';

export const DECISION_ACTIONS = ['approve', 'edit', 'reject', 'resolve'] as const satisfies readonly DecisionAction[];

const ACTOR_RE = /^[A-Za-z0-9._@-]{1,64}$/;
const MAX_TEXT = 5_000;
const MAX_NOTE = 2_000;

/** The acting person as the auth proxy names them; also used in event ids, hence the narrow alphabet. */
export function parseActor(header: string | string[] | undefined): string | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  const s = v?.trim();
  if (!s) return undefined;
  if (!ACTOR_RE.test(s)) throw new ValidationError([{ field: 'X-Handrail-User', problem: `must match ${ACTOR_RE.source}` }]);
  return s;
}

export interface DecisionRequest {
  action: DecisionAction;
  text: string;
  note: string;
}

export interface ReviewRequest {
  defects: Defect[];
  note: string;
}

function isObject(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

function optionalString(body: Record<string, unknown>, field: string, max: number, problems: Array<{ field: string; problem: string }>): string {
  const v = body[field];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') {
    problems.push({ field, problem: 'must be a string' });
    return '';
  }
  if (v.length > max) problems.push({ field, problem: `must be at most ${max} characters` });
  return v.trim();
}

/** Checks a decision body's shape; every problem is named by its field. */
export function parseDecisionRequest(body: unknown): DecisionRequest {
  if (!isObject(body)) throw new ValidationError([{ field: 'body', problem: 'must be a JSON object' }]);
  const problems: Array<{ field: string; problem: string }> = [];
  const action = body['action'];
  if (typeof action !== 'string' || !(DECISION_ACTIONS as readonly string[]).includes(action)) {
    problems.push({ field: 'action', problem: `must be one of ${DECISION_ACTIONS.join(', ')}` });
  }
  const text = optionalString(body, 'text', MAX_TEXT, problems);
  const note = optionalString(body, 'note', MAX_NOTE, problems);
  if ((action === 'edit' || action === 'resolve') && !text) problems.push({ field: 'text', problem: `is required for ${action}` });
  if (problems.length) throw new ValidationError(problems);
  return { action: action as DecisionAction, text, note };
}

export function parseReviewRequest(body: unknown): ReviewRequest {
  if (!isObject(body)) throw new ValidationError([{ field: 'body', problem: 'must be a JSON object' }]);
  const problems: Array<{ field: string; problem: string }> = [];
  const raw = body['defects'];
  let defects: Defect[] = [];
  if (!Array.isArray(raw)) problems.push({ field: 'defects', problem: 'must be an array (empty for a pass)' });
  else {
    const bad = raw.filter((d) => typeof d !== 'string' || !(DEFECTS as readonly string[]).includes(d));
    if (bad.length) problems.push({ field: 'defects', problem: `unknown defect ${JSON.stringify(bad[0])}; allowed: ${DEFECTS.join(', ')}` });
    else defects = DEFECTS.filter((d) => raw.includes(d));
  }
  const note = optionalString(body, 'note', MAX_NOTE, problems);
  if (problems.length) throw new ValidationError(problems);
  return { defects, note };
}

export interface DecisionPlan {
  decision: { ticketId: string; actor: string; action: DecisionAction; finalText: string; note: string };
  /** Set for approve and edit: the reply that goes to the customer, once. */
  reply: { text: string; citations: CitationView[] } | undefined;
}

/**
 * Whether `actor` may take `req` on the ticket, and what that publishes. Approve, edit and reject
 * are for drafts awaiting approval; resolve is a person taking an escalation over. One decision
 * per ticket: a second one is a conflict, whoever makes it.
 */
export function planDecision(t: TicketView | undefined, actor: string, req: DecisionRequest): DecisionPlan {
  if (!t) throw new NotFoundError('no such ticket');
  if (!t.route) throw new HandrailError('failed_precondition', 'the ticket has not reached a terminal state yet');
  const first = t.decisions[0];
  if (first) throw new HandrailError('already_exists', `already decided: ${first.actor} chose ${first.action}`);
  const decision = { ticketId: t.ticketId, actor, action: req.action, finalText: '', note: req.note };
  switch (req.action) {
    case 'approve':
    case 'edit':
    case 'reject': {
      if (t.route !== 'awaiting_approval') throw new HandrailError('failed_precondition', `${req.action} is for tickets awaiting approval; this one is ${t.route}`);
      if (req.action === 'reject') return { decision, reply: undefined };
      if (req.action === 'approve' && !t.draft) throw new HandrailError('failed_precondition', 'there is no draft to approve');
      const text = req.action === 'approve' ? (t.draft?.text ?? '') : req.text;
      // An edited reply keeps the draft's citations: they name the passages the person started from.
      return { decision: { ...decision, finalText: text }, reply: { text, citations: t.draft?.citations ?? [] } };
    }
    case 'resolve':
      if (t.route !== 'escalated') throw new HandrailError('failed_precondition', `resolve (take over) is for escalated tickets; this one is ${t.route}`);
      return { decision: { ...decision, finalText: req.text }, reply: undefined };
  }
}

/**
 * The reply a recorded decision sends, if any: approve and edit send their final text with the
 * draft's citations. Derived from the decision event itself, so whoever handles it sends the same.
 */
export function replyForDecision(t: TicketView, d: { action: string; finalText: string }): { text: string; citations: CitationView[] } | undefined {
  if ((d.action !== 'approve' && d.action !== 'edit') || !d.finalText) return undefined;
  return { text: d.finalText, citations: t.draft?.citations ?? [] };
}

/** A QA review is for a concluded ticket, once per reviewer. */
export function planReview(t: TicketView | undefined, reviewer: string, req: ReviewRequest): { ticketId: string; reviewer: string; defects: Defect[]; note: string; passed: boolean } {
  if (!t) throw new NotFoundError('no such ticket');
  if (!t.route) throw new HandrailError('failed_precondition', 'the ticket has not reached a terminal state yet');
  if (t.reviews.some((r) => r.reviewer === reviewer)) throw new HandrailError('already_exists', `${reviewer} has already reviewed this ticket`);
  return { ticketId: t.ticketId, reviewer, defects: req.defects, note: req.note, passed: req.defects.length === 0 };
}
