import { describe, expect, it } from 'vitest';
import { chatwootSignature, zendeskSignature } from '@handrail/fake-helpdesks';
import { CHATWOOT_SCHEME, verifyWebhook, ZENDESK_SCHEME } from './signature.js';

const raw = Buffer.from('{"id":"e1","subject":"zen:ticket:1","text":"héllo"}');
const now = Date.parse('2025-01-07T10:00:00Z');
const headers = (h: Record<string, string>) => (n: string) => h[n];

describe('webhook signatures', () => {
  it('zendesk — base64 HMAC-SHA256 of timestamp + raw body verifies, with any secret of a rotation', () => {
    const ts = '2025-01-07T09:59:30Z';
    const sig = zendeskSignature('old', ts, raw.toString('utf8'));
    const ok = verifyWebhook(ZENDESK_SCHEME, { header: headers({ 'x-zendesk-webhook-signature': sig, 'x-zendesk-webhook-signature-timestamp': ts }), raw, secrets: ['new', 'old'], nowMs: now, windowSeconds: 300 });
    expect(ok).toMatchObject({ ok: true, timestamp: now / 1000 - 30 });
    const wrong = verifyWebhook(ZENDESK_SCHEME, { header: headers({ 'x-zendesk-webhook-signature': sig, 'x-zendesk-webhook-signature-timestamp': ts }), raw, secrets: ['new'], nowMs: now, windowSeconds: 300 });
    expect(wrong).toMatchObject({ ok: false, status: 401, code: 'invalid_signature' });
  });

  it('chatwoot — sha256= hex HMAC-SHA256 of "<timestamp>.<body>"; one changed byte fails', () => {
    const ts = String(now / 1000);
    const sig = chatwootSignature('s3', ts, raw.toString('utf8'));
    const h = headers({ 'x-chatwoot-signature': sig, 'x-chatwoot-timestamp': ts });
    expect(verifyWebhook(CHATWOOT_SCHEME, { header: h, raw, secrets: ['s3'], nowMs: now, windowSeconds: 300 }).ok).toBe(true);
    const tampered = Buffer.from(raw.toString('utf8').replace('héllo', 'hello'));
    expect(verifyWebhook(CHATWOOT_SCHEME, { header: h, raw: tampered, secrets: ['s3'], nowMs: now, windowSeconds: 300 })).toMatchObject({ ok: false, code: 'invalid_signature' });
    // The other provider's scheme over the same bytes is not accepted.
    expect(verifyWebhook(CHATWOOT_SCHEME, { header: headers({ 'x-chatwoot-signature': zendeskSignature('s3', ts, raw.toString('utf8')), 'x-chatwoot-timestamp': ts }), raw, secrets: ['s3'], nowMs: now, windowSeconds: 300 }).ok).toBe(false);
  });

  it('replay window — a timestamp outside it either side is stale; missing or unreadable headers are named', () => {
    const base = { raw, secrets: ['s'], nowMs: now, windowSeconds: 300 };
    const at = (ts: string) => verifyWebhook(CHATWOOT_SCHEME, { ...base, header: headers({ 'x-chatwoot-signature': chatwootSignature('s', ts, raw.toString('utf8')), 'x-chatwoot-timestamp': ts }) });
    expect(at(String(now / 1000 - 301))).toMatchObject({ ok: false, code: 'stale_timestamp' });
    expect(at(String(now / 1000 + 301))).toMatchObject({ ok: false, code: 'stale_timestamp' });
    expect(at(String(now / 1000 - 299)).ok).toBe(true);
    expect(at('yesterday')).toMatchObject({ ok: false, code: 'invalid_timestamp' });
    expect(verifyWebhook(CHATWOOT_SCHEME, { ...base, header: headers({ 'x-chatwoot-timestamp': '1' }) })).toMatchObject({ code: 'missing_signature', message: 'x-chatwoot-signature header is required' });
    expect(verifyWebhook(ZENDESK_SCHEME, { ...base, header: headers({ 'x-zendesk-webhook-signature': 'x' }) })).toMatchObject({ code: 'missing_timestamp' });
  });
});
