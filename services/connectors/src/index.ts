export { connectorsService, VERSION } from './service.js';
export type { ConnectorsHandle } from './service.js';
export { parseConnectorsFile } from './config.js';
export type { ConnectorsSettings, AccountConfig } from './config.js';
