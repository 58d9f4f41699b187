import { parseArgs } from 'node:util';
import { draftReply, handoffPacket, type DraftEntity } from '@handrail/drafting';
import { checkGrounding, type GroundingVerdict } from '@handrail/kb';
import type { AreaName } from '@handrail/policy';
import { UsageError } from '../io.js';
import { DEMO_KB_DIR, loadKb } from './kb.js';

const HELP = `usage: handrail draft "customer message" [--kb DIR] [--json]
Runs retrieval, the template-v1 drafter and the grounding check in process (no NATS), on the demo
help centre unless --kb is given. With --json the last line is one JSON object:
{"draft", "citations": [{"article","passage","version"}], "verdicts", "route", "reasons", ...}`;

type Route = 'auto_resolved' | 'awaiting_approval' | 'escalated';

/**
 * TODO(lead): replace this keyword stand-in with the real classifier (`@handrail/classifier`
 * `createClassifier` trained on the policy pack's examples). Ordered by the label map's precedence.
 */
const KEYWORD_AREAS: readonly { area: AreaName; intent: string; pattern: RegExp }[] = [
  { area: 'safety', intent: 'product_hazard', pattern: /\b(fire|smoke|burn\w*|shock\w*|injur\w*|unsafe|hazard\w*|recall\w*|explod\w*|overheat\w*|fraud\w*)\b/i },
  { area: 'privacy', intent: 'data_request', pattern: /\b(personal data|my data|gdpr|privacy|delete my account|my information)\b/i },
  { area: 'legal', intent: 'legal_threat', pattern: /\b(lawyer|attorney|sue|lawsuit|legal action|court)\b/i },
  { area: 'talk_to_human', intent: 'ask_for_human', pattern: /\b(human|real person|speak to (someone|a person)|manager|supervisor)\b/i },
  { area: 'complaint', intent: 'complaint', pattern: /\b(complain\w*|unacceptable|disgusted|worst|terrible service)\b/i },
  { area: 'cancellation', intent: 'cancel_order', pattern: /\b(cancel\w*)\b/i },
  { area: 'refund', intent: 'refund_request', pattern: /\b(refund\w*|money back|reimburs\w*)\b/i },
  { area: 'triage', intent: 'problem_report', pattern: /\b(broken|damaged|cracked|faulty|defective|missing|wrong item|not arrived|never arrived)\b/i },
  { area: 'faq_status', intent: 'order_status', pattern: /\b(where is|track\w*|shipping|delivery|dispatch\w*|how long|status)\b/i },
];

function standInClassify(text: string): { area: AreaName; intent: string; entities: DraftEntity[] } {
  const hit = KEYWORD_AREAS.find((k) => k.pattern.test(text));
  const entities = [...text.matchAll(/\b[A-Z]{2,3}-?\d{3,}\b/g)].map((m) => ({ kind: 'order_id', value: m[0] }));
  return { area: hit?.area ?? 'routine', intent: hit?.intent ?? 'general_question', entities };
}

/**
 * TODO(lead): replace with `@handrail/svc-escalation/domain` `decideOffline` (policy pack, confidence,
 * risk triggers). This stand-in only encodes the responsibility table's defaults.
 */
function standInRoute(area: AreaName, drafted: boolean, grounded: boolean): { route: Route; reasons: string[] } {
  if (!drafted) return { route: 'escalated', reasons: ['no_grounding'] };
  if (!grounded) return { route: 'escalated', reasons: ['ungrounded_claim'] };
  switch (area) {
    case 'privacy':
    case 'safety':
    case 'legal':
      return { route: 'escalated', reasons: [`area_human_only:${area}`] };
    case 'cancellation':
    case 'complaint':
    case 'talk_to_human':
      return { route: 'escalated', reasons: [`area_escalates:${area}`] };
    case 'refund':
      return { route: 'awaiting_approval', reasons: ['refund_needs_approval'] };
    case 'triage':
    case 'routine':
      return { route: 'awaiting_approval', reasons: ['ai_drafts_human_sends'] };
    case 'faq_status':
      return { route: 'auto_resolved', reasons: [] };
  }
}

function verdictLine(v: GroundingVerdict): string {
  return `  [${v.passed ? 'pass' : 'FAIL'}] ${v.code}: ${v.evidence[0] ?? ''}${v.passed ? '' : `\n         ${v.detail}`}`;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { kb: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const text = positionals.join(' ').trim();
  if (text === '') throw new UsageError('a customer message is required');

  const now = new Date();
  const kb = await loadKb(values.kb ?? DEMO_KB_DIR, now);
  const { area, intent, entities } = standInClassify(text);
  const result = draftReply({ text, intent, area, entities }, kb, { now });
  const verdicts = result.draft ? checkGrounding({ sentences: result.draft.sentences }, kb) : [];
  const grounded = verdicts.every((v) => v.passed);
  const { route, reasons } = standInRoute(area, result.draft !== null, grounded);
  const citations = (result.draft?.citations ?? []).map((c) => ({ article: c.articleId, passage: c.passageId, version: c.articleVersion }));

  if (values.json) {
    console.log(
      JSON.stringify({ draft: result.draft?.text ?? null, citations, verdicts, route, reasons, area, intent, kbRevision: kb.revision, kbFindings: result.kbFindings }),
    );
    return 0;
  }
  console.log(`area ${area}, intent ${intent} (keyword stand-in)  KB revision ${kb.revision}`);
  console.log('');
  if (result.draft) {
    console.log(result.draft.text);
    console.log('');
    console.log(`citations (${result.draft.templateId}):`);
    for (const c of citations) console.log(`  ${c.passage}@${c.version}`);
    console.log('');
    console.log('grounding:');
    for (const v of verdicts) console.log(verdictLine(v));
  } else {
    console.log(`no draft: ${result.reason ?? 'unknown'}`);
    for (const f of result.kbFindings) console.log(`  ${f}`);
  }
  if (route === 'escalated') {
    const packet = handoffPacket({ text, area, intent, reasons, kbResults: kb.search(text, { limit: 3 }) });
    console.log('');
    console.log(`handoff: ${packet.summary}`);
    console.log(`  next step: ${packet.suggestedNextStep}`);
  }
  console.log('');
  console.log(`route: ${route}${reasons.length > 0 ? ` (${reasons.join(', ')})` : ''}`);
  return 0;
}
