import { Worker } from 'node:worker_threads';
import type { LoadedModel } from './use-lite.js';

type Reply =
  | { readonly kind: 'ready'; readonly version: string; readonly dimensions: number }
  | { readonly kind: 'result'; readonly id: number; readonly vectors: Float32Array[] }
  | { readonly kind: 'error'; readonly id: number; readonly message: string };

interface Slot {
  readonly worker: Worker;
  busy: boolean;
}

export interface WorkerPool extends LoadedModel {
  readonly threads: number;
  close(): Promise<void>;
}

function spawnWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url));
  // Running from source under tsx: Node 20 workers don't inherit the parent's loader hooks, so the
  // worker registers tsx itself before importing the TypeScript worker module.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const target = new URL('./worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); })`;
  return new Worker(boot, { eval: true, execArgv: process.execArgv });
}

/** `threads` worker threads, each with its own model; a batch goes to an idle one. */
export async function startWorkerPool(threads: number): Promise<WorkerPool> {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`encoder: threads must be a positive integer, got ${threads}`);
  const waiting = new Map<number, { resolve(v: Float32Array[]): void; reject(e: Error): void }>();
  let nextId = 1;
  const slots: Slot[] = [];
  const starts: Promise<{ version: string; dimensions: number }>[] = [];
  for (let i = 0; i < threads; i++) {
    const worker = spawnWorker();
    const slot: Slot = { worker, busy: false };
    slots.push(slot);
    starts.push(
      new Promise((resolve, reject) => {
        worker.once('error', reject);
        worker.on('message', (reply: Reply) => {
          switch (reply.kind) {
            case 'ready':
              resolve({ version: reply.version, dimensions: reply.dimensions });
              return;
            case 'result':
              slot.busy = false;
              waiting.get(reply.id)?.resolve(reply.vectors);
              waiting.delete(reply.id);
              return;
            case 'error':
              slot.busy = false;
              waiting.get(reply.id)?.reject(new Error(`encoder worker: ${reply.message}`));
              waiting.delete(reply.id);
              return;
          }
        });
      }),
    );
  }
  let info: { version: string; dimensions: number };
  try {
    const all = await Promise.all(starts);
    info = all[0] as { version: string; dimensions: number };
  } catch (err) {
    await Promise.all(slots.map((s) => s.worker.terminate()));
    throw err;
  }
  for (const s of slots)
    s.worker.on('error', (err) => {
      for (const w of waiting.values()) w.reject(err);
      waiting.clear();
    });
  return {
    threads,
    version: info.version,
    dimensions: info.dimensions,
    embedBatch: (texts) => {
      const slot = slots.find((s) => !s.busy);
      if (slot === undefined) return Promise.reject(new Error('encoder: every worker is busy (the batcher allows one batch per worker)'));
      slot.busy = true;
      const id = nextId++;
      return new Promise<Float32Array[]>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        slot.worker.postMessage({ id, texts: [...texts] });
      });
    },
    close: async () => {
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
