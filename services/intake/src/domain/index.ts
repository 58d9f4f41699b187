export { validateInbound, buildTicket, UNKNOWN_CUSTOMER, LIMITS } from './validate.js';
export type { CustomerProfile } from './validate.js';
export { parseInboundJson, MAX_INBOUND_BYTES } from './strict-json.js';
