import type { AddressInfo } from 'node:net';
import type { EventEnvelope } from '@handrail/contracts';
import { ack, bindBucket, deadLetter, decodeJson, retry, backoffMs } from '@handrail/bus';
import { ValidationError } from '@handrail/errors';
import { CONSUMERS, payloadOf, PRIORITY, ROUTE, WEBHOOK_PARTITIONS, type PayloadOf } from '@handrail/events';
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
    // The provisioner creates one consumer per partition; a different count would strand webhooks.
    if (settings.partitions !== WEBHOOK_PARTITIONS) {
      throw new ValidationError([{ field: 'partitions', problem: `must be ${WEBHOOK_PARTITIONS}, the number of webhook partitions the provisioner creates` }]);
    }
    // Buckets are the provisioner's (issue 11): bound, never created here.
    const store = new ConnectorStore(await bindBucket(bus, topo.buckets.connector));
    const replay = await bindBucket(bus, topo.buckets.webhookReplay);
    const customers = await bindBucket(bus, topo.buckets.customers);
    /** A stored event read back: authenticated (signer, type, subject) and its sealed text opened. */
    const readStored = async (m: { subject: string; data: Uint8Array; header(name: string): string | undefined }) => ctx.trust.readEvent(m);
    const lastEvent = async (type: 'concluded' | 'draft_checked', ticketId: string) => {
      const msg = await bus.jsm.direct.getMessage(topo.streams.events, { last_by_subj: topo.subjects.event(type, ticketId) }).catch(() => null);
      if (!msg) return undefined;
      const r = await readStored({ subject: msg.subject, data: msg.data, header: (n) => (msg.header.has(n) ? msg.header.get(n) : undefined) });
      if (!r.ok) log.error({ alert: 'unauthenticated_event', ticketId, type, reason: r.reason }, 'a stored event is not authentic');
      return r.ok ? r.env : undefined;
    };

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
    const digests = new WeakMap<EventEnvelope, string>();
    async function emitResult<K extends 'replySent' | 'replyFailed'>(kind: K, value: PayloadOf<K>, cause: EventEnvelope, suffix: string): Promise<void> {
      await ctx.emit({ kind, value, cause, idSuffix: suffix, causeDigest: digests.get(cause) });
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
        decode: (data) => data,
        async handler(d) {
          // Only a reply signed by a producer allowed to send one is delivered (issue 11).
          const r = await readStored({ subject: d.subject, data: d.value, header: d.header });
          if (!r.ok) {
            log.error({ alert: 'unauthenticated_event', subject: d.subject, seq: d.streamSequence, reason: r.reason }, 'rejected an unauthenticated reply');
            return deadLetter(`unauthenticated: ${r.reason}`);
          }
          const cause = r.env;
          digests.set(cause, r.digest);
          const reply = payloadOf(cause, 'outboundReply');
          const link = await store.link(reply.ticketId);
          if (!link) {
            await emitResult('replyFailed', { ticketId: reply.ticketId, connector: provider, ticketKey: '', kind: 'reply', reason: 'not_linked', detail: 'the ticket did not come through a helpdesk webhook', attempts: d.deliveryCount, httpStatus: 0 }, cause, 'reply');
            return ack();
          }
          return deliver({ kind: 'reply', link, ticketId: reply.ticketId, body: reply.text, visibility: 'public', idempotencyKey: `handrail:${cause.eventId}`, cause }, d);
        },
      });
    }

    const concludedOf = async (ticketId: string) => {
      const env = await lastEvent('concluded', ticketId);
      return env ? payloadOf(env, 'concluded') : undefined;
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
        const checked = await lastEvent('draft_checked', env.ticketId);
        const draft = checked ? payloadOf(checked, 'draftChecked').draft?.text ?? '' : '';
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
