import { Classification, type Reason } from '@handrail/contracts';
import { AREA, type AreaName } from '@handrail/events';
import { trainClassifier as trainClassifierDefault, type DetailedClassification, type TrainedClassifier } from './model.js';
import { forcedArea } from './risk.js';
import { trainSemantic, type SemanticJudgement, type SemanticModel, type SemanticOptions } from './semantic.js';
import type { TrainingExample } from './types.js';
import type { PolicyPack } from '@handrail/policy';
import { modelOptionsFromPolicy, trainingExamplesFromPolicy } from './training.js';

/** How the lexical and the semantic model are combined. Calibration picks these (see README). */
export interface HybridOptions {
  /** Weight of the semantic model's area probability in the combined confidence. */
  semanticWeight: number;
  /**
   * Similarity band above the semantic gate in which the confidence is scaled down linearly (0 at the
   * gate, full at gate + ramp): a message barely inside the gate needs more agreement to be trusted.
   */
  ramp: number;
  /**
   * Disagreement on the area sends the message to a person only when both models are at least this
   * sure of their own answer; below it the combined confidence (which already pays for the doubt) decides.
   */
  disagreementConfidence: number;
  /**
   * Weight of the intent probabilities (both models' top intent) against the area probabilities:
   * a message between several known intents is often one of an intent never taught (near out of scope).
   */
  intentWeight: number;
  /**
   * A second out-of-scope gate: a message less typical of the trained intents than this share of
   * held-out training messages (relative Mahalanobis, `SemanticJudgement.typicality`) goes to a
   * person. 0 turns it off. It sees a message of an intent never taught, which sits near some
   * example (so passes the similarity gate) but off the directions along which the intents vary.
   */
  typicalityGate: number;
  /**
   * How the two models' area probabilities are pooled: `linear` (the weighted mean) or `log` (the
   * weighted geometric mean, renormalised over the areas). A linear pool of two calibrated models is
   * under-confident where they agree (Ranjan & Gneiting 2010); the log pool lets agreement count.
   */
  pooling?: 'linear' | 'log';
}

export const DEFAULT_HYBRID: HybridOptions = { semanticWeight: 0.5, ramp: 0.1, disagreementConfidence: 0, intentWeight: 0, typicalityGate: 0, pooling: 'linear' };

export interface HybridVersions {
  lexical: string;
  encoder: string;
  head: string;
}

/** The joined version a decision cites in its envelope: every model behind it. */
export const hybridVersion = (v: HybridVersions): string => `${v.lexical}+${v.head}`;

/**
 * One classification from both models' opinions. Risk detectors have already forced the lexical
 * area where they fired, and still decide it here. The combined confidence is the weighted mean of
 * the two models' probabilities for the chosen area, scaled down near the out-of-scope gate.
 */
