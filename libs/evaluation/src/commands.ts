import { readFile } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { HandrailError } from '@handrail/errors';
import { trainClassifier, type TrainingExample } from '@handrail/classifier';
import { loadPolicyFile, type PolicyPack } from '@handrail/policy';
import { demoPaths } from '@handrail/demo';
import { DatasetError } from './errors.js';
import { evaluate, memoryInUse, type EvaluationResult, type ThresholdMode } from './evaluate.js';
import { ELIGIBLE_AREAS, parseLabelMap, pickDatasetMap } from './labelmap.js';
import { loadMessages, toGold, toTrainingExamples, type GoldMessage } from './loaders.js';
import { coverageAtUnsafe, type EvalMetrics } from './metrics.js';
import { classifyAll, routeAll, withThreshold, type MessageClassifier } from './routing.js';
import { trainTfidfBaseline } from './baseline.js';
import { standardCandidates } from './candidates.js';
import { nlpjsClassifyBatch } from './nlpjs.js';
import { loadSharedDatasets, type SharedSplit } from './shared.js';
import { createEncoder, type Encoder } from '@handrail/encoder';
import { asOutOfScope, runHybrid, SYNTHETIC_SOURCE } from './hybrid.js';
import { NOT_OURS } from './labelmap.js';
import { servicePathInChild, type ServicePathResult } from './service-path.js';

/** Where commands write: stdout lines, stderr text (progress, errors). Injected so tests can capture. */
export interface CommandIo {
  out(line: string): void;
  err(text: string): void;
  /** Progress bars redraw in place only on a terminal. */
  errIsTty: boolean;
}

export const EVAL_USAGE = `usage: handrail eval --train FILE --test FILE --label-map FILE [options]

  --train FILE[,FILE]   labelled training data: CSV (text + intent/category column), JSONL {"text","label"},
                        or NLU++ fold JSON; several files separated by commas
  --test FILE[,FILE]    labelled test data, same formats (never used to choose anything)
  --label-map FILE      label → area map (maps[dataset][label])
  --dataset NAME        which map in the label map (default: guessed from the file names)
  --policy FILE         policy pack (default: the demo pack)
  --threshold MODE      auto (default): k-fold cross-validation on the training file chooses the
                        training variant (area or pooled confidence) and one threshold per area;
                        auto-single: one CV threshold for every area, plain training;
                        policy: the pack's per-area thresholds; or a number in [0,1] for every area
  --folds K             folds for --threshold auto / auto-single (default 5)
  --max-unsafe X        unsafe automation allowed on the held-out folds (default 0.005)
  --sweep               also print coverage vs unsafe automation for thresholds 0.0..1.0
  --json                the last stdout line is the metrics as one JSON object`;

export const BENCH_USAGE = `usage: handrail bench-classifier [--datasets DIR] [--only banking77,bitext] [--no-nlpjs] [--no-hybrid] [--encoder-threads N] [--json]

Banking77 and Bitext (80/20 split, fixed seed): our classifier vs NLP.js vs a TF-IDF + logistic
regression baseline. Intent accuracy, coverage at zero unsafe automation (ours with its training
variant and per-area thresholds chosen by cross-validation on the training split only, as
\`handrail eval\` does; baselines with the threshold chosen in hindsight), classifications/s, memory.
\`hybrid\` (issue 12): the lexical model + the sentence encoder's semantic model, gates and per-area
thresholds by cross-validation on the training split plus a synthetic out-of-scope slice from
another shared set; its cls/s is the classifier service's handler path (classifyStage, 64 in
flight, encoder batching, --encoder-threads worker threads) in a child process, with that
process's RSS and its rate per CPU-second (the machine is shared).`;

class UsageProblem extends HandrailError {
  override readonly name = 'UsageProblem';
  constructor(message: string) {
    super('invalid_argument', message);
  }
}

type Flags = Record<string, string | true>;

function parseFlags(argv: readonly string[], valued: readonly string[], booleans: readonly string[]): Flags {
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (!a.startsWith('--')) throw new UsageProblem(`unexpected argument ${JSON.stringify(a)}`);
    const [name = '', inline] = a.slice(2).split(/=(.*)/s, 2);
    if (booleans.includes(name)) {
      flags[name] = true;
    } else if (valued.includes(name)) {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageProblem(`--${name} needs a value`);
      flags[name] = v;
    } else {
      throw new UsageProblem(`unknown option --${name}`);
    }
  }
  return flags;
}

