import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Vectors kept on disk by model version and the text's SHA-256, one file each: a later process with
 * the same model reads a pack's phrases instead of running the model on them again (a CLI re-derive,
 * a restarted service). Writes are atomic (temporary file, then rename), so concurrent processes
 * sharing a directory never read half a vector; a file of the wrong size is ignored and rewritten.
 */
export interface VectorStore {
  /** The vectors found, by text; the rest are missing. */
  read(texts: readonly string[]): Promise<Map<string, Float32Array>>;
  /** Best effort: a write that fails (full disk, read-only directory) loses only the saving. */
  write(vectors: ReadonlyMap<string, Float32Array>): Promise<void>;
}

export function vectorStore(dir: string, version: string, dimensions: number): VectorStore {
  const root = path.join(dir, version.replace(/[^A-Za-z0-9@._-]/g, '_'));
  const fileOf = (text: string) => path.join(root, `${createHash('sha256').update(text).digest('hex')}.f32`);
  let made: Promise<unknown> | undefined;
  return {
    async read(texts) {
      const out = new Map<string, Float32Array>();
      await Promise.all(
        texts.map(async (t) => {
          const bytes = await readFile(fileOf(t)).catch(() => undefined);
          if (bytes === undefined || bytes.byteLength !== dimensions * 4) return;
          out.set(t, new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
        }),
      );
      return out;
    },
    async write(vectors) {
      try {
        made ??= mkdir(root, { recursive: true });
        await made;
        const tag = randomBytes(6).toString('hex');
        await Promise.all(
          [...vectors].map(async ([t, v]) => {
            if (v.length !== dimensions) return;
            const file = fileOf(t);
            const tmp = `${file}.${tag}.tmp`;
            await writeFile(tmp, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
            await rename(tmp, file);
          }),
        );
      } catch {
        made = undefined;
      }
    },
  };
}

/** What `withStoredVectors` wraps and gives: `Encoder` fits, as does what the classifier trains with. */
export interface EmbeddingSource {
  readonly version: string;
  readonly dimensions: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/**
 * `encoder` with the vectors of the texts in `keep` read from and written to `dir` — a policy pack's
 * example phrases, a help centre's passages: what every process that trains or drafts on them embeds
 * again otherwise. Only those: customer text is never written to disk, it goes straight to `encoder`.
 * Without a `dir` (ENCODER_STORE_DIR unset) it is `encoder` itself.
 */
export function withStoredVectors<E extends EmbeddingSource>(encoder: E, dir: string | undefined, keep: { has(text: string): boolean }): E | EmbeddingSource {
  if (dir === undefined) return encoder;
  const store = vectorStore(dir, encoder.version, encoder.dimensions);
  const embed = async (texts: readonly string[]): Promise<Float32Array[]> => {
    const kept = [...new Set(texts.filter((t) => keep.has(t)))];
    if (kept.length === 0) return encoder.embed(texts);
    const found = await store.read(kept);
    const todo = [...new Set(texts.filter((t) => !found.has(t)))];
    const made = todo.length > 0 ? await encoder.embed(todo) : [];
    const fresh = new Map(todo.map((t, i) => [t, made[i] as Float32Array]));
    await store.write(new Map([...fresh].filter(([t]) => keep.has(t))));
    return texts.map((t) => {
      const v = found.get(t) ?? fresh.get(t);
      if (v === undefined) throw new Error('encoder: a text got no vector');
      return v;
    });
  };
  return { version: encoder.version, dimensions: encoder.dimensions, embed };
}
