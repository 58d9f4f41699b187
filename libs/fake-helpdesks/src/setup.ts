import { FakeChatwoot } from './chatwoot.js';
import { FakeZendesk } from './zendesk.js';

export interface FakeHelpdesks {
  zendesk: FakeZendesk;
  chatwoot: FakeChatwoot;
  /** The connectors file for both fakes (secrets by reference to the env below). */
  configYaml(o?: { reconcileSeconds?: number; partitions?: number; baseDelayMs?: number; maxAttempts?: number; replayWindowSeconds?: number }): string;
  /** The secret environment the connectors file refers to. */
  secretEnv: Record<string, string>;
  /** Points both fakes' webhooks at a connectors service listening on `port`. */
  connect(port: number): void;
  /** Waits for webhooks the fakes still have on the way. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** The group / team ids the fakes' queues map to. */
export const FAKE_GROUPS = { zendesk: { default: '360000000001', 'trust-and-safety': '360000000003', refunds: '360000000002' }, chatwoot: { default: '1', 'trust-and-safety': '3', refunds: '2' } };

export const FAKE_IDS = { zendeskSubdomain: 'northwind', zendeskBotUserId: 900_000_001, chatwootAccountId: 7, chatwootBotId: 42 };

/** Both fakes on free local ports, with the secrets a test or the demo connects them with. */
export async function startFakeHelpdesks(): Promise<FakeHelpdesks> {
  const secretEnv = {
    HANDRAIL_SECRET_ZENDESK_TOKEN: `zd-token-${Math.random().toString(36).slice(2)}`,
    HANDRAIL_SECRET_ZENDESK_WEBHOOK: `zd-whsec-${Math.random().toString(36).slice(2)}`,
    HANDRAIL_SECRET_ZENDESK_WEBHOOK_OLD: `zd-whsec-old-${Math.random().toString(36).slice(2)}`,
    HANDRAIL_SECRET_CHATWOOT_TOKEN: `cw-token-${Math.random().toString(36).slice(2)}`,
    HANDRAIL_SECRET_CHATWOOT_WEBHOOK: `cw-whsec-${Math.random().toString(36).slice(2)}`,
  };
  const zendesk = await FakeZendesk.start({ subdomain: FAKE_IDS.zendeskSubdomain, email: 'handrail-bot@northwind.example', apiToken: secretEnv.HANDRAIL_SECRET_ZENDESK_TOKEN, webhookSecret: secretEnv.HANDRAIL_SECRET_ZENDESK_WEBHOOK, botUserId: FAKE_IDS.zendeskBotUserId });
  const chatwoot = await FakeChatwoot.start({ accountId: FAKE_IDS.chatwootAccountId, apiToken: secretEnv.HANDRAIL_SECRET_CHATWOOT_TOKEN, webhookSecret: secretEnv.HANDRAIL_SECRET_CHATWOOT_WEBHOOK, botId: FAKE_IDS.chatwootBotId });
  const groups = (m: Record<string, string>) => Object.entries(m).map(([k, v]) => `      ${JSON.stringify(k)}: "${v}"`).join('\n');
  return {
    zendesk,
    chatwoot,
    secretEnv,
    configYaml: (o = {}) => `# Written by @handrail/fake-helpdesks for the local fakes.
replay_window_seconds: ${o.replayWindowSeconds ?? 300}
partitions: ${o.partitions ?? 4}
delivery: { max_attempts: ${o.maxAttempts ?? 5}, base_delay_ms: ${o.baseDelayMs ?? 100}, max_delay_ms: 5000, request_timeout_ms: 5000 }
reconcile: { enabled: true, interval_seconds: ${o.reconcileSeconds ?? 3600}, lookback_minutes: 60 }
zendesk:
  - account: ${FAKE_IDS.zendeskSubdomain}
    base_url: ${zendesk.url}
    email: handrail-bot@northwind.example
    api_token: env:HANDRAIL_SECRET_ZENDESK_TOKEN
    webhook_secrets: [env:HANDRAIL_SECRET_ZENDESK_WEBHOOK, env:HANDRAIL_SECRET_ZENDESK_WEBHOOK_OLD]
    bot_user_id: ${FAKE_IDS.zendeskBotUserId}
    groups:
${groups(FAKE_GROUPS.zendesk)}
    customer:
      tier: { from: organization.organization_fields.plan, map: { enterprise: vip, pro: plus, basic: standard }, default: standard }
      account_value: { from: organization.organization_fields.annual_value }
      high_risk: { from: user.user_fields.fraud_risk, true_values: [high] }
chatwoot:
  - account: "${FAKE_IDS.chatwootAccountId}"
    base_url: ${chatwoot.url}
    api_token: env:HANDRAIL_SECRET_CHATWOOT_TOKEN
    webhook_secrets: [env:HANDRAIL_SECRET_CHATWOOT_WEBHOOK]
    bot_user_ids: ["${FAKE_IDS.chatwootBotId}"]
    require_pending: true
    teams:
${groups(FAKE_GROUPS.chatwoot)}
    customer:
      tier: { from: custom_attributes.plan, map: { enterprise: vip, pro: plus }, default: standard }
      account_value: { from: custom_attributes.lifetime_value }
      high_risk: { from: custom_attributes.risk, true_values: [high] }
`,
    connect(port) {
      zendesk.webhookUrl = `http://127.0.0.1:${port}/webhooks/zendesk/${FAKE_IDS.zendeskSubdomain}`;
      chatwoot.webhookUrl = `http://127.0.0.1:${port}/webhooks/chatwoot/${FAKE_IDS.chatwootAccountId}`;
    },
    async settled() {
      await Promise.all([zendesk.webhooks.settled(), chatwoot.webhooks.settled()]);
    },
    async close() {
      await Promise.all([zendesk.close(), chatwoot.close()]);
    },
  };
}