const str = (f: Flags, k: string): string | undefined => (typeof f[k] === 'string' ? (f[k] as string) : undefined);

function progressBar(io: CommandIo): { phase(p: string): void; tick(done: number, total: number): void; end(): void } {
  let label = '';
  let last = -1;
  return {
    phase(p) {
      if (io.errIsTty && last >= 0) io.err('\n');
      label = p;
      last = -1;
      if (!io.errIsTty) io.err(`${p}…\n`);
    },
    tick(done, total) {
      const pct = total === 0 ? 100 : Math.floor((100 * done) / total);
      if (io.errIsTty) {
        const width = 30;
        const fill = Math.round((width * pct) / 100);
        io.err(`\r${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total}`);
        last = pct;
      } else if (pct >= last + 25 || done === total) {
        io.err(`  ${done}/${total}\n`);
        last = pct;
      }
    },
    end() {
      if (io.errIsTty && last >= 0) io.err('\n');
      last = -1;
    },
  };
}

export function parseThreshold(v: string | undefined): ThresholdMode {
  if (v === undefined || v === 'auto' || v === 'auto-area') return 'auto';
  if (v === 'auto-single' || v === 'policy') return v;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1 || v.trim() === '') throw new UsageProblem(`--threshold must be auto, auto-single, policy or a number in [0,1], not ${JSON.stringify(v)}`);
  return n;
}

