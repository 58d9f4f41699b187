import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_EXAMPLES } from '@handrail/classifier/testing';
import { runEvalCommand } from './commands.js';

const dir = await mkdtemp(join(tmpdir(), 'handrail-eval-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const csv = (rows: Array<[string, string]>) => ['text,intent', ...rows.map(([t, l]) => `"${t.replace(/"/g, '""')}",${l}`)].join('\n') + '\n';
const labelMap = {
  precedence_for_multi_label: ['safety', 'privacy', 'legal', 'talk_to_human', 'complaint', 'cancellation', 'refund', 'triage', 'routine', 'faq_status', 'off_domain', 'out_of_scope'],
  maps: { fixture: { ...Object.fromEntries(FIXTURE_EXAMPLES.map((e) => [e.intent, e.area])), trivia: 'off_domain' } },
};
const trainFile = join(dir, 'train.csv');
const testFile = join(dir, 'test.csv');
const mapFile = join(dir, 'map.json');
await writeFile(trainFile, csv(FIXTURE_EXAMPLES.map((e) => [e.text, e.intent])));
await writeFile(testFile, csv([['where is my parcel, has it shipped', 'track_order'], ['who won the world cup', 'trivia'], ['my card got stolen', 'card_stolen']]));
await writeFile(mapFile, JSON.stringify(labelMap));

function capture() {
  const out: string[] = [];
  let err = '';
  return { io: { out: (l: string) => out.push(l), err: (t: string) => (err += t), errIsTty: false }, out, err: () => err };
}

describe('eval command — handrail eval', () => {
  it('--json: the last stdout line is exactly one metrics object', async () => {
    const c = capture();
    const code = await runEvalCommand(['--train', trainFile, '--test', testFile, '--label-map', mapFile, '--dataset', 'fixture', '--json', '--folds', '3'], c.io);
    expect(code).toBe(0);
    const last = JSON.parse(c.out[c.out.length - 1] ?? '') as Record<string, unknown>;
    expect(Object.keys(last)).toEqual(['n', 'intent_accuracy', 'coverage', 'unsafe_automation', 'critical_automation', 'oos_flagged', 'by_area']);
    expect(last['n']).toBe(3);
    expect(c.err()).toMatch(/cross-validation/);
    // The default protocol: a training variant and per-area thresholds, both from the training file.
    expect(c.out.join('\n')).toMatch(/training: (area|pooled) \(held-out coverage by variant: area [\d.]+%, pooled [\d.]+%\)/);
    expect(c.out.join('\n')).toMatch(/thresholds: .*every other area 1 \(auto: 3-fold CV/);
  });
  it('--threshold auto-single: one threshold for every area', async () => {
    const c = capture();
    expect(await runEvalCommand(['--train', trainFile, '--test', testFile, '--label-map', mapFile, '--dataset', 'fixture', '--threshold', 'auto-single', '--folds', '3'], c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(/threshold [\d.]+ \(auto-single: 3-fold CV/);
  });
  it('a fixed threshold and a sweep are accepted', async () => {
    const c = capture();
    expect(await runEvalCommand(['--train', trainFile, '--test', testFile, '--label-map', mapFile, '--dataset', 'fixture', '--threshold', '0.5', '--sweep'], c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(/threshold 0.5 for every area/);
  });
  it('missing or bad arguments exit 2 with the usage', async () => {
    const c = capture();
    expect(await runEvalCommand(['--train', trainFile], c.io)).toBe(2);
    expect(c.err()).toMatch(/--test is required/);
    expect(await runEvalCommand(['--train', trainFile, '--test', testFile, '--label-map', mapFile, '--threshold', 'high'], capture().io)).toBe(2);
    expect(await runEvalCommand(['--bogus'], capture().io)).toBe(2);
  });
  it('a malformed row exits 1 naming the file, line and reason', async () => {
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'text,intent\nfine,track_order\n"broken,track_order\n');
    const c = capture();
    expect(await runEvalCommand(['--train', trainFile, '--test', bad, '--label-map', mapFile, '--dataset', 'fixture'], c.io)).toBe(1);
    expect(c.err()).toMatch(/bad\.csv:3: unterminated quoted field/);
  });
  it('a missing file exits 1 with a clear message', async () => {
    const c = capture();
    expect(await runEvalCommand(['--train', join(dir, 'nope.csv'), '--test', testFile, '--label-map', mapFile, '--dataset', 'fixture'], c.io)).toBe(1);
    expect(c.err()).toMatch(/nope\.csv: cannot read file \(ENOENT\)/);
  });
});
