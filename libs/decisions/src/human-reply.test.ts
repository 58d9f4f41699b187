import { beforeAll, describe, expect, it } from 'vitest';
import { Ticket } from '@handrail/contracts';
import { createClassifier, trainingExamplesFromPolicy } from '@handrail/classifier';
import { demoPaths } from '@handrail/demo';
import { ingestDirectory, toSnapshot, type KnowledgeBase } from '@handrail/kb';
import { loadPolicyFile, policyRevisionId, type PolicyPack } from '@handrail/policy';
import { checkHumanReply } from './human-reply.js';
import { decideTicket } from './pipeline.js';
import type { Draft } from '@handrail/contracts';

const REFUND = "I returned the blender two weeks ago and still haven't seen my refund of $30. When will it arrive?";
const BAD = 'calm down. Your refund of $9,000 is guaranteed… Reply with your full card number and CVV';

let pack: PolicyPack;
let kb: KnowledgeBase;
let draft: Draft;

beforeAll(async () => {
  pack = await loadPolicyFile(demoPaths.policy);
  kb = await ingestDirectory(demoPaths.kb);
  const d = await decideTicket(
    { ticket: Ticket.fromPartial({ ticketId: 't-1', connector: 'grpc', externalId: 'x', customerId: 'c', body: REFUND, customer: { customerId: 'c', tier: 'standard' } }) },
    { policy: { pack, revision: policyRevisionId(pack) }, kb: { kb, revision: toSnapshot(kb).revision }, classify: { classifier: createClassifier(trainingExamplesFromPolicy(pack)) } },
  );
  if (!d.checked?.draft) throw new Error('the refund ticket should have a draft');
  draft = d.checked.draft;
});

const base = () => ({ kind: 'draft' as const, draft, area: 'refund' as const, refundLimit: 50, customer: {}, policy: pack });

describe('human replies', () => {
  it('human reply — the approved draft passes and keeps its own citations, sentence by sentence', () => {
    const r = checkHumanReply({ ...base(), text: draft.text }, kb);
    expect(r.failures).toEqual([]);
    expect(r.sentences.map((s) => s.text)).toEqual(draft.sentences.map((s) => s.text));
    expect(r.citations.length).toBeGreaterThan(0);
  });

  it('human reply — the bad edit fails tone, policy, PII and grounding, each named', () => {
    const r = checkHumanReply({ ...base(), text: BAD }, kb);
    expect(r.passed).toBe(false);
    expect([...new Set(r.failures.map((f) => f.check))].sort()).toEqual(['grounding', 'pii', 'policy', 'tone']);
    expect(r.failures.map((f) => f.detail).join(' | ')).toMatch(/calm down.*guaranteed.*9000 USD.*card number/);
    // Nothing in it is supported by a passage, so it cites nothing.
    expect(r.citations).toEqual([]);
  });

  it('human reply — an edit keeps only the citations of the sentences still sent', () => {
    const first = draft.sentences.find((s) => s.citations.length > 0);
    expect(first).toBeDefined();
    const text = `Thanks for your patience. ${first?.text ?? ''}`;
    const r = checkHumanReply({ ...base(), text }, kb);
    expect(r.failures).toEqual([]);
    expect(r.citations.every((c) => draft.citations.some((d) => d.passageId === c.passageId))).toBe(true);
  });

  it("human reply — a take-over reply: a sentence the help centre doesn't cover is the person's own, uncited; policy still applies", () => {
    const own = checkHumanReply({ ...base(), kind: 'own', draft: undefined, area: 'safety', text: 'I have blocked the card and reversed both charges. You will see the money back within a few days.' }, kb);
    expect(own.failures).toEqual([]);
    expect(own.verdicts.some((v) => v.code === 'own_statement')).toBe(true);
    // A person in a human-only area may confirm what they did; amounts above the limit still fail.
    const over = checkHumanReply({ ...base(), kind: 'own', draft: undefined, text: 'We will refund $900 to your card today.' }, kb);
    expect(over.failures.map((f) => f.code)).toEqual(['policy_violation']);
    const approved = checkHumanReply({ ...base(), kind: 'own', draft: undefined, refundLimit: 900, text: 'We will refund $900 to your card today.' }, kb);
    expect(approved.failures).toEqual([]);
  });
});
