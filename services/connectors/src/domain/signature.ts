import { createHmac, timingSafeEqual } from 'node:crypto';

/** Why a webhook was refused: the HTTP status and a code the sender's logs can show. */
export interface Refusal {
  ok: false;
  status: number;
  code: 'missing_signature' | 'missing_timestamp' | 'invalid_timestamp' | 'stale_timestamp' | 'invalid_signature';
  message: string;
}

export interface Verified {
  ok: true;
  /** Seconds since the epoch, as signed. */
  timestamp: number;
  /** The signature as sent: identical bytes, timestamp and signature again are a replay. */
  signature: string;
}

export interface VerifyInput {
  /** Header values by lower-case name. */
  header(name: string): string | undefined;
  /** The request body exactly as received: the signature covers these bytes, not a re-serialisation. */
  raw: Buffer;
  /** Every secret currently valid for the account: during a rotation, old and new. */
  secrets: readonly string[];
  nowMs: number;
  windowSeconds: number;
}

/** The two schemes: what is signed and how the digest is written. */
export interface SignatureScheme {
  signatureHeader: string;
  timestampHeader: string;
  /** The digest the header should carry, for one secret. */
  expected(secret: string, timestamp: string, raw: Buffer): string;
}

/** Zendesk: `X-Zendesk-Webhook-Signature` = base64(HMAC-SHA256(secret, timestamp + body)), no separator. */
export const ZENDESK_SCHEME: SignatureScheme = {
  signatureHeader: 'x-zendesk-webhook-signature',
  timestampHeader: 'x-zendesk-webhook-signature-timestamp',
  expected: (secret, ts, raw) => createHmac('sha256', secret).update(ts).update(raw).digest('base64'),
};

/** Chatwoot: `X-Chatwoot-Signature` = `sha256=` + hex(HMAC-SHA256(secret, `<timestamp>.<body>`)). */
export const CHATWOOT_SCHEME: SignatureScheme = {
  signatureHeader: 'x-chatwoot-signature',
  timestampHeader: 'x-chatwoot-timestamp',
  expected: (secret, ts, raw) => `sha256=${createHmac('sha256', secret).update(`${ts}.`).update(raw).digest('hex')}`,
};

/** Parses a timestamp header: unix seconds, or (Zendesk) an ISO 8601 time. */
export function parseTimestamp(v: string): number | undefined {
  if (/^\d{9,11}$/.test(v)) return Number(v);
  if (/^\d{4}-\d{2}-\d{2}T/.test(v)) {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
  }
  return undefined;
}

function sameBytes(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Verifies a webhook on its raw bytes: signature present, timestamp inside the replay window (either
 * side: a clock far ahead is as suspect as one behind), and the digest equal — compared in constant
 * time — for any currently valid secret.
 */
export function verifyWebhook(scheme: SignatureScheme, i: VerifyInput): Verified | Refusal {
  const signature = i.header(scheme.signatureHeader)?.trim();
  if (!signature) return { ok: false, status: 401, code: 'missing_signature', message: `${scheme.signatureHeader} header is required` };
  const tsRaw = i.header(scheme.timestampHeader)?.trim();
  if (!tsRaw) return { ok: false, status: 401, code: 'missing_timestamp', message: `${scheme.timestampHeader} header is required` };
  const ts = parseTimestamp(tsRaw);
  if (ts === undefined) return { ok: false, status: 401, code: 'invalid_timestamp', message: `${scheme.timestampHeader} must be unix seconds or an ISO 8601 time` };
  const skew = Math.abs(i.nowMs / 1000 - ts);
  if (skew > i.windowSeconds) {
    return { ok: false, status: 401, code: 'stale_timestamp', message: `${scheme.timestampHeader} is ${Math.round(skew)} s away from now; the replay window is ${i.windowSeconds} s` };
  }
  const match = i.secrets.some((s) => sameBytes(scheme.expected(s, tsRaw, i.raw), signature));
  if (!match) return { ok: false, status: 401, code: 'invalid_signature', message: `${scheme.signatureHeader} does not match the body for any configured secret` };
  return { ok: true, timestamp: ts, signature };
}
