import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePolicy, type PolicyPack } from '@handrail/policy';
import { checkDraft, splitSentences, type DraftCheckInput } from './draft.js';

const file = fileURLToPath(new URL('../../demo/policy/demo-pack.yaml', import.meta.url));
const pack: PolicyPack = parsePolicy(readFileSync(file, 'utf8'), file);

const GOOD =
  'Hi Sam, thanks for getting in touch. Your order 10482 left our warehouse on Monday and the tracking shows it with the carrier. ' +
  'Standard delivery takes 3 to 5 business days, so it should reach you by Friday. You can follow it from the link in your confirmation e-mail.';

const draft = (text: string, o: Partial<DraftCheckInput> = {}): DraftCheckInput => ({
  text,
  area: 'faq_status',
  action: 'resolve',
  customer: { email: 'sam.lee@example.com', phone: '+1 415 555 0134', name: 'Sam Lee', address: '12 Harbor View Road, Portland' },
  pack,
  refundLimit: 150,
  companyContacts: ['help@northwind.example', '+1 800 555 0100'],
  ...o,
});
const failed = (r: ReturnType<typeof checkDraft>) => r.failures.map((f) => `${f.check}:${f.code}`);

describe('guardrails draft — passing drafts', () => {
  it('guardrails draft — a plain, grounded-style order update passes every check', () => {
    const r = checkDraft(draft(GOOD));
    expect(r.passed).toBe(true);
    expect(r.verdicts.map((v) => v.check)).toEqual(['tone', 'policy', 'pii']);
  });

  it("guardrails draft — the customer's own e-mail, phone and address and company contacts are fine", () => {
    const r = checkDraft(
      draft('We will send the label to sam.lee@example.com and text +1 (415) 555-0134. It will be collected from 12 Harbor View Road. Questions? Write to help@northwind.example or call +1 800 555 0100.'),
    );
    expect(failed(r)).toEqual([]);
  });

  it('guardrails draft — a refund draft within the limit, in the refund area, passes', () => {
    const r = checkDraft(draft('I am sorry the lantern arrived broken. We will refund $45 to your original payment method within 5 business days.', { area: 'refund', action: 'draft', refundLimit: 50 }));
    expect(failed(r)).toEqual([]);
  });

  it('guardrails draft — talking about refunds or amounts is not promising one', () => {
    for (const text of [
      "We're here to help you throughout the refund process.",
      'I can assist you in checking the status of your refund.',
      "I'm sorry to hear that you're waiting for a compensation of $299.",
      'We will not refund orders older than 30 days, but our team can look at exceptions.',
      'I am here to help you cancel your order; a colleague will confirm it.',
      'We have a clear refund policy and a money-back guarantee.',
    ]) {
      expect(failed(checkDraft(draft(text))), text).toEqual([]);
    }
  });

  it('guardrails draft — hedged statements are not overconfident', () => {
    expect(checkDraft(draft("We can't guarantee a delivery date during the holidays, but most parcels arrive within a week.")).passed).toBe(true);
  });
});

