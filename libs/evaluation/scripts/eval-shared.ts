/**
 * `make eval`: the fixed evaluations on ../shared/datasets (never a unit test — CI's clean
 * clone may not have the data). Prints one JSON object per evaluation, prefixed by its name.
 * Per data set, cross-validation on the TRAINING split picks the training variant (plain area
 * confidence, or pooled over the areas AI may resolve) and one threshold per area — the default
 * protocol of `handrail eval`.
 * usage: tsx libs/evaluation/scripts/eval-shared.ts [DATASETS_DIR] [--only banking77,bitext,nlupp-banking,nlupp-hotels] [--single]
 *   --single: the previous protocol (plain training, one threshold for every area)
 */
import { resolve } from 'node:path';
import { loadPolicyFile } from '@handrail/policy';
import { demoPaths } from '@handrail/demo';
import { evaluate, loadSharedDatasets, standardCandidates } from '@handrail/evaluation';
import { trainClassifier } from '@handrail/classifier';

const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',') : undefined;
const dir = resolve(args.find((a, i) => !a.startsWith('--') && i !== onlyAt + 1) ?? '../shared/datasets');
const single = args.includes('--single');

const policy = await loadPolicyFile(demoPaths.policy);
const { splits } = await loadSharedDatasets(dir, only);
for (const s of splits) {
  process.stderr.write(`${s.name}: ${s.train.length} train / ${s.test.length} test…\n`);
  if (single) {
    const r = evaluate({ train: s.train, test: s.test, policy, trainFn: (e) => trainClassifier(e), threshold: 'auto-single' });
    process.stderr.write(`${s.name}: threshold ${r.threshold} (CV unsafe ${r.auto?.crossValidation.unsafe_automation}, coverage ${r.auto?.crossValidation.coverage})\n`);
    console.log(`${s.name} ${JSON.stringify(r.metrics)}`);
    continue;
  }
  // The same protocol as `handrail eval` and `make bench-classifier`.
  const r = evaluate({ train: s.train, test: s.test, policy, trainFn: (e) => trainClassifier(e), candidates: standardCandidates(policy), threshold: 'auto' });
  const cv = r.auto?.areaCrossValidation;
  const shown = Object.fromEntries(Object.entries(r.areaThresholds ?? {}).map(([a, t]) => [a, Math.round(t * 1000) / 1000]));
  process.stderr.write(
    `${s.name}: ${r.selection?.name} training (CV coverage ${JSON.stringify(r.selection?.coverageByCandidate)}), thresholds ${JSON.stringify(shown)} (CV unsafe ${cv?.unsafe_automation}, coverage ${cv?.coverage}); test calibration ECE ${r.reliability.ece}, largest bin gap ${r.reliability.max_gap}, largest overconfidence ${r.reliability.max_overconfidence}\n`,
  );
  console.log(`${s.name} ${JSON.stringify(r.metrics)}`);
}
