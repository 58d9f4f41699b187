/**
 * Detector precision/recall on TRAINING data only (NLU++ folds 0–9, Banking77/Bitext 80 % train
 * splits): for each data set, how many gold-risky messages the detectors catch and how many
 * automatable (faq_status/routine/triage) messages they wrongly stop. `--show AREA` lists misses
 * (gold AREA not caught) and `--false` lists false fires.
 * usage: tsx libs/evaluation/scripts/probe-detectors.ts [DATASETS_DIR] [--show AREA] [--false]
 */
import { resolve } from 'node:path';
import { loadSharedDatasets, ELIGIBLE_AREAS } from '@handrail/evaluation';
import { detectRisk, forcedArea } from '@handrail/classifier';

const args = process.argv.slice(2);
const dir = resolve(args[0] && !args[0].startsWith('--') ? args[0] : '../shared/datasets');
const showAt = args.indexOf('--show');
const showArea = showAt >= 0 ? args[showAt + 1] : undefined;
const showFalse = args.includes('--false');
const eligible = (a: string): boolean => (ELIGIBLE_AREAS as readonly string[]).includes(a);
const { splits } = await loadSharedDatasets(dir);
for (const s of splits) {
  const byArea = new Map<string, { n: number; caught: number }>();
  let eligN = 0;
  let fired = 0;
  for (const g of s.train) {
    const flags = detectRisk(g.text);
    const forced = forcedArea(flags);
    if (eligible(g.area)) {
      eligN++;
      if (forced) {
        fired++;
        if (showFalse) console.log(`  FALSE ${s.name} ${g.label} ${flags.join(',')} | ${g.text}`);
      }
      continue;
    }
    const st = byArea.get(g.area) ?? { n: 0, caught: 0 };
    st.n++;
    if (forced && !eligible(forced)) st.caught++;
    else if (showArea === g.area || showArea === 'all') console.log(`  MISS ${s.name} ${g.label} | ${g.text}`);
    byArea.set(g.area, st);
  }
  const parts = [...byArea.entries()].map(([a, v]) => `${a} ${v.caught}/${v.n}`).join(', ');
  console.log(`${s.name}: eligible fired ${fired}/${eligN} | ${parts}`);
}
