export { draftingService, VERSION } from './service.js';
