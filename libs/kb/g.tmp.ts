import { ingestDirectory, checkGrounding } from './src/index.ts';
const kb = await ingestDirectory('/work/wt-12b/libs/demo/kb', { now: new Date('2026-06-01T12:00:00Z') });
const cases: [string, string[]][] = JSON.parse(process.argv[2] ?? '[]');
for (const [text, ids] of cases) {
  const [v] = checkGrounding({ sentences: [{ text, citations: ids.map((passageId) => ({ passageId, articleId: passageId.split('#')[0]!, articleVersion: kb.getArticle(passageId.split('#')[0]!)?.version ?? '' })) }] }, kb);
  console.log(v?.passed ? 'PASS' : 'FAIL', text, '|', v?.detail);
}
