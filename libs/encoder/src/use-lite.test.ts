import { describe, expect, it } from 'vitest';
import { embedByLength } from './use-lite.js';

describe('encoder — length buckets (issue 12: the model pads a call to its longest text)', () => {
  const byLength = (texts: readonly string[]) => Promise.resolve(texts.map((t) => new Float32Array([t.length])));

  it('length buckets — vectors come back in the callers\' order', async () => {
    const texts = Array.from({ length: 50 }, (_, i) => 'x'.repeat((i * 37) % 23) + String(i));
    const out = await embedByLength(texts, byLength, 8);
    expect(out.map((v) => v[0])).toEqual(texts.map((t) => t.length));
  });

  it('length buckets — each model call holds texts of similar length, at most the bucket size', async () => {
    const calls: string[][] = [];
    const texts = ['a', 'a much longer text than the others', 'bb', 'another long sentence here', 'ccc', 'dd'];
    await embedByLength(texts, (t) => {
      calls.push([...t]);
      return byLength(t);
    }, 3);
    expect(calls).toEqual([
      ['a', 'bb', 'dd'],
      ['ccc', 'another long sentence here', 'a much longer text than the others'],
    ]);
  });

  it('length buckets — a batch within one bucket is one call, as given; a short model answer is an error', async () => {
    const calls: string[][] = [];
    await embedByLength(['zz', 'a'], (t) => {
      calls.push([...t]);
      return byLength(t);
    });
    expect(calls).toEqual([['zz', 'a']]);
    await expect(embedByLength(['a', 'b', 'c'], () => Promise.resolve([new Float32Array([1])]), 2)).rejects.toThrow('model returned 1 vectors for 2 texts');
  });
});
