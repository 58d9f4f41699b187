import type { Classification, TrainingExample } from '@handrail/classifier';
import { AREA, type AreaName } from '@handrail/events';

interface NlpjsBasic {
  containerBootstrap(): Promise<{ use(plugin: unknown): void; get(name: string): unknown }>;
  Nlp: unknown;
  LangEn: unknown;
}

interface NlpManagerLike {
  addLanguage(locale: string): void;
  addDocument(locale: string, utterance: string, intent: string): void;
  train(): Promise<unknown>;
  process(locale: string, utterance: string): Promise<{ intent?: string; score?: number }>;
}

/**
 * NLP.js 4.x (`@nlpjs/basic`) as a comparison point. Its API is async, so it classifies a batch up
 * front; the result plugs into the same routing as our classifier.
 */
export async function nlpjsClassifyBatch(
  examples: readonly TrainingExample[],
  texts: readonly string[],
  memory: () => number = () => 0,
): Promise<{ results: Classification[]; trainMs: number; classifyMs: number; memoryDelta: number }> {
  const m0 = memory();
  const basic = (await import('@nlpjs/basic')) as unknown as NlpjsBasic;
  // A fresh container per run: `dockStart` returns one process-wide dock, so a second data set
  // would be trained on top of the first.
  const container = await basic.containerBootstrap();
  container.use(basic.Nlp);
  container.use(basic.LangEn);
  const nlp = container.get('nlp') as NlpManagerLike & { settings: Record<string, unknown>; nluManager?: { settings?: Record<string, unknown> } };
  nlp.settings['autoSave'] = false;
  nlp.settings['autoLoad'] = false;
  // The NLU manager's settings reach the neural network's `log` option; the default prints every epoch.
  if (nlp.nluManager?.settings) nlp.nluManager.settings['log'] = false;
  nlp.addLanguage('en');
  for (const e of examples) nlp.addDocument('en', e.text, e.intent);
  const areaOf = new Map<string, AreaName>(examples.map((e) => [e.intent, e.area]));
  const t0 = performance.now();
  await nlp.train();
  const trainMs = performance.now() - t0;
  const memoryDelta = memory() - m0;
  const t1 = performance.now();
  const results: Classification[] = [];
  for (const t of texts) {
    const r = await nlp.process('en', t);
    const intent = r.intent && r.intent !== 'None' ? r.intent : '';
    results.push({
      area: AREA.value(areaOf.get(intent) ?? 'triage'),
      intent,
      confidence: intent === '' ? 0 : (r.score ?? 0),
      sentiment: 0,
      entities: [],
      riskFlags: [],
      outOfScope: intent === '',
      modelVersion: 'nlpjs',
      models: [{ role: 'lexical', version: 'nlpjs' }],
      opinions: [],
      modelDoubts: [],
    });
  }
  return { results, trainMs, classifyMs: performance.now() - t1, memoryDelta };
}
