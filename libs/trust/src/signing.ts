import { createHash, createHmac, sign, verify, type KeyObject } from 'node:crypto';
import { AUDIT_SIGNERS, BUCKET_ACCESS, isIdentity, PRODUCERS, type EventType, type Identity } from '@handrail/events';
import { publicSigningKey, type LoadedIdentity, type TrustBundle } from './credentials.js';

export const SIG_HEADERS = { signer: 'Handrail-Signer', signature: 'Handrail-Sig' } as const;
/** The original `Nats-Msg-Id` of a replayed message (the id its signature covers). */
export const REPLAY_OF = 'Handrail-Replay-Of';

/** sha256 of the stored bytes, base64url: the audit chain's link to an event. */
export function digestOf(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('base64url');
}

function signedBytes(subject: string, msgId: string, data: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`handrail-sig-v1\n${subject}\n${msgId}\n`), data]);
}

/**
 * A message id that only the holder of the identity's key can compute: deterministic, so a redelivered
 * input re-publishes the same id and JetStream drops the copy, yet a forger who knows the (predictable)
 * event id cannot squat it and make the real event drop as a "duplicate" (issue 11: hijacked replies).
 */
export function keyedMsgId(id: LoadedIdentity, eventId: string): string {
  return `${eventId}~${createHmac('sha256', id.idKey).update(eventId).digest('base64url').slice(0, 22)}`;
}

export interface Signed {
  msgId: string;
  headers: Record<string, string>;
}

/** Signs subject + message id + bytes with the identity's Ed25519 key. */
export function signMessage(id: LoadedIdentity, subject: string, data: Uint8Array, msgId: string): Signed {
  const sig = sign(null, signedBytes(subject, msgId, data), id.signingKey);
  return { msgId, headers: { [SIG_HEADERS.signer]: id.identity, [SIG_HEADERS.signature]: sig.toString('base64') } };
}

/**
 * Signs stored records (policy revisions, the active pointer, their audit records) with the identity's
 * Ed25519 key: what `PolicyStore`'s `signer` option takes (issue 15: policy records were unsigned).
 */
export function recordSigner(id: LoadedIdentity): { identity: string; sign(bytes: Uint8Array): string } {
  return { identity: id.identity, sign: (bytes) => sign(null, bytes, id.signingKey).toString('base64') };
}

/** The identities that may write the policy bucket: whose record signatures count. */
export const POLICY_WRITERS: readonly Identity[] = (Object.entries(BUCKET_ACCESS.policy) as Array<[Identity, 'r' | 'rw']>).filter(([, m]) => m === 'rw').map(([id]) => id);

export type Verdict = { ok: true; signer: Identity } | { ok: false; reason: string };

/** Checks signatures against the trust bundle's public keys (parsed once per identity). */
export class Verifier {
  readonly #keys = new Map<Identity, KeyObject | undefined>();
  constructor(private readonly bundle: TrustBundle) {}

  #key(identity: Identity): KeyObject | undefined {
    if (!this.#keys.has(identity)) this.#keys.set(identity, publicSigningKey(this.bundle, identity));
    return this.#keys.get(identity);
  }

  /** Does `signature` (base64) by `identity` verify over `bytes`? */
  verifyBytes(identity: string, bytes: Uint8Array, signature: string): boolean {
    if (!isIdentity(identity)) return false;
    const key = this.#key(identity);
    if (!key) return false;
    try {
      return verify(null, bytes, key, Buffer.from(signature, 'base64'));
    } catch {
      return false;
    }
  }

  /** What `PolicyStore`'s `verifier` option takes: signatures of the policy bucket's writers only. */
  policyRecords(): { verify(identity: string, bytes: Uint8Array, signature: string): boolean; writers: readonly string[] } {
    return { verify: (identity, bytes, signature) => this.verifyBytes(identity, bytes, signature), writers: POLICY_WRITERS };
  }

  /** Is the message signed by a known identity? `header` reads the stored message's headers. */
  verify(subject: string, data: Uint8Array, header: (name: string) => string | undefined): Verdict {
    const signer = header(SIG_HEADERS.signer);
    const sig = header(SIG_HEADERS.signature);
    // A dead letter re-injected by `handrail dlq replay` keeps the id it was signed with in Replay-Of.
    const msgId = header(REPLAY_OF) ?? header('Nats-Msg-Id') ?? '';
    if (!signer || !sig) return { ok: false, reason: 'unsigned' };
    if (!isIdentity(signer)) return { ok: false, reason: `unknown signer ${JSON.stringify(signer.slice(0, 40))}` };
    if (!this.#key(signer)) return { ok: false, reason: `no public key for ${signer} in the trust bundle` };
    return this.verifyBytes(signer, signedBytes(subject, msgId, data), sig) ? { ok: true, signer } : { ok: false, reason: `bad signature for ${signer}` };
  }

  /**
   * An event is authentic when its signature verifies, the signer may produce its type, and the
   * envelope names the signer as its producer.
   */
  verifyEvent(subject: string, data: Uint8Array, header: (name: string) => string | undefined, env: { type: string; producer?: { service: string } | undefined }): Verdict {
    const v = this.verify(subject, data, header);
    if (!v.ok) return v;
    const allowed = (PRODUCERS as Record<string, readonly Identity[] | undefined>)[env.type];
    if (!allowed?.includes(v.signer)) return { ok: false, reason: `${v.signer} may not produce ${env.type} events` };
    if (env.producer?.service !== v.signer) return { ok: false, reason: `producer ${JSON.stringify(env.producer?.service ?? '')} is not the signer ${v.signer}` };
    return v;
  }

  verifyAudit(kind: keyof typeof AUDIT_SIGNERS, subject: string, data: Uint8Array, header: (name: string) => string | undefined): Verdict {
    const v = this.verify(subject, data, header);
    if (!v.ok) return v;
    return AUDIT_SIGNERS[kind].includes(v.signer) ? v : { ok: false, reason: `${v.signer} may not sign ${kind} records` };
  }
}

export type { EventType };
