export { LocalKeyWrapper, KvKeyStore, aesSeal, aesOpen } from './keys.js';
export type { KeyWrapper, KeyStore, KvKeyStoreOptions } from './keys.js';
export { EnvelopeSealer, ERASED, UNREADABLE, isSealed } from './sealer.js';
