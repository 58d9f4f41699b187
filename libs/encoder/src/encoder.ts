import { LRUCache } from 'lru-cache';
import { createBatcher, DEFAULT_BATCHER, type BatcherStats } from './batcher.js';
import { startWorkerPool } from './pool.js';
import { loadUseLite, type EmbedBatch, type LoadedModel } from './use-lite.js';

export interface EncoderOptions {
  /** Worker threads, each with its own model (0 = run on the calling thread). */
  readonly threads?: number;
  /** Most texts per model call. */
  readonly maxBatch?: number;
  /** How long a lone text waits for company before its batch runs, in ms. */
  readonly lingerMs?: number;
  /** Texts whose vectors are kept (LRU); 0 disables the cache. */
  readonly cacheSize?: number;
  /** The model to wrap; the installed Universal Sentence Encoder lite by default. */
  readonly model?: LoadedModel;
}

export const DEFAULT_ENCODER_CACHE_SIZE = 10_000;

export interface EncoderStats extends BatcherStats {
  readonly cacheHits: number;
  readonly cacheMisses: number;
}

export interface Encoder {
  /** Names the model and its weights, e.g. `use-lite@0.2.0`: cite it wherever a decision used a vector. */
  readonly version: string;
  readonly dimensions: number;
  /** One vector per text, in order. Vectors may be shared with the cache: don't mutate them. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  stats(): EncoderStats;
  close(): Promise<void>;
}

/** Loads the model once and wraps it with batching and an LRU cache. */
export async function createEncoder(options: EncoderOptions = {}): Promise<Encoder> {
  const threads = options.threads ?? 0;
  if (!Number.isInteger(threads) || threads < 0) throw new Error(`encoder: threads must be an integer ≥ 0, got ${threads}`);
  const cacheSize = options.cacheSize ?? DEFAULT_ENCODER_CACHE_SIZE;
  if (!Number.isInteger(cacheSize) || cacheSize < 0) throw new Error(`encoder: cacheSize must be an integer ≥ 0, got ${cacheSize}`);
  let model: LoadedModel;
  let shutdownModel: () => Promise<void> = () => Promise.resolve();
  if (options.model !== undefined) model = options.model;
  else if (threads > 0) {
    const pool = await startWorkerPool(threads);
    model = pool;
    shutdownModel = () => pool.close();
  } else model = await loadUseLite();
  const batcher = createBatcher(model.embedBatch, {
    maxBatch: options.maxBatch ?? DEFAULT_BATCHER.maxBatch,
    lingerMs: options.lingerMs ?? DEFAULT_BATCHER.lingerMs,
    concurrency: Math.max(1, threads),
  });
  const cache = cacheSize > 0 ? new LRUCache<string, Float32Array>({ max: cacheSize }) : undefined;
  let cacheHits = 0;
  let cacheMisses = 0;

  const embed: EmbedBatch = async (texts) => {
    const out: (Float32Array | undefined)[] = texts.map((t) => cache?.get(t));
    const missing = [...new Set(texts.filter((_, i) => out[i] === undefined))];
    cacheHits += texts.length - texts.filter((_, i) => out[i] === undefined).length;
    cacheMisses += missing.length;
    if (missing.length > 0) {
      const vectors = await batcher.embed(missing);
      const fresh = new Map(missing.map((t, i) => [t, vectors[i] as Float32Array]));
      for (const [t, v] of fresh) cache?.set(t, v);
      texts.forEach((t, i) => {
        out[i] ??= fresh.get(t);
      });
    }
    return out.map((v) => {
      if (v === undefined) throw new Error('encoder: a text got no vector');
      return v;
    });
  };

  return {
    version: model.version,
    dimensions: model.dimensions,
    embed,
    stats: () => ({ ...batcher.stats(), cacheHits, cacheMisses }),
    close: async () => {
      await batcher.close();
      await shutdownModel();
    },
  };
}

const shared = new Map<string, Promise<Encoder>>();

/** One encoder per process per option set: the model loads once however many callers ask. */
export function sharedEncoder(options: Omit<EncoderOptions, 'model'> = {}): Promise<Encoder> {
  const key = JSON.stringify([options.threads ?? 0, options.maxBatch, options.lingerMs, options.cacheSize]);
  let p = shared.get(key);
  if (p === undefined) {
    p = createEncoder(options);
    shared.set(key, p);
    p.catch(() => shared.delete(key));
  }
  return p;
}
