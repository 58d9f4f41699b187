import { CONSUMERS, type EventType, type Topology } from './subjects.js';

/**
 * Who may do what on the bus (issue 11). One table, read by the provisioner (which consumers to
 * create), the NATS server config generator (each identity's publish/subscribe permissions) and the
 * consumers themselves (which producer may sign which event type).
 */
export const SERVICE_IDENTITIES = ['intake', 'classifier', 'guardrail', 'escalation', 'drafting', 'qa-sampler', 'console', 'connectors', 'projector', 'shadow'] as const;
export type ServiceIdentity = (typeof SERVICE_IDENTITIES)[number];

/**
 * Identities that are not services: `provisioner` alone manages streams, consumers and buckets;
 * `policy-admin` and the console (the policy API people use: it verifies who proposes and who approves,
 * and refuses an approval by the proposer) write the policy bucket; `privacy` erases customers; `operator` reads, replays
 * dead letters and cuts audit checkpoints; `connector` is a helpdesk connector (inbound in, outbound out).
 */
export const TOOL_IDENTITIES = ['provisioner', 'policy-admin', 'privacy', 'operator', 'connector'] as const;
export type ToolIdentity = (typeof TOOL_IDENTITIES)[number];
export type Identity = ServiceIdentity | ToolIdentity;
export const IDENTITIES: readonly Identity[] = [...SERVICE_IDENTITIES, ...TOOL_IDENTITIES];

export function isIdentity(s: string): s is Identity {
  return (IDENTITIES as readonly string[]).includes(s);
}

/** The only identities whose signature a consumer accepts on each event type. */
export const PRODUCERS: Readonly<Record<EventType, readonly Identity[]>> = Object.freeze({
  received: ['intake'],
  classified: ['classifier'],
  permitted: ['guardrail'],
  draft_requested: ['escalation'],
  drafted: ['drafting'],
  draft_checked: ['guardrail'],
  concluded: ['escalation'],
  qa_sampled: ['qa-sampler'],
  handoff: ['drafting'],
  outbound_reply: ['escalation', 'console'],
  human_decided: ['console'],
  qa_reviewed: ['console'],
  claimed: ['console'],
  access_denied: ['console'],
  reply_blocked: ['console'],
  policy_changed: ['console'],
  reply_sent: ['connectors'],
  reply_failed: ['connectors'],
  helpdesk_outcome: ['connectors'],
  // The QA loop (issue 13): breakers demote, people restore; alerts and seeded items come from the sampler.
  automation_changed: ['qa-sampler', 'console'],
  qa_alert: ['qa-sampler'],
  qa_seeded: ['qa-sampler'],
  calibration: ['console'],
  // Shadow mode (issue 15): only on `<p>.shadow.<ticket>`, never on a decision subject (see SHADOW_TYPES).
  shadow_decided: ['shadow'],
});

/** Event types that live on the shadow stream's subjects, not `<p>.evt.<type>.*`: nothing acts on them. */
export const SHADOW_TYPES: readonly EventType[] = ['shadow_decided'];

/** The helpdesks the connectors service speaks (one outbound consumer each). */
export const HELPDESK_PROVIDERS = ['zendesk', 'chatwoot'] as const;
export type HelpdeskProvider = (typeof HELPDESK_PROVIDERS)[number];
/**
 * Webhook partitions: a ticket's messages always land in the same one, and each partition lets one
 * message out at a time across every replica (its consumer has one unacknowledged message at most).
 */
export const WEBHOOK_PARTITIONS = 4;

/** Who may sign audit records (checkpoints over the events stream, erasure records). */
export const AUDIT_SIGNERS: Readonly<Record<'checkpoint' | 'erasure', readonly Identity[]>> = Object.freeze({
  checkpoint: ['console', 'operator'],
  erasure: ['privacy'],
});

export interface ConsumerBinding {
  durable: string;
  owner: ServiceIdentity;
  stream: keyof Topology['streams'];
  filter(t: Topology): string;
  /** Unacknowledged messages at most (1: strictly one at a time, in order); default the provisioner's. */
  maxAckPending?: number;
}

