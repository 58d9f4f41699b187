// One model instance per worker thread; the parent's pool sends it one batch at a time.
import { parentPort } from 'node:worker_threads';
import { loadUseLite } from './use-lite.js';

interface Request {
  readonly id: number;
  readonly texts: string[];
}

const port = parentPort;
if (port === null) throw new Error('encoder worker: not started as a worker thread');
const model = await loadUseLite();
port.postMessage({ kind: 'ready', version: model.version, dimensions: model.dimensions });
port.on('message', (req: Request) => {
  model.embedBatch(req.texts).then(
    (vectors) => {
      port.postMessage({ kind: 'result', id: req.id, vectors }, vectors.map((v) => v.buffer as ArrayBuffer));
    },
    (err: unknown) => {
      port.postMessage({ kind: 'error', id: req.id, message: err instanceof Error ? err.message : String(err) });
    },
  );
});
