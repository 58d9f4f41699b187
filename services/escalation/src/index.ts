export { escalationService, VERSION } from './service.js';