/** Every durable consumer: the provisioner creates exactly these; each service only binds to its own. */
export const CONSUMER_BINDINGS: readonly ConsumerBinding[] = Object.freeze([
  { durable: CONSUMERS.intakeInbound, owner: 'intake', stream: 'inbound', filter: (t: Topology) => t.subjects.allInbound() },
  { durable: CONSUMERS.classifier, owner: 'classifier', stream: 'events', filter: (t: Topology) => t.subjects.eventsOfType('received') },
  { durable: CONSUMERS.guardrailPermit, owner: 'guardrail', stream: 'events', filter: (t: Topology) => t.subjects.eventsOfType('classified') },
  { durable: CONSUMERS.guardrailDraftCheck, owner: 'guardrail', stream: 'events', filter: (t: Topology) => t.subjects.eventsOfType('drafted') },
  { durable: CONSUMERS.escalationRoute, owner: 'escalation', stream: 'events', filter: (t: Topology) => t.subjects.eventsOfType('permitted') },
  { durable: CONSUMERS.escalationConclude, owner: 'escalation', stream: 'events', filter: (t: Topology) => t.subjects.eventsOfType('draft_checked') },
  { durable: CONSUMERS.drafting, owner: 'drafting', stream: 'events', filter: (t: Topology) => t.subjects.eventsOfType('draft_requested') },
  { durable: CONSUMERS.draftingHandoff, owner: 'drafting', stream: 'events', filter: (t: Topology) => t.subjects.eventsOfType('concluded') },
  { durable: CONSUMERS.qaSampler, owner: 'qa-sampler', stream: 'events', filter: (t: Topology) => t.subjects.eventsOfType('concluded') },
  { durable: CONSUMERS.qaSamplerDecisions, owner: 'qa-sampler', stream: 'events', filter: (t: Topology) => t.subjects.eventsOfType('human_decided') },
  { durable: CONSUMERS.console, owner: 'console', stream: 'events', filter: (t: Topology) => t.subjects.eventsOfType('human_decided') },
  ...Array.from({ length: WEBHOOK_PARTITIONS }, (_, p): ConsumerBinding => ({
    durable: `${CONSUMERS.connectorsNormalise}-p${p}`,
    owner: 'connectors',
    stream: 'webhooks',
    filter: (t: Topology) => t.subjects.webhookPartition(p),
    maxAckPending: 1,
  })),
  ...HELPDESK_PROVIDERS.map((provider): ConsumerBinding => ({ durable: `${CONSUMERS.connectorsOutbound}-${provider}`, owner: 'connectors', stream: 'outbound', filter: (t: Topology) => t.subjects.outbound(provider) })),
  { durable: CONSUMERS.connectorsHandoff, owner: 'connectors', stream: 'events', filter: (t: Topology) => t.subjects.eventsOfType('handoff') },
  { durable: CONSUMERS.connectorsConcluded, owner: 'connectors', stream: 'events', filter: (t: Topology) => t.subjects.eventsOfType('concluded') },
  { durable: CONSUMERS.shadow, owner: 'shadow', stream: 'events', filter: (t: Topology) => t.subjects.eventsOfType('received') },
] satisfies ConsumerBinding[]);

/** KV buckets each identity reads (r) or writes (rw); nobody else touches them. */
export const BUCKET_ACCESS: Readonly<Record<keyof Topology['buckets'], Partial<Record<Identity, 'r' | 'rw'>>>> = Object.freeze({
  intake: { intake: 'rw', privacy: 'rw', operator: 'r' },
  customers: { intake: 'r', connectors: 'rw', privacy: 'rw', operator: 'r' },
  contacts: { intake: 'r', escalation: 'rw', privacy: 'rw', operator: 'r', shadow: 'r' },
  policy: { 'policy-admin': 'rw', privacy: 'r', classifier: 'r', guardrail: 'r', escalation: 'r', drafting: 'r', 'qa-sampler': 'r', console: 'rw', operator: 'r', shadow: 'r' },
  kb: { 'policy-admin': 'rw', guardrail: 'r', drafting: 'r', console: 'r', operator: 'r', shadow: 'r' },
  keys: { intake: 'rw', classifier: 'rw', guardrail: 'rw', escalation: 'rw', drafting: 'rw', 'qa-sampler': 'rw', console: 'rw', connectors: 'rw', privacy: 'rw', operator: 'r', projector: 'r', shadow: 'rw' },
  connector: { connectors: 'rw', privacy: 'rw', operator: 'r' },
  webhookReplay: { connectors: 'rw', operator: 'r' },
  qaClaims: { 'qa-sampler': 'rw', operator: 'r' },
});
