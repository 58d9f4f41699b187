/**
 * How often the draft checks fire on Bitext's agent responses (written for customers, with
 * placeholders such as {{Order Number}}). They are not all "good" under our pack (they promise and
 * apologise generically), so this shows what fires and why, for tuning; it is not an accuracy score.
 *   pnpm exec tsx libs/guardrails/scripts/measure-drafts.ts [DATASETS_DIR]
 * Prints counts by rule only.
 */
import { readFileSync } from 'node:fs';
import { parseCsv } from '@handrail/evaluation';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePolicy } from '@handrail/policy';
import { checkDraft } from '../src/draft.js';

const root = resolve(process.argv[2] ?? join(process.cwd(), '../shared/datasets'));
const packFile = fileURLToPath(new URL('../../demo/policy/demo-pack.yaml', import.meta.url));
const pack = parsePolicy(readFileSync(packFile, 'utf8'), packFile);
const bitextFile = join(root, 'bitext-customer-support/Bitext_Sample_Customer_Support_Training_Dataset.csv');
const [head, ...rows] = parseCsv(readFileSync(bitextFile, 'utf8'), bitextFile).map((r) => r.cells);
const col = head?.indexOf('response') ?? -1;
const responses = rows.map((r) => r[col] ?? '').filter(Boolean);

const byRule = new Map<string, number>();
const byEvidence = new Map<string, number>();
let failed = 0;
for (const text of responses) {
  const r = checkDraft({ text, area: 'routine', action: 'resolve', customer: {}, pack, refundLimit: 50 });
  if (!r.passed) failed++;
  for (const f of r.failures) {
    byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
    if (f.check === 'tone') byEvidence.set(f.evidence[0] ?? '', (byEvidence.get(f.evidence[0] ?? '') ?? 0) + 1);
  }
}
console.log(`bitext responses: ${failed}/${responses.length} fail at least one check`);
console.log('failures by rule:', JSON.stringify(Object.fromEntries([...byRule].sort((a, b) => b[1] - a[1]))));
console.log('tone hits by phrase:', JSON.stringify(Object.fromEntries([...byEvidence].sort((a, b) => b[1] - a[1]))));
