import { describe, expect, it } from 'vitest';
import { handoffPacket, redactPii } from './handoff.js';

const result = { passageId: 'refunds-policy#partial-refunds-1', articleId: 'refunds-policy', articleVersion: 'abc123abc123', title: 'Refunds policy', heading: 'Partial refunds', text: 'Partial refunds up to 50%.' };

describe('handoffPacket', () => {
  it('handoff — summary names intent and area and masks contact details', () => {
    const packet = handoffPacket({
      text: 'I will sue you. Call me on 555-123-4567 or mail jo.doe@example.com, card 4111 1111 1111 1111, order NW-1001',
      area: 'legal',
      intent: 'legal_threat',
      reasons: ['risk_keyword:legal', 'risk_keyword:legal', 'area_human_only'],
      kbResults: [],
    });
    expect(packet.summary).toContain('legal threat');
    expect(packet.summary).toContain('area: legal');
    expect(packet.summary).not.toMatch(/555-123-4567|jo\.doe|4111/);
    expect(packet.summary).toContain('NW-1001');
    expect(packet.triggers).toEqual(['risk_keyword:legal', 'area_human_only']);
    expect(packet.kbFindings[0]).toMatch(/No approved article/);
    expect(packet.suggestedNextStep).toMatch(/legal team/);
  });

  it('handoff — lists KB findings that cleared the threshold, with version', () => {
    const packet = handoffPacket({ text: 'refund?', area: 'refund', intent: 'refund_request', reasons: [], kbResults: [{ ...result, score: 0.9 }, { ...result, passageId: 'x#y-1', score: 0.1 }] });
    expect(packet.kbFindings).toHaveLength(1);
    expect(packet.kbFindings[0]).toContain('refunds-policy#partial-refunds-1@abc123abc123');
  });

  it('handoff — long messages are cut to a short gist', () => {
    const packet = handoffPacket({ text: 'word '.repeat(200), area: 'complaint', intent: 'complaint', reasons: [], kbResults: [] });
    expect(packet.summary.length).toBeLessThan(260);
  });

  it('redactPii — masks emails, phone and card numbers', () => {
    expect(redactPii('a@b.co +1 (555) 123-4567 4242424242424242')).toBe('[email] [phone] [card]');
  });
});