export function combineOpinions(lex: DetailedClassification, sem: SemanticJudgement, gate: number, versions: HybridVersions, o: HybridOptions = DEFAULT_HYBRID): Classification {
  const forced = forcedArea(lex.riskFlags);
  const lexArea = lex.modelArea;
  const semArea = sem.area;
  // The area: a risk detector's, else the semantic model's (it knows paraphrases), its probability
  // pooled with what the lexical model gives that same area.
  const area: AreaName = forced ?? semArea;
  const lexP = (a: AreaName): number => (lexArea === a ? lex.confidence : Math.max(0, 1 - lex.confidence) * lexAreaShare(lex, a));
  const semP = (a: AreaName): number => sem.areaProbability.get(a) ?? 0;
  let confidence =
    o.pooling === 'log'
      ? logPool(lexP, semP, area, [...new Set<AreaName>([area, lexArea, ...sem.areaProbability.keys()])], o.semanticWeight)
      : o.semanticWeight * semP(area) + (1 - o.semanticWeight) * lexP(area);
  if (o.intentWeight > 0) {
    const intentP = o.semanticWeight * (area === semArea ? sem.intentConfidence : 0) + (1 - o.semanticWeight) * (area === lexArea ? lex.intentConfidence : 0);
    confidence = (1 - o.intentWeight) * confidence + o.intentWeight * intentP;
  }
  const doubts: Reason[] = [];
  const evidence = [
    `lexical=${lexArea}@${lex.confidence.toFixed(3)}`,
    `semantic=${semArea}@${sem.confidence.toFixed(3)}`,
    `nearest=${sem.nearestSimilarity.toFixed(3)}`,
    `gate=${gate.toFixed(3)}`,
    ...(o.typicalityGate > 0 ? [`typicality=${sem.typicality.toFixed(3)}`, `typicality_gate=${o.typicalityGate.toFixed(3)}`] : []),
  ];
  const atypical = o.typicalityGate > 0 && sem.typicality < o.typicalityGate;
  if (sem.outOfScope) {
    doubts.push({ code: 'out_of_scope', rule: 'classifier.semantic_gate', detail: `the message is far from every trained example (similarity ${sem.nearestSimilarity.toFixed(3)} < gate ${gate.toFixed(3)})`, evidence });
    confidence = Math.min(confidence, Math.max(0, sem.nearestSimilarity));
  } else if (atypical) {
    doubts.push({
      code: 'out_of_scope',
      rule: 'classifier.typicality_gate',
      detail: `the message is unlike the trained intents: less typical than ${(100 * (1 - sem.typicality)).toFixed(1)}% of held-out training messages (typicality ${sem.typicality.toFixed(3)} < gate ${o.typicalityGate.toFixed(3)})`,
      evidence,
    });
    confidence = Math.min(confidence, sem.typicality);
  } else if (o.ramp > 0 && sem.nearestSimilarity < gate + o.ramp) {
    confidence *= (sem.nearestSimilarity - gate) / o.ramp;
  }
  if (forced === undefined && lexArea !== semArea && lex.confidence >= o.disagreementConfidence && sem.confidence >= o.disagreementConfidence) {
    doubts.push({ code: 'model_disagreement', rule: 'classifier.model_agreement', detail: `the lexical model says ${lexArea}, the semantic model ${semArea}`, evidence });
  }
  const opinions: Classification['opinions'] = [
    { role: 'lexical', version: versions.lexical, area: AREA.value(lexArea), intent: lex.intent, confidence: lex.confidence, nearestSimilarity: lex.nearestSimilarity, outOfScope: lex.outOfScope },
    { role: 'semantic', version: versions.head, area: AREA.value(semArea), intent: sem.intent, confidence: sem.confidence, nearestSimilarity: sem.nearestSimilarity, outOfScope: sem.outOfScope || atypical },
  ];
  const intent = area === semArea ? sem.intent : area === lexArea ? lex.intent : lex.intent;
  return Classification.fromPartial({
    area: AREA.value(area),
    intent,
    confidence: Math.max(0, Math.min(1, confidence)),
    sentiment: lex.sentiment,
    entities: lex.entities,
    riskFlags: lex.riskFlags,
    outOfScope: sem.outOfScope || atypical,
    modelVersion: hybridVersion(versions),
    models: [
      { role: 'lexical', version: versions.lexical },
      { role: 'encoder', version: versions.encoder },
      { role: 'head', version: versions.head },
    ],
    opinions,
    modelDoubts: doubts,
  });
}

/** Smoothing of each model's area probability before the log pool: no single model's 0 vetoes an area. */
const LOG_POOL_FLOOR = 0.01;

/** The weighted geometric mean of both models' probabilities of `area`, renormalised over `areas`. */
function logPool(lexP: (a: AreaName) => number, semP: (a: AreaName) => number, area: AreaName, areas: readonly AreaName[], w: number): number {
  const smooth = (p: number): number => (1 - LOG_POOL_FLOOR) * Math.max(0, Math.min(1, p)) + LOG_POOL_FLOOR / areas.length;
  const score = (a: AreaName): number => Math.exp(w * Math.log(smooth(semP(a))) + (1 - w) * Math.log(smooth(lexP(a))));
  const total = areas.reduce((t, a) => t + score(a), 0);
  return total > 0 ? score(area) / total : 0;
}

