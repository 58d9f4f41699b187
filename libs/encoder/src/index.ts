export { createEncoder, sharedEncoder, DEFAULT_ENCODER_CACHE_SIZE } from './encoder.js';
export type { Encoder, EncoderOptions, EncoderStats } from './encoder.js';
export { createBatcher, DEFAULT_BATCHER } from './batcher.js';
export type { Batcher, BatcherOptions, BatcherStats } from './batcher.js';
export { loadUseLite, USE_LITE_DIMENSIONS } from './use-lite.js';
export type { EmbedBatch, LoadedModel } from './use-lite.js';
export { cosine, dot, norm, normalized, centroid } from './vector.js';
export { vectorStore, withStoredVectors } from './store.js';
export type { VectorStore, EmbeddingSource } from './store.js';
