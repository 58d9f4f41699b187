import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SnapshotError } from './errors.js';
import { NO_ANSWER_THRESHOLD, buildKnowledgeBase, fromSnapshot, ingestDirectory, toSnapshot } from './knowledge-base.js';
import { parseArticle } from './parse.js';
import type { KnowledgeBase } from './types.js';

const DEMO_KB = fileURLToPath(new URL('../../demo/kb', import.meta.url));
const NOW = new Date('2026-06-01T12:00:00Z');

let kb: KnowledgeBase;
beforeAll(async () => {
  kb = await ingestDirectory(DEMO_KB, { now: NOW });
});

const tempDirs: string[] = [];
afterEach(async () => {
  await Promise.all(tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('ingestDirectory', () => {
  it('ingest — serves approved, current demo articles and says why others were skipped', () => {
    expect(kb.articles.length).toBeGreaterThanOrEqual(12);
    expect(kb.skipped).toEqual([
      expect.objectContaining({ articleId: 'holiday-returns-2025', reason: 'expired' }),
      expect.objectContaining({ articleId: 'price-match', reason: 'unapproved' }),
    ]);
    expect(kb.getArticle('price-match')).toBeUndefined();
    expect(kb.passages.some((p) => p.articleId === 'price-match' || p.articleId === 'holiday-returns-2025')).toBe(false);
  });

  it('ingest — expiry is judged against the injected now', async () => {
    const before = await ingestDirectory(DEMO_KB, { now: new Date('2025-12-01T00:00:00Z') });
    expect(before.getArticle('holiday-returns-2025')).toBeDefined();
    // Articles effective 2026-01-01 are not served yet.
    expect(before.skipped.filter((s) => s.reason === 'not_yet_effective').length).toBeGreaterThan(10);
    expect(before.revision).not.toBe(kb.revision);
  });

  it('ingest — unapproved and expired articles never come back from search', () => {
    const results = [
      ...kb.search('cheaper at another retailer refund the difference price match', { limit: 20 }),
      ...kb.search('holiday return window January', { limit: 20 }),
    ];
    expect(results.some((r) => r.articleId === 'price-match' || r.articleId === 'holiday-returns-2025')).toBe(false);
  });

  it('ingest — editing an article and re-ingesting changes its version and the revision, and only those', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kb-edit-'));
    tempDirs.push(dir);
    await cp(DEMO_KB, dir, { recursive: true });
    const first = await ingestDirectory(dir, { now: NOW });
    const again = await ingestDirectory(dir, { now: NOW });
    expect(again.revision).toBe(first.revision);

    const file = join(dir, 'returns-policy.md');
    await writeFile(file, (await readFile(file, 'utf8')).replace('within 30 days of delivery', 'within 45 days of delivery'));
    const edited = await ingestDirectory(dir, { now: NOW });
    expect(edited.getArticle('returns-policy')?.version).not.toBe(first.getArticle('returns-policy')?.version);
    expect(edited.getArticle('shipping-times')?.version).toBe(first.getArticle('shipping-times')?.version);
    expect(edited.revision).not.toBe(first.revision);
    // Passage ids are stable across the edit; the passage carries the new version.
    expect(edited.getPassage('returns-policy#return-window-1')?.text).toContain('45 days');
    expect(edited.getPassage('returns-policy#return-window-1')?.articleVersion).toBe(edited.getArticle('returns-policy')?.version);
  });

  it('ingest — HTML articles in a directory are served like Markdown ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kb-html-'));
    tempDirs.push(dir);
    await writeFile(
      join(dir, 'gift-wrap.html'),
      '---\nid: gift-wrap\ntitle: Gift wrapping\naudience: customer\napproved: true\neffective: 2026-01-01\n---\n' +
        '<h1>Gift wrapping</h1><h2>Price</h2><p>Gift wrapping costs <strong>$3.50</strong> per item.</p>',
    );
    const html = await ingestDirectory(dir, { now: NOW });
    expect(html.getArticle('gift-wrap')?.format).toBe('html');
    expect(html.search('how much is gift wrapping')[0]).toMatchObject({ passageId: 'gift-wrap#price-1', text: 'Gift wrapping costs $3.50 per item.' });
  });

  it('ingest — two files with the same id are rejected naming both', () => {
    const text = (id: string) => `---\nid: ${id}\ntitle: T\naudience: customer\napproved: true\neffective: 2026-01-01\n---\nText here.\n`;
    expect(() => buildKnowledgeBase([parseArticle('a.md', text('x')), parseArticle('b.md', text('x'))], { now: NOW })).toThrow(/b\.md: id: .*a\.md/);
  });
});

