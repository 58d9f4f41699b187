import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ArticleFormatError } from './errors.js';
import { slugify, splitSentences } from './text.js';
import type { Article, ArticleMeta, ParsedArticle, Passage } from './types.js';

const isoDate = z
  .union([z.string(), z.date()])
  .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v.trim()))
  .refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)), 'must be a date YYYY-MM-DD');

const frontMatterSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lower-case letters, digits, "-" or "_"'),
    title: z.string().min(1),
    audience: z.enum(['customer', 'agent']),
    approved: z.boolean(),
    effective: isoDate,
    expires: isoDate.optional(),
    /** The classifier intents this article answers (issue 12): a reply citing it must be about one of them. */
    intents: z.array(z.string().regex(/^[a-z0-9][a-z0-9_]*$/, 'must be an intent name (lower-case, digits, "_")')).optional(),
  })
  .strict();

/** Passages longer than this many sentences are cut into chunks of `CHUNK_SENTENCES`. */
const MAX_SENTENCES = 4;
const CHUNK_SENTENCES = 3;

export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

function splitFrontMatter(file: string, text: string): { yaml: string; body: string } {
  const normalised = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const match = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(normalised);
  if (match === null) throw new ArticleFormatError(file, 'front matter', 'missing: the file must start with a --- YAML block ---');
  return { yaml: match[1] ?? '', body: match[2] ?? '' };
}

function parseMeta(file: string, yamlText: string): ArticleMeta {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText);
  } catch (err) {
    throw new ArticleFormatError(file, 'front matter', `invalid YAML (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
  const result = frontMatterSchema.safeParse(raw ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const keys = issue && 'keys' in issue && Array.isArray(issue.keys) ? issue.keys.join(', ') : '';
    const field = issue?.path.length ? issue.path.join('.') : keys || 'front matter';
    throw new ArticleFormatError(file, field, issue?.message ?? 'invalid');
  }
  const meta = result.data;
  if (meta.expires !== undefined && meta.expires <= meta.effective) {
    throw new ArticleFormatError(file, 'expires', `must be after effective (${meta.effective})`);
  }
  const { intents, ...rest } = meta;
  const base = meta.expires === undefined ? { ...rest, expires: undefined } : rest;
  return intents === undefined ? base : { ...base, intents: [...new Set(intents)].sort() };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/** Just enough HTML → Markdown for help-centre exports: headings, paragraphs, list items. */
export function htmlToMarkdown(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<h([1-6])[^>]*>([\s\S]*?)<\/h\1>/gi, (_m, level: string, inner: string) => `\n\n${'#'.repeat(Number(level))} ${inner.trim()}\n\n`)
    .replace(/<li[^>]*>/gi, '\n- ')
    .replace(/<\/(p|div|ul|ol|li|section|article)>|<br\s*\/?>|<(p|div|ul|ol|section|article)[^>]*>/gi, '\n\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#?\w+);/g, (m, name: string) => ENTITIES[name] ?? m);
}

function stripInlineMarkdown(text: string): string {
  return text
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|\*|_|`)(.+?)\1/g, '$2')
    .replace(/\s+/g, ' ')
    .trim();
}

interface Block {
  heading: string;
  text: string;
}

function toBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let heading = '';
  let buffer: string[] = [];
  const flush = () => {
    const text = stripInlineMarkdown(buffer.join(' '));
    if (text.length > 0) blocks.push({ heading, text });
    buffer = [];
  };
  for (const rawLine of markdown.split('\n')) {
    const line = rawLine.trim();
    const headingMatch = /^(#{1,6})\s+(.*)$/.exec(line);
    if (headingMatch) {
      flush();
      // The H1 repeats the title; text under it is the article's introduction.
      heading = headingMatch[1] === '#' ? '' : stripInlineMarkdown(headingMatch[2] ?? '');
      continue;
    }
    if (line === '') {
      flush();
      continue;
    }
    const item = /^(?:[-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (item) {
      // Each list item stands alone, punctuated, so the sentence splitter can see its end.
      flush();
      const text = (item[1] ?? '').trim();
      buffer.push(/[.!?]$/.test(text) ? text : `${text}.`);
      flush();
      continue;
    }
    buffer.push(line);
  }
  flush();
  return blocks;
}

function normaliseBody(body: string): string {
  return body
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Version hash over what a reader would see: meta plus normalised body, not whitespace or line endings. */
export function articleVersion(meta: ArticleMeta, body: string): string {
  // Intents join the version only when declared, so articles without them keep their versions.
  const fields: unknown[] = [meta.id, meta.title, meta.audience, meta.approved, meta.effective, meta.expires ?? null];
  if (meta.intents !== undefined) fields.push(meta.intents);
  const canonicalMeta = JSON.stringify(fields);
  return shortHash(`${canonicalMeta}\n${normaliseBody(body)}`);
}

/**
 * Parse one Markdown or HTML article (with YAML front matter) into its metadata and passages.
 * `path` is used for the format and in error messages. Throws ArticleFormatError naming file and field.
 */
export function parseArticle(path: string, text: string): ParsedArticle {
  const { yaml, body } = splitFrontMatter(path, text);
  const meta = parseMeta(path, yaml);
  const format = /\.html?$/i.test(path) ? 'html' : 'markdown';
  const markdown = format === 'html' ? htmlToMarkdown(body) : body;
  const version = articleVersion(meta, markdown);

  const passages: Passage[] = [];
  const perSection = new Map<string, number>();
  for (const block of toBlocks(markdown)) {
    const sentences = splitSentences(block.text);
    const chunks: string[][] = [];
    if (sentences.length <= MAX_SENTENCES) chunks.push(sentences);
    else for (let i = 0; i < sentences.length; i += CHUNK_SENTENCES) chunks.push(sentences.slice(i, i + CHUNK_SENTENCES));
    for (const chunk of chunks) {
      const slug = slugify(block.heading === '' ? 'intro' : block.heading);
      const n = (perSection.get(slug) ?? 0) + 1;
      perSection.set(slug, n);
      passages.push({
        id: `${meta.id}#${slug}-${n}`,
        articleId: meta.id,
        articleVersion: version,
        title: meta.title,
        heading: block.heading,
        text: chunk.join(' '),
        audience: meta.audience,
      });
    }
  }
  if (passages.length === 0) throw new ArticleFormatError(path, 'body', 'article has no text');

  const article: Article = {
    ...meta,
    version,
    source: path,
    format,
    passageIds: passages.map((p) => p.id),
  };
  if (article.expires === undefined) delete article.expires;
  if (article.intents === undefined) delete article.intents;
  return { article, passages };
}
