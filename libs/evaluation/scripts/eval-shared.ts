/**
 * `make eval`: the issue's fixed evaluations on ../shared/datasets (never a unit test — CI's clean
 * clone may not have the data). Prints one JSON object per evaluation, prefixed by its name.
 * Per data set, cross-validation on the TRAINING split picks the training variant (plain area
 * confidence, or pooled over the areas AI may resolve) and one threshold per area — the default
 * protocol of `handrail eval`. Then the hybrid (lexical + sentence encoder, issue 12): its gates and
 * thresholds by cross-validation on the training split plus a synthetic out-of-scope slice from
 * another shared set (`SYNTHETIC_SOURCE`), printed as `<name>-hybrid`.
 * usage: tsx libs/evaluation/scripts/eval-shared.ts [DATASETS_DIR] [--only banking77,bitext,nlupp-banking,nlupp-hotels] [--single] [--no-hybrid] [--hybrid-only]
 *   --single: the previous protocol (plain training, one threshold for every area)
 */
import { resolve } from 'node:path';
import { loadPolicyFile } from '@handrail/policy';
import { demoPaths } from '@handrail/demo';
import { createEncoder } from '@handrail/encoder';
import { asOutOfScope, evaluate, loadSharedDatasets, runHybrid, standardCandidates, SYNTHETIC_SOURCE } from '@handrail/evaluation';
import { classifierBlockOf, trainClassifier } from '@handrail/classifier';

const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',') : undefined;
const dir = resolve(args.find((a, i) => !a.startsWith('--') && i !== onlyAt + 1) ?? '../shared/datasets');
const single = args.includes('--single');
const withHybrid = !args.includes('--no-hybrid');
const hybridOnly = args.includes('--hybrid-only');

const policy = await loadPolicyFile(demoPaths.policy);
const { splits } = await loadSharedDatasets(dir, only);
// Synthetic out-of-scope slices come from the other shared sets, whether or not they are evaluated.
const all = withHybrid ? (await loadSharedDatasets(dir, [...new Set(splits.map((s) => SYNTHETIC_SOURCE[s.name]).filter((n): n is string => n !== undefined))])).splits : [];
const encoder = withHybrid ? await createEncoder({ cacheSize: 0 }) : undefined;
for (const s of splits) {
  process.stderr.write(`${s.name}: ${s.train.length} train / ${s.test.length} test…\n`);
  if (single) {
    const r = evaluate({ train: s.train, test: s.test, policy, trainFn: (e) => trainClassifier(e), threshold: 'auto-single' });
    process.stderr.write(`${s.name}: threshold ${r.threshold} (CV unsafe ${r.auto?.crossValidation.unsafe_automation}, coverage ${r.auto?.crossValidation.coverage})\n`);
    console.log(`${s.name} ${JSON.stringify(r.metrics)}`);
    continue;
  }
  if (!hybridOnly) {
    // The same protocol as `handrail eval` and `make bench-classifier`.
    const r = evaluate({ train: s.train, test: s.test, policy, trainFn: (e) => trainClassifier(e), candidates: standardCandidates(policy), threshold: 'auto' });
    const cv = r.auto?.areaCrossValidation;
    const shown = Object.fromEntries(Object.entries(r.areaThresholds ?? {}).map(([a, t]) => [a, Math.round(t * 1000) / 1000]));
    process.stderr.write(
      `${s.name}: ${r.selection?.name} training (CV coverage ${JSON.stringify(r.selection?.coverageByCandidate)}), thresholds ${JSON.stringify(shown)} (CV unsafe ${cv?.unsafe_automation}, coverage ${cv?.coverage}); test calibration ECE ${r.reliability.ece}, largest bin gap ${r.reliability.max_gap}, largest overconfidence ${r.reliability.max_overconfidence}\n`,
    );
    console.log(`${s.name} ${JSON.stringify(r.metrics)}`);
  }
  const source = all.find((x) => x.name === SYNTHETIC_SOURCE[s.name]);
  if (encoder && source) {
    const h = await runHybrid({ train: s.train, test: s.test, synthetic: asOutOfScope(source.train, 1000), encoder, policy, cacheDir: resolve('.cache'), onPhase: (p) => process.stderr.write(`${s.name}-hybrid: ${p}\n`) });
    process.stderr.write(
      `${s.name}-hybrid: ${h.modelVersion} setting ${JSON.stringify(h.choice.setting)} thresholds ${JSON.stringify(h.choice.areaThresholds)} (CV coverage ${h.choice.crossValidation.coverage}, unsafe ${h.choice.crossValidation.unsafe_automation}; synthetic ${SYNTHETIC_SOURCE[s.name]} flagged ${h.choice.syntheticFlagged}, left-out intents flagged ${h.choice.leftOutFlagged}); test ECE ${h.reliability.ece}, largest overconfidence ${h.reliability.max_overconfidence}; CV trade-off (synthetic ≥ 97% flagged): ${h.choice.frontier.map((f) => `left-out ≥ ${f.minLeftOutFlagged}: coverage ${f.coverage}`).join('; ')}\n`,
    );
    // What to paste into the pack so the running classifier decides with this choice (issue 12).
    process.stderr.write(`${s.name}-hybrid: in the pack → classifier: ${JSON.stringify(classifierBlockOf(h.choice.setting))}, and per area confidence_threshold ${JSON.stringify(h.choice.areaThresholds)}\n`);
    console.log(`${s.name}-hybrid ${JSON.stringify(h.metrics)}`);
  }
}
await encoder?.close();
