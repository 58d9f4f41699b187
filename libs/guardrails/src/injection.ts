import { clip, fail, pass, type Verdict } from './verdict.js';

/**
 * Prompt-injection detection: deterministic patterns over normalised text, plus the contents of
 * hidden markup and base64 blobs. Each pattern is narrow on purpose: a customer who "ignored the
 * previous email" or whose "system says the order shipped" must not be escalated for it.
 */
interface InjectionPattern {
  name: string;
  re: RegExp;
}

const TARGETS = '(?:instructions?|prompts?|rules|directives|guidelines|guardrails|programming|restrictions|safety filters?|system message)';
const FILLER = '(?:(?:all|any|every|the|your|of|previous|prior|above|earlier|preceding|original|initial|system|safety|these|those|other|existing|current)\\s+){0,4}';

const PATTERNS: readonly InjectionPattern[] = [
  { name: 'ignore_instructions', re: new RegExp(`\\b(?:ignore|disregard|forget|override|bypass)\\s+${FILLER}${TARGETS}\\b`, 'iu') },
  { name: 'ignore_instructions', re: /\b(?:ignore|disregard|forget)\s+(?:everything|anything|all)\s+(?:above|you (?:were|have been|'ve been) told|(?:that )?came before this)\b/iu },
  {
    name: 'role_reassignment',
    re: /\b(?:you are now|you're now|from now on,? you are|from now on,? you will be|pretend (?:to be|you are)|act as)\s+(?:an?\s+|the\s+|my\s+|in\s+)?(?:[\w-]+\s+){0,2}?(?:assistant|ai|bot|model|dan|mode|admin(?:istrator)?|developer|persona|character|gpt|llm|chatbot|unrestricted|jailbroken|unfiltered)\b/iu,
  },
  // A line that pretends to be another turn of the conversation. `system:` alone is common in bug
  // reports ("System: iOS 17"), so it counts only with instruction words on the same line.
  { name: 'fake_turn', re: /(?:^|\n)\s*(?:\[|<|#{1,3}\s*)?(?:assistant|admin|administrator|developer|operator)\s*(?:\]|>)?\s*:\s*\S/iu },
  {
    name: 'fake_turn',
    re: /(?:^|\n)\s*(?:\[|<|#{1,3}\s*)?system\s*(?:\]|>)?\s*:[^\n]*\b(?:you|must|ignore|approve|refund|instruction|override|assistant|reveal|allowed|authori[sz]ed|policy|rules)\b/iu,
  },
  { name: 'fake_turn', re: /<\|(?:im_start|im_end|system|endoftext)\|>|\[\/?INST\]|<<\/?SYS>>|<\/?system>/iu },
  {
    name: 'reveal_prompt',
    re: new RegExp(
      `\\b(?:reveal|print|repeat|leak|dump|output|disclose|show me|tell me|what (?:are|is|were))\\s+(?:me\\s+)?(?:your|the)\\s+(?:(?:system|initial|hidden|original|secret|internal)\\s+)+(?:${TARGETS.slice(3, -1)})\\b` +
        `|\\b(?:reveal|print|repeat|leak|dump|disclose)\\s+(?:me\\s+)?your\\s+${TARGETS}\\b|\\byour system prompt\\b` +
        `|\\b(?:repeat|print|output)\\s+(?:all\\s+)?(?:the\\s+)?(?:text|words|everything)\\s+above\\b`,
      'iu',
    ),
  },
  {
    name: 'developer_mode',
    re: /\b(?:enter|enable|activate|switch (?:in)?to|you are (?:now )?in|you're (?:now )?in)\s+(?:developer|god|dan|jailbreak|unrestricted|debug|admin)\s+mode\b(?!\s+on\s+(?:my|the|your)\s+(?:phone|device|android|iphone|tablet|pixel|samsung))|\bdo anything now\b|\bjailbreak(?:ing)? (?:prompt|mode|the (?:ai|bot|assistant))\b/iu,
  },
  { name: 'new_instructions', re: /\b(?:new|updated|real|actual|revised|following) (?:system )?instructions\s*:|\b(?:begin|end) (?:of )?(?:system )?prompt\b/iu },
];

/** Contents a human reader would not see but a model would. */
const HIDDEN = [
  /<!--([\s\S]*?)-->/g,
  /<(?:span|div|p|font)[^>]*(?:display\s*:\s*none|font-size\s*:\s*0|visibility\s*:\s*hidden|color\s*:\s*(?:white|#fff(?:fff)?))[^>]*>([\s\S]*?)<\/(?:span|div|p|font)>/gi,
  /^\[\/\/\]:\s*#\s*\(([^)]*)\)/gm,
];
const HIDDEN_INSTRUCTION_WORDS = /\b(?:instruction|ignore|assistant|system|prompt|ai|bot|model|approve|refund|reveal|you must|you are|override)\b/iu;

const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF\u00AD]/g;
const BASE64 = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{24,}={0,2}(?![A-Za-z0-9+/=])/g;

function normalise(text: string): string {
  return text.normalize('NFKC').replace(ZERO_WIDTH, '').replace(/[’‘]/g, "'").replace(/[ \t]+/g, ' ');
}

function decodeBase64(blob: string): string | undefined {
  const decoded = Buffer.from(blob, 'base64').toString('utf8');
  // Mostly printable text, or it was a tracking number / token rather than a hidden message.
  const printable = decoded.replace(/[^\x20-\x7E\n\r\t]/g, '');
  return printable.length >= decoded.length * 0.9 && /[a-z]{3,}\s+[a-z]{2,}/i.test(decoded) ? decoded : undefined;
}

export interface InjectionMatch {
  pattern: string;
  /** Where it was found: the visible text, hidden markup, or a decoded base64 blob. */
  source: 'text' | 'hidden' | 'base64';
  match: string;
}

function scan(text: string, source: InjectionMatch['source'], out: InjectionMatch[]): void {
  for (const p of PATTERNS) {
    const m = p.re.exec(text);
    if (m) out.push({ pattern: p.name, source, match: clip(m[0]) });
  }
}

/** Every injection pattern that matches, in the text itself, in hidden markup, or inside base64. */
export function findInjections(raw: string): InjectionMatch[] {
  const text = normalise(raw);
  const out: InjectionMatch[] = [];
  scan(text, 'text', out);
  for (const re of HIDDEN) {
    for (const m of text.matchAll(re)) {
      const inner = m[1] ?? m[2] ?? '';
      if (HIDDEN_INSTRUCTION_WORDS.test(inner)) out.push({ pattern: 'hidden_instruction', source: 'hidden', match: clip(inner) });
    }
  }
  for (const m of text.matchAll(BASE64)) {
    const decoded = decodeBase64(m[0]);
    if (decoded === undefined) continue;
    const inner: InjectionMatch[] = [];
    scan(normalise(decoded), 'base64', inner);
    if (inner.length > 0) out.push(...inner);
    else if (HIDDEN_INSTRUCTION_WORDS.test(decoded)) out.push({ pattern: 'encoded_instruction', source: 'base64', match: clip(decoded) });
  }
  // One report per pattern and place; the first match is evidence enough.
  const seen = new Set<string>();
  return out.filter((m) => {
    const k = `${m.pattern}|${m.source}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Verdict of the injection check: any match means AI never acts alone on this message. */
export function detectPromptInjection(text: string): Verdict {
  const matches = findInjections(text);
  if (matches.length === 0) return pass('prompt_injection', 'prompt_injection', 'no instruction-like content found');
  return fail(
    'prompt_injection',
    'prompt_injection',
    'prompt_injection',
    `the message tries to steer the assistant (${[...new Set(matches.map((m) => m.pattern))].join(', ')})`,
    matches.map((m) => `${m.pattern}${m.source === 'text' ? '' : `@${m.source}`}: "${m.match}"`),
  );
}
