import path from 'node:path';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { EventEnvelope } from '@handrail/contracts';
import { bindBucket, connectBus, headerCarrier, type Bus, type PublisherSecurity, type StoredMessage } from '@handrail/bus';
import { AUDIT_KINDS, decodeEvent, encodeEvent, isIdentity, type AuditKind, type Identity, type Topology } from '@handrail/events';
import { EnvelopeSealer, KvKeyStore, LocalKeyWrapper, type KeyStore } from '@handrail/privacy';
import { CredentialsError, digestOf, keyedMsgId, loadIdentity, loadTrust, MASTER_KEY_FILE, natsAuth, recordSigner, readMasterKey, signMessage, Verifier, type LoadedIdentity } from '@handrail/trust';
import type { TrustConfig } from '@handrail/config';

export interface Trust {
  identity: LoadedIdentity;
  verifier: Verifier;
  /** Signs stored policy records with the identity's key (`PolicyStore`'s `signer`; issue 15). */
  recordSigner: ReturnType<typeof recordSigner>;
  keys: KeyStore;
  sealer: EnvelopeSealer;
  /** Seals customer text and signs: pass to `EventPublisher`. */
  publisherSecurity: PublisherSecurity;
  /**
   * A stored event, authenticated (signature, allowed producer, subject) and opened; a reason when it
   * is not authentic. Text of an erased customer reads `[erased]`.
   */
  readEvent(m: { subject: string; data: Uint8Array; header(name: string): string | undefined }, decoded?: EventEnvelope): Promise<{ ok: true; env: EventEnvelope; digest: string } | { ok: false; reason: string }>;
  /** Signs and publishes an audit record (checkpoint, erasure, alert) on the audit stream. */
  publishAudit(kind: AuditKind, body: unknown, msgId: string, expectLastSubjectSeq?: number): Promise<{ seq: number; duplicate: boolean }>;
  close(): Promise<void>;
}

export interface TrustOptions {
  config: Readonly<TrustConfig>;
  identity: string;
}

/** Loads the identity's credentials; fails start-up naming the file when they are missing or wrong. */
export function loadOwnIdentity(o: TrustOptions): LoadedIdentity {
  if (!isIdentity(o.identity)) throw new CredentialsError(`"${o.identity}" is not a known identity`);
  return loadIdentity(o.config.HANDRAIL_CREDENTIALS_DIR, o.identity as Identity);
}

/** Connects as the identity (its own NATS user). */
export async function connectAs(url: string, name: string, identity: LoadedIdentity): Promise<Bus> {
  return connectBus({ url, name, ...natsAuth(identity) });
}

function expectedSubject(topo: Topology, env: EventEnvelope, subject: string): boolean {
  // Shadow decisions (issue 15) belong on the shadow subjects only, and nothing else does.
  if (env.type === 'shadow_decided') return subject === topo.subjects.shadow(env.ticketId);
  if (subject.startsWith(`${topo.prefix}.shadow.`)) return false;
  if (env.type === 'outbound_reply') return subject === topo.subjects.event('outbound_reply', env.ticketId) || subject.startsWith(`${topo.prefix}.outbound.`);
  try {
    return subject === topo.subjects.event(env.type as Parameters<Topology['subjects']['event']>[0], env.ticketId);
  } catch {
    return false;
  }
}

export async function openTrust(bus: Bus, topo: Topology, o: TrustOptions, identity = loadOwnIdentity(o)): Promise<Trust> {
  const dir = o.config.HANDRAIL_CREDENTIALS_DIR;
  const verifier = new Verifier(loadTrust(dir));
  const kek = readMasterKey(o.config.HANDRAIL_MASTER_KEY_FILE ?? path.join(dir, MASTER_KEY_FILE));
  const keysStream = `KV_${topo.buckets.keys}`;
  const keys = new KvKeyStore(await bindBucket(bus, topo.buckets.keys), new LocalKeyWrapper(kek), {
    eraseMessage: async (seq) => {
      await bus.jsm.streams.deleteMessage(keysStream, seq, true);
    },
  });
  const verifier0 = verifier;
  // A signed erasure record drops the customer's cached keys at once (a core subscription: the audit
  // stream's publishes reach it too; erasures are rare, so no consumer is needed).
  const erasures = bus.nc.subscribe(topo.subjects.audit('erasure'), {
    callback: (_err, m) => {
      const v = verifier0.verifyAudit('erasure', m.subject, m.data, (n) => (m.headers?.has(n) ? m.headers.get(n) : undefined));
      if (!v.ok) return;
      try {
        const rec = JSON.parse(new TextDecoder().decode(m.data)) as { customerId?: unknown };
        if (typeof rec.customerId === 'string') keys.forget(rec.customerId);
      } catch {
        // unreadable record: nothing to forget
      }
    },
  });
  const sealer = new EnvelopeSealer(keys);
  const publisherSecurity: PublisherSecurity = {
    encode: async (env) => encodeEvent(await sealer.seal(env)),
    sign: (subject, data, eventId) => signMessage(identity, subject, data, keyedMsgId(identity, eventId)),
  };
  return {
    identity,
    verifier,
    recordSigner: recordSigner(identity),
    keys,
    sealer,
    publisherSecurity,
    async readEvent(m, decoded) {
      let env: EventEnvelope;
      try {
        env = decoded ?? decodeEvent(m.data);
      } catch (err) {
        return { ok: false, reason: `undecodable: ${(err as Error).message}` };
      }
      const v = verifier.verifyEvent(m.subject, m.data, m.header, env);
      if (!v.ok) return { ok: false, reason: v.reason };
      if (!expectedSubject(topo, env, m.subject)) return { ok: false, reason: `a ${env.type} event for ${env.ticketId} does not belong on ${m.subject}` };
      return { ok: true, env: await sealer.open(env), digest: digestOf(m.data) };
    },
    async publishAudit(kind, body, msgId, expectLastSubjectSeq) {
      if (!AUDIT_KINDS.includes(kind)) throw new Error(`unknown audit kind ${kind}`);
      const subject = topo.subjects.audit(kind);
      const data = new TextEncoder().encode(JSON.stringify(body));
      const signed = signMessage(identity, subject, data, msgId);
      const h = natsHeaders();
      for (const [k, v] of Object.entries(signed.headers)) h.set(k, v);
      const ack = await bus.js.publish(subject, data, {
        msgID: msgId,
        headers: h,
        ...(expectLastSubjectSeq !== undefined ? { expect: { lastSubjectSequence: expectLastSubjectSeq } } : {}),
      });
      return { seq: ack.seq, duplicate: ack.duplicate };
    },
    close: async () => {
      erasures.unsubscribe();
      await keys.close();
    },
  };
}

/** Header access for a stored message read with `readStream`. */
export function storedHeader(m: StoredMessage): (name: string) => string | undefined {
  return (name) => m.headers[name];
}

export { headerCarrier };
