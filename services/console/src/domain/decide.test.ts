import { beforeAll, describe, expect, it } from 'vitest';
import { HandrailError, ValidationError } from '@handrail/errors';
import { demoPaths } from '@handrail/demo';
import type { RouteName } from '@handrail/events';
import { ingestDirectory, type KnowledgeBase } from '@handrail/kb';
import { loadPolicyFile, type PolicyPack } from '@handrail/policy';
import { emptyTicket, type TicketView } from '@handrail/projection';
import { actorFrom, ChecksFailedError, ForbiddenError, type Actor } from './access.js';
import { parseDecisionRequest, parseReviewRequest, planClaim, planDecision, planReview, replyForDecision, seesReviews } from './decide.js';

let pack: PolicyPack;
let kb: KnowledgeBase;
const as = (name: string, roles: string[], groups: string[] = []): Actor => actorFrom({ subject: `u-${name}`, issuer: 'https://idp', name, roles, groups, expiresAt: 2e9 }, pack.access);

const DRAFT = 'Refunds are issued to the original payment method within 5 business days of the return being received.';

function view(route: RouteName | undefined, o: Partial<TicketView> = {}): TicketView {
  return {
    ...emptyTicket('t1'),
    route,
    connector: 'grpc',
    area: 'refund',
    customer: { tier: 'standard', accountValue: 10, priorContacts: 0, repeatOf: [] },
    draft: { text: DRAFT, citations: [], sentences: [{ text: DRAFT, citations: [] }], drafter: 'template-v1', templateId: 'x' },
    ...o,
  };
}

const OVER_LIMIT = { code: 'policy_exception', rule: 'refund_limits', detail: 'requested 900 exceeds the standard limit of 50 USD', evidence: ['900'] };

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof ForbiddenError ? `403:${e.permission}` : e instanceof ChecksFailedError ? `422:${[...new Set(e.failures.map((v) => v.check))].join(',')}` : (e as HandrailError).code;
  }
  return 'ok';
};
const req = (action: 'approve' | 'edit' | 'reject' | 'resolve', text = '', overrideReason = '') => ({ action, text, note: '', overrideReason });

beforeAll(async () => {
  pack = await loadPolicyFile(demoPaths.policy);
  kb = await ingestDirectory(demoPaths.kb);
  // The draft above, cited as the drafter would: its passage in the refunds article.
  const hit = kb.search(DRAFT, { limit: 1, audience: 'customer' })[0];
  if (!hit) throw new Error('no refund passage in the demo help centre');
  const c = { articleId: hit.articleId, passageId: hit.passageId, articleVersion: hit.articleVersion };
  cited = { text: DRAFT, citations: [c], sentences: [{ text: DRAFT, citations: [c] }], drafter: 'template-v1', templateId: 'x' };
});
let cited: NonNullable<TicketView['draft']>;

