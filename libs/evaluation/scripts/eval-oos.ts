/**
 * `make eval-oos`: out-of-scope detection on ../shared/datasets, CLINC150-style (the issue's yardstick:
 * "trained on its 32 support intents only, the TF-IDF baseline keeps 75% coverage when 95% of
 * out-of-scope messages are flagged"). Nothing out of scope is ever trained or used to choose a
 * threshold: ours runs the `handrail eval` protocol (training variant and per-area thresholds by
 * cross-validation on the in-scope training split); the TF-IDF + LR baseline gets its threshold in
 * hindsight, at the lowest value that flags ≥ 95% of the test's out-of-scope messages (ours is shown
 * that way too, for a like-for-like comparison).
 *
 *   far:  Banking77 80/20 (seed 42) + every NLU++ hotels turn as out_of_scope (a bank bot asked hotel questions)
 *   near: Banking77 with 12 intents (fixed seed) held out of training; their test messages are out_of_scope
 *
 * The hybrid is reported twice, both chosen from the same cross-validation records: `hybrid` with
 * `DEFAULT_CHOOSE` (the coverage side) and `hybrid_strict` with `STRICT_CHOOSE` (the issue's
 * out-of-scope levels required in CV), so the cost of the strict side is measured, not guessed.
 *
 * usage: tsx libs/evaluation/scripts/eval-oos.ts [DATASETS_DIR] [--only far,near] [--hybrid-only] [--no-hybrid]
 * Prints one JSON line per setting, prefixed by its name.
 */
import { join, resolve } from 'node:path';
import { loadPolicyFile } from '@handrail/policy';
import { demoPaths } from '@handrail/demo';
import { classifierBlockOf, trainClassifier } from '@handrail/classifier';
import { createEncoder } from '@handrail/encoder';
import {
  asOutOfScope,
  runHybrid,
  classifyAll,
  computeMetrics,
  ELIGIBLE_AREAS,
  evaluate,
  gridOf,
  loadMessages,
  loadSharedDatasets,
  routeAll,
  shuffled,
  standardCandidates,
  STRICT_CHOOSE,
  toTrainingExamples,
  trainTfidfBaseline,
  withThreshold,
  type GoldMessage,
  type HybridEvaluation,
  type RoutedMessage,
} from '@handrail/evaluation';

const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',') : ['far', 'near'];
const dir = resolve(args.find((a, i) => !a.startsWith('--') && i !== onlyAt + 1) ?? '../shared/datasets');
const policy = await loadPolicyFile(demoPaths.policy);
const { splits } = await loadSharedDatasets(dir, ['banking77', 'bitext']);
const b77 = splits.find((s) => s.name === 'banking77');
const bitext = splits.find((s) => s.name === 'bitext');
if (!b77 || !bitext) throw new Error('Banking77 or Bitext not found');
// The synthetic out-of-scope slice for calibration: another shared set (e-commerce support turns),
// never the test's hotel turns; each fold also leaves 15% of the training intents out (near).
const synthetic = asOutOfScope(bitext.train, 1000);
const skipHybrid = args.includes('--no-hybrid');
const encoder = skipHybrid ? undefined : await createEncoder({ cacheSize: 0 });

const settings: Array<{ name: string; train: GoldMessage[]; test: GoldMessage[] }> = [];
if (only.includes('far')) {
  const hotels: GoldMessage[] = [];
  for (let f = 0; f < 20; f++) {
    for (const m of await loadMessages(join(dir, 'nlupp', 'hotels', `fold${f}.json`))) hotels.push({ text: m.text, label: 'hotel_turn', area: 'out_of_scope' });
  }
  settings.push({ name: 'oos-far', train: b77.train, test: [...b77.test, ...hotels] });
}
if (only.includes('near')) {
  const labels = [...new Set(b77.train.map((g) => g.label))].sort();
  const held = new Set(shuffled(labels, 2024).slice(0, 12));
  settings.push({
    name: 'oos-near',
    train: b77.train.filter((g) => !held.has(g.label)),
    test: b77.test.map((g) => (held.has(g.label) ? { ...g, area: 'out_of_scope' as const } : g)),
  });
  process.stderr.write(`oos-near: held-out intents ${[...held].join(', ')}\n`);
}

const eligible = (a: string): boolean => (ELIGIBLE_AREAS as readonly string[]).includes(a);
/**
 * The lowest single threshold (in hindsight) that flags ≥ 95% of the out-of-scope messages.
 * `plain`: automated iff the predicted area may resolve and the confidence clears it (how the
 * baseline is usually quoted); otherwise the services' routing decides as well.
 */
