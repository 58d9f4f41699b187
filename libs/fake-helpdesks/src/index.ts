// Local Zendesk and Chatwoot servers for contract tests and `make demo CONNECTORS=fake`: they speak
// each helpdesk's documented API and webhooks (signed as the vendor signs), with scripted faults and
// dropped webhooks. Test doubles: no service may import this.
export { FakeZendesk } from './zendesk.js';
export type { FakeZendeskOptions, ZdTicket, ZdComment, ZdUser } from './zendesk.js';
export { FakeChatwoot } from './chatwoot.js';
export type { FakeChatwootOptions, CwConversation, CwMessage, CwContact } from './chatwoot.js';
export { FakeHttp, sendWebhook } from './http.js';
export type { Fault, LoggedRequest, WebhookDelivery, WebhookResult } from './http.js';
export { WebhookOutbox } from './webhooks.js';
export { zendeskSignature, chatwootSignature } from './sign.js';
export { fixture, FIXTURE_NAMES } from './fixtures.js';
export type { FixtureName } from './fixtures.js';
export { startFakeHelpdesks, FAKE_GROUPS, FAKE_IDS } from './setup.js';
export type { FakeHelpdesks } from './setup.js';
