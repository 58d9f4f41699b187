export { classifierService, VERSION } from './service.js';
