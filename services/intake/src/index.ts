export { intakeService, VERSION } from './service.js';
export { createAcceptor } from './acceptor.js';
export type { Accepted, AcceptorDeps } from './acceptor.js';
