import { BUCKET_ACCESS, CONSUMER_BINDINGS, PRODUCERS, SERVICE_IDENTITIES, SHADOW_TYPES, type Identity, type ServiceIdentity, type Topology } from '@handrail/events';

export interface Permissions {
  publish: { allow: string[]; deny: string[] };
  subscribe: { allow: string[]; deny: string[] };
}

const API = '$JS.API';

/**
 * Where an identity's replies arrive: its own inbox prefix, not the shared `_INBOX`, so no identity
 * can subscribe to another's request replies (JetStream API answers, pull batches, ordered-consumer
 * deliveries, KV watches). Every connection of the identity must use it (`natsAuth`).
 */
export function inboxPrefixFor(identity: Identity): string {
  return `_INBOX.${identity}`;
}
type StreamKey = keyof Topology['streams'];

/** Streams (beyond KV) each identity reads; reading = stream info, message get, ephemeral (ordered) consumers. */
const READS: Record<Identity, readonly StreamKey[]> = {
  intake: ['events', 'inbound', 'outbound', 'deadLetter', 'audit'],
  classifier: ['events', 'inbound', 'outbound', 'deadLetter', 'audit'],
  guardrail: ['events', 'inbound', 'outbound', 'deadLetter', 'audit'],
  escalation: ['events', 'inbound', 'outbound', 'deadLetter', 'audit'],
  drafting: ['events', 'inbound', 'outbound', 'deadLetter', 'audit'],
  'qa-sampler': ['events', 'inbound', 'outbound', 'deadLetter', 'audit'],
  // The console and the operator's CLI read the shadow stream for the weekly report's comparison.
  console: ['events', 'inbound', 'outbound', 'deadLetter', 'audit', 'shadow'],
  connectors: ['events', 'outbound', 'webhooks', 'deadLetter', 'audit'],
  // The SQL projection (issue 15): reads the events and shadow streams with ordered consumers from its stored positions.
  projector: ['events', 'audit', 'shadow'],
  // Shadow mode (issue 15): reads received tickets and breaker changes; publishes only on the shadow stream.
  shadow: ['events', 'audit', 'shadow'],
  provisioner: [],
  'policy-admin': [],
  privacy: ['events', 'inbound', 'deadLetter', 'audit'],
  operator: ['events', 'inbound', 'outbound', 'deadLetter', 'audit', 'shadow'],
  connector: ['outbound'],
};

/** Streams whose individual messages an identity may securely erase (crypto-shredding leaves no plaintext behind). */
const ERASES: Partial<Record<Identity, readonly StreamKey[]>> = { privacy: ['inbound', 'deadLetter'] };

/** The streams (by topology key) an identity may read: the ones a service checks at start. */
export function readableStreams(identity: Identity): readonly StreamKey[] {
  return READS[identity];
}

function kvStream(bucket: string): string {
  return `KV_${bucket}`;
}

function readStream(name: string, durables: readonly string[], own: readonly string[]): { allow: string[]; deny: string[] } {
  const allow = [
    `${API}.STREAM.INFO.${name}`,
    `${API}.STREAM.MSG.GET.${name}`,
    `${API}.DIRECT.GET.${name}`,
    `${API}.DIRECT.GET.${name}.>`,
    `${API}.CONSUMER.CREATE.${name}`,
    `${API}.CONSUMER.CREATE.${name}.>`,
    `${API}.CONSUMER.DELETE.${name}.*`,
    `${API}.CONSUMER.INFO.${name}.*`,
    `${API}.CONSUMER.MSG.NEXT.${name}.*`,
  ];
  // Ephemeral (ordered) consumers only: no identity creates, deletes or pulls from another's durable.
  const deny = durables.flatMap((d) => [
    `${API}.CONSUMER.CREATE.${name}.${d}`,
    `${API}.CONSUMER.CREATE.${name}.${d}.>`,
    `${API}.CONSUMER.DELETE.${name}.${d}`,
    ...(own.includes(d) ? [] : [`${API}.CONSUMER.MSG.NEXT.${name}.${d}`, `${API}.CONSUMER.INFO.${name}.${d}`]),
  ]);
  return { allow, deny };
}

