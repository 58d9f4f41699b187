import type { AddressInfo } from 'node:net';
import type { EventEnvelope } from '@handrail/contracts';
import { ack, decodeJson, openBucket, retry, backoffMs } from '@handrail/bus';
import { CONSUMERS, decodeEvent, newEvent, payloadOf, PRIORITY, ROUTE, type PayloadOf } from '@handrail/events';
import { defineService } from '@handrail/runtime';
import { connectorsEnvSchema, loadConnectorsFile, type AccountConfig } from './config.js';
import { createDeliverer } from './delivery.js';
import { approvalNote, handoffNote, PROVIDERS } from './domain/index.js';
import { apiKey, createNormaliser } from './normaliser.js';
import type { HelpdeskApi } from './providers/api.js';
import { chatwootApi } from './providers/chatwoot-api.js';
import { zendeskApi } from './providers/zendesk-api.js';
import { startReconciler, type Reconciler } from './reconciler.js';
import { createReceiver, type WebhookRecord } from './receiver.js';
import { ConnectorStore } from './store.js';

export const VERSION = '0.1.0';

/** What a test or the demo can reach in a running connectors service. */
export interface ConnectorsHandle {
  onListening?(port: number): void;
  /** Set at start: poll every account once now. */
  reconcile?: Reconciler['runOnce'];
  /** Live counters (accepted, refused_*, forwarded, echo_ignored, sent_*, failed_* …). */
  counters?: Record<string, number>;
}

function decodeRecord(data: Uint8Array): WebhookRecord {
  const r = decodeJson<WebhookRecord>(data);
  if (!r || typeof r !== 'object' || !PROVIDERS.includes(r.provider) || typeof r.account !== 'string') throw new Error('not a webhook record');
  return r;
}

