export { EVENT_TYPES, CONSUMERS, AUDIT_KINDS, topology, assertToken, InvalidNameError } from './subjects.js';
export type { EventType, Topology, AuditKind } from './subjects.js';
export { SERVICE_IDENTITIES, TOOL_IDENTITIES, IDENTITIES, PRODUCERS, AUDIT_SIGNERS, CONSUMER_BINDINGS, BUCKET_ACCESS, HELPDESK_PROVIDERS, WEBHOOK_PARTITIONS, SHADOW_TYPES, isIdentity } from './manifest.js';
export type { ServiceIdentity, ToolIdentity, Identity, ConsumerBinding, HelpdeskProvider } from './manifest.js';
export {
  SCHEMA_VERSION,
  newEvent,
  encodeEvent,
  decodeEvent,
  payloadOf,
  eventTypeOf,
  isEventType,
  EnvelopeError,
} from './envelope.js';
export type { Payload, PayloadCase, PayloadOf, NewEventArgs } from './envelope.js';
export { AREA, ROUTE, PRIORITY, AI_ACTION, areaLabel, actionName } from './vocabulary.js';
export type { AreaName, RouteName, PriorityName, AiActionName } from './vocabulary.js';
export { ticketIdFor } from './ids.js';
export { streamSpecs } from './streams.js';
export type { StreamSpec, RetentionOptions } from './streams.js';