describe('snapshot', () => {
  it('snapshot — round-trips through JSON with the same revision and the same search results', () => {
    const json = JSON.stringify(toSnapshot(kb));
    const copy = fromSnapshot(json);
    expect(copy.revision).toBe(kb.revision);
    expect(copy.passages).toEqual(kb.passages);
    expect(copy.search('how long does standard shipping take')).toEqual(kb.search('how long does standard shipping take'));
  });

  it('snapshot — a tampered or malformed snapshot is refused', () => {
    const snap = toSnapshot(kb);
    const tampered = { ...snap, articles: snap.articles.map((a) => (a.id === 'returns-policy' ? { ...a, version: 'deadbeef0000' } : a)) };
    expect(() => fromSnapshot(tampered)).toThrow(SnapshotError);
    expect(() => fromSnapshot({ ...snap, revision: 'other' })).toThrow(/revision/);
    expect(() => fromSnapshot({ schemaVersion: 2 })).toThrow(SnapshotError);
    expect(() => fromSnapshot({ schemaVersion: 2 })).toThrow(expect.objectContaining({ code: 'invalid_argument', retryable: false }));
  });
});

describe('search', () => {
  it('search — support-language synonyms reach the right article', () => {
    const top = (q: string) => kb.search(q, { limit: 1 })[0]?.articleId;
    expect(top('I want my money back')).toBe('refunds-policy');
    expect(top('where is my package')).toBe('order-tracking');
    expect(top('how do I stop my order')).toBe('cancellation-policy');
    expect(top('can I swap it for a bigger size')).toBe('exchanges');
    expect(top('I cannot log in, forgot my passcode')).toBe('account-password');
    expect(top('my discount coupon is not working')).toBe('promo-codes');
  });

  it('search — stemming matches inflected forms', () => {
    expect(kb.search('refunding returned items', { limit: 3 }).map((r) => r.articleId)).toContain('refunds-policy');
  });

  it('search — results carry article version and a score in [0, 1], best first', () => {
    const results = kb.search('express shipping cost', { limit: 5 });
    expect(results[0]?.passageId).toBe('shipping-times#delivery-speeds-2');
    for (const r of results) {
      expect(r.articleVersion).toBe(kb.getArticle(r.articleId)?.version);
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
    }
    expect(results.map((r) => r.score)).toEqual([...results.map((r) => r.score)].sort((a, b) => b - a));
  });

  it('search — the no-answer threshold separates covered questions from off-topic ones', () => {
    const covered = [
      'how long does shipping take',
      'Hi, I bought a lamp last week and it arrived cracked, I would like my money back',
      'is my blender still under warranty',
      'can I change the delivery address on my order',
      'please delete my personal data',
      'what are your opening hours',
    ];
    const offTopic = ['what is the weather in Paris', 'recipe for lasagne', 'do you sell bicycles in Canada', 'are you hiring', 'do you have a loyalty points scheme'];
    for (const q of covered) expect(kb.search(q)[0]?.score ?? 0, q).toBeGreaterThanOrEqual(NO_ANSWER_THRESHOLD);
    for (const q of offTopic) expect(kb.search(q)[0]?.score ?? 0, q).toBeLessThan(NO_ANSWER_THRESHOLD);
  });

  it('search — a long message is not diluted by its story: the asking sentence carries it', () => {
    const message =
      'Where is my parcel?\nHi, I ordered a walnut desk lamp for my sister last Tuesday because her old one broke, ' +
      'and the page has shown the same thing since Friday morning.';
    const [top] = kb.search(message);
    expect(top?.articleId).toBe('order-tracking');
    expect(top?.score ?? 0).toBeGreaterThanOrEqual(NO_ANSWER_THRESHOLD);
  });

  it('search — audience filter keeps agent-only guidance out of customer results', () => {
    const all = kb.search('refund approval limit human approver', { limit: 10 });
    const customer = kb.search('refund approval limit human approver', { limit: 10, audience: 'customer' });
    expect(all.some((r) => r.articleId === 'agent-refund-handling')).toBe(true);
    expect(customer.some((r) => r.articleId === 'agent-refund-handling')).toBe(false);
  });
});
