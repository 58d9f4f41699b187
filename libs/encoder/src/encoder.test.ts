import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { createEncoder, sharedEncoder, type Encoder } from './encoder.js';
import { cosine } from './vector.js';

describe('encoder (Universal Sentence Encoder lite, installed weights)', () => {
  let enc: Encoder;
  beforeAll(async () => {
    enc = await createEncoder({ cacheSize: 100 });
  }, 60_000);
  afterAll(async () => {
    await enc.close();
  });

  it('encoder — names its model and gives 512-dimensional vectors', async () => {
    expect(enc.version).toMatch(/^use-lite@\d+\.\d+\.\d+$/);
    expect(enc.dimensions).toBe(512);
    const [v] = await enc.embed(['Where is my parcel?']);
    expect(v).toBeInstanceOf(Float32Array);
    expect(v?.length).toBe(512);
  });

  it('encoder — paraphrases are closer than unrelated text', async () => {
    const [a, b, c] = await enc.embed(['I lost my credit card', 'my card is missing, I think it was stolen', 'what is the capital of France']);
    if (a === undefined || b === undefined || c === undefined) throw new Error('missing vectors');
    expect(cosine(a, b)).toBeGreaterThan(cosine(a, c) + 0.2);
  });

  it('encoder — cache: a repeated text is not embedded again and gives the same vector', async () => {
    const before = enc.stats();
    const [x1] = await enc.embed(['cache me please']);
    const mid = enc.stats();
    const [x2, y] = await enc.embed(['cache me please', 'and not me']);
    const after = enc.stats();
    expect(mid.texts - before.texts).toBe(1);
    expect(after.texts - mid.texts).toBe(1);
    expect(after.cacheHits - mid.cacheHits).toBe(1);
    expect(x2).toBe(x1);
    expect(y).not.toBe(x1);
  });

  it('encoder — duplicates in one call are embedded once; empty text still gets a vector', async () => {
    const before = enc.stats();
    const out = await enc.embed(['dup text zz', 'dup text zz', '']);
    expect(out).toHaveLength(3);
    expect(out[0]).toBe(out[1]);
    expect(enc.stats().texts - before.texts).toBe(2);
  });

  it('encoder — a batch gives the same vectors as one at a time', async () => {
    const texts = ['refund for order 42', 'change my delivery address'];
    const fresh = await createEncoder({ cacheSize: 0 });
    try {
      const batch = await fresh.embed(texts);
      const single = [(await fresh.embed([texts[0] ?? '']))[0], (await fresh.embed([texts[1] ?? '']))[0]];
      for (let i = 0; i < texts.length; i++) expect(cosine(batch[i] ?? [], single[i] ?? [])).toBeGreaterThan(0.9999);
    } finally {
      await fresh.close();
    }
  });

  it('encoder — sharedEncoder loads the model once per process', async () => {
    const [a, b] = await Promise.all([sharedEncoder(), sharedEncoder()]);
    expect(a).toBe(b);
  });
});

describe('encoder — loading', () => {
  it('encoder — two models loaded at once in one thread both load (TF.js backend set up once, not raced)', async () => {
    const [a, b] = await Promise.all([createEncoder({ cacheSize: 0 }), createEncoder({ cacheSize: 0 })]);
    try {
      const [va] = await a.embed(['where is my parcel']);
      const [vb] = await b.embed(['where is my parcel']);
      expect(cosine(va ?? [], vb ?? [])).toBeGreaterThan(0.9999);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 60_000);
});
