import type { Entity } from './types.js';

interface Pattern {
  kind: Entity['kind'];
  re: RegExp;
  /** Which capture group holds the value (0 = whole match). */
  group: number;
}

const MONTHS = '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';

const PATTERNS: readonly Pattern[] = [
  { kind: 'email', re: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g, group: 0 },
  { kind: 'order_id', re: /#([A-Za-z]{0,3}\d{3,})\b/g, group: 0 },
  { kind: 'order_id', re: /\b(?:order|purchase|invoice|ticket|ref(?:erence)?)(?:\s+(?:number|no\.?|id|#))?\s*[:#]?\s*([A-Za-z]{0,3}\d{4,})\b/gi, group: 1 },
  { kind: 'amount', re: /[$€£]\s?\d{1,3}(?:,\d{3})*(?:\.\d{1,2})?|[$€£]\s?\d+(?:\.\d{1,2})?/g, group: 0 },
  { kind: 'amount', re: /\b\d+(?:[.,]\d{1,2})?\s?(?:dollars?|euros?|pounds?|usd|eur|gbp|bucks)\b/gi, group: 0 },
  { kind: 'date', re: /\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}\/\d{1,2}\/\d{2,4}\b/g, group: 0 },
  { kind: 'date', re: new RegExp(`\\b(?:${MONTHS}\\s+\\d{1,2}(?:st|nd|rd|th)?(?:,?\\s+\\d{4})?|\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTHS}(?:,?\\s+\\d{4})?)\\b`, 'gi'), group: 0 },
  { kind: 'date', re: /\b(?:yesterday|today|tomorrow|last (?:week|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b/gi, group: 0 },
  { kind: 'phone', re: /(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{3,4}[\s.-]\d{3,4}(?:[\s.-]\d{2,4})?/g, group: 0 },
];

/** Order ids, money amounts, emails, phone numbers and dates, in text order, without overlaps. */
export function extractEntities(text: string): Entity[] {
  const found: Array<Entity & { start: number; end: number }> = [];
  for (const p of PATTERNS) {
    for (const m of text.matchAll(p.re)) {
      const value = (m[p.group] ?? m[0]).trim();
      const start = m.index;
      const end = start + m[0].length;
      if (p.kind === 'phone' && value.replace(/\D/g, '').length < 7) continue;
      if (found.some((f) => start < f.end && end > f.start)) continue;
      found.push({ kind: p.kind, value, start, end });
    }
  }
  return found.sort((a, b) => a.start - b.start).map(({ kind, value }) => ({ kind, value }));
}
