export { EVENT_TYPES, CONSUMERS, topology, assertToken, InvalidNameError } from './subjects.js';
export type { EventType, Topology } from './subjects.js';
export {
  SCHEMA_VERSION,
  newEvent,
  encodeEvent,
  decodeEvent,
  payloadOf,
  eventTypeOf,
  isEventType,
  EnvelopeError,
  areaToName,
  areaFromName,
  routeToName,
  routeFromName,
  actionToName,
  actionFromName,
} from './envelope.js';
export type { Payload, PayloadCase, PayloadOf, NewEventArgs, AiActionSpelling } from './envelope.js';
export { ticketIdFor } from './ids.js';
export { streamSpecs } from './streams.js';
export type { StreamSpec, RetentionOptions } from './streams.js';
