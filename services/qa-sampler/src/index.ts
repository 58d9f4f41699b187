export { qaSamplerService, VERSION } from './service.js';
