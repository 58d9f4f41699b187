import { afterAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_EXAMPLES } from '@handrail/classifier/testing';
import { runBenchCommand } from './commands.js';

// A miniature copy of the shared data layout, built from the in-repo fixture (CI has no shared data).
const dir = await mkdtemp(join(tmpdir(), 'handrail-bench-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
const areas = Object.fromEntries(FIXTURE_EXAMPLES.map((e) => [e.intent, e.area]));
const rows = FIXTURE_EXAMPLES.map((e) => `"${e.text}",${e.intent}`).join('\n');
await mkdir(join(dir, 'banking77-train'));
await mkdir(join(dir, 'bitext-customer-support'));
await writeFile(join(dir, 'banking77-train', 'train.csv'), `text,category\n${rows}\n`);
await writeFile(join(dir, 'bitext-customer-support', 'Bitext_Sample_Customer_Support_Training_Dataset.csv'), `instruction,intent\n${rows}\n`);
await writeFile(
  join(dir, 'label-map.json'),
  JSON.stringify({ precedence_for_multi_label: ['safety', 'cancellation', 'refund', 'triage', 'routine', 'faq_status'], maps: { banking77: areas, 'bitext-customer-support': areas } }),
);

describe('bench command — handrail bench-classifier', () => {
  it('compares our classifier with the TF-IDF baseline and ends with one JSON line', async () => {
    const out: string[] = [];
    const code = await runBenchCommand(['--no-nlpjs', '--only', 'banking77'], { out: (l) => out.push(l), err: () => undefined, errIsTty: false }, { datasets: dir });
    expect(code).toBe(0);
    const json = JSON.parse(out[out.length - 1] ?? '') as Record<string, Array<{ system: string; classifications_per_second: number }>>;
    expect(json['banking77']?.map((r) => r.system)).toEqual(['handrail', 'hybrid', 'tfidf_lr']);
    expect(json['banking77']?.[0]?.classifications_per_second).toBeGreaterThan(0);
    // The hybrid's rate is the classifier service's handler path, measured in a child process.
    const hybrid = json['banking77']?.[1] as { classifications_per_second: number; service_path?: { rss_mb: number; encoder_calls: number; messages: number } } | undefined;
    expect(hybrid?.service_path?.rss_mb).toBeGreaterThan(50);
    expect(hybrid?.service_path?.encoder_calls).toBeLessThan(hybrid?.service_path?.messages ?? 0);
    expect(out.some((l) => /hybrid service path: \d+ classifications\/s/.test(l))).toBe(true);
  }, 120_000);
  it('a missing data directory exits 1 with the path', async () => {
    let err = '';
    const code = await runBenchCommand(['--no-nlpjs'], { out: () => undefined, err: (t) => (err += t), errIsTty: false }, { datasets: join(dir, 'nope') });
    expect(code).toBe(1);
    expect(err).toMatch(/nope/);
  });
});
