import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher.js';

// A deterministic "model": each text becomes [length, first char code]; it records the batches it saw.
function recordingModel(delayMs = 5) {
  const batches: string[][] = [];
  let active = 0;
  let maxActive = 0;
  const run = async (texts: readonly string[]) => {
    batches.push([...texts]);
    active++;
    maxActive = Math.max(maxActive, active);
    await new Promise((r) => setTimeout(r, delayMs));
    active--;
    return texts.map((t) => Float32Array.from([t.length, t.charCodeAt(0)]));
  };
  return { run, batches, maxActive: () => maxActive };
}

describe('encoder batcher', () => {
  it('encoder batcher — coalesces concurrent calls into one model call, answers each caller in order', async () => {
    const m = recordingModel();
    const b = createBatcher(m.run, { maxBatch: 128, lingerMs: 5 });
    const [x, y, z] = await Promise.all([b.embed(['a', 'bb']), b.embed(['ccc']), b.embed(['dddd', 'e'])]);
    expect(m.batches).toEqual([['a', 'bb', 'ccc', 'dddd', 'e']]);
    expect(x?.map((v) => v[0])).toEqual([1, 2]);
    expect(y?.map((v) => v[0])).toEqual([3]);
    expect(z?.map((v) => v[0])).toEqual([4, 1]);
    expect(b.stats()).toEqual({ calls: 1, texts: 5, largestBatch: 5 });
  });

  it('encoder batcher — never sends more than maxBatch texts, and queues behind a running batch', async () => {
    const m = recordingModel();
    const b = createBatcher(m.run, { maxBatch: 4, lingerMs: 1 });
    const texts = Array.from({ length: 10 }, (_, i) => `t${i}`);
    const out = await Promise.all(texts.map((t) => b.embed([t])));
    expect(m.batches.map((x) => x.length)).toEqual([4, 4, 2]);
    expect(m.batches.flat()).toEqual(texts);
    expect(out.map((v) => v[0]?.[0])).toEqual(texts.map((t) => t.length));
    expect(m.maxActive()).toBe(1);
  });

  it('encoder batcher — runs up to `concurrency` batches at once', async () => {
    const m = recordingModel(20);
    const b = createBatcher(m.run, { maxBatch: 2, lingerMs: 0, concurrency: 2 });
    await Promise.all(Array.from({ length: 8 }, (_, i) => b.embed([`x${i}`])));
    expect(m.maxActive()).toBe(2);
  });

  it('encoder batcher — what is queued is shared by the idle workers, not taken whole by the first (issue 12: 2 threads ran like 1)', async () => {
    const m = recordingModel(20);
    const b = createBatcher(m.run, { maxBatch: 128, lingerMs: 5, concurrency: 2 });
    await Promise.all(Array.from({ length: 64 }, (_, i) => b.embed([`x${i}`])));
    expect(m.batches.map((x) => x.length)).toEqual([32, 32]);
    expect(m.maxActive()).toBe(2);
  });

  it('encoder batcher — a failing model call rejects only the callers in that batch', async () => {
    let n = 0;
    const b = createBatcher(
      async (texts) => {
        n++;
        if (n === 1) throw new Error('boom');
        return texts.map(() => new Float32Array(1));
      },
      { maxBatch: 1, lingerMs: 0 },
    );
    const [first, second] = await Promise.allSettled([b.embed(['a']), b.embed(['b'])]);
    expect(first.status).toBe('rejected');
    expect(second.status).toBe('fulfilled');
  });

  it('encoder batcher — close finishes queued work and refuses new calls', async () => {
    const m = recordingModel();
    const b = createBatcher(m.run, { maxBatch: 8, lingerMs: 50 });
    const pending = b.embed(['late']);
    await b.close();
    await expect(pending).resolves.toHaveLength(1);
    await expect(b.embed(['x'])).rejects.toThrow(/closed/);
  });

  it('encoder batcher — bad options are named', () => {
    expect(() => createBatcher(async () => [], { maxBatch: 0 })).toThrow(/maxBatch/);
    expect(() => createBatcher(async () => [], { lingerMs: -1 })).toThrow(/lingerMs/);
  });
});