describe('guardrails draft — failing drafts', () => {
  it('guardrails draft — one banned phrase fails tone and names the phrase', () => {
    const r = checkDraft(draft(`Please calm down. ${GOOD}`));
    expect(failed(r)).toEqual(['tone:tone_violation']);
    expect(r.failures[0]?.detail).toBe('banned phrase "calm down"');
    expect(r.failures[0]?.evidence).toEqual(['calm down', 'Please calm down.']);
  });

  it('guardrails draft — overconfident, dismissive and robotic phrases each fail', () => {
    const r = checkDraft(draft("Your parcel is guaranteed to arrive tomorrow, I promise. Sorry, but that's not our problem. Your request has been processed."));
    expect(r.failures.map((f) => f.evidence[0])).toEqual(['guaranteed', 'I promise', 'not our problem', 'your request has been processed']);
    expect(new Set(r.failures.map((f) => f.rule))).toEqual(new Set(['tone.overconfident_phrases', 'tone.dismissive_patterns']));
  });

  it('guardrails draft — curly apostrophes do not hide a dismissive phrase', () => {
    expect(failed(checkDraft(draft('I’m afraid there’s nothing we can do about the courier.')))).toEqual(['tone:tone_violation']);
  });

  it('guardrails draft — promising more than the refund limit is a policy violation', () => {
    const r = checkDraft(draft('We will refund $500 to your card today.', { area: 'refund', action: 'draft', refundLimit: 150 }));
    expect(failed(r)).toEqual(['policy:policy_violation']);
    expect(r.failures[0]?.detail).toMatch(/promises 500 USD, above the refund limit of 150 USD/);
  });

  it('guardrails draft — a refund promise outside the refund area is a policy violation', () => {
    const r = checkDraft(draft("Sorry it arrived damaged, we'll refund you in full right away.", { area: 'triage', action: 'resolve' }));
    expect(failed(r)).toEqual(['policy:policy_violation']);
    expect(r.failures[0]?.detail).toMatch(/commits to a refund in triage/);
  });

  it('guardrails draft — promises phrased as "you will receive" or in the passive are caught too', () => {
    const r = checkDraft(draft('You will receive a full refund of $220 by Friday. Your refund has been approved.', { area: 'refund', action: 'draft', refundLimit: 150 }));
    expect(r.failures.map((f) => f.rule)).toEqual(['refund_limits.by_tier']);
    expect(failed(checkDraft(draft('Your refund has been issued.', { area: 'faq_status' })))).toEqual(['policy:policy_violation']);
    expect(failed(checkDraft(draft("I'll send you $500 for the trouble.", { area: 'refund', action: 'draft', refundLimit: 50 })))).toEqual(['policy:policy_violation']);
  });

  it('guardrails draft — confirming a cancellation or a data deletion is never for AI in the demo pack', () => {
    const cancel = checkDraft(draft('Good news: we have cancelled your order and you will not be charged.'));
    expect(cancel.failures.map((f) => f.rule)).toEqual(['areas.cancellation.ai_action']);
    const erase = checkDraft(draft('Done! We have deleted your account and all of your personal data.', { area: 'routine' }));
    expect(erase.failures.map((f) => f.rule)).toEqual(['areas.privacy.ai_action']);
  });

  it("guardrails draft — another person's e-mail, phone, card or address is a PII leak, masked in evidence", () => {
    const r = checkDraft(
      draft(
        'The previous owner, jane.doe@gmail.com, can be reached on 020 7946 0958. The card on file is 4111 1111 1111 1111 and the parcel went to 221 Baker Street.',
      ),
    );
    expect(failed(r)).toEqual(['pii:pii_leak', 'pii:pii_leak', 'pii:pii_leak', 'pii:pii_leak']);
    expect(r.failures.map((f) => f.rule)).toEqual(['pii.email', 'pii.card', 'pii.phone', 'pii.address']);
    const evidence = r.failures.flatMap((f) => f.evidence).join(' ');
    expect(evidence).toContain('j***@gmail.com');
    expect(evidence).toContain('***1111');
    expect(evidence).not.toContain('jane.doe');
    expect(evidence).not.toContain('4111 1111');
  });

  it('guardrails draft — asking the customer for a card number, CVV, PIN or password is refused; instructions for their own use are not', () => {
    for (const text of ['Reply with your full card number and CVV so we can process it.', 'Please send us your card number.', "What's your PIN?", 'Could you tell me the one-time code we texted you?']) {
      const r = checkDraft(draft(text));
      expect(r.failures.map((f) => f.rule), text).toEqual(['pii.solicitation']);
    }
    for (const text of ['Choose "Forgot password" on the sign-in page and we will email you a reset link.', 'Northwind will never ask for your password by email, chat or phone.', 'Enter and confirm your new password on the sign-in page.']) {
      expect(failed(checkDraft(draft(text))), text).toEqual([]);
    }
  });

  it('guardrails draft — "your refund of $X is guaranteed" is a promise, checked against the limit', () => {
    const r = checkDraft(draft('calm down. Your refund of $9,000 is guaranteed… Reply with your full card number and CVV', { area: 'refund', action: 'draft', refundLimit: 50 }));
    expect(r.failures.map((f) => f.rule)).toEqual(['tone.banned_phrases', 'tone.overconfident_phrases', 'refund_limits.by_tier', 'pii.solicitation']);
  });

  it('guardrails draft — order numbers, prices and dates are not phone numbers', () => {
    expect(checkDraft(draft('Order 10482 of 12/03/2026 for $129.99 ships from warehouse 7.')).passed).toBe(true);
    expect(checkDraft(draft('Your purchase 113542617735902 is confirmed. Tracking number 732201349959 is with the carrier.')).passed).toBe(true);
    expect(checkDraft(draft('Your order #4111111111111111 shipped.')).passed).toBe(true);
  });

  it('guardrails draft — a bare digit run is a phone number where the text talks about calling', () => {
    const r = checkDraft(draft('You can call our warehouse manager directly on 4155550199.'));
    expect(r.failures.map((f) => f.rule)).toEqual(['pii.phone']);
  });
});

describe('guardrails draft — sentence split', () => {
  it('guardrails draft — splits on sentence ends and new lines', () => {
    expect(splitSentences('Hi Sam.\nThanks! Is it late? Yes.')).toEqual(['Hi Sam.', 'Thanks!', 'Is it late?', 'Yes.']);
  });
});
