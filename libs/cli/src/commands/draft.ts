import { parseArgs } from 'node:util';
import { demoPaths } from '@handrail/demo';
import { UsageError } from '../io.js';
import { loadOfflinePolicy, runOffline } from '../offline.js';
import { loadKb } from './kb.js';

const HELP = `usage: handrail draft "customer message" [--kb DIR] [--policy FILE] [--tier TIER] [--json]
Runs classification, the guardrail permission, the escalation triggers, retrieval, drafting and the
draft checks in process — the same code the services run — on the demo help centre and policy pack
unless --kb / --policy are given. With --json the last line is one JSON object:
{"draft", "citations": [{"article","passage","version"}], "verdicts", "route", "reasons", ...}`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      kb: { type: 'string' },
      policy: { type: 'string' },
      tier: { type: 'string', default: 'standard' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const text = positionals.join(' ').trim();
  if (text === '') throw new UsageError('a customer message is required');
  const now = new Date();
  const kb = await loadKb(values.kb ?? demoPaths.kb, now);
  const policy = await loadOfflinePolicy(values.policy ?? demoPaths.policy);
  const r = await runOffline(text, policy, kb, { tier: values.tier, now });
  const c = r;
  if (values.json) {
    console.log(
      JSON.stringify({
        draft: r.draft?.text ?? null,
        citations: r.draft?.citations ?? [],
        verdicts: r.verdicts,
        route: r.route,
        reasons: r.reasons,
        area: c.area,
        intent: c.intent,
        confidence: c.confidence,
        action: r.action,
        revisions: { policy: policy.revision, model: r.decision.revisions.model, kb: kb.revision },
        kbFindings: r.kbFindings,
        relevance: r.decision.drafted?.relevance ?? null,
      }),
    );
    return 0;
  }
  console.log(`area ${c.area}, intent ${c.intent}, confidence ${c.confidence.toFixed(3)}, sentiment ${c.sentiment.toFixed(2)}${c.riskFlags.length ? `, risk ${c.riskFlags.join(', ')}` : ''}`);
  console.log(`AI may: ${r.action}   [policy ${policy.revision}, model ${r.decision.revisions.model}, kb ${kb.revision}]`);
  console.log('');
  if (r.draft) {
    console.log(r.draft.text);
    console.log('');
    console.log('citations:');
    for (const x of r.draft.citations) console.log(`  ${x.article}#${x.passage}@${x.version}`);
    console.log('');
    console.log('checks:');
    for (const v of r.verdicts) console.log(`  [${v.passed ? 'pass' : 'FAIL'}] ${v.check} ${v.code}${v.passed ? '' : `: ${v.detail} — ${v.evidence.join(' | ')}`}`);
    const rel = r.decision.drafted?.relevance;
    if (rel) console.log(`  [${rel.passed ? 'pass' : 'FAIL'}] relevance: ${rel.detail}`);
  } else if (r.kbFindings.length) {
    console.log('no draft:');
    for (const f of r.kbFindings) console.log(`  ${f}`);
  }
  const packet = r.decision.handoff?.packet;
  if (packet) {
    console.log('');
    console.log(`handoff: ${packet.summary}`);
    console.log(`  next step: ${packet.suggestedNextStep}`);
  }
  console.log('');
  console.log(`route: ${r.route}`);
  for (const x of r.reasons) console.log(`  • ${x.code} (${x.rule}): ${x.detail}${x.evidence.length ? ` — ${x.evidence.join(', ')}` : ''}`);
  return 0;
}