function at95(routed: RoutedMessage[], plain: boolean): { threshold: number; coverage: number | null; unsafe_automation: number | null; oos_flagged: number | null } {
  const msgs = plain ? routed.map((m) => ({ ...m, autoAtZero: eligible(m.area) })) : routed;
  for (const t of gridOf(0.001)) {
    const m = computeMetrics(msgs, (r) => r.autoAtZero && r.confidence >= t);
    if ((m.oos_flagged ?? 1) >= 0.95) return { threshold: t, coverage: m.coverage, unsafe_automation: m.unsafe_automation, oos_flagged: m.oos_flagged };
  }
  return { threshold: 1, coverage: 0, unsafe_automation: 0, oos_flagged: 1 };
}

for (const s of settings) {
  const nOos = s.test.filter((g) => g.area === 'out_of_scope').length;
  process.stderr.write(`${s.name}: ${s.train.length} train (in scope only) / ${s.test.length} test, ${nOos} out of scope…\n`);
  const hybridOnly = args.includes('--hybrid-only');
  const ours = hybridOnly ? undefined : evaluate({ train: s.train, test: s.test, policy, trainFn: (e) => trainClassifier(e), candidates: standardCandidates(policy), threshold: 'auto' });
  const examples = toTrainingExamples(s.train);
  const base = hybridOnly ? [] : routeAll(classifyAll(trainTfidfBaseline(examples), s.test), withThreshold(policy, 0), new Set(examples.map((e) => e.intent)));
  const m = ours?.metrics;
  let hybrid: Record<string, unknown> | undefined;
  let hybridStrict: Record<string, unknown> | undefined;
  if (encoder) {
    const h = await runHybrid({ train: s.train, test: s.test, synthetic, encoder, policy, cacheDir: resolve('.cache'), alsoChoose: { strict: STRICT_CHOOSE }, onPhase: (p) => process.stderr.write(`${s.name} hybrid: ${p}\n`) });
    process.stderr.write(
      `${s.name} hybrid: setting ${JSON.stringify(h.choice.setting)} thresholds ${JSON.stringify(h.choice.areaThresholds)} (CV coverage ${h.choice.crossValidation.coverage}, unsafe ${h.choice.crossValidation.unsafe_automation}; synthetic flagged ${h.choice.syntheticFlagged}, left-out intents flagged ${h.choice.leftOutFlagged}; ${h.choice.feasible}/${h.choice.tried} settings feasible)\n${s.name} hybrid: CV trade-off (synthetic ≥ 97% flagged): ${h.choice.frontier.map((f) => `left-out ≥ ${f.minLeftOutFlagged}: coverage ${f.coverage}`).join('; ')}\n`,
    );
    // What to paste into the pack so the running classifier decides with this choice (issue 12).
    process.stderr.write(`${s.name} hybrid: in the pack → classifier: ${JSON.stringify(classifierBlockOf(h.choice.setting))}, and per area confidence_threshold ${JSON.stringify(h.choice.areaThresholds)}\n`);
    const summary = (e: HybridEvaluation): Record<string, unknown> => ({
      model: e.modelVersion,
      coverage: e.metrics.coverage,
      unsafe_automation: e.metrics.unsafe_automation,
      critical_automation: e.metrics.critical_automation,
      oos_flagged: e.metrics.oos_flagged,
      ece: e.reliability.ece,
      max_overconfidence: e.reliability.max_overconfidence,
      oos_max_overconfidence: e.oosReliability.max_overconfidence,
      oos_mean_confidence: e.oosReliability.bins.reduce((t, b) => t + (b.mean_confidence ?? 0) * b.n, 0) / (nOos || 1),
    });
    hybrid = summary(h);
    const strict = h.variants.strict;
    if (strict) {
      const c = strict.choice;
      process.stderr.write(
        `${s.name} hybrid strict (CV: synthetic ≥ 97%, left-out intents ≥ 80% flagged): classifier ${JSON.stringify(classifierBlockOf(c.setting))} thresholds ${JSON.stringify(c.areaThresholds)} (CV coverage ${c.crossValidation.coverage}; synthetic flagged ${c.syntheticFlagged}, left-out ${c.leftOutFlagged})\n`,
      );
      hybridStrict = { ...summary(strict), setting: classifierBlockOf(c.setting), cv: { coverage: c.crossValidation.coverage, synthetic_flagged: c.syntheticFlagged, left_out_flagged: c.leftOutFlagged } };
    }
  }
  console.log(
    `${s.name} ${JSON.stringify({
      n: s.test.length,
      out_of_scope: nOos,
      handrail: ours && m ? { training: ours.selection?.name, coverage: m.coverage, unsafe_automation: m.unsafe_automation, critical_automation: m.critical_automation, oos_flagged: m.oos_flagged, ece: ours.reliability.ece, max_overconfidence: ours.reliability.max_overconfidence } : undefined,
      hybrid,
      hybrid_strict: hybridStrict,
      handrail_hindsight_95: ours ? at95(ours.routed, false) : undefined,
      tfidf_lr_hindsight_95: ours ? at95(base, true) : undefined,
    })}`,
  );
}
await encoder?.close();
