import { describe, expect, it } from 'vitest';
import { parseLabelMap, pickDatasetMap, resolveLabel } from './labelmap.js';
import { parseJsonl, parseLabelledCsv, parseNluppFold, toGold, toTrainingExamples } from './loaders.js';

const LABEL_MAP = JSON.stringify({
  precedence_for_multi_label: ['safety', 'privacy', 'legal', 'talk_to_human', 'complaint', 'cancellation', 'refund', 'triage', 'routine', 'faq_status', 'off_domain', 'out_of_scope'],
  maps: {
    shop: { where_is_order: 'faq_status', refund_me: 'refund', weather: 'off_domain', gibberish: 'out_of_scope', stolen: 'safety' },
    nlupp: { risk_labels: { lost_stolen: 'safety', handoff: 'talk_to_human', refund: 'refund' }, default: 'routine' },
  },
});

describe('label map — parsing and resolution', () => {
  const lm = parseLabelMap(LABEL_MAP, 'map.json');
  it('reads flat and multi-label maps', () => {
    expect(lm.maps['shop']).toMatchObject({ kind: 'flat' });
    expect(lm.maps['nlupp']).toMatchObject({ kind: 'multi', fallback: 'routine' });
  });
  it('multi-label rows take the highest-precedence risk label; rows without one are `other` in the default area', () => {
    const m = lm.maps['nlupp'];
    if (!m) throw new Error('missing');
    expect(resolveLabel(['refund', 'handoff', 'card'], m, lm.precedence)).toEqual({ label: 'handoff', area: 'talk_to_human' });
    expect(resolveLabel(['lost_stolen', 'refund'], m, lm.precedence)).toEqual({ label: 'lost_stolen', area: 'safety' });
    expect(resolveLabel(['card', 'new'], m, lm.precedence)).toEqual({ label: 'other', area: 'routine' });
    expect(resolveLabel([], m, lm.precedence)).toEqual({ label: 'other', area: 'routine' });
  });
  it('rejects areas that do not exist', () => {
    expect(() => parseLabelMap(JSON.stringify({ precedence_for_multi_label: [], maps: { x: { a: 'nonsense' } } }), 'bad.json')).toThrow(/not an area/);
  });
  it('guesses the dataset from file names, or asks for --dataset', () => {
    expect(pickDatasetMap(lm, undefined, ['/data/nlupp/banking/fold0.json']).name).toBe('nlupp');
    expect(() => pickDatasetMap(lm, undefined, ['/tmp/x.csv'])).toThrow(/--dataset/);
    expect(() => pickDatasetMap(lm, 'nope', [])).toThrow(/not in the label map/);
  });
});

describe('loaders — files to gold messages', () => {
  const lm = parseLabelMap(LABEL_MAP, 'map.json');
  const shop = lm.maps['shop'];
  if (!shop) throw new Error('missing');
  it('CSV: finds the text and the intent/category column, reports bad rows by line', () => {
    const rows = parseLabelledCsv('text,category\n"where is it, my order",where_is_order\n', 'a.csv');
    expect(rows).toEqual([{ text: 'where is it, my order', labels: ['where_is_order'], source: 'a.csv:2' }]);
    expect(parseLabelledCsv('instruction,category,intent\nhi,GROUP,refund_me\n', 'b.csv')[0]?.labels).toEqual(['refund_me']);
    expect(() => parseLabelledCsv('text,category\nonly one field\n', 'c.csv')).toThrow(/c\.csv:2: expected 2 fields, found 1/);
    expect(() => parseLabelledCsv('text,category\n,refund_me\n', 'd.csv')).toThrow(/d\.csv:2: empty text/);
    expect(() => parseLabelledCsv('words,tag\nx,y\n', 'e.csv')).toThrow(/no text column/);
  });
  it('JSONL: one object per line, errors name the line', () => {
    expect(parseJsonl('{"text":"hi","label":"where_is_order"}\n\n{"text":"yo","label":"refund_me"}\n', 'a.jsonl')).toHaveLength(2);
    expect(() => parseJsonl('{"text":"hi","label":"x"}\n{oops}\n', 'b.jsonl')).toThrow(/b\.jsonl:2: not valid JSON/);
    expect(() => parseJsonl('{"text":"hi"}\n', 'c.jsonl')).toThrow(/c\.jsonl:1: missing "label"/);
  });
  it('NLU++: rows without intents are kept', () => {
    const rows = parseNluppFold(JSON.stringify([{ text: 'hello', intents: ['handoff'] }, { text: 'nothing here' }]), 'fold0.json');
    expect(rows.map((r) => r.labels)).toEqual([['handoff'], []]);
  });
  it('gold areas come from the map; unmapped labels fail with their source line', () => {
    const gold = toGold(parseLabelledCsv('text,intent\nwhere,where_is_order\nrain?,weather\n', 'f.csv'), shop, lm);
    expect(gold.map((g) => g.area)).toEqual(['faq_status', 'off_domain']);
    expect(() => toGold(parseLabelledCsv('text,intent\nx,unknown_label\n', 'g.csv'), shop, lm)).toThrow(/g\.csv:2.*not in the label map/);
  });
  it('off_domain and out_of_scope labels are never trained', () => {
    const gold = toGold(parseLabelledCsv('text,intent\nwhere,where_is_order\nrain?,weather\nasdf,gibberish\n', 'h.csv'), shop, lm);
    expect(toTrainingExamples(gold)).toEqual([{ text: 'where', intent: 'where_is_order', area: 'faq_status' }]);
  });
});
