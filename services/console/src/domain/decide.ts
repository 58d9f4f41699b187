import type { Draft, HumanDecision, QaReview, TicketClaim } from '@handrail/contracts';
import { Route } from '@handrail/contracts';
import { checkHumanReply } from '@handrail/decisions';
import { HandrailError, NotFoundError, ValidationError } from '@handrail/errors';
import { AREA, ROUTE } from '@handrail/events';
import type { KnowledgeBase } from '@handrail/kb';
import { BUILTIN_DEFECTS, refundLimitFor, SEVERITIES, type PolicyPack } from '@handrail/policy';
import { editStats, type CitationView, type DecisionAction, type TicketView } from '@handrail/projection';

type Severity = (typeof SEVERITIES)[number];
import { ChecksFailedError, ForbiddenError, personOf, requirePermission, type Actor } from './access.js';

export const DECISION_ACTIONS = ['approve', 'edit', 'reject', 'resolve'] as const satisfies readonly DecisionAction[];

const MAX_TEXT = 5_000;
const MAX_NOTE = 2_000;

export interface DecisionRequest {
  action: DecisionAction;
  text: string;
  note: string;
  /** A supervisor's reason to send a reply that failed checks; empty: no override. */
  overrideReason: string;
}

export interface ReviewRequest {
  /** Each defect found: a category of the pack's taxonomy, a severity and a note. Empty: a pass. */
  findings: Array<{ category: string; severity: Severity; note: string }>;
  note: string;
  /** The calibration session this review is for, if any. */
  session: string;
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

/** Checks a decision body's shape; every problem is named by its field. There is no actor field: the actor is the token's subject. */
export function parseDecisionRequest(body: unknown): DecisionRequest {
  if (!isObject(body)) throw new ValidationError([{ field: 'body', problem: 'must be a JSON object' }]);
  const problems: Array<{ field: string; problem: string }> = [];
  const action = body['action'];
  if (typeof action !== 'string' || !(DECISION_ACTIONS as readonly string[]).includes(action)) {
    problems.push({ field: 'action', problem: `must be one of ${DECISION_ACTIONS.join(', ')}` });
  }
  const text = optionalString(body, 'text', MAX_TEXT, problems);
  const note = optionalString(body, 'note', MAX_NOTE, problems);
  let overrideReason = '';
  const ov = body['override'];
  if (ov !== undefined && ov !== null) {
    if (!isObject(ov)) problems.push({ field: 'override', problem: 'must be an object {reason}' });
    else {
      overrideReason = optionalString(ov, 'reason', MAX_NOTE, problems);
      if (!overrideReason) problems.push({ field: 'override.reason', problem: 'an override needs a reason (it is recorded)' });
      else if (overrideReason.length < 10) problems.push({ field: 'override.reason', problem: 'say why, in at least 10 characters' });
    }
  }
  if ((action === 'edit' || action === 'resolve') && !text) problems.push({ field: 'text', problem: `is required for ${action}` });
  if (problems.length) throw new ValidationError(problems);
  return { action: action as DecisionAction, text, note, overrideReason };
}

/**
 * A review body: `findings: [{category, severity, note}]` (or, shorter, `defects: [category]`, each
 * `major`). Categories are checked against the pack's taxonomy when the review is planned.
 */
export function parseReviewRequest(body: unknown, taxonomy?: readonly string[]): ReviewRequest {
  if (!isObject(body)) throw new ValidationError([{ field: 'body', problem: 'must be a JSON object' }]);
  const problems: Array<{ field: string; problem: string }> = [];
  const findings: ReviewRequest['findings'] = [];
  const rawFindings = body['findings'];
  const rawDefects = body['defects'];
  if (rawFindings !== undefined) {
    if (!Array.isArray(rawFindings)) problems.push({ field: 'findings', problem: 'must be an array of {category, severity, note} (empty for a pass)' });
    else
      rawFindings.forEach((f: unknown, i) => {
        if (!isObject(f) || typeof f['category'] !== 'string' || !f['category']) return problems.push({ field: `findings[${i}].category`, problem: 'is required' });
        const severity = f['severity'] ?? 'major';
        if (typeof severity !== 'string' || !(SEVERITIES as readonly string[]).includes(severity)) return problems.push({ field: `findings[${i}].severity`, problem: `must be one of ${SEVERITIES.join(', ')}` });
        findings.push({ category: f['category'], severity: severity as Severity, note: optionalString(f, 'note', MAX_NOTE, problems) });
        return undefined;
      });
  } else if (rawDefects !== undefined) {
    if (!Array.isArray(rawDefects)) problems.push({ field: 'defects', problem: 'must be an array (empty for a pass)' });
    else
      rawDefects.forEach((d: unknown, i) => {
        if (typeof d !== 'string' || !d) problems.push({ field: `defects[${i}]`, problem: 'must be a defect category' });
        else findings.push({ category: d, severity: 'major', note: '' });
      });
  } else problems.push({ field: 'findings', problem: 'is required: the defects found, or [] for a pass' });
  if (taxonomy) {
    findings.forEach((f, i) => {
      if (!taxonomy.includes(f.category)) problems.push({ field: rawFindings !== undefined ? `findings[${i}].category` : 'defects', problem: `unknown defect ${JSON.stringify(f.category)}; allowed: ${taxonomy.join(', ')}` });
    });
  }
  const seen = new Set<string>();
  for (const f of findings) {
    if (seen.has(f.category)) problems.push({ field: 'findings', problem: `category ${f.category} is listed twice` });
    seen.add(f.category);
  }
  const note = optionalString(body, 'note', MAX_NOTE, problems);
  const session = optionalString(body, 'session', 64, problems);
  if (problems.length) throw new ValidationError(problems);
  return { findings, note, session };
}

const ACTION_PERMISSION = { approve: 'reply.send', edit: 'reply.send', reject: 'reply.reject', resolve: 'ticket.take_over' } as const;

/** The refund the customer asked for, when the ticket was escalated for asking more than the limit. */
export function requestedRefund(t: TicketView): number | undefined {
  const amounts = t.reasons
    .filter((r) => r.code === 'refund_over_limit' || (r.code === 'policy_exception' && r.rule === 'refund_limits'))
    .flatMap((r) => r.evidence)
    .map((e) => Number(e.replace(/[^0-9.]/g, '')))
    .filter((n) => Number.isFinite(n) && n > 0);
  return amounts.length ? Math.max(...amounts) : undefined;
}

/** What a ticket needs beyond the action's own permission: the exceptions it asks a person to approve. */
export function exceptionsOf(t: TicketView, pack: PolicyPack): Array<{ permission: 'refund.approve_over_limit' | 'exception.approve'; detail: string }> {
  const out: Array<{ permission: 'refund.approve_over_limit' | 'exception.approve'; detail: string }> = [];
  const tier = t.customer?.tier || 'default';
  const limit = refundLimitFor(pack, tier);
  const asked = requestedRefund(t);
  const currency = pack.refund_limits.currency;
  if (asked !== undefined && asked > limit) out.push({ permission: 'refund.approve_over_limit', detail: `refund ${asked} ${currency} above the ${tier} limit of ${limit} ${currency}` });
  const exception = t.reasons.find((r) => r.code === 'policy_exception');
  if (exception) out.push({ permission: 'exception.approve', detail: `policy exception: ${exception.detail}` });
  return out;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
const PHONE = /\+?\d[\d\s().-]{7,}\d/;

export interface DecisionContext {
  pack: PolicyPack;
  kb: KnowledgeBase;
  /** How long the person had the ticket open before deciding, as the console measured it (0: unknown). */
  reviewMs?: number | undefined;
}

export interface DecisionPlan {
  decision: HumanDecision;
  /** Approve, edit and resolve send the final text, once; reject sends nothing. */
  sends: boolean;
}

const draftOf = (t: TicketView): Draft | undefined =>
  t.draft
    ? {
        text: t.draft.text,
        sentences: t.draft.sentences.map((s) => ({ text: s.text, citations: s.citations })),
        citations: t.draft.citations,
        templateId: t.draft.templateId,
        drafter: t.draft.drafter,
      }
    : undefined;

/**
 * Whether `actor` may take `req` on the ticket, and the decision it records. In order: the ticket is
 * open and undecided; it is not someone else's claim; the actor holds the action's permission and
 * every exception's (over-limit refund, policy exception); and a reply that goes out passes the
 * same checks an AI draft does — or a person allowed to override gives a reason.
 */
export function planDecision(t: TicketView | undefined, actor: Actor, req: DecisionRequest, ctx: DecisionContext): DecisionPlan {
  if (!t) throw new NotFoundError('no such ticket');
  const access = ctx.pack.access;
  const action = `decision.${req.action}`;
  // Who may act comes first: a refusal does not depend on (or reveal) the ticket's state.
  requirePermission(actor, ACTION_PERMISSION[req.action], action, access);
  if (!t.route) throw new HandrailError('failed_precondition', 'the ticket has not reached a terminal state yet');
  const first = t.decisions[0];
  if (first) throw new HandrailError('already_exists', `already decided: ${first.actorName || first.actor} chose ${first.action}`);
  if (req.action === 'resolve' && t.route !== 'escalated') throw new HandrailError('failed_precondition', `resolve (take over) is for escalated tickets; this one is ${t.route}`);
  if (req.action !== 'resolve' && t.route !== 'awaiting_approval') throw new HandrailError('failed_precondition', `${req.action} is for tickets awaiting approval; this one is ${t.route}`);
  if (t.claim && t.claim.owner !== actor.subject) {
    requirePermission(actor, 'ticket.reassign', action, access, `${t.claim.ownerName} has claimed this ticket`);
  }
  const base = {
    ticketId: t.ticketId,
    actor: actor.subject,
    action: req.action,
    finalText: '',
    note: req.note,
    previousRoute: t.route ? ROUTE.value(t.route) : Route.ROUTE_UNSPECIFIED,
    person: personOf(actor),
    verdicts: [],
    sentences: [],
    citations: [],
    override: undefined,
    draftText: '',
    edit: undefined,
    exceptions: [],
    reviewMs: Math.max(0, Math.round(ctx.reviewMs ?? 0)),
  } satisfies HumanDecision;
  if (req.action === 'reject') return { decision: base, sends: false };

  const exceptions = exceptionsOf(t, ctx.pack);
  for (const e of exceptions) requirePermission(actor, e.permission, action, access, e.detail);

  const draft = draftOf(t);
  if (req.action === 'approve' && !draft) throw new HandrailError('failed_precondition', 'there is no draft to approve');
  const text = req.action === 'approve' ? (draft?.text ?? '') : req.text;
  const tier = t.customer?.tier || 'default';
  const asked = requestedRefund(t);
  // An approved over-limit exception lets the reply promise what the customer asked for, no more.
  const tierLimit = refundLimitFor(ctx.pack, tier);
  const refundLimit = exceptions.some((e) => e.permission === 'refund.approve_over_limit') && asked !== undefined ? Math.max(tierLimit, asked) : tierLimit;
  const check = checkHumanReply(
    {
      text,
      kind: req.action === 'resolve' ? 'own' : 'draft',
      draft: req.action === 'resolve' ? undefined : draft,
      area: AREA.parse(t.area) ?? 'triage',
      refundLimit,
      customer: { email: EMAIL.exec(t.body)?.[0], phone: PHONE.exec(t.body)?.[0] },
      policy: ctx.pack,
    },
    ctx.kb,
  );
  let override: HumanDecision['override'];
  if (!check.passed) {
    if (!req.overrideReason) throw new ChecksFailedError(check.failures, actor.permissions.has('reply.override_checks'));
    requirePermission(actor, 'reply.override_checks', action, access, `${check.failures.length} check(s) failed`);
    override = { reason: req.overrideReason, failed: [...new Set(check.failures.map((f) => f.code))] };
  }
  const edit = draft && req.action !== 'resolve' ? editStats(draft.text, text) : undefined;
  return {
    decision: {
      ...base,
      finalText: text,
      verdicts: check.verdicts,
      sentences: check.sentences,
      citations: check.citations,
      override,
      draftText: draft && req.action !== 'resolve' ? draft.text : '',
      edit,
      exceptions: exceptions.map((e) => e.detail),
    },
    sends: true,
  };
}

/**
 * The reply a recorded decision sends, if any: approve, edit and resolve send their final text with
 * the citations of that text. Derived from the decision event itself, so whoever handles it sends the same.
 */
export function replyForDecision(d: Pick<HumanDecision, 'action' | 'finalText' | 'citations'>): { text: string; citations: CitationView[] } | undefined {
  if ((d.action !== 'approve' && d.action !== 'edit' && d.action !== 'resolve') || !d.finalText) return undefined;
  return { text: d.finalText, citations: d.citations.map((c) => ({ articleId: c.articleId, passageId: c.passageId, articleVersion: c.articleVersion })) };
}

/** Whether `actor` may see other people's reviews of this ticket: a reviewer sees none until they have given theirs. */
export function seesReviews(t: TicketView, actor: Actor): boolean {
  if (!actor.permissions.has('qa.review')) return true;
  return t.reviews.some((r) => r.reviewer === actor.subject) || t.decisions.some((d) => d.actor === actor.subject);
}

/** The defect categories a reviewer may use: the four built in and the pack's own. */
export function defectTaxonomy(pack: PolicyPack): string[] {
  return [...BUILTIN_DEFECTS, ...pack.qa.defect_taxonomy.map((d) => d.category).filter((c) => !(BUILTIN_DEFECTS as readonly string[]).includes(c))];
}

/** A QA review is for a concluded ticket, once per reviewer, never of your own decision; categories from the pack's taxonomy. */
export function planReview(t: TicketView | undefined, actor: Actor, req: ReviewRequest, pack: PolicyPack, o: { reviewMs?: number; sessions?: ReadonlyMap<string, { ticketIds: readonly string[]; closedAt: string }> } = {}): QaReview {
  if (!t) throw new NotFoundError('no such ticket');
  requirePermission(actor, 'qa.review', 'review', pack.access);
  if (!t.route) throw new HandrailError('failed_precondition', 'the ticket has not reached a terminal state yet');
  const taxonomy = defectTaxonomy(pack);
  const unknown = req.findings.findIndex((f) => !taxonomy.includes(f.category));
  if (unknown >= 0) throw new ValidationError([{ field: `findings[${unknown}].category`, problem: `unknown defect ${JSON.stringify(req.findings[unknown]?.category)}; the pack's taxonomy: ${taxonomy.join(', ')}` }]);
  if (req.session) {
    const s = o.sessions?.get(req.session);
    if (!s) throw new ValidationError([{ field: 'session', problem: `no calibration session ${req.session}` }]);
    if (s.closedAt) throw new HandrailError('failed_precondition', `calibration session ${req.session} is closed`);
    if (!s.ticketIds.includes(t.ticketId)) throw new ValidationError([{ field: 'session', problem: `ticket ${t.ticketId} is not in calibration session ${req.session}` }]);
  }
  const own = t.decisions.find((d) => d.actor === actor.subject);
  if (own) throw new ForbiddenError('rule:no_self_review', 'review', `${actor.name} decided this ticket (${own.action}); a decision is reviewed by someone else`);
  if (t.reviews.some((r) => r.reviewer === actor.subject)) throw new HandrailError('already_exists', `${actor.name} has already reviewed this ticket`);
  return {
    ticketId: t.ticketId,
    reviewer: actor.subject,
    defects: req.findings.map((f) => f.category),
    findings: req.findings,
    note: req.note,
    passed: req.findings.length === 0,
    person: personOf(actor),
    blind: true,
    reviewMs: Math.max(0, Math.round(o.reviewMs ?? 0)),
    calibrationSession: req.session,
  };
}

/** Claim (or release) an open ticket; someone else's claim needs `ticket.reassign`. */
export function planClaim(t: TicketView | undefined, actor: Actor, claim: boolean, pack: PolicyPack): TicketClaim {
  if (!t) throw new NotFoundError('no such ticket');
  const action = claim ? 'claim' : 'unclaim';
  requirePermission(actor, 'ticket.claim', action, pack.access);
  const open = t.decisions.length === 0 && (t.route === 'awaiting_approval' || t.route === 'escalated');
  if (!open) throw new HandrailError('failed_precondition', `only open tickets are claimed; this one is ${t.decisions.length ? 'decided' : (t.route ?? 'in progress')}`);
  const current = t.claim;
  if (claim && current?.owner === actor.subject) throw new HandrailError('already_exists', 'you have already claimed this ticket');
  if (!claim && !current) throw new HandrailError('failed_precondition', 'nobody has claimed this ticket');
  if (current && current.owner !== actor.subject) requirePermission(actor, 'ticket.reassign', action, pack.access, `${current.ownerName} has claimed it`);
  return { ticketId: t.ticketId, person: personOf(actor), claimed: claim, previousOwner: current?.owner ?? '', previousOwnerName: current?.ownerName ?? '' };
}
