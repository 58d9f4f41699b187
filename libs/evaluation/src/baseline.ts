import { Vectorizer, logits, softmaxInPlace, trainSoftmax, type TrainingExample, type Classification } from '@handrail/classifier';
import { AREA, type AreaName } from '@handrail/events';
import type { MessageClassifier } from './routing.js';

/**
 * The plain baseline the issue compares against: TF-IDF over word uni/bi-grams and multinomial
 * logistic regression; confidence is the raw top-intent probability. No calibration, no area
 * probability, no out-of-scope detection, no risk detectors.
 */
export function trainTfidfBaseline(examples: readonly TrainingExample[]): MessageClassifier & { version: string } {
  const intents = [...new Set(examples.map((e) => e.intent))].sort();
  const areaOf = new Map<string, AreaName>(examples.map((e) => [e.intent, e.area]));
  const index = new Map(intents.map((x, i) => [x, i]));
  const vec = Vectorizer.fit(
    examples.map((e) => e.text),
    { wordNgrams: 2, charNgrams: false, charMin: 3, charMax: 5, minDf: 1 },
  );
  const xs = examples.map((e) => vec.transform(e.text));
  const model = trainSoftmax(xs, examples.map((e) => index.get(e.intent) ?? 0), intents.length, vec.size, { epochs: 10, learningRate: 1, l2: 1e-5, seed: 3 });
  return {
    version: 'baseline-tfidf-lr',
    classify(text: string): Classification {
      const p = softmaxInPlace(logits(model, vec.transform(text)));
      let best = 0;
      for (let c = 1; c < p.length; c++) if ((p[c] ?? 0) > (p[best] ?? 0)) best = c;
      const intent = intents[best] ?? '';
      return {
        area: AREA.value(areaOf.get(intent) ?? 'triage'),
        intent,
        confidence: p[best] ?? 0,
        sentiment: 0,
        entities: [],
        riskFlags: [],
        outOfScope: false,
        modelVersion: 'baseline-tfidf-lr',
        models: [{ role: 'lexical', version: 'baseline-tfidf-lr' }],
        opinions: [],
        modelDoubts: [],
      };
    },
  };
}
