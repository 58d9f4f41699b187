import { describe, expect, it } from 'vitest';
import { testPolicy } from '@handrail/testing';
import { permit, type PermitInput } from './permit.js';

const policy = testPolicy();
const input = (over: Partial<PermitInput> = {}): PermitInput => ({ area: 'faq_status', intent: 'order_status', riskFlags: [], tier: 'standard', injection: [], policy, ...over });
const codes = (i: PermitInput) => permit(i).reasons.map((r) => r.code);

describe('guardrail permission', () => {
  it('permission — grants the area action from the pack', () => {
    expect(permit(input())).toMatchObject({ action: 'resolve', reasons: [], confidenceThreshold: 0.6 });
    expect(permit(input({ area: 'refund' })).action).toBe('draft');
  });

  it('human-only — privacy, safety and legal are never AI-actionable, even if a pack says so', () => {
    const loose = testPolicy((p) => {
      p.areas.privacy.ai_action = 'resolve';
    });
    expect(permit(input({ area: 'privacy', policy: loose }))).toMatchObject({ action: 'none' });
    expect(codes(input({ area: 'privacy', policy: loose }))).toEqual(['human_only_area']);
    expect(permit(input({ area: 'safety' })).action).toBe('none');
  });

  it('human-only — an explicit, audited override is honoured', () => {
    const overridden = testPolicy((p) => {
      p.areas.legal.ai_action = 'draft';
      p.overrides.push({ area: 'legal', ai_action: 'draft', justification: 'subpoena acknowledgements only, reviewed by counsel', approved_by: 'counsel', ticket: 'LEG-1' });
    });
    expect(permit(input({ area: 'legal', policy: overridden })).action).toBe('draft');
  });

  it('default deny — an area the pack does not list gets no action', () => {
    const partial = testPolicy((p) => {
      delete (p.areas as Partial<typeof p.areas>).triage;
    });
    expect(permit(input({ area: 'triage', policy: partial }))).toMatchObject({ action: 'none' });
    expect(codes(input({ area: 'triage', policy: partial }))).toEqual(['area_not_in_policy']);
  });

  it('risk detectors — a detector hit in an area AI may resolve still needs a person to approve the reply (issue 9)', () => {
    const resolving = testPolicy((p) => {
      p.areas.refund.ai_action = 'resolve';
    });
    const r = permit(input({ area: 'refund', riskFlags: ['refund:refund_request'], policy: resolving }));
    expect(r.action).toBe('draft');
    expect(r.reasons.map((x) => x.code)).toEqual(['risk_detected']);
    // Without a hit the pack's grant stands.
    expect(permit(input({ area: 'refund', policy: resolving })).action).toBe('resolve');
  });

  it('risk detectors — a safety flag overrides a confident FAQ classification', () => {
    expect(permit(input({ riskFlags: ['safety:fraud'] })).action).toBe('none');
    expect(codes(input({ riskFlags: ['safety:fraud'] }))).toEqual(['risk_detected']);
  });

  it('prompt injection — never automated, with the evidence', () => {
    const r = permit(input({ injection: ['ignore previous instructions'] }));
    expect(r.action).toBe('none');
    expect(r.reasons[0]).toMatchObject({ code: 'prompt_injection', evidence: ['ignore previous instructions'] });
  });

  it('refund limit — over the tier limit is a policy exception; at or under it is not', () => {
    expect(permit(input({ area: 'refund', requestedRefund: 51 }))).toMatchObject({ action: 'assist', refundLimit: 50 });
    expect(codes(input({ area: 'refund', requestedRefund: 51 }))).toEqual(['refund_over_limit']);
    expect(codes(input({ area: 'refund', requestedRefund: 50 }))).toEqual([]);
    expect(codes(input({ area: 'refund', tier: 'vip', requestedRefund: 250 }))).toEqual([]);
    expect(permit(input({ area: 'refund', tier: 'unknown-tier' })).refundLimit).toBe(50);
  });
});
