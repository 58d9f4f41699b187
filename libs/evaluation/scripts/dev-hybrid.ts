/**
 * Development aid (not a make target): the hybrid's out-of-fold records on one setting of
 * `make eval-oos` (training split + synthetic slice only), then every gate setting's CV coverage
 * and flagged shares, one JSON line each, so the calibration grid can be inspected. Never reads the test split's labels.
 * usage: tsx libs/evaluation/scripts/dev-hybrid.ts [DATASETS_DIR] [far|near]
 */
import { resolve } from 'node:path';
import { loadPolicyFile } from '@handrail/policy';
import { demoPaths } from '@handrail/demo';
import { createEncoder } from '@handrail/encoder';
import { asOutOfScope, embedTexts, hybridCvRecords, loadSharedDatasets, scoreSetting, shuffled } from '@handrail/evaluation';

const dir = resolve(process.argv[2] ?? '../shared/datasets');
const which = process.argv[3] ?? 'far';
const policy = await loadPolicyFile(demoPaths.policy);
const { splits } = await loadSharedDatasets(dir, ['banking77', 'bitext']);
const b77 = splits.find((s) => s.name === 'banking77');
const bitext = splits.find((s) => s.name === 'bitext');
if (!b77 || !bitext) throw new Error('Banking77 or Bitext not found');
let train = b77.train;
if (which === 'near') {
  const labels = [...new Set(b77.train.map((g) => g.label))].sort();
  const held = new Set(shuffled(labels, 2024).slice(0, 12));
  train = b77.train.filter((g) => !held.has(g.label));
}
const synthetic = asOutOfScope(bitext.train, 1000);
const encoder = await createEncoder({ cacheSize: 0 });
const vectors = await embedTexts(encoder, [...b77.train, ...b77.test, ...synthetic].map((g) => g.text), resolve('.cache'));
const records = hybridCvRecords(train, synthetic, vectors, encoder.version, policy, { leaveIntentsOut: Number(process.env.LIO ?? '0.15'), onProgress: (f, k) => process.stderr.write(`fold ${f}/${k}\n`) });
const sims = (slice: string) => records.filter((r) => r.slice === slice).map((r) => r.sem.nearestSimilarity).sort((a, b) => a - b);
for (const slice of ['in_scope', 'synthetic', 'left_out']) {
  const s = sims(slice);
  const q = (p: number) => s[Math.floor(p * (s.length - 1))]?.toFixed(3);
  process.stderr.write(`${slice}: n=${s.length} nearest-similarity quantiles 1%=${q(0.01)} 5%=${q(0.05)} 25%=${q(0.25)} 50%=${q(0.5)} 75%=${q(0.75)} 95%=${q(0.95)}\n`);
}
const grid = {
  gate: (process.env.GATES ?? '0.4,0.5,0.55,0.6,0.65,0.7,0.75,0.8').split(',').map(Number),
  ramp: (process.env.RAMPS ?? '0,0.1,0.2,0.3').split(',').map(Number),
  semanticWeight: (process.env.WEIGHTS ?? '0.5,0.75').split(',').map(Number),
  disagreementConfidence: (process.env.DIS ?? '0,0.6,2').split(',').map(Number),
  intentWeight: (process.env.IW ?? '0,0.3,0.6').split(',').map(Number),
  typicalityGate: (process.env.TG ?? '0,0.02,0.05,0.1,0.15').split(',').map(Number),
};
for (const gate of grid.gate)
  for (const ramp of grid.ramp)
    for (const semanticWeight of grid.semanticWeight)
      for (const disagreementConfidence of grid.disagreementConfidence)
        for (const intentWeight of grid.intentWeight)
          for (const typicalityGate of grid.typicalityGate) {
        const s = scoreSetting(records, { gate, ramp, semanticWeight, disagreementConfidence, intentWeight, typicalityGate });
        console.log(JSON.stringify({ gate, ramp, w: semanticWeight, dis: disagreementConfidence, iw: intentWeight, tg: typicalityGate, cov: s.crossValidation.coverage, unsafe: s.crossValidation.unsafe_automation, synth: s.syntheticFlagged, left: s.leftOutFlagged, th: s.areaThresholds }));
      }
await encoder.close();
