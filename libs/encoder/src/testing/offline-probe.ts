// Run by offline.test.ts inside `unshare -rn`: loads the encoder and prints one JSON line.
import net from 'node:net';
import { createEncoder } from '../encoder.js';
import { cosine } from '../vector.js';

const netCheck = await new Promise<string>((resolve) => {
  net
    .connect(443, '142.250.0.1')
    .on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'))
    .on('connect', () => resolve('CONNECTED'));
});
const threads = Number(process.env.PROBE_THREADS ?? '0');
const enc = await createEncoder({ threads });
const texts = ['I want a refund for my order', 'please give me my money back for this purchase', 'the weather in Paris is lovely'];
const [a, b, c] = await enc.embed(texts);
if (a === undefined || b === undefined || c === undefined) throw new Error('missing vectors');
let agree: number | undefined;
if (threads > 0) {
  const main = await createEncoder({ threads: 0 });
  const [m] = await main.embed([texts[0] ?? '']);
  agree = cosine(a, m ?? []);
  await main.close();
}
const stats = enc.stats();
await enc.close();
console.log(JSON.stringify({ netCheck, version: enc.version, dims: a.length, similar: cosine(a, b), unrelated: cosine(a, c), threads, agree, calls: stats.calls }));
