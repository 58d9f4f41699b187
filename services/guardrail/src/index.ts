export { guardrailService, VERSION } from './service.js';
