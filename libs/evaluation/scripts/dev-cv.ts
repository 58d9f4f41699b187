/**
 * Development loop that never touches a test split: NLU++ folds 0–9 only (train 0–4 → test 5–9 and
 * the reverse), and Banking77/Bitext TRAIN splits only (an inner 75/25 split of the 80 %). Use it to
 * tune detectors and the model; `eval-shared.ts` is for reporting.
 * usage: tsx libs/evaluation/scripts/dev-cv.ts [DATASETS_DIR] [--only nlupp-banking,...] [--show]
 */
import { resolve } from 'node:path';
import { loadPolicyFile, resolvableAreas } from '@handrail/policy';
import { demoPaths } from '@handrail/demo';
import { autoThreshold, stratifiedFolds, toTrainingExamples, evaluate, loadSharedDatasets, splitTrainTest, computeMetrics, ELIGIBLE_AREAS, type GoldMessage, type RoutedMessage } from '@handrail/evaluation';
import { trainClassifier, detectRisk, forcedArea, type TrainOptions } from '@handrail/classifier';

const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',') : undefined;
const show = args.includes('--show');
const dir = resolve(args[0] && !args[0].startsWith('--') ? args[0] : '../shared/datasets');

const policy = await loadPolicyFile(demoPaths.policy);
const { splits } = await loadSharedDatasets(dir, only);
const flag = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const resolveAreas = resolvableAreas(policy);
const trainOptions: TrainOptions = {
  ...(args.includes('--groups') ? { confidenceGroups: [resolveAreas] } : {}),
  softmax: { ...(flag('--balance') ? { balance: Number(flag('--balance')) } : {}), ...(flag('--epochs') ? { epochs: Number(flag('--epochs')) } : {}), ...(flag('--l2') ? { l2: Number(flag('--l2')) } : {}) },
  ...(flag('--knn') ? { knnWeight: Number(flag('--knn')) } : {}),
};
const eligible = (a: string): boolean => (ELIGIBLE_AREAS as readonly string[]).includes(a);

for (const s of splits) {
  if (args.includes('--cv-full')) {
    // The threshold the real evaluation would pick: 5-fold CV over the whole training split.
    const a = autoThreshold(s.train, (e) => trainClassifier(e, trainOptions), policy, { perArea: args.includes('--area'), policyFloor: !args.includes('--no-floor') });
    if (a.areaThresholds) console.log(`${s.name} CV area thresholds ${JSON.stringify(a.areaThresholds)} coverage ${a.areaCrossValidation?.coverage} unsafe ${a.areaCrossValidation?.unsafe_automation}`);
    const pooled = a.crossValidationSweep;
    console.log(`${s.name} CV threshold ${a.threshold} coverage ${a.crossValidation.coverage} unsafe ${a.crossValidation.unsafe_automation} critical ${a.crossValidation.critical_automation}`);
    console.log(`  CV sweep: ${pooled.filter((p) => p.threshold >= 0.5).map((p) => `${p.threshold}:${p.coverage}/${p.unsafe_automation}`).join(' ')}`);
    if (show) {
      const folds = stratifiedFolds(s.train, 5, (g) => g.label, 11);
      folds.forEach((held, i) => {
        const rest = folds.filter((_, j) => j !== i).flat();
        const clf = trainClassifier(toTrainingExamples(rest), trainOptions);
        for (const g of held) {
          if (eligible(g.area) || g.area === 'off_domain' || g.area === 'out_of_scope') continue;
          const c = clf.classify(g.text);
          if (forcedArea(c.riskFlags) === undefined) console.log(`    residual ${g.area}/${g.label} conf=${c.confidence.toFixed(3)} area=${c.area} | ${g.text}`);
        }
      });
    }
    continue;
  }
  // Only training data from here on.
  const pairs: Array<[GoldMessage[], GoldMessage[]]> = [];
  if (s.dataset === 'nlupp') {
    const half = Math.floor(s.train.length / 2);
    const a = s.train.slice(0, half);
    const b = s.train.slice(half);
    pairs.push([a, b], [b, a]);
  } else {
    const { train, test } = splitTrainTest(s.train, 0.75, 5);
    pairs.push([train, test]);
  }
  const routed: RoutedMessage[] = [];
  const ths: string[] = [];
  for (const [tr, te] of pairs) {
    const r = evaluate({ train: tr, test: te, policy, trainFn: (e) => trainClassifier(e, trainOptions), threshold: args.includes('--area') ? 'auto-area' : 'auto', autoOptions: { policyFloor: !args.includes('--no-floor') } });
    routed.push(...r.routed);
    ths.push(r.areaThresholds ? JSON.stringify(Object.fromEntries(Object.entries(r.areaThresholds).map(([a, t]) => [a, Math.round(t * 1000) / 1000]))) : String(r.threshold));
  }
  const m = computeMetrics(routed);
  // Detector quality over all of the training data (no model involved).
  let riskN = 0;
  let riskCaught = 0;
  let eligN = 0;
  let eligFired = 0;
  const misses: string[] = [];
  const falseFires: string[] = [];
  for (const g of s.train) {
    const flags = detectRisk(g.text);
    const forced = forcedArea(flags);
    if (eligible(g.area)) {
      eligN++;
      if (forced) {
        eligFired++;
        falseFires.push(`${flags.join(',')} | ${g.text}`);
      }
    } else if (g.area !== 'off_domain' && g.area !== 'out_of_scope') {
      riskN++;
      if (forced && !eligible(forced)) riskCaught++;
      else misses.push(`${g.area}/${g.label} | ${g.text}`);
    }
  }
  const autoUnsafe = routed.filter((r) => r.automated && !eligible(r.gold.area));
  console.log(
    `${s.name} thresholds ${ths.join('/')} coverage ${m.coverage} unsafe ${m.unsafe_automation} critical ${m.critical_automation} oos ${m.oos_flagged} | detectors: risky caught ${riskCaught}/${riskN}, eligible fired ${eligFired}/${eligN}`,
  );
  const why = new Map<string, number>();
  for (const r of routed) {
    if (!eligible(r.gold.area) || r.automated) continue;
    const key = [...new Set(r.reasons)].sort().join('+') || 'none';
    why.set(key, (why.get(key) ?? 0) + 1);
  }
  console.log(`  eligible not automated: ${[...why.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const unsafeList = routed.filter((r) => !eligible(r.gold.area) && r.autoAtZero);
  console.log(`  risky auto-at-zero confidences: ${unsafeList.map((r) => r.confidence.toFixed(2)).sort().join(' ')}`);
  const el = routed.filter((r) => eligible(r.gold.area));
  const cov = (t: number): string => (el.filter((r) => r.autoAtZero && r.confidence >= t).length / el.length).toFixed(3);
  console.log(`  eligible oos ${el.filter((r) => r.outOfScope).length}/${el.length}; coverage at 0/.5/.7/.8/.9/.95: ${[0, 0.5, 0.7, 0.8, 0.9, 0.95].map(cov).join(' ')}`);
  if (show) {
    console.log('  unsafe automated:');
    for (const r of autoUnsafe) console.log(`    ${r.gold.area}/${r.gold.label} conf=${r.confidence.toFixed(3)} | ${r.gold.text}`);
    console.log('  detector misses:');
    for (const x of misses) console.log(`    ${x}`);
    console.log('  detector false fires:');
    for (const x of falseFires) console.log(`    ${x}`);
  }
}
