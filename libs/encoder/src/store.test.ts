import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withStoredVectors, type EmbeddingSource } from './store.js';

// A deterministic 3-dimensional "model" that records every text it was asked to embed.
function countingModel(version = 'fake@1'): EmbeddingSource & { seen: string[] } {
  const seen: string[] = [];
  return {
    version,
    dimensions: 3,
    seen,
    embed: (texts) => {
      seen.push(...texts);
      return Promise.resolve(texts.map((t) => Float32Array.from([t.length, t.charCodeAt(0), version.length])));
    },
  };
}

const files = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.f32')) : []);

describe('encoder — vectors stored on disk (ENCODER_STORE_DIR)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handrail-store-test-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('encoder store — a second process reads the kept phrases instead of embedding them, and gets the same vectors', async () => {
    const keep = new Set(['refund please', 'where is my parcel']);
    const first = countingModel();
    const a = await withStoredVectors(first, dir, keep).embed(['refund please', 'where is my parcel']);
    expect(first.seen).toEqual(['refund please', 'where is my parcel']);
    expect(files(dir)).toHaveLength(2);

    const second = countingModel();
    const b = await withStoredVectors(second, dir, keep).embed(['where is my parcel', 'refund please', 'something new']);
    expect(second.seen).toEqual(['something new']);
    expect([...(b[0] ?? [])]).toEqual([...(a[1] ?? [])]);
    expect([...(b[1] ?? [])]).toEqual([...(a[0] ?? [])]);
    expect([...(b[2] ?? [])]).toEqual([13, 's'.charCodeAt(0), 6]);
  });

  it('encoder store — text outside the kept set (customer text) is embedded every time and never written', async () => {
    const model = countingModel();
    const enc = withStoredVectors(model, dir, new Set(['a phrase']));
    await enc.embed(['my card number is 4111', 'a phrase']);
    await enc.embed(['my card number is 4111']);
    expect(model.seen).toEqual(['my card number is 4111', 'a phrase', 'my card number is 4111']);
    expect(files(dir)).toHaveLength(1);
    // Without a directory (ENCODER_STORE_DIR unset) the encoder is used as it is.
    expect(withStoredVectors(model, undefined, new Set(['a phrase']))).toBe(model);
  });

  it('encoder store — another model version does not see the vectors; a file of the wrong size is embedded again', async () => {
    const keep = new Set(['hello there']);
    await withStoredVectors(countingModel('fake@1'), dir, keep).embed(['hello there']);
    const other = countingModel('fake@22');
    const [v] = await withStoredVectors(other, dir, keep).embed(['hello there']);
    expect(other.seen).toEqual(['hello there']);
    expect(v?.[2]).toBe(7);

    for (const f of files(dir)) fs.writeFileSync(path.join(dir, f), Buffer.from([1, 2, 3]));
    const again = countingModel('fake@1');
    const [w] = await withStoredVectors(again, dir, keep).embed(['hello there']);
    expect(again.seen).toEqual(['hello there']);
    expect([...(w ?? [])]).toEqual([11, 'h'.charCodeAt(0), 6]);
  });
});
