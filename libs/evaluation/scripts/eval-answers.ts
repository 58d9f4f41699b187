/**
 * `make eval-answers` (issue 12): does an auto-sent reply answer the question? Our own questions about
 * the demo help centre (libs/evaluation/data/answers: train = calibration half, test = held-out
 * half), each through `decideTicket` — the stages the services run, with the demo pack and KB.
 *
 *   1. train, gates open: what each draft's relevance scores are; the gates are chosen there only
 *      (no wrong answer sent, most right ones, margin);
 *   2. train and test with the chosen gates, and with the shipped gates (RELEVANCE_GATES): wrong
 *      answers sent, right answers sent citing the right article, held (by reason);
 *   3. holdout (written after the code and gates were frozen), fresh and fresh2 (further slices, each
 *      written before its first run) with the shipped gates.
 *
 * usage: tsx libs/evaluation/scripts/eval-answers.ts [--rows] [--no-encoder]
 * Prints a JSON line per run, prefixed by its name; --rows adds one line per question.
 */
import { fileURLToPath } from 'node:url';
import { trainPackModels } from '@handrail/classifier';
import { demoPaths } from '@handrail/demo';
import { ingestDirectory, RELEVANCE_GATES, type RelevanceGates } from '@handrail/kb';
import { loadPolicyFile, policyRevisionId } from '@handrail/policy';
import { chooseGates, loadAnswerQuestions, runAnswerEval, summariseAnswers, type AnswerRow } from '@handrail/evaluation';
import { semanticScorer, type SemanticScorer } from '@handrail/decisions';
import { createEncoder } from '@handrail/encoder';

const args = new Set(process.argv.slice(2));
const data = (name: string) => fileURLToPath(new URL(`../data/answers/${name}`, import.meta.url));
// The demo tickets' time: every article the demo serves is in effect.
const now = new Date('2026-06-01T12:00:00Z');

const pack = await loadPolicyFile(demoPaths.policy);
const kb = await ingestDirectory(demoPaths.kb, { now });
const encoder = args.has('--no-encoder') ? undefined : await createEncoder();
// Both classifier models, as the classifier service trains them (lexical only with --no-encoder).
const models = await trainPackModels(pack, encoder);
const semantic: SemanticScorer | undefined = encoder ? semanticScorer(encoder) : undefined;
const train = await loadAnswerQuestions(data('train.jsonl'));
const test = await loadAnswerQuestions(data('test.jsonl'));
// Written after the code and gates were frozen, run once as written: the unseen figure.
const holdout = await loadAnswerQuestions(data('holdout.jsonl'));
// A second unseen slice (new phrasings), written before its first run; its first-run figures are in the README.
const fresh = await loadAnswerQuestions(data('fresh.jsonl'));
// A third, written after the fixes the fresh slice prompted, before its own first run.
const fresh2 = await loadAnswerQuestions(data('fresh2.jsonl'));
const deps = { pack, policyRevision: policyRevisionId(pack), models, kb, semantic, now };

const show = (name: string, rows: AnswerRow[], gates: RelevanceGates) => {
  console.log(`${name} ${JSON.stringify({ gates, encoder: semantic ? 'on' : 'off', ...summariseAnswers(rows) })}`);
  if (args.has('--rows')) for (const r of rows) console.log(`  ${JSON.stringify(r)}`);
};

const open: RelevanceGates = { keyTermCoverage: 0, semanticSimilarity: -1, lexicalOnlyKeyTermCoverage: 0, semanticRank: 1000, yesNoKeyTermCoverage: 0 };
const calibration = await runAnswerEval(train, { ...deps, gates: open });
show('train-open-gates', calibration, open);
const choice = chooseGates(calibration, semantic !== undefined);
console.log(`chosen-on-train ${JSON.stringify({ gates: choice.gates, wrongSent: choice.wrongSent, rightSent: choice.rightSent, shipped: RELEVANCE_GATES })}`);
for (const [name, gates] of [
  ['chosen', choice.gates],
  ['shipped', RELEVANCE_GATES],
] as const) {
  show(`train-${name}`, await runAnswerEval(train, { ...deps, gates }), gates);
  show(`test-${name}`, await runAnswerEval(test, { ...deps, gates }), gates);
}
show('holdout-shipped', await runAnswerEval(holdout, { ...deps, gates: RELEVANCE_GATES }), RELEVANCE_GATES);
show('fresh-shipped', await runAnswerEval(fresh, { ...deps, gates: RELEVANCE_GATES }), RELEVANCE_GATES);
show('fresh2-shipped', await runAnswerEval(fresh2, { ...deps, gates: RELEVANCE_GATES }), RELEVANCE_GATES);
await encoder?.close();
