import { policyPackSchema, type PolicyPack } from '@handrail/policy';

/**
 * A small, valid policy pack for unit tests: the same shape as the demo pack, with round numbers so
 * tests read clearly. Passed through the real schema, so it can never drift from it.
 */
export function testPolicy(overrides: (p: PolicyPack) => void = () => {}): PolicyPack {
  const area = (ai_action: 'none' | 'assist' | 'draft' | 'resolve', risk: 'low' | 'medium' | 'high' | 'critical', queue: string, threshold = 0.6) => ({
    description: `${queue} work`,
    ai_action,
    human_responsibilities: ['review'],
    risk,
    required_controls: [],
    confidence_threshold: threshold,
    queue,
    examples: {},
  });
  const pack = policyPackSchema.parse({
    version: 1,
    name: 'unit-test-pack',
    areas: {
      faq_status: area('resolve', 'low', 'general'),
      routine: area('resolve', 'low', 'general'),
      triage: area('resolve', 'medium', 'support'),
      refund: area('draft', 'medium', 'billing', 0.7),
      privacy: area('none', 'high', 'privacy'),
      safety: area('none', 'critical', 'trust-safety'),
      cancellation: area('none', 'medium', 'retention'),
      legal: area('none', 'high', 'legal'),
      complaint: area('assist', 'medium', 'customer-care'),
      talk_to_human: area('none', 'low', 'general'),
    },
    refund_limits: { currency: 'USD', by_tier: { default: 50, standard: 50, plus: 150, vip: 300 } },
    escalation: {
      risk_keywords: { legal: ['lawyer', 'lawsuit', 'sue'], safety: ['fire', 'injured', 'choking'] },
      negative_sentiment_threshold: -0.6,
      repeat_contact: { window_hours: 72, max_contacts: 2 },
      high_value: { account_value_at_least: 5000, tiers: ['vip'] },
      priorities: { risk_keyword: 'high', negative_sentiment: 'high', high_value: 'high', policy_exception: 'normal' },
    },
    approved_sources: ['test-kb'],
    tone: { brand_voice: ['warm'], banned_phrases: ['calm down'], overconfident_phrases: ['guaranteed'], dismissive_patterns: ['not our problem'] },
    sampling: { default_rate: 0.1, by_route: { auto_resolved: 0.25 }, by_area: { refund: 1 } },
    overrides: [],
  });
  overrides(pack);
  return pack;
}
