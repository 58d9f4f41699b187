export { consoleService, VERSION } from './service.js';
export type { ConsoleHandle } from './service.js';
