import { randomUUID } from 'node:crypto';
import { HandrailError } from '@handrail/errors';
import { EventEnvelope, type Producer, type Revisions } from '@handrail/contracts';
import { EVENT_TYPES, type EventType } from './subjects.js';

/** 2: payloads carry the compact TicketContext; the ticket's text travels only in `received`. */
export const SCHEMA_VERSION = 2;

export type Payload = NonNullable<EventEnvelope['payload']>;
export type PayloadCase = Payload['$case'];
export type PayloadOf<C extends PayloadCase> = Extract<Payload, { $case: C }>['value'];

const CASE_TO_TYPE: Record<PayloadCase, EventType> = {
  received: 'received',
  classified: 'classified',
  permitted: 'permitted',
  draftRequested: 'draft_requested',
  drafted: 'drafted',
  draftChecked: 'draft_checked',
  concluded: 'concluded',
  qaSampled: 'qa_sampled',
  handoff: 'handoff',
  outboundReply: 'outbound_reply',
  humanDecision: 'human_decided',
  qaReview: 'qa_reviewed',
  accessDenied: 'access_denied',
  replyBlocked: 'reply_blocked',
  claim: 'claimed',
  policyChanged: 'policy_changed',
  replySent: 'reply_sent',
  replyFailed: 'reply_failed',
  helpdeskOutcome: 'helpdesk_outcome',
  automationChanged: 'automation_changed',
  qaAlert: 'qa_alert',
  qaSeeded: 'qa_seeded',
  calibration: 'calibration',
  shadowDecided: 'shadow_decided',
};

export function eventTypeOf(c: PayloadCase): EventType {
  return CASE_TO_TYPE[c];
}

/** A malformed event: never retryable, so the runner dead-letters it with this message. */
export class EnvelopeError extends HandrailError {
  override readonly name = 'EnvelopeError';
  constructor(message: string) {
    super('invalid_argument', message);
  }
}

export interface NewEventArgs<C extends PayloadCase> {
  kind: C;
  value: PayloadOf<C>;
  ticketId: string;
  producer: Producer;
  /** The event this one was caused by: correlation id and revisions flow from it. */
  cause?: EventEnvelope | undefined;
  correlationId?: string | undefined;
  revisions?: Partial<Revisions> | undefined;
  now?: Date | undefined;
  /** Distinguishes several events of one type for a ticket (e.g. one QA review per reviewer). */
  idSuffix?: string | undefined;
  /** Whose key seals the customer text; inherited from `cause` when not given. */
  customerId?: string | undefined;
  /** sha256 of the cause's stored bytes (the per-ticket hash chain); the runtime fills it. */
  causeDigest?: string | undefined;
}

/**
 * Builds an envelope. The event id is deterministic — one event of each type per ticket — so a
 * redelivered input re-publishes the same id and JetStream de-duplication drops the copy.
 */
export function newEvent<C extends PayloadCase>(args: NewEventArgs<C>): EventEnvelope {
  const type = eventTypeOf(args.kind);
  const inherited = args.cause?.revisions;
  return {
    eventId: args.idSuffix ? `${args.ticketId}.${type}.${args.idSuffix}` : `${args.ticketId}.${type}`,
    type,
    schemaVersion: SCHEMA_VERSION,
    ticketId: args.ticketId,
    correlationId: args.correlationId ?? args.cause?.correlationId ?? randomUUID(),
    causationId: args.cause?.eventId ?? '',
    time: (args.now ?? new Date()).toISOString(),
    producer: args.producer,
    revisions: {
      policy: args.revisions?.policy ?? inherited?.policy ?? '',
      model: args.revisions?.model ?? inherited?.model ?? '',
      kb: args.revisions?.kb ?? inherited?.kb ?? '',
    },
    customerId: args.customerId ?? args.cause?.customerId ?? '',
    causeDigest: args.causeDigest ?? '',
    // The cast is safe: `kind` and `value` are tied together by PayloadOf<C>.
    payload: { $case: args.kind, value: args.value } as Payload,
  };
}

export function encodeEvent(env: EventEnvelope): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(EventEnvelope.toJSON(env)));
}

/** Parses and checks an envelope; throws EnvelopeError naming the problem (callers dead-letter it). */
export function decodeEvent(data: Uint8Array): EventEnvelope {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(data));
  } catch (err) {
    throw new EnvelopeError(`not JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new EnvelopeError('envelope is not an object');
  const env = EventEnvelope.fromJSON(raw);
  if (!env.eventId) throw new EnvelopeError('eventId is missing');
  if (!env.ticketId) throw new EnvelopeError('ticketId is missing');
  if (env.schemaVersion !== SCHEMA_VERSION) {
    throw new EnvelopeError(`schemaVersion ${env.schemaVersion} is not supported (want ${SCHEMA_VERSION})`);
  }
  if (!env.payload) throw new EnvelopeError(`payload is missing for type ${env.type}`);
  if (eventTypeOf(env.payload.$case) !== env.type) {
    throw new EnvelopeError(`type ${env.type} does not match payload ${env.payload.$case}`);
  }
  return env;
}

/** Narrows an envelope to one payload kind or throws — handlers use it for the kind they consume. */
export function payloadOf<C extends PayloadCase>(env: EventEnvelope, kind: C): PayloadOf<C> {
  if (env.payload?.$case !== kind) {
    throw new EnvelopeError(`expected ${kind} payload, got ${env.payload?.$case ?? 'none'}`);
  }
  return env.payload.value as PayloadOf<C>;
}

export function isEventType(s: string): s is EventType {
  return (EVENT_TYPES as readonly string[]).includes(s);
}
