import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import type { EventEnvelope } from '@handrail/contracts';
import { encodeEvent, type Topology, isEventType } from '@handrail/events';
import { injectTraceContext, type Context } from '@handrail/observability';

export const HEADER_TYPE = 'Handrail-Type';
export const HEADER_TICKET = 'Handrail-Ticket';

export function headerCarrier(h: MsgHdrs): { get(k: string): string | undefined; set(k: string, v: string): void } {
  return {
    get: (k) => (h.has(k) ? h.get(k) : undefined),
    set: (k, v) => h.set(k, v),
  };
}

export interface PublishOptions {
  /** Overrides the subject derived from the event type (outbound replies). */
  subject?: string;
  /** Overrides the de-duplication id (defaults to the event id). */
  msgId?: string;
  /** The trace context to propagate; defaults to the active one. */
  traceContext?: Context | undefined;
}

/**
 * Issue 11 hooks, both optional: `encode` seals customer text before the bytes are fixed (per-customer
 * keys); `sign` turns the event id into a keyed message id and adds the producer's signature headers.
 */
export interface PublisherSecurity {
  encode?: (env: EventEnvelope) => Promise<Uint8Array>;
  sign?: (subject: string, data: Uint8Array, eventId: string) => { msgId: string; headers: Record<string, string> };
}

/** Publishes envelopes with their deterministic id as `Nats-Msg-Id` and the trace context in headers. */
export class EventPublisher {
  constructor(
    private readonly js: JetStreamClient,
    private readonly topo: Topology,
    private readonly security: PublisherSecurity = {},
  ) {}

  async publish(env: EventEnvelope, o: PublishOptions = {}): Promise<PubAck> {
    if (!isEventType(env.type)) throw new Error(`unknown event type ${env.type}`);
    const h = natsHeaders();
    h.set(HEADER_TYPE, env.type);
    h.set(HEADER_TICKET, env.ticketId);
    h.set('Content-Type', 'application/json');
    injectTraceContext(headerCarrier(h), o.traceContext);
    const subject = o.subject ?? this.topo.subjects.event(env.type, env.ticketId);
    const data = this.security.encode ? await this.security.encode(env) : encodeEvent(env);
    let msgID = o.msgId ?? env.eventId;
    if (this.security.sign) {
      const signed = this.security.sign(subject, data, msgID);
      msgID = signed.msgId;
      for (const [k, v] of Object.entries(signed.headers)) h.set(k, v);
    }
    return this.js.publish(subject, data, { msgID, headers: h });
  }

  async publishRaw(subject: string, data: Uint8Array, msgId: string, extra: Record<string, string> = {}): Promise<PubAck> {
    const h = natsHeaders();
    for (const [k, v] of Object.entries(extra)) h.set(k, v);
    injectTraceContext(headerCarrier(h));
    return this.js.publish(subject, data, { msgID: msgId, headers: h });
  }
}