const pct = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(2)}%`);

export function metricsTable(m: EvalMetrics): string[] {
  const rows: Array<[string, string]> = [
    ['messages', String(m.n)],
    ['intent accuracy', pct(m.intent_accuracy)],
    ['coverage (eligible automated)', pct(m.coverage)],
    ['unsafe automation', pct(m.unsafe_automation)],
    ['critical automation', pct(m.critical_automation)],
    ['out-of-scope flagged', pct(m.oos_flagged)],
  ];
  const lines = rows.map(([k, v]) => `  ${k.padEnd(30)} ${v}`);
  lines.push('', `  ${'area'.padEnd(14)} ${'n'.padStart(6)} ${'automated'.padStart(10)} ${'rate'.padStart(8)} ${'area acc'.padStart(9)}`);
  for (const [a, s] of Object.entries(m.by_area)) {
    lines.push(`  ${a.padEnd(14)} ${String(s.n).padStart(6)} ${String(s.automated).padStart(10)} ${pct(s.automation_rate).padStart(8)} ${pct(s.area_accuracy).padStart(9)}`);
  }
  return lines;
}

async function loadPolicy(path: string): Promise<PolicyPack> {
  return loadPolicyFile(path);
}

/** Our classifier as the evaluation trains it. */
export const trainOurs = (examples: TrainingExample[]): MessageClassifier => trainClassifier(examples);

/** `handrail eval`. Returns the exit code: 0 ok, 2 usage, 1 bad data or failure. */
export async function runEvalCommand(argv: readonly string[], io: CommandIo, defaults: { policy?: string } = {}): Promise<number> {
  let flags: Flags;
  let threshold: ThresholdMode;
  try {
    flags = parseFlags(argv, ['train', 'test', 'label-map', 'dataset', 'policy', 'threshold', 'folds', 'max-unsafe'], ['json', 'sweep', 'help']);
    if (flags['help']) {
      io.out(EVAL_USAGE);
      return 0;
    }
    for (const req of ['train', 'test', 'label-map']) if (!str(flags, req)) throw new UsageProblem(`--${req} is required`);
    threshold = parseThreshold(str(flags, 'threshold'));
  } catch (e) {
    if (e instanceof UsageProblem) {
      io.err(`handrail eval: ${e.message}\n\n${EVAL_USAGE}\n`);
      return 2;
    }
    throw e;
  }
  const folds = Number(str(flags, 'folds') ?? 5);
  const maxUnsafe = Number(str(flags, 'max-unsafe') ?? 0.005);
  if (!Number.isInteger(folds) || folds < 2 || !(maxUnsafe >= 0 && maxUnsafe <= 1)) {
    io.err('handrail eval: --folds must be an integer ≥ 2 and --max-unsafe a number in [0,1]\n');
    return 2;
  }
  const bar = progressBar(io);
  try {
    const trainFile = str(flags, 'train') ?? '';
    const testFile = str(flags, 'test') ?? '';
    const mapFile = str(flags, 'label-map') ?? '';
    let mapText: string;
    try {
      mapText = await readFile(mapFile, 'utf8');
    } catch (e) {
      throw new DatasetError(mapFile, 0, `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const labelMap = parseLabelMap(mapText, mapFile);
    const { name, map } = pickDatasetMap(labelMap, str(flags, 'dataset'), [trainFile, testFile]);
    const policy = await loadPolicy(str(flags, 'policy') ?? defaults.policy ?? demoPaths.policy);
    const train = toGold(await loadMessages(trainFile), map, labelMap);
    const test = toGold(await loadMessages(testFile), map, labelMap);
    if (toTrainingExamples(train).length === 0) throw new DatasetError(trainFile, 0, 'no trainable examples (every label maps to off_domain/out_of_scope)');
    const r = evaluate({
      train,
      test,
      policy,
      trainFn: trainOurs,
      candidates: standardCandidates(policy),
      threshold,
      autoOptions: { folds, maxUnsafe },
      withSweep: flags['sweep'] === true,
      onPhase: (p) => bar.phase(p),
      onProgress: (d, t) => bar.tick(d, t),
    });
    bar.end();
    for (const l of describe(name, train.length, r)) io.out(l);
    io.out(JSON.stringify(r.metrics));
    return 0;
  } catch (e) {
    bar.end();
    if (e instanceof DatasetError || (e instanceof Error && e.name === 'PolicyError')) {
      io.err(`handrail eval: ${e.message}\n`);
      return 1;
    }
    if (e instanceof Error && /^(dataset|cannot tell)/.test(e.message)) {
      io.err(`handrail eval: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

function describe(dataset: string, nTrain: number, r: EvaluationResult): string[] {
  const lines = [`dataset ${dataset}: trained on ${nTrain} messages in ${(r.trainMs / 1000).toFixed(1)}s, model ${r.modelVersion ?? '?'}`];
  if (r.auto && r.areaThresholds) {
    const cv = r.auto.areaCrossValidation ?? r.auto.crossValidation;
    const shown = Object.entries(r.areaThresholds).map(([a, t]) => `${a} ${t.toFixed(3)}`).join(', ');
    if (r.selection) {
      const tried = Object.entries(r.selection.coverageByCandidate).map(([n, c]) => `${n} ${pct(c)}`).join(', ');
      lines.push(`training: ${r.selection.name} (held-out coverage by variant: ${tried})`);
    }
    lines.push(
      `thresholds: ${shown || 'none'}; every other area 1 (auto: ${r.auto.folds}-fold CV on the training file — held-out coverage ${pct(cv.coverage)}, unsafe ${pct(cv.unsafe_automation)}, critical ${pct(cv.critical_automation)})`,
    );
  } else if (r.auto) {
    const cv = r.auto.crossValidation;
    lines.push(
      `threshold ${r.threshold} (auto-single: ${r.auto.folds}-fold CV on the training file — held-out coverage ${pct(cv.coverage)}, unsafe ${pct(cv.unsafe_automation)}, critical ${pct(cv.critical_automation)})`,
    );
  } else {
    lines.push(r.threshold === undefined ? 'thresholds: the policy pack’s per-area confidence_threshold' : `threshold ${r.threshold} for every area`);
  }
  lines.push('', ...metricsTable(r.metrics));
  const rel = r.reliability;
  lines.push(
    '',
    `  calibration on the test file: ECE ${rel.ece === null ? '—' : rel.ece.toFixed(3)}, largest bin gap ${rel.max_gap === null ? '—' : rel.max_gap.toFixed(3)}, largest overconfidence ${rel.max_overconfidence === null ? '—' : rel.max_overconfidence.toFixed(3)} (right = predicted area, or both areas AI may resolve)`,
    `  ${'confidence'.padEnd(12)} ${'n'.padStart(6)} ${'mean conf'.padStart(10)} ${'right'.padStart(8)}`,
  );
  for (const b of rel.bins) {
    if (b.n === 0) continue;
    lines.push(`  ${`${b.lo.toFixed(1)}–${b.hi.toFixed(1)}`.padEnd(12)} ${String(b.n).padStart(6)} ${pct(b.mean_confidence).padStart(10)} ${pct(b.accuracy).padStart(8)}`);
  }
  if (r.sweep) {
    lines.push('', `  ${'threshold'.padEnd(10)} ${'coverage'.padStart(9)} ${'unsafe'.padStart(8)} ${'critical'.padStart(9)}`);
    for (const p of r.sweep) lines.push(`  ${p.threshold.toFixed(2).padEnd(10)} ${pct(p.coverage).padStart(9)} ${pct(p.unsafe_automation).padStart(8)} ${pct(p.critical_automation).padStart(9)}`);
  }
  lines.push('');
  return lines;
}

export interface BenchRow {
  system: string;
  intent_accuracy: number | null;
  coverage_at_zero_unsafe: number | null;
  /** For ours: the coverage and unsafe automation at the training-only threshold. */
  coverage: number | null;
  unsafe_automation: number | null;
  critical_automation: number | null;
  threshold: number | null;
  /** Ours: the per-area thresholds chosen by cross-validation on training (`threshold` is then null). */
  thresholds?: Record<string, number>;
  /** Ours: the training variant cross-validation chose. */
  training?: string;
  /** Ours: expected calibration error of the confidence on the test split. */
  ece?: number | null;
  classifications_per_second: number;
  train_seconds: number;
  memory_mb: number;
  /** Baselines only: coverage at zero unsafe when routing is just "eligible area and confident". */
  coverage_at_zero_unsafe_without_pipeline?: number | null;
  /** Hybrid: the classifier service's handler path (see BENCH_USAGE). */
  service_path?: ServicePathResult;
  /** Largest mean confidence − accuracy (bins of ≥ 20) on the test's out-of-scope messages, when it has any. */
  oos_max_overconfidence?: number | null;
}

/** Heap + array buffers after a full GC, so deltas measure what a model retains, not garbage. */
function settledMemory(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as unknown;
  if (typeof gc === 'function') (gc as () => void)();
  return memoryInUse();
}

function benchRoute(clfs: ReturnType<typeof classifyAll>, policy: PolicyPack, train: readonly GoldMessage[]) {
  const labels = new Set(toTrainingExamples(train).map((e) => e.intent));
  return routeAll(clfs, withThreshold(policy, 0), labels);
}

interface HybridBench {
  encoder: Encoder;
  synthetic: readonly GoldMessage[];
  policyFile: string;
  threads: number;
}

async function benchSplit(s: SharedSplit, policy: PolicyPack, withNlpjs: boolean, bar: ReturnType<typeof progressBar>, hybrid?: HybridBench): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const examples = toTrainingExamples(s.train);
  bar.phase(`${s.name}: our classifier (training variant and per-area thresholds by CV on training)`);
  const ours = evaluate({
    train: s.train,
    test: s.test,
    policy,
    trainFn: trainOurs,
    candidates: standardCandidates(policy),
    threshold: 'auto',
    onProgress: (d, t) => bar.tick(d, t),
    memory: settledMemory,
  });
  const oursZero = coverageAtUnsafe(ours.routed, 0);
  rows.push({
    system: 'handrail',
    intent_accuracy: ours.metrics.intent_accuracy,
    coverage_at_zero_unsafe: (ours.metrics.unsafe_automation ?? 0) === 0 ? ours.metrics.coverage : null,
    coverage: ours.metrics.coverage,
    unsafe_automation: ours.metrics.unsafe_automation,
    critical_automation: ours.metrics.critical_automation,
    threshold: ours.threshold ?? null,
    ...(ours.areaThresholds ? { thresholds: Object.fromEntries(Object.entries(ours.areaThresholds).map(([a, t]) => [a, Math.round(t * 1000) / 1000])) } : {}),
    ...(ours.selection ? { training: ours.selection.name } : {}),
    ece: ours.reliability.ece,
    classifications_per_second: Math.round((s.test.length / ours.classifyMs) * 1000),
    train_seconds: Math.round(ours.trainMs / 100) / 10,
    memory_mb: Math.round(ours.heapDeltaBytes / 1e5) / 10,
  });
  void oursZero;
  if (hybrid) {
    bar.phase(`${s.name}: hybrid (lexical + sentence encoder)`);
    const h = await runHybrid({ train: s.train, test: s.test, synthetic: hybrid.synthetic, encoder: hybrid.encoder, policy, cacheDir: '.cache', onPhase: (p) => bar.phase(`${s.name}: ${p}`), onProgress: (d, t) => bar.tick(d, t) });
    bar.phase(`${s.name}: hybrid service path (child process)`);
    const texts = [...new Set(s.test.map((g) => g.text))].slice(0, 2000);
    const sp = await servicePathInChild(hybrid.policyFile, texts, { concurrency: 64, threads: hybrid.threads, maxBatch: 128 });
    const trained = h.routed.filter((m) => m.trained);
    rows.push({
      system: 'hybrid',
      intent_accuracy: trained.length === 0 ? null : Math.round((trained.filter((m) => m.intentCorrect).length / trained.length) * 1e4) / 1e4,
      coverage_at_zero_unsafe: (h.metrics.unsafe_automation ?? 0) === 0 ? h.metrics.coverage : null,
      coverage: h.metrics.coverage,
      unsafe_automation: h.metrics.unsafe_automation,
      critical_automation: h.metrics.critical_automation,
      threshold: null,
      thresholds: Object.fromEntries(Object.entries(h.choice.areaThresholds).map(([a, t]) => [a, Math.round(t * 1000) / 1000])),
      training: `gate ${h.choice.setting.gate}, ramp ${h.choice.setting.ramp}, w ${h.choice.setting.semanticWeight}, disagree ${h.choice.setting.disagreementConfidence}`,
      ece: h.reliability.ece,
      classifications_per_second: sp.classifications_per_second,
      train_seconds: Math.round(h.trainMs / 100) / 10,
      memory_mb: sp.rss_mb,
      service_path: sp,
      oos_max_overconfidence: h.routed.some((m) => (NOT_OURS as readonly string[]).includes(m.gold.area)) ? h.oosReliability.max_overconfidence : null,
    });
  }
  const baselines: Array<{ system: string; run: () => Promise<{ clfs: ReturnType<typeof classifyAll>; trainMs: number; classifyMs: number; mem: number }> }> = [
    {
      system: 'tfidf_lr',
      run: async () => {
        const m0 = settledMemory();
        const t0 = performance.now();
        const b = trainTfidfBaseline(examples);
        const trainMs = performance.now() - t0;
        const mem = settledMemory() - m0;
        const t1 = performance.now();
        const clfs = classifyAll(b, s.test);
        return { clfs, trainMs, classifyMs: performance.now() - t1, mem };
      },
    },
  ];
  if (withNlpjs) {
    baselines.push({
      system: 'nlpjs',
      run: async () => {
        const r = await nlpjsClassifyBatch(examples, s.test.map((g) => g.text), settledMemory);
        return { clfs: r.results.map((classification, i) => ({ gold: s.test[i] as GoldMessage, classification })), trainMs: r.trainMs, classifyMs: r.classifyMs, mem: r.memoryDelta };
      },
    });
  }
  for (const b of baselines) {
    bar.phase(`${s.name}: ${b.system}`);
    const r = await b.run();
    const routed = benchRoute(r.clfs, policy, s.train);
    // The same classifier without the pipeline: automated iff the predicted area may resolve and the
    // confidence clears the threshold (how "plain TF-IDF + LR" is usually quoted).
    const plain = routed.map((m) => ({ ...m, autoAtZero: (ELIGIBLE_AREAS as readonly string[]).includes(m.area) }));
    const plainBest = coverageAtUnsafe(plain, 0);
    const best = coverageAtUnsafe(routed, 0);
    const trained = routed.filter((m) => m.trained);
    rows.push({
      system: b.system,
      intent_accuracy: trained.length === 0 ? null : Math.round((trained.filter((m) => m.intentCorrect).length / trained.length) * 1e4) / 1e4,
      coverage_at_zero_unsafe: best.coverage,
      coverage: coverageAtUnsafe(routed, ours.metrics.unsafe_automation ?? 0).coverage,
      unsafe_automation: ours.metrics.unsafe_automation,
      critical_automation: null,
      threshold: best.threshold,
      classifications_per_second: Math.round((s.test.length / r.classifyMs) * 1000),
      train_seconds: Math.round(r.trainMs / 100) / 10,
      memory_mb: Math.round(r.mem / 1e5) / 10,
      coverage_at_zero_unsafe_without_pipeline: plainBest.coverage,
    });
  }
  bar.end();
  return rows;
}

/** `handrail bench-classifier`. */
export async function runBenchCommand(argv: readonly string[], io: CommandIo, defaults: { datasets: string; policy?: string }): Promise<number> {
  let flags: Flags;
  try {
    flags = parseFlags(argv, ['datasets', 'only', 'policy', 'encoder-threads'], ['no-nlpjs', 'no-hybrid', 'json', 'help']);
  } catch (e) {
    if (e instanceof UsageProblem) {
      io.err(`handrail bench-classifier: ${e.message}\n\n${BENCH_USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (flags['help']) {
    io.out(BENCH_USAGE);
    return 0;
  }
  const only = (str(flags, 'only') ?? 'banking77,bitext').split(',').map((s) => s.trim());
  const bar = progressBar(io);
  try {
    const policyFile = str(flags, 'policy') ?? defaults.policy ?? demoPaths.policy;
    const policy = await loadPolicy(policyFile);
    const datasets = str(flags, 'datasets') ?? defaults.datasets;
    const { splits } = await loadSharedDatasets(datasets, only);
    const withHybrid = flags['no-hybrid'] !== true;
    const threads = Number(str(flags, 'encoder-threads') ?? '0');
    if (!Number.isInteger(threads) || threads < 0 || threads > 16) {
      io.err(`handrail bench-classifier: --encoder-threads must be an integer 0..16, got ${str(flags, 'encoder-threads')}\n\n${BENCH_USAGE}\n`);
      return 2;
    }
    const sources = [...new Set(splits.map((s) => SYNTHETIC_SOURCE[s.name]).filter((n): n is string => n !== undefined))];
    const others = withHybrid ? (await loadSharedDatasets(datasets, sources)).splits : [];
    const encoder = withHybrid ? await createEncoder({ cacheSize: 0 }) : undefined;
    const result: Record<string, BenchRow[]> = {};
    for (const s of splits) {
      const source = others.find((x) => x.name === SYNTHETIC_SOURCE[s.name]);
      const hybrid = encoder && source ? { encoder, synthetic: asOutOfScope(source.train, 1000), policyFile, threads } : undefined;
      result[s.name] = await benchSplit(s, policy, flags['no-nlpjs'] !== true, bar, hybrid);
    }
    await encoder?.close();
    io.out('');
    io.out('coverage@0 = coverage at zero unsafe automation (handrail: at its training-only threshold, shown only if its unsafe is 0;');
    io.out('baselines: best threshold in hindsight). plain@0 = baseline without the routing pipeline (eligible area + threshold only).');
    io.out('coverage for baselines = their best coverage at handrail’s unsafe automation level (hindsight).');
    io.out('hybrid: cls/s and mem MB are the classifier service handler path in a child process (RSS); see --help.');
    for (const [name, rows] of Object.entries(result)) {
      io.out('');
      io.out(`${name}`);
      io.out(`  ${'system'.padEnd(10)} ${'intent acc'.padStart(10)} ${'coverage@0'.padStart(11)} ${'plain@0'.padStart(8)} ${'coverage'.padStart(9)} ${'unsafe'.padStart(8)} ${'thresh'.padStart(7)} ${'cls/s'.padStart(8)} ${'train s'.padStart(8)} ${'mem MB'.padStart(7)}`);
      for (const r of rows) {
        const plain = r.coverage_at_zero_unsafe_without_pipeline === undefined ? '' : pct(r.coverage_at_zero_unsafe_without_pipeline);
        io.out(
          `  ${r.system.padEnd(10)} ${pct(r.intent_accuracy).padStart(10)} ${pct(r.coverage_at_zero_unsafe).padStart(11)} ${plain.padStart(8)} ${pct(r.coverage).padStart(9)} ${pct(r.unsafe_automation).padStart(8)} ${String(r.threshold ?? (r.thresholds ? 'area' : '—')).padStart(7)} ${String(r.classifications_per_second).padStart(8)} ${String(r.train_seconds).padStart(8)} ${String(r.memory_mb).padStart(7)}`,
        );
      }
    }
    for (const [name, rows] of Object.entries(result)) {
      for (const r of rows) {
        const sp = r.service_path;
        if (!sp) continue;
        io.out(
          `${name} hybrid service path: ${sp.classifications_per_second} classifications/s (${sp.classifications_per_cpu_second} per CPU-second) on ${sp.messages} messages, ${sp.concurrency} in flight, ${sp.threads} encoder threads, ${sp.encoder_calls} encoder calls (largest batch ${sp.largest_batch}); RSS ${sp.rss_mb} MB (peak ${sp.peak_rss_mb} MB); load average ${sp.load_average}; critical ${pct(r.critical_automation)}; test ECE ${r.ece ?? '—'}${r.oos_max_overconfidence !== undefined && r.oos_max_overconfidence !== null ? `, largest out-of-scope overconfidence ${r.oos_max_overconfidence}` : ''}; ${r.training ?? ''}`,
        );
      }
    }
    io.out(JSON.stringify(result));
    return 0;
  } catch (e) {
    bar.end();
    if (e instanceof DatasetError) {
      io.err(`handrail bench-classifier: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