describe('console decisions', () => {
  it('input — names the field that is wrong; an override needs a reason; there is no actor field to set', () => {
    expect(() => parseDecisionRequest({ action: 'nuke' })).toThrow(/action/);
    expect(() => parseDecisionRequest({ action: 'edit' })).toThrow(/text: is required for edit/);
    expect(() => parseDecisionRequest({ action: 'approve', override: {} })).toThrow(/override.reason/);
    expect(() => parseDecisionRequest([])).toThrow(ValidationError);
    expect(parseDecisionRequest({ action: 'resolve', text: ' Done. ', actor: 'someone-else' })).toEqual({ action: 'resolve', text: 'Done.', note: '', overrideReason: '' });
    expect(parseReviewRequest({ defects: ['tone_mismatch', 'hallucination'], note: 'x' })).toEqual({
      findings: [{ category: 'tone_mismatch', severity: 'major', note: '' }, { category: 'hallucination', severity: 'major', note: '' }],
      note: 'x',
      session: '',
    });
    expect(() => parseReviewRequest({ defects: ['tone_mismatch', 'tone_mismatch'] })).toThrow(/listed twice/);
    expect(() => parseReviewRequest({ findings: [{ category: 'hallucination', severity: 'huge' }] })).toThrow(/findings\[0\]\.severity: must be one of minor, major, critical/);
    expect(() => parseReviewRequest({ note: 'x' })).toThrow(/findings: is required/);
    expect(parseReviewRequest({ findings: [{ category: 'hallucination', severity: 'critical', note: 'invented a refund' }] }).findings).toEqual([{ category: 'hallucination', severity: 'critical', note: 'invented a refund' }]);
  });

  it('roles — from the roles claim and from IdP groups mapped in the pack; unknown values grant nothing', () => {
    expect(as('ben', [], ['helpdesk-tier1']).roles).toEqual(['agent']);
    expect(as('x', ['root', 'admin']).roles).toEqual([]);
    expect([...as('alex', ['analyst']).permissions].sort()).toEqual(['policy.read', 'report.read', 'ticket.read']);
  });

  it('approve — an agent sends the checked draft with the citations of the text sent; the actor is the subject', () => {
    const p = planDecision(view('awaiting_approval', { draft: cited }), as('ana', ['agent']), req('approve'), { pack, kb });
    expect(p.sends).toBe(true);
    expect(p.decision).toMatchObject({ actor: 'u-ana', person: { subject: 'u-ana', name: 'ana', roles: ['agent'] }, finalText: DRAFT, draftText: DRAFT });
    expect(p.decision.citations).toEqual(cited.citations);
    expect(p.decision.edit?.changeRatio).toBe(0);
    expect(replyForDecision(p.decision)).toEqual({ text: DRAFT, citations: cited.citations });
  });

  it('permissions — analysts and QA reviewers cannot decide; 403 names the permission', () => {
    expect(code(() => planDecision(view('awaiting_approval', { draft: cited }), as('alex', ['analyst']), req('approve'), { pack, kb }))).toBe('403:reply.send');
    expect(code(() => planDecision(view('awaiting_approval', { draft: cited }), as('q', ['qa_reviewer']), req('reject'), { pack, kb }))).toBe('403:reply.reject');
    expect(code(() => planDecision(view('escalated'), as('nobody', []), req('resolve', 'Done.'), { pack, kb }))).toBe('403:ticket.take_over');
  });

  it('over-limit refund — an agent is refused; a supervisor approves it and may promise what was asked, no more', () => {
    const t = view('escalated', { reasons: [OVER_LIMIT], draft: undefined });
    const reply = 'I have approved your refund of $900; it will reach your card within 5 business days.';
    expect(code(() => planDecision(t, as('ana', ['agent']), req('resolve', reply), { pack, kb }))).toBe('403:refund.approve_over_limit');
    const p = planDecision(t, as('sam', ['supervisor']), req('resolve', reply), { pack, kb });
    expect(p.decision.exceptions).toEqual(['refund 900 USD above the standard limit of 50 USD', 'policy exception: requested 900 exceeds the standard limit of 50 USD']);
    expect(p.sends).toBe(true);
    expect(code(() => planDecision(t, as('sam', ['supervisor']), req('resolve', 'I have approved your refund of $9,000.'), { pack, kb }))).toBe('422:policy');
  });

  it('checks — the bad edit is refused naming each check; only a supervisor overrides, with a reason', () => {
    const t = view('awaiting_approval', { draft: cited });
    const bad = 'calm down. Your refund of $9,000 is guaranteed… Reply with your full card number and CVV';
    expect(code(() => planDecision(t, as('ana', ['agent']), req('edit', bad), { pack, kb }))).toBe('422:tone,policy,pii,grounding');
    expect(code(() => planDecision(t, as('ana', ['agent']), req('edit', bad, 'the customer insisted'), { pack, kb }))).toBe('403:reply.override_checks');
    const p = planDecision(t, as('sam', ['supervisor']), req('edit', bad, 'test of the override path'), { pack, kb });
    expect(p.decision.override).toEqual({ reason: 'test of the override path', failed: ['tone_violation', 'policy_violation', 'pii_leak', 'ungrounded_claim'] });
    expect(p.decision.citations).toEqual([]);
    expect(p.decision.edit?.changeRatio).toBeGreaterThan(0.5);
  });

  it("claims — someone else's claim blocks deciding unless you may reassign", () => {
    const t = view('awaiting_approval', { draft: cited, claim: { owner: 'u-ben', ownerName: 'ben', since: '' } });
    expect(code(() => planDecision(t, as('ana', ['agent']), req('approve'), { pack, kb }))).toBe('403:ticket.reassign');
    expect(code(() => planDecision(t, as('sam', ['supervisor']), req('approve'), { pack, kb }))).toBe('ok');
    expect(code(() => planClaim(t, as('ana', ['agent']), true, pack))).toBe('403:ticket.reassign');
    expect(planClaim(view('escalated'), as('ana', ['agent']), true, pack)).toMatchObject({ claimed: true, previousOwner: '' });
    expect(code(() => planClaim(view('auto_resolved'), as('ana', ['agent']), true, pack))).toBe('failed_precondition');
  });

  it('one decision per ticket, each action for its route', () => {
    const decided = view('awaiting_approval', { decisions: [{ ...emptyDecision(), actor: 'u-bob', actorName: 'bob', action: 'approve' }] });
    expect(code(() => planDecision(decided, as('ana', ['agent']), req('approve'), { pack, kb }))).toBe('already_exists');
    expect(code(() => planDecision(view('escalated'), as('ana', ['agent']), req('approve'), { pack, kb }))).toBe('failed_precondition');
    expect(code(() => planDecision(view('awaiting_approval'), as('ana', ['agent']), req('resolve', 'x'), { pack, kb }))).toBe('failed_precondition');
    expect(code(() => planDecision(undefined, as('ana', ['agent']), req('reject'), { pack, kb }))).toBe('not_found');
  });

  it('reviews — QA reviewers only, never of your own decision, once each, blind until given', () => {
    const t = view('auto_resolved', { reviews: [{ reviewer: 'u-rita', reviewerName: 'rita', defects: [], findings: [], passed: true, note: '', time: '', blind: true, reviewMs: 0, session: '' }] });
    const quinn = as('quinn', ['qa_reviewer']);
    expect(seesReviews(t, quinn)).toBe(false);
    expect(seesReviews(t, as('alex', ['analyst']))).toBe(true);
    expect(planReview(t, quinn, { findings: [{ category: 'hallucination', severity: 'major', note: '' }], note: '', session: '' }, pack)).toMatchObject({ reviewer: 'u-quinn', passed: false, blind: true });
    expect(code(() => planReview(t, as('rita', ['qa_reviewer']), { findings: [], note: '', session: '' }, pack))).toBe('already_exists');
    expect(code(() => planReview(t, as('ana', ['agent']), { findings: [], note: '', session: '' }, pack))).toBe('403:qa.review');
    const own = view('awaiting_approval', { decisions: [{ ...emptyDecision(), actor: 'u-quinn', actorName: 'quinn', action: 'approve' }] });
    expect(code(() => planReview(own, as('quinn', ['qa_reviewer', 'agent']), { findings: [], note: '', session: '' }, pack))).toBe('403:rule:no_self_review');
  });
});

function emptyDecision(): TicketView['decisions'][number] {
  return { actor: '', actorName: '', actorRoles: [], action: '', finalText: '', note: '', time: '', verdicts: [], citations: [], sentences: [], override: undefined, draftText: '', edit: undefined, exceptions: [], reviewMs: 0 };
}