/** Share of the lexical model's remaining probability that its alternatives give `area`. */
function lexAreaShare(lex: DetailedClassification, area: AreaName): number {
  const rest = lex.alternatives.filter((a) => a.area !== lex.modelArea);
  const total = rest.reduce((t, a) => t + a.probability, 0);
  if (total <= 0) return 0;
  return rest.filter((a) => a.area === area).reduce((t, a) => t + a.probability, 0) / total;
}

/** Both models trained on the same examples, classifying from a text and its vector. */
export interface HybridClassifier {
  readonly version: string;
  readonly versions: HybridVersions;
  readonly lexical: TrainedClassifier;
  readonly semantic: SemanticModel;
  readonly options: HybridOptions;
  classifyVector(text: string, vector: ArrayLike<number>): Classification;
}

export function createHybrid(lexical: TrainedClassifier, semantic: SemanticModel, options: Partial<HybridOptions> = {}): HybridClassifier {
  const o = { ...DEFAULT_HYBRID, ...options };
  const versions: HybridVersions = { lexical: lexical.version, encoder: semantic.encoderVersion, head: semantic.version };
  return {
    version: hybridVersion(versions),
    versions,
    lexical,
    semantic,
    options: o,
    classifyVector: (text, vector) => combineOpinions(lexical.classify(text), semantic.judge(vector), semantic.gate, versions, o),
  };
}

export function trainHybrid(
  examples: readonly TrainingExample[],
  vectors: readonly ArrayLike<number>[],
  encoderVersion: string,
  o: { lexical: (examples: readonly TrainingExample[]) => TrainedClassifier; semantic?: Partial<SemanticOptions>; hybrid?: Partial<HybridOptions> },
): HybridClassifier {
  return createHybrid(o.lexical(examples), trainSemantic(examples, vectors, encoderVersion, o.semantic), o.hybrid);
}

/** What training needs from a sentence encoder (`@handrail/encoder`'s `Encoder` fits). */
export interface SentenceEncoder {
  readonly version: string;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** The classifier stage's models: the lexical one always, the semantic one when an encoder is given. */
export interface ClassifierModels {
  classifier: TrainedClassifier;
  semantic?: { hybrid: HybridClassifier; embed: (texts: readonly string[]) => Promise<Float32Array[]> } | undefined;
}

/**
 * Trains both models on the same examples (a policy pack's phrases): the encoder embeds them in one
 * batched call (its cache keeps them, so a retrain for a new revision re-embeds only new phrases).
 */
export async function trainModels(
  examples: readonly TrainingExample[],
  encoder: SentenceEncoder | undefined,
  o: { lexical?: (examples: readonly TrainingExample[]) => TrainedClassifier; semantic?: Partial<SemanticOptions>; hybrid?: Partial<HybridOptions> } = {},
): Promise<ClassifierModels> {
  const lexical = (o.lexical ?? ((e: readonly TrainingExample[]) => trainClassifierDefault(e)))(examples);
  if (encoder === undefined) return { classifier: lexical };
  const vectors = await encoder.embed(examples.map((e) => e.text));
  const hybrid = createHybrid(lexical, trainSemantic(examples, vectors, encoder.version, o.semantic), o.hybrid);
  return { classifier: lexical, semantic: { hybrid, embed: (texts) => encoder.embed(texts) } };
}

/**
 * Both models for a policy pack: its example phrases, and its `classifier:` setting (the CV-chosen
 * gates, issue 12). What the classifier service, the CLI, replay, the demo and the evaluation all train.
 */
export async function trainPackModels(pack: PolicyPack, encoder: SentenceEncoder | undefined): Promise<ClassifierModels> {
  return trainModels(trainingExamplesFromPolicy(pack), encoder, modelOptionsFromPolicy(pack));
}
