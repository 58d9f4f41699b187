import { HandrailError } from '@handrail/errors';

/**
 * The one registry of subjects, streams, consumers and buckets. Call sites use these builders,
 * never string literals, so a prefix isolates a whole deployment (or a test run) on a shared server.
 */
export const EVENT_TYPES = [
  'received',
  'classified',
  'permitted',
  'draft_requested',
  'drafted',
  'draft_checked',
  'concluded',
  'qa_sampled',
  'handoff',
  'outbound_reply',
  'human_decided',
  'qa_reviewed',
  'access_denied',
  'reply_blocked',
  'claimed',
  'policy_changed',
  'reply_sent',
  'reply_failed',
  'helpdesk_outcome',
  'automation_changed',
  'qa_alert',
  'qa_seeded',
  'calibration',
  'shadow_decided',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const PREFIX_RE = /^[a-z][a-z0-9_-]{0,40}$/;
const TOKEN_RE = /^[A-Za-z0-9_-]{1,128}$/;

/** A subject token (prefix, ticket id, connector) that would break or widen a subject. */
export class InvalidNameError extends HandrailError {
  override readonly name = 'InvalidNameError';
  constructor(message: string) {
    super('invalid_argument', message);
  }
}

export function assertToken(kind: string, value: string): string {
  if (!TOKEN_RE.test(value)) {
    throw new InvalidNameError(`${kind} must match ${TOKEN_RE.source}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export const AUDIT_KINDS = ['checkpoint', 'erasure', 'alert'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export interface Topology {
  readonly prefix: string;
  readonly streams: {
    readonly events: string;
    readonly inbound: string;
    readonly outbound: string;
    readonly deadLetter: string;
    /** Verified helpdesk webhooks (and reconciled messages), as received, before normalisation. */
    readonly webhooks: string;
    /** Audit checkpoints, erasures and alerts: deny delete and purge (issue 11). */
    readonly audit: string;
    /** Shadow mode (issue 15): a candidate revision's decisions, recorded beside production, never acted on. */
    readonly shadow: string;
  };
  readonly buckets: {
    readonly intake: string;
    readonly customers: string;
    readonly contacts: string;
    readonly policy: string;
    readonly kb: string;
    /** The connectors' state: helpdesk tickets, links to our tickets, sent messages, cursors. */
    readonly connector: string;
    /** Webhook signatures seen inside the replay window (entries expire with it). */
    readonly webhookReplay: string;
    /** Per-customer data keys, wrapped by the key-encryption key (issue 11: crypto-shredding). */
    readonly keys: string;
    /**
     * The QA sampler's certainty selections (issue 15: more than one replica): per selection key (first
     * decisions after a revision, an area's weekly minimum) the tickets that took its slots.
     */
    readonly qaClaims: string;
  };
  readonly subjects: {
    /** `<p>.evt.<type>.<ticketId>` */
    event(type: EventType, ticketId: string): string;
    /** Filter for one stage's input: `<p>.evt.<type>.*` */
    eventsOfType(type: EventType): string;
    /** Filter for one ticket's whole timeline: `<p>.evt.*.<ticketId>` */
    ticketTimeline(ticketId: string): string;
    allEvents(): string;
    /** Where helpdesk connectors publish `InboundMessage`s: `<p>.inbound.<connector>` */
    inbound(connector: string): string;
    allInbound(): string;
    /** Replies for a connector to send: `<p>.outbound.<connector>` */
    outbound(connector: string): string;
    allOutbound(): string;
    deadLetter(stage: string): string;
    allDeadLetters(): string;
    /** A verified webhook for one partition of a provider's tickets: `<p>.webhook.<provider>.<partition>` */
    webhook(provider: string, partition: number): string;
    /** Filter for one partition across providers: `<p>.webhook.*.<partition>` */
    webhookPartition(partition: number): string;
    allWebhooks(): string;
    /** `<p>.audit.<kind>`: checkpoint | erasure | alert */
    audit(kind: AuditKind): string;
    allAudit(): string;
    /** A candidate's decision for one ticket, shadow mode: `<p>.shadow.<ticketId>` (no service acts on it). */
    shadow(ticketId: string): string;
    allShadow(): string;
  };
}

function partitionToken(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 1023) throw new InvalidNameError(`partition must be an integer 0-1023, got ${n}`);
  return `p${n}`;
}

/** Builds every name from one prefix (`handrail` in production, a unique one per test run). */
export function topology(prefix: string): Topology {
  if (!PREFIX_RE.test(prefix)) {
    throw new InvalidNameError(`prefix must match ${PREFIX_RE.source}, got ${JSON.stringify(prefix)}`);
  }
  const P = prefix.toUpperCase().replace(/-/g, '_');
  return Object.freeze({
    prefix,
    streams: Object.freeze({
      events: `${P}_EVENTS`,
      inbound: `${P}_INBOUND`,
      outbound: `${P}_OUTBOUND`,
      deadLetter: `${P}_DLQ`,
      webhooks: `${P}_WEBHOOKS`,
      audit: `${P}_AUDIT`,
      shadow: `${P}_SHADOW`,
    }),
    buckets: Object.freeze({
      intake: `${P}_intake`,
      customers: `${P}_customers`,
      contacts: `${P}_contacts`,
      policy: `${P}_policy`,
      kb: `${P}_kb`,
      connector: `${P}_connector`,
      webhookReplay: `${P}_webhook_replay`,
      keys: `${P}_keys`,
      qaClaims: `${P}_qa_claims`,
    }),
    subjects: Object.freeze({
      event: (type: EventType, ticketId: string) => `${prefix}.evt.${type}.${assertToken('ticket id', ticketId)}`,
      eventsOfType: (type: EventType) => `${prefix}.evt.${type}.*`,
      ticketTimeline: (ticketId: string) => `${prefix}.evt.*.${assertToken('ticket id', ticketId)}`,
      allEvents: () => `${prefix}.evt.>`,
      inbound: (connector: string) => `${prefix}.inbound.${assertToken('connector', connector)}`,
      allInbound: () => `${prefix}.inbound.>`,
      outbound: (connector: string) => `${prefix}.outbound.${assertToken('connector', connector)}`,
      allOutbound: () => `${prefix}.outbound.>`,
      deadLetter: (stage: string) => `${prefix}.dlq.${assertToken('stage', stage)}`,
      allDeadLetters: () => `${prefix}.dlq.>`,
      webhook: (provider: string, partition: number) => `${prefix}.webhook.${assertToken('provider', provider)}.${partitionToken(partition)}`,
      webhookPartition: (partition: number) => `${prefix}.webhook.*.${partitionToken(partition)}`,
      allWebhooks: () => `${prefix}.webhook.>`,
      audit: (kind: AuditKind) => `${prefix}.audit.${kind}`,
      allAudit: () => `${prefix}.audit.>`,
      shadow: (ticketId: string) => `${prefix}.shadow.${assertToken('ticket id', ticketId)}`,
      allShadow: () => `${prefix}.shadow.*`,
    }),
  });
}

/** Durable consumer names: one per stage input, shared by every replica of that stage. */
export const CONSUMERS = {
  intakeInbound: 'intake-inbound',
  classifier: 'classifier',
  guardrailPermit: 'guardrail-permit',
  guardrailDraftCheck: 'guardrail-draft-check',
  escalationRoute: 'escalation-route',
  escalationConclude: 'escalation-conclude',
  drafting: 'drafting',
  draftingHandoff: 'drafting-handoff',
  qaSampler: 'qa-sampler',
  /** Human decisions: an edited draft may be sampled (issue 13). */
  qaSamplerDecisions: 'qa-sampler-decisions',
  console: 'console',
  /** One per webhook partition (`connectors-normalise-p<n>`), each with one message in flight. */
  connectorsNormalise: 'connectors-normalise',
  connectorsOutbound: 'connectors-outbound',
  connectorsHandoff: 'connectors-handoff',
  connectorsConcluded: 'connectors-concluded',
  /** Shadow mode (issue 15): every received ticket, decided again under the candidate when one is set. */
  shadow: 'shadow',
} as const;
