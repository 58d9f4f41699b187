/**
 * A small VADER-style lexicon scorer: word valences, negation flips, intensifiers and dampeners,
 * "but" shifts weight to the clause after it, exclamation marks and ALL-CAPS amplify. Profanity is
 * strongly negative. Returns a score in [-1, 1].
 */
const LEXICON: Record<string, number> = {
  good: 1.9, great: 3.1, excellent: 3.2, amazing: 2.8, awesome: 3.1, fantastic: 3.3, wonderful: 3.2, perfect: 2.7,
  love: 3.2, loved: 2.9, like: 1.3, happy: 2.7, glad: 2.0, pleased: 2.2, thanks: 1.9, thank: 1.5, helpful: 1.9,
  nice: 1.8, best: 3.2, easy: 1.9, quick: 1.2, fast: 1.2, appreciate: 2.0, appreciated: 2.1, satisfied: 1.8, fine: 0.8,
  resolved: 1.3, works: 0.8, recommend: 1.5, brilliant: 2.8, friendly: 2.2, smooth: 1.3,
  bad: -2.5, terrible: -3.1, awful: -3.1, horrible: -3.0, worst: -3.1, hate: -2.7, hated: -3.2, angry: -2.3, annoyed: -1.6,
  annoying: -1.8, frustrated: -2.2, frustrating: -2.2, disappointed: -2.3, disappointing: -2.2, upset: -1.6, useless: -2.0,
  unacceptable: -2.5, ridiculous: -2.0, pathetic: -2.6, poor: -2.1, broken: -1.6, wrong: -2.1, problem: -1.7, issue: -0.8,
  fail: -2.5, failed: -2.3, failure: -2.3, error: -1.5, scam: -2.6, fraud: -2.4, stolen: -2.2, lost: -1.3, worried: -1.9,
  worry: -1.6, confused: -1.3, slow: -1.2, late: -0.9, never: -0.6, rude: -2.0, incompetent: -2.5, disgusting: -3.0,
  furious: -3.0, outraged: -3.0, livid: -3.0, nightmare: -2.8, joke: -0.8, waste: -1.8, wasted: -1.9, stupid: -2.4,
  sad: -2.1, unhappy: -2.1, complaint: -1.5, ripped: -1.5, lied: -2.4, liar: -2.6, charged: -0.3, declined: -1.0,
  stuck: -1.4, unfortunately: -1.2, sucks: -1.5, sorry: -0.3, desperate: -1.9, urgent: -0.5, disgrace: -2.9,
};

const PROFANITY = new Set(['fuck', 'fucking', 'fucked', 'shit', 'shitty', 'crap', 'crappy', 'damn', 'bullshit', 'bastard', 'bastards', 'ass', 'asshole', 'wtf', 'bloody', 'piss', 'pissed']);
// One swear word on its own scores about -0.59 (annoyed); with any other negative word, an
// exclamation mark or a second swear word it drops below -0.6 (angry). A casual "where's my bloody
// parcel" is not by itself a reason to take the ticket away from automation; abuse is.
const PROFANITY_VALENCE = -2.8;

const BOOSTERS: Record<string, number> = {
  very: 0.293, really: 0.293, so: 0.293, extremely: 0.293, absolutely: 0.293, completely: 0.293, totally: 0.293,
  incredibly: 0.293, utterly: 0.293, super: 0.293, most: 0.293, too: 0.2, such: 0.2,
  slightly: -0.293, somewhat: -0.293, barely: -0.293, kinda: -0.293, 'kind of': -0.293, little: -0.293,
};

const NEGATIONS = new Set(['not', 'no', 'never', 'none', 'nothing', 'nobody', 'neither', 'nor', 'without', 'cannot', 'hardly']);
const NEGATION_SCALAR = -0.74;

function words(text: string): Array<{ lower: string; caps: boolean }> {
  const expanded = text.replace(/[\u2018\u2019]/g, "'").replace(/n't\b/gi, ' not');
  return (expanded.match(/[A-Za-z']+/g) ?? []).map((w) => ({ lower: w.toLowerCase().replace(/'/g, ''), caps: w.length > 1 && w === w.toUpperCase() }));
}

export function sentiment(text: string): number {
  const ws = words(text);
  const anyLower = ws.some((w) => !w.caps);
  let butIndex = -1;
  ws.forEach((w, i) => {
    if (w.lower === 'but') butIndex = i;
  });
  let sum = 0;
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i];
    if (!w) continue;
    const isProfane = PROFANITY.has(w.lower);
    let v = isProfane ? PROFANITY_VALENCE : (LEXICON[w.lower] ?? 0);
    if (v === 0) continue;
    if (w.caps && anyLower) v += Math.sign(v) * 0.733;
    for (let back = 1; back <= 3; back++) {
      const prev = ws[i - back];
      if (!prev) break;
      const b = BOOSTERS[prev.lower];
      if (b !== undefined) v += Math.sign(v) * b * (back === 1 ? 1 : back === 2 ? 0.95 : 0.9);
      // Profanity stays negative even when negated ("not fucking happy" is not praise).
      if (NEGATIONS.has(prev.lower) && !isProfane) v *= NEGATION_SCALAR;
    }
    if (butIndex >= 0) v *= i < butIndex ? 0.5 : 1.5;
    sum += v;
  }
  const bangs = Math.min((text.match(/!/g) ?? []).length, 4) * 0.292;
  if (sum !== 0) sum += Math.sign(sum) * bangs;
  const score = sum / Math.sqrt(sum * sum + 15);
  return Math.max(-1, Math.min(1, score));
}
