/**
 * `make eval`: the fixed evaluations on ../shared/datasets (never a unit test — CI's clean
 * clone may not have the data). Prints one JSON object per evaluation, prefixed by its name.
 * usage: tsx libs/evaluation/scripts/eval-shared.ts [DATASETS_DIR] [--only banking77,bitext,nlupp-banking,nlupp-hotels]
 */
import { resolve } from 'node:path';
import { loadPolicyFile } from '@handrail/policy';
import { demoPaths } from '@handrail/demo';
import { evaluate, loadSharedDatasets } from '@handrail/evaluation';
import { trainClassifier } from '@handrail/classifier';

const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',') : undefined;
const dir = resolve(args.find((a, i) => !a.startsWith('--') && i !== onlyAt + 1) ?? '../shared/datasets');

const policy = await loadPolicyFile(demoPaths.policy);
const { splits } = await loadSharedDatasets(dir, only);
for (const s of splits) {
  process.stderr.write(`${s.name}: ${s.train.length} train / ${s.test.length} test…\n`);
  const r = evaluate({ train: s.train, test: s.test, policy, trainFn: (e) => trainClassifier(e), threshold: 'auto' });
  process.stderr.write(`${s.name}: threshold ${r.threshold} (CV unsafe ${r.auto?.crossValidation.unsafe_automation}, coverage ${r.auto?.crossValidation.coverage})\n`);
  console.log(`${s.name} ${JSON.stringify(r.metrics)}`);
}
