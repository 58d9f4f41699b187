import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { encodeJson, type EventPublisher, type KV } from '@handrail/bus';
import type { Topology } from '@handrail/events';
import type { Logger } from '@handrail/observability';
import type { AccountConfig, ConnectorsSettings } from './config.js';
import { CHATWOOT_SCHEME, chatwootConversationId, verifyWebhook, ZENDESK_SCHEME, zendeskTicketIdOf, type Provider } from './domain/index.js';

/** A verified webhook as it is kept on the webhooks stream until the normaliser reads it. */
export interface WebhookRecord {
  provider: Provider;
  account: string;
  source: 'webhook' | 'reconcile';
  deliveryId: string;
  receivedAt: string;
  body: unknown;
}

/** Which partition a ticket's webhooks go to: the same one always, so they are handled in order. */
export function partitionOf(provider: string, account: string, ticketId: string, partitions: number): number {
  return createHash('sha256').update(`${provider}\u0000${account}\u0000${ticketId}`).digest().readUInt32BE(0) % partitions;
}

export interface ReceiverDeps {
  settings: ConnectorsSettings;
  publisher: EventPublisher;
  topo: Topology;
  replay: KV;
  log: Logger;
  now?: () => number;
  /** Counts, for /stats and tests. */
  counters: Record<string, number>;
}

function account(settings: ConnectorsSettings, provider: string, name: string): AccountConfig | undefined {
  return settings.accounts.find((a) => a.provider === provider && a.account === name);
}

/**
 * The webhook receivers: `POST /webhooks/zendesk/<subdomain>` and `POST /webhooks/chatwoot/<account id>`.
 * The signature is checked on the raw bytes before anything is parsed; 2xx is answered only once
 * the webhook is stored in JetStream, so a helpdesk never hears "ok" for something we could lose.
 */
export function createReceiver(d: ReceiverDeps): FastifyInstance {
  const now = d.now ?? Date.now;
  const app = Fastify({ bodyLimit: d.settings.maxBodyBytes, logger: false, return503OnClosing: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  const count = (k: string) => (d.counters[k] = (d.counters[k] ?? 0) + 1);

  app.get('/healthz', async () => ({ ok: true }));

  app.post<{ Params: { provider: string; account: string } }>('/webhooks/:provider/:account', async (req, reply) => {
    const { provider, account: name } = req.params;
    const refuse = (status: number, error: string, message: string) => {
      count(`refused_${error}`);
      d.log.warn({ provider, account: name, status, error }, 'webhook refused');
      return reply.code(status).send({ error, message });
    };
    if (provider !== 'zendesk' && provider !== 'chatwoot') return refuse(404, 'unknown_provider', `provider must be zendesk or chatwoot, got ${JSON.stringify(provider)}`);
    const acct = account(d.settings, provider, name);
    if (!acct) return refuse(404, 'unknown_account', `no ${provider} account ${JSON.stringify(name)} is configured`);
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const header = (n: string) => {
      const v = req.headers[n];
      return Array.isArray(v) ? v[0] : v;
    };
    const verified = verifyWebhook(provider === 'zendesk' ? ZENDESK_SCHEME : CHATWOOT_SCHEME, {
      header,
      raw,
      secrets: acct.webhookSecrets.map((s) => s.reveal()),
      nowMs: now(),
      windowSeconds: d.settings.replayWindowSeconds,
    });
    if (!verified.ok) return refuse(verified.status, verified.code, verified.message);

    // The same signed request twice is a replay: a helpdesk's own retry is signed anew.
    const replayKey = `r.${createHash('sha256').update(`${provider}|${name}|${verified.timestamp}|${verified.signature}`).digest('hex').slice(0, 48)}`;
    try {
      await d.replay.create(replayKey, encodeJson({ at: now() }));
    } catch (err) {
      if (/wrong last sequence|key exists/i.test((err as Error).message)) {
        return refuse(409, 'replayed_delivery', 'this exact signed request was already received; a retry must be signed again');
      }
      d.log.error({ err }, 'replay guard unavailable');
      return reply.code(503).header('retry-after', '5').send({ error: 'unavailable', message: 'cannot store the webhook now; retry' });
    }

    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      await d.replay.delete(replayKey).catch(() => undefined);
      return refuse(400, 'invalid_json', 'the body is not JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      await d.replay.delete(replayKey).catch(() => undefined);
      return refuse(400, 'invalid_body', 'the body must be a JSON object');
    }
    const ticketId = provider === 'zendesk' ? zendeskTicketIdOf(body) : chatwootConversationId(body);
    const deliveryId =
      header('x-chatwoot-delivery') ?? header('x-zendesk-webhook-invocation-id') ?? (typeof (body as { id?: unknown }).id === 'string' && provider === 'zendesk' ? (body as { id: string }).id : '');
    const record: WebhookRecord = { provider, account: name, source: 'webhook', deliveryId, receivedAt: new Date(now()).toISOString(), body };
    const partition = partitionOf(provider, name, ticketId, d.settings.partitions);
    // A retried delivery keeps its id: JetStream drops the copy inside the duplicate window, the
    // normaliser's per-message dedupe after it.
    const msgId = `hook:${provider}:${name}:${deliveryId || createHash('sha256').update(raw).digest('hex').slice(0, 32)}`;
    try {
      const ack = await d.publisher.publishRaw(d.topo.subjects.webhook(provider, partition), encodeJson(record), msgId, { 'Content-Type': 'application/json' });
      count(ack.duplicate ? 'accepted_duplicate' : 'accepted');
      return reply.code(200).send({ accepted: true, duplicate: ack.duplicate });
    } catch (err) {
      // Not stored: forget the signature so the helpdesk's retry of this very request is accepted.
      await d.replay.delete(replayKey).catch(() => undefined);
      d.log.error({ err, provider, account: name }, 'could not store webhook');
      return reply.code(503).header('retry-after', '5').send({ error: 'unavailable', message: 'cannot store the webhook now; retry' });
    }
  });
  return app;
}
