import { createHmac } from 'node:crypto';

// Written from the vendors' documentation, apart from the connector's verifier on purpose: a
// misreading in one is caught by the other.

/** Zendesk: base64(HMAC-SHA256(secret, timestamp + body)). */
export function zendeskSignature(secret: string, timestamp: string, raw: string): string {
  return createHmac('sha256', secret).update(timestamp + raw, 'utf8').digest('base64');
}

/** Chatwoot: `sha256=` + hex(HMAC-SHA256(secret, "<timestamp>.<body>")). */
export function chatwootSignature(secret: string, timestamp: string, raw: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${raw}`, 'utf8').digest('hex')}`;
}