export function connectorsService(env?: Record<string, string | undefined>, handle: ConnectorsHandle = {}) {
  return defineService({ name: 'connectors', version: VERSION, configSchema: connectorsEnvSchema }, async (ctx) => {
    const { bus, topo, log } = ctx;
    const settings = loadConnectorsFile(ctx.config.CONNECTORS_CONFIG, ctx.config.secrets);
    const counters: Record<string, number> = (handle.counters ??= {});
    const timeoutMs = settings.delivery.requestTimeoutMs;
    const apis = new Map<string, HelpdeskApi>(
      settings.accounts.map((a: AccountConfig) => [apiKey(a.provider, a.account), a.provider === 'zendesk' ? zendeskApi(a, { timeoutMs }) : chatwootApi(a, { timeoutMs })]),
    );
    const store = new ConnectorStore(await openBucket(bus, topo.buckets.connector));
    const replay = await openBucket(bus, topo.buckets.webhookReplay, { ttlMs: 2 * settings.replayWindowSeconds * 1000 });
    const customers = await openBucket(bus, topo.buckets.customers);

    // Inbound: one consumer per partition, one webhook in flight on each across every replica.
    const normalise = createNormaliser({ store, customers, publisher: ctx.publisher, topo, accounts: settings.accounts, apis, producer: ctx.producer, log, counters });
    for (let p = 0; p < settings.partitions; p++) {
      await ctx.consume({
        stream: topo.streams.webhooks,
        durable: `${CONSUMERS.connectorsNormalise}-p${p}`,
        filterSubject: topo.subjects.webhookPartition(p),
        decode: decodeRecord,
        concurrency: 1,
        maxAckPending: 1,
        attributes: (r) => ({ 'handrail.provider': r.provider }),
        handler: (d) => normalise(d.value, d),
      });
    }

    // One result per delivery kind and ticket: a redelivered input re-publishes the same event id.
    async function emitResult<K extends 'replySent' | 'replyFailed'>(kind: K, value: PayloadOf<K>, cause: EventEnvelope, suffix: string): Promise<void> {
      await ctx.publisher.publish(newEvent({ kind, value, ticketId: cause.ticketId, producer: ctx.producer, cause, idSuffix: suffix }));
    }

    // Outbound: replies, handoffs and approval notes, each delivered exactly once.
    const deliver = createDeliverer({
      store,
      accounts: settings.accounts,
      apis,
      policy: { ...settings.delivery, maxAttempts: Math.min(settings.delivery.maxAttempts, ctx.config.MAX_DELIVER) },
      emitSent: (cause, value) => emitResult('replySent', value, cause, value.kind),
      emitFailed: (cause, value) => emitResult('replyFailed', value, cause, value.kind),
      log,
      counters,
    });

    for (const provider of PROVIDERS) {
      await ctx.consume({
        stream: topo.streams.outbound,
        durable: `${CONSUMERS.connectorsOutbound}-${provider}`,
        filterSubject: topo.subjects.outbound(provider),
        decode: decodeEvent,
        attributes: (e) => ({ 'handrail.ticket_id': e.ticketId }),
        async handler(d) {
          const reply = payloadOf(d.value, 'outboundReply');
          const link = await store.link(reply.ticketId);
          if (!link) {
            await emitResult('replyFailed', { ticketId: reply.ticketId, connector: provider, ticketKey: '', kind: 'reply', reason: 'not_linked', detail: 'the ticket did not come through a helpdesk webhook', attempts: d.deliveryCount, httpStatus: 0 }, d.value, 'reply');
            return ack();
          }
          return deliver({ kind: 'reply', link, ticketId: reply.ticketId, body: reply.text, visibility: 'public', idempotencyKey: `handrail:${d.value.eventId}`, cause: d.value }, d);
        },
      });
    }

    const concludedOf = async (ticketId: string) => {
      const msg = await bus.jsm.direct.getMessage(topo.streams.events, { last_by_subj: topo.subjects.event('concluded', ticketId) }).catch(() => null);
      return msg ? payloadOf(decodeEvent(msg.data), 'concluded') : undefined;
    };

    await ctx.onEvent('handoff', CONSUMERS.connectorsHandoff, async (h, env, d) => {
      const link = await store.link(env.ticketId);
      if (!link) return ack();
      const concluded = await concludedOf(env.ticketId);
      if (!concluded) return retry(backoffMs(d.deliveryCount), 'the conclusion is not readable yet');
      const acct = settings.accounts.find((a) => a.provider === link.provider && a.account === link.account);
      const groupId = acct ? (acct.groups[concluded.queue] ?? acct.groups.default) : undefined;
      const body = handoffNote({ packet: h.packet, queue: concluded.queue, priority: PRIORITY.name(concluded.priority) ?? '', reasons: concluded.reasons.map((r) => r.code), ticketId: env.ticketId });
      return deliver({ kind: 'handoff', link, ticketId: env.ticketId, body, visibility: 'internal', idempotencyKey: `handrail:${env.eventId}`, ...(groupId ? { groupId } : {}), cause: env }, d);
    });

    if (settings.approvalNotes) {
      await ctx.onEvent('concluded', CONSUMERS.connectorsConcluded, async (c, env, d) => {
        if (c.route !== ROUTE.value('awaiting_approval')) return ack();
        const link = await store.link(env.ticketId);
        if (!link) return ack();
        const checked = await bus.jsm.direct.getMessage(topo.streams.events, { last_by_subj: topo.subjects.event('draft_checked', env.ticketId) }).catch(() => null);
        const draft = checked ? payloadOf(decodeEvent(checked.data), 'draftChecked').draft?.text ?? '' : '';
        const body = approvalNote({ draft, queue: c.queue, reasons: c.reasons.map((r) => r.code), ticketId: env.ticketId });
        return deliver({ kind: 'note', link, ticketId: env.ticketId, body, visibility: 'internal', idempotencyKey: `handrail:${env.eventId}:approval`, cause: env }, d);
      });
    }

    const reconciler = startReconciler({ settings, apis, store, publisher: ctx.publisher, topo, holder: ctx.producer.instance, log, counters });
    handle.reconcile = reconciler.runOnce;

    const app = createReceiver({ settings, publisher: ctx.publisher, topo, replay, log, counters });
    await app.listen({ host: ctx.config.CONNECTORS_HTTP_HOST, port: ctx.config.CONNECTORS_HTTP_PORT });
    const port = (app.server.address() as AddressInfo).port;
    log.info({ port, accounts: settings.accounts.map((a) => `${a.provider}/${a.account}`), partitions: settings.partitions }, 'webhook receiver listening');
    handle.onListening?.(port);
    return { closers: [() => reconciler.stop(), () => app.close()] };
  })(env);
}
