import type { EmbedBatch } from './use-lite.js';

export interface BatcherOptions {
  /** Most texts sent to the model in one call. */
  readonly maxBatch: number;
  /** How long the first waiting text holds the batch open for others, in ms (0 = next macrotask). */
  readonly lingerMs: number;
  /** Batches allowed in flight at once (1 per model instance / worker thread). */
  readonly concurrency: number;
}

export const DEFAULT_BATCHER: BatcherOptions = { maxBatch: 128, lingerMs: 2, concurrency: 1 };

interface Pending {
  readonly text: string;
  resolve(v: Float32Array): void;
  reject(e: unknown): void;
}

export interface BatcherStats {
  /** Calls made to the model. */
  readonly calls: number;
  /** Texts sent to the model. */
  readonly texts: number;
  /** Largest batch sent. */
  readonly largestBatch: number;
}

export interface Batcher {
  embed: EmbedBatch;
  stats(): BatcherStats;
  /** Finishes queued work, then refuses new calls. */
  close(): Promise<void>;
}

/**
 * Coalesces concurrent `embed` calls into model batches of up to `maxBatch` texts. At most
 * `concurrency` batches run at once; texts queued meanwhile form the next batch, so a busy model
 * sees large batches and an idle one answers after `lingerMs`.
 */
export function createBatcher(run: EmbedBatch, options: Partial<BatcherOptions> = {}): Batcher {
  const { maxBatch, lingerMs, concurrency } = { ...DEFAULT_BATCHER, ...options };
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new Error(`encoder: maxBatch must be a positive integer, got ${maxBatch}`);
  if (!(lingerMs >= 0)) throw new Error(`encoder: lingerMs must be ≥ 0, got ${lingerMs}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`encoder: concurrency must be a positive integer, got ${concurrency}`);
  const queue: Pending[] = [];
  const inFlight = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let calls = 0;
  let texts = 0;
  let largestBatch = 0;

  const runOne = async (batch: Pending[]): Promise<void> => {
    calls++;
    texts += batch.length;
    largestBatch = Math.max(largestBatch, batch.length);
    try {
      const vectors = await run(batch.map((p) => p.text));
      if (vectors.length !== batch.length) throw new Error(`encoder: model returned ${vectors.length} vectors for ${batch.length} texts`);
      batch.forEach((p, i) => p.resolve(vectors[i] as Float32Array));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  };

  const dispatch = (): void => {
    timer = undefined;
    while (queue.length > 0 && inFlight.size < concurrency) {
      // What is queued is shared by the idle workers, so one does not take it all while another waits.
      const idle = concurrency - inFlight.size;
      const batch = queue.splice(0, Math.min(maxBatch, Math.ceil(queue.length / idle)));
      const p: Promise<void> = runOne(batch).finally(() => {
        inFlight.delete(p);
        // Whatever queued while this batch ran goes out now: it has already waited.
        if (queue.length > 0) dispatch();
      });
      inFlight.add(p);
    }
  };

  const schedule = (): void => {
    if (inFlight.size >= concurrency) return; // a finishing batch dispatches the queue
    if (queue.length >= maxBatch) {
      if (timer !== undefined) clearTimeout(timer);
      dispatch();
      return;
    }
    timer ??= setTimeout(dispatch, lingerMs);
  };

  return {
    embed: (input) => {
      if (closed) return Promise.reject(new Error('encoder: closed'));
      if (input.length === 0) return Promise.resolve([]);
      const all = input.map(
        (text) =>
          new Promise<Float32Array>((resolve, reject) => {
            queue.push({ text, resolve, reject });
          }),
      );
      schedule();
      return Promise.all(all);
    },
    stats: () => ({ calls, texts, largestBatch }),
    close: async () => {
      closed = true;
      if (timer !== undefined) {
        clearTimeout(timer);
        dispatch();
      }
      while (inFlight.size > 0 || queue.length > 0) {
        if (inFlight.size === 0) dispatch();
        await Promise.all(inFlight);
      }
    },
  };
}
