// Generated code lives in ./gen (never hand-edited); this module only re-exports it by name.
export {
  Area,
  AiAction,
  Route,
  Priority,
  CustomerContext,
  Order,
  Ticket,
  Entity,
  Classification,
  Reason,
  Permission,
  Citation,
  DraftSentence,
  Draft,
  Verdict,
  HandoffPacket,
  Revisions,
} from './gen/handrail/v1/common.js';
export {
  Producer,
  EventEnvelope,
  TicketReceived,
  TicketClassified,
  ActionPermitted,
  DraftRequested,
  DraftProposed,
  DraftChecked,
  TicketConcluded,
  QaSampled,
  OutboundReply,
  HandoffPrepared,
  InboundMessage,
} from './gen/handrail/v1/events.js';
export {
  IntakeServiceService,
  IntakeServiceClient,
  SubmitMessageRequest,
  SubmitMessageResponse,
  GetTicketStatusRequest,
  GetTicketStatusResponse,
} from './gen/handrail/v1/intake.js';
export type { IntakeServiceServer } from './gen/handrail/v1/intake.js';
