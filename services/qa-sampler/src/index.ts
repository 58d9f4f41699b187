export { qaSamplerService, VERSION } from './service.js';
export { ClaimLedger } from './claims.js';
export type { Claim } from './claims.js';
