import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createUser, fromSeed } from '@nats-io/nkeys';
import { HandrailError } from '@handrail/errors';
import { IDENTITIES, isIdentity, type Identity } from '@handrail/events';

/**
 * One identity's secrets: its NATS user nkey seed (the server config holds only the public key) and
 * its Ed25519 event-signing key. Written 0600, one file per identity, so a pod mounts only its own.
 */
export interface IdentityCredentials {
  identity: Identity;
  natsSeed: string;
  /** PKCS#8 DER, base64. */
  signingKey: string;
}

/** The public half of every identity: what consumers verify signatures with and the server config needs. */
export interface TrustBundle {
  version: 1;
  identities: Partial<Record<Identity, { nats: string; signing: string }>>;
}

export const TRUST_FILE = 'trust.json';
export const MASTER_KEY_FILE = 'master.key';

export class CredentialsError extends HandrailError {
  override readonly name = 'CredentialsError';
  constructor(message: string) {
    super('failed_precondition', message);
  }
}

/**
 * Writes a fresh credentials directory: `<identity>.json` per identity, `trust.json` (public keys),
 * and `master.key` (the local key-encryption key; a KMS replaces it in production). Existing files are
 * kept unless `overwrite`, so re-running is safe.
 */
export function generateCredentials(dir: string, o: { identities?: readonly Identity[]; overwrite?: boolean } = {}): TrustBundle {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const bundle: TrustBundle = fs.existsSync(path.join(dir, TRUST_FILE)) && !o.overwrite ? loadTrust(dir) : { version: 1, identities: {} };
  for (const identity of o.identities ?? IDENTITIES) {
    const file = path.join(dir, `${identity}.json`);
    if (fs.existsSync(file) && !o.overwrite && bundle.identities[identity]) continue;
    const user = createUser();
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const creds: IdentityCredentials = {
      identity,
      natsSeed: new TextDecoder().decode(user.getSeed()),
      signingKey: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
    };
    fs.writeFileSync(file, JSON.stringify(creds, null, 2), { mode: 0o600 });
    bundle.identities[identity] = { nats: user.getPublicKey(), signing: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
  }
  fs.writeFileSync(path.join(dir, TRUST_FILE), JSON.stringify(bundle, null, 2), { mode: 0o644 });
  const master = path.join(dir, MASTER_KEY_FILE);
  if (!fs.existsSync(master) || o.overwrite) fs.writeFileSync(master, randomBytes(32).toString('base64'), { mode: 0o600 });
  return bundle;
}

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CredentialsError(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
}

export function loadTrust(dir: string): TrustBundle {
  const raw = readJson(path.join(dir, TRUST_FILE), 'trust bundle') as Partial<TrustBundle>;
  if (raw?.version !== 1 || typeof raw.identities !== 'object' || raw.identities === null) throw new CredentialsError(`${path.join(dir, TRUST_FILE)} is not a version 1 trust bundle`);
  for (const k of Object.keys(raw.identities)) if (!isIdentity(k)) throw new CredentialsError(`${TRUST_FILE}: unknown identity "${k}"`);
  return raw as TrustBundle;
}

/** A loaded identity: what `connectBus` authenticates with and what the publisher signs with. Never logged. */
export interface LoadedIdentity {
  identity: Identity;
  natsSeed: Uint8Array;
  signingKey: KeyObject;
  /** Derived from the signing key: keys the deterministic message ids (see `keyedMsgId`). */
  idKey: Buffer;
}

export function loadIdentity(dir: string, identity: Identity): LoadedIdentity {
  const file = path.join(dir, `${identity}.json`);
  const raw = readJson(file, `credentials of ${identity}`) as Partial<IdentityCredentials>;
  if (raw?.identity !== identity || typeof raw.natsSeed !== 'string' || typeof raw.signingKey !== 'string') {
    throw new CredentialsError(`${file} is not the credentials of ${identity}`);
  }
  const natsSeed = new TextEncoder().encode(raw.natsSeed);
  fromSeed(natsSeed); // throws on a malformed seed, at start-up rather than at connect
  const der = Buffer.from(raw.signingKey, 'base64');
  const signingKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  if (signingKey.asymmetricKeyType !== 'ed25519') throw new CredentialsError(`${file}: signing key is not Ed25519`);
  const idKey = createHmac('sha256', 'handrail-msg-id-v1').update(der).digest();
  return { identity, natsSeed, signingKey, idKey };
}

export function publicSigningKey(bundle: TrustBundle, identity: Identity): KeyObject | undefined {
  const k = bundle.identities[identity]?.signing;
  return k ? createPublicKey({ key: Buffer.from(k, 'base64'), format: 'der', type: 'spki' }) : undefined;
}

export function readMasterKey(file: string): Buffer {
  let key: Buffer;
  try {
    key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  } catch (err) {
    throw new CredentialsError(`cannot read the key-encryption key ${file}: ${(err as Error).message}`);
  }
  if (key.length !== 32) throw new CredentialsError(`${file} must hold 32 bytes, base64 (got ${key.length})`);
  return key;
}
