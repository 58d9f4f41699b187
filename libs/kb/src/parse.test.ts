import { describe, expect, it } from 'vitest';
import { HandrailError } from '@handrail/errors';
import { ArticleFormatError } from './errors.js';
import { parseArticle } from './parse.js';

const article = (front: string, body = '# Title\n\n## Returns\nYou can return items within 30 days. Tags must be attached.\n') =>
  `---\n${front}\n---\n${body}`;
const good = 'id: returns\ntitle: Returns\naudience: customer\napproved: true\neffective: 2026-01-01';

function formatError(fn: () => unknown): ArticleFormatError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ArticleFormatError) return err;
    throw err;
  }
  throw new Error('expected an ArticleFormatError');
}

describe('parseArticle', () => {
  it('parseArticle — splits by heading into passages with stable ids', () => {
    const { article: a, passages } = parseArticle('returns.md', article(good, '# Returns\n\nIntro line.\n\n## Return window\nFirst.\n\nSecond para.\n\n## Return window\nDup heading.\n'));
    expect(passages.map((p) => p.id)).toEqual([
      'returns#intro-1',
      'returns#return-window-1',
      'returns#return-window-2',
      'returns#return-window-3',
    ]);
    expect(a.passageIds).toEqual(passages.map((p) => p.id));
    expect(passages.every((p) => p.articleVersion === a.version)).toBe(true);
  });

  it('parseArticle — long paragraphs are cut into chunks of at most four sentences', () => {
    const body = `## Long\n${Array.from({ length: 7 }, (_, i) => `Sentence number ${i + 1} is here.`).join(' ')}\n`;
    const { passages } = parseArticle('a.md', article(good, body));
    expect(passages.length).toBe(3);
    expect(passages.map((p) => p.id)).toEqual(['returns#long-1', 'returns#long-2', 'returns#long-3']);
  });

  it('parseArticle — each list item is its own passage', () => {
    const { passages } = parseArticle('a.md', article(good, '## Options\n- Gift card\n- Paper check\n'));
    expect(passages.map((p) => p.text)).toEqual(['Gift card.', 'Paper check.']);
  });

  it('parseArticle — reads HTML articles: headings, paragraphs, entities', () => {
    const html = '<h1>Returns</h1><h2>Return window</h2><p>You can return items within <b>30 days</b> &amp; free.</p><ul><li>Unused</li></ul>';
    const { article: a, passages } = parseArticle('returns.html', article(good, html));
    expect(a.format).toBe('html');
    expect(passages[0]).toMatchObject({ id: 'returns#return-window-1', text: 'You can return items within 30 days & free.' });
    expect(passages[1]?.text).toBe('Unused.');
  });

  it('parseArticle — the version ignores whitespace and line endings but not content', () => {
    const a = parseArticle('a.md', article(good)).article.version;
    const crlf = parseArticle('a.md', article(good).replace(/\n/g, '\r\n').replace('30 days.', '30  days.')).article.version;
    const edited = parseArticle('a.md', article(good).replace('30 days', '14 days')).article.version;
    const unapproved = parseArticle('a.md', article(good.replace('approved: true', 'approved: false'))).article.version;
    expect(crlf).toBe(a);
    expect(edited).not.toBe(a);
    expect(unapproved).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{12}$/);
  });

  it('parseArticle — bad front matter names the file and the field', () => {
    expect(formatError(() => parseArticle('kb/x.md', 'no front matter'))).toMatchObject({ file: 'kb/x.md', field: 'front matter' });
    // Part of the error taxonomy: a boundary maps it like any invalid argument, naming file and field.
    const e = formatError(() => parseArticle('kb/x.md', 'no front matter'));
    expect(e).toBeInstanceOf(HandrailError);
    expect(e).toMatchObject({ code: 'invalid_argument', retryable: false, fields: [{ field: 'kb/x.md:front matter', problem: e.problem }] });
    expect(formatError(() => parseArticle('kb/x.md', article(good.replace('audience: customer', 'audience: robots'))))).toMatchObject({
      file: 'kb/x.md',
      field: 'audience',
    });
    expect(formatError(() => parseArticle('kb/x.md', article(good.replace('effective: 2026-01-01', 'effective: soon'))))).toMatchObject({
      field: 'effective',
    });
    expect(formatError(() => parseArticle('kb/x.md', article(good.replace('approved: true', 'approved: "yes"'))))).toMatchObject({
      field: 'approved',
    });
    expect(formatError(() => parseArticle('kb/x.md', article(good.replace('title: Returns\n', ''))))).toMatchObject({ field: 'title' });
    expect(formatError(() => parseArticle('kb/x.md', article(`${good}\nexpires: 2025-01-01`)))).toMatchObject({ field: 'expires' });
    expect(formatError(() => parseArticle('kb/x.md', article(`${good}\nowner: bob`)))).toMatchObject({ field: 'owner' });
    expect(formatError(() => parseArticle('kb/x.md', article(good, '')))).toMatchObject({ field: 'body' });
    expect(() => parseArticle('kb/x.md', article(good.replace('audience: customer', 'audience: robots')))).toThrow(/kb\/x\.md: audience:/);
  });
});
