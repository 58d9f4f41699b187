export * from './model.js';
export * from './signature.js';
export * from './zendesk.js';
export * from './chatwoot.js';
export * from './ownership.js';
export * from './retry.js';
export * from './customer.js';
export * from './notes.js';