/** The publish/subscribe permissions of one identity for one deployment prefix. */
export function permissionsFor(identity: Identity, t: Topology): Permissions {
  if (identity === 'provisioner') return { publish: { allow: ['>'], deny: [] }, subscribe: { allow: ['>'], deny: [] } };
  const allow: string[] = [`${API}.INFO`];
  const deny: string[] = [`${API}.CONSUMER.DURABLE.CREATE.>`, `${API}.STREAM.CREATE.>`, `${API}.STREAM.UPDATE.>`, `${API}.STREAM.DELETE.>`, `${API}.STREAM.PURGE.>`];
  const allDurables = CONSUMER_BINDINGS.map((b) => b.durable);
  const own = CONSUMER_BINDINGS.filter((b) => b.owner === identity);

  for (const key of READS[identity]) {
    const r = readStream(t.streams[key], allDurables, own.filter((b) => b.stream === key).map((b) => b.durable));
    allow.push(...r.allow);
    deny.push(...r.deny);
  }
  // The ack subject of today's servers, and the v2 form (domain and account-hash tokens) that
  // nats-server 2.14 offers and 2.15 makes the default.
  for (const b of own) allow.push(`$JS.ACK.${t.streams[b.stream]}.${b.durable}.>`, `$JS.ACK.*.*.${t.streams[b.stream]}.${b.durable}.>`);
  for (const key of ERASES[identity] ?? []) allow.push(`${API}.STREAM.MSG.DELETE.${t.streams[key]}`);

  for (const [bucketKey, access] of Object.entries(BUCKET_ACCESS) as Array<[keyof Topology['buckets'], Partial<Record<Identity, 'r' | 'rw'>>]>) {
    const mode = access[identity];
    if (!mode) continue;
    const name = t.buckets[bucketKey];
    const r = readStream(kvStream(name), [], []);
    allow.push(...r.allow);
    if (mode === 'rw') allow.push(`$KV.${name}.>`);
    if (identity === 'privacy') allow.push(`${API}.STREAM.MSG.DELETE.${kvStream(name)}`);
  }

  if ((SERVICE_IDENTITIES as readonly string[]).includes(identity)) {
    for (const [type, producers] of Object.entries(PRODUCERS)) {
      if (!producers.includes(identity)) continue;
      // A shadow decision is never published where a decision would be: only on the shadow subjects.
      if ((SHADOW_TYPES as readonly string[]).includes(type)) allow.push(t.subjects.allShadow());
      else allow.push(`${t.prefix}.evt.${type}.*`);
    }
    if (own.length > 0) allow.push(t.subjects.deadLetter(identity as ServiceIdentity));
  }
  if (identity === 'escalation' || identity === 'console') allow.push(`${t.prefix}.outbound.*`);
  if (identity === 'console' || identity === 'operator') allow.push(t.subjects.audit('checkpoint'), t.subjects.audit('alert'));
  if ((SERVICE_IDENTITIES as readonly string[]).includes(identity)) allow.push(t.subjects.audit('alert'));
  if (identity === 'privacy') allow.push(t.subjects.audit('erasure'));
  if (identity === 'connector') allow.push(`${t.prefix}.inbound.*`);
  // The connectors service stores verified webhooks (its own stream) and publishes what it normalised.
  if (identity === 'connectors') allow.push(`${t.prefix}.inbound.*`, t.subjects.allWebhooks());
  if (identity === 'operator') {
    // `handrail dlq replay` re-injects the original bytes; consumers still check the original signature.
    allow.push(`${t.prefix}.inbound.*`, `${t.prefix}.evt.>`, `${t.prefix}.dlq.replayed`);
  }
  return {
    publish: { allow: [...new Set(allow)], deny: [...new Set(deny)] },
    // Its own inbox only (no one else's replies); every identity hears erasures, to drop a customer's cached keys at once.
    subscribe: { allow: [`${inboxPrefixFor(identity)}.>`, t.subjects.audit('erasure')], deny: [] },
  };
}
