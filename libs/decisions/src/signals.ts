import type { KeywordHit, TextSignals } from '@handrail/contracts';
import { detectPromptInjection } from '@handrail/guardrails';
import type { PolicyPack } from '@handrail/policy';

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const keywordCache = new WeakMap<PolicyPack, Array<{ group: string; re: RegExp }>>();
function keywordMatchers(policy: PolicyPack): Array<{ group: string; re: RegExp }> {
  let m = keywordCache.get(policy);
  if (!m) {
    m = Object.entries(policy.escalation.risk_keywords).map(([group, words]) => ({
      group,
      re: new RegExp(`(?<![\\p{L}\\p{N}])(?:${words.map(escapeRe).join('|')})(?![\\p{L}\\p{N}])`, 'giu'),
    }));
    keywordCache.set(policy, m);
  }
  return m;
}

/** The pack's risk keywords found in `text`, per group, each word once and lower-cased. */
export function riskKeywordHits(text: string, policy: PolicyPack): KeywordHit[] {
  const out: KeywordHit[] = [];
  for (const { group, re } of keywordMatchers(policy)) {
    const found = [...new Set([...text.matchAll(re)].map((m) => m[0].toLowerCase()))];
    if (found.length > 0) out.push({ group, words: found });
  }
  return out;
}

/** Matched prompt-injection evidence in customer text; empty when none. */
export function injectionEvidence(text: string): string[] {
  const v = detectPromptInjection(text);
  return v.passed ? [] : [...v.evidence];
}

/** Everything the later stages need from the customer's text besides the classification, read once. */
export function readSignals(text: string, policy: PolicyPack): TextSignals {
  return { injection: injectionEvidence(text), riskKeywords: riskKeywordHits(text, policy) };
}
