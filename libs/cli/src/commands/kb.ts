import { parseArgs } from 'node:util';
import { NO_ANSWER_THRESHOLD, ingestDirectory, toSnapshot, type KnowledgeBase } from '@handrail/kb';
import { demoPaths } from '@handrail/demo';
import { noExtraArgs, UsageError, printTable } from '../io.js';

/** The demo help centre shipped in the repo; the default for offline commands. */

const HELP = `usage: handrail kb ingest DIR [--json]
       handrail kb search "query" [--kb DIR] [--limit N] [--audience customer|agent] [--json]
ingest  parse DIR's Markdown/HTML articles; print articles, versions, passages, the revision and what was skipped and why
search  retrieve passages (BM25, stemming, support synonyms); scores are in [0, 1], below ${NO_ANSWER_THRESHOLD} is "no answer"
Without --kb, search uses the demo help centre (${demoPaths.kb}).`;

/** A missing directory is a usage mistake; article format problems are already `invalid_argument`. */
export async function loadKb(dir: string, now: Date = new Date()): Promise<KnowledgeBase> {
  try {
    return await ingestDirectory(dir, { now });
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code === 'ENOENT') throw new UsageError(`no such directory: ${dir}`);
    throw err;
  }
}

async function ingest(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
  const dir = positionals[0];
  if (dir === undefined) throw new UsageError('a directory of articles is required');
  noExtraArgs(positionals, 1);
  const kb = await loadKb(dir);
  if (values.json) {
    console.log(JSON.stringify({ ...toSnapshot(kb), skipped: kb.skipped }));
    return 0;
  }
  console.log(
    printTable(
      kb.articles.map((a) => ({ article: a.id, version: a.version, audience: a.audience, passages: String(a.passageIds.length), title: a.title })),
      ['article', 'version', 'audience', 'passages', 'title'],
    ),
  );
  console.log('');
  for (const p of kb.passages) console.log(`  ${p.id}  ${p.text.length > 90 ? `${p.text.slice(0, 89)}…` : p.text}`);
  console.log('');
  for (const s of kb.skipped) console.log(`skipped ${s.articleId} (${s.source}): ${s.reason} — ${s.detail}`);
  console.log(`revision ${kb.revision}: ${kb.articles.length} articles, ${kb.passages.length} passages, ${kb.skipped.length} skipped`);
  return 0;
}

async function search(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      kb: { type: 'string' },
      limit: { type: 'string', default: '5' },
      audience: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const query = positionals.join(' ').trim();
  if (query === '') throw new UsageError('a query is required');
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number');
  const audience = values.audience;
  if (audience !== undefined && audience !== 'customer' && audience !== 'agent') throw new UsageError('--audience must be customer or agent');
  const kb = await loadKb(values.kb ?? demoPaths.kb);
  const results = kb.search(query, { limit, audience });
  const answered = (results[0]?.score ?? 0) >= NO_ANSWER_THRESHOLD;
  if (values.json) {
    console.log(JSON.stringify({ revision: kb.revision, threshold: NO_ANSWER_THRESHOLD, answered, results }));
    return 0;
  }
  for (const r of results) {
    console.log(`${r.score.toFixed(3)}  ${r.passageId}@${r.articleVersion}${r.score < NO_ANSWER_THRESHOLD ? '  (below threshold)' : ''}`);
    console.log(`       ${r.text}`);
  }
  console.log(answered ? `KB revision ${kb.revision}` : `no answer: nothing scores ${NO_ANSWER_THRESHOLD} or more (KB revision ${kb.revision})`);
  return 0;
}

/** `handrail kb ingest|search` — offline; the lead's kb-entry adds `publish`. */
export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || rest.includes('--help')) {
    console.log(HELP);
    return sub === undefined ? 2 : 0;
  }
  switch (sub) {
    case 'ingest':
      return ingest(rest);
    case 'search':
      return search(rest);
    default:
      throw new UsageError(`unknown kb command "${sub}"`);
  }
}
