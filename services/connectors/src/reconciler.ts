import { encodeJson, type EventPublisher } from '@handrail/bus';
import type { Topology } from '@handrail/events';
import type { Logger } from '@handrail/observability';
import type { ConnectorsSettings } from './config.js';
import type { HelpdeskApi } from './providers/api.js';
import { apiKey, type ReconcileBody } from './normaliser.js';
import { partitionOf, type WebhookRecord } from './receiver.js';
import type { ConnectorStore } from './store.js';

/** Re-reads tickets a little before the cursor: what changed during the last poll is read twice, harmlessly. */
const OVERLAP_MS = 60_000;

export interface Reconciler {
  /** One poll of every account; resolves with the tickets queued for re-reading. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The periodic poll that catches what webhooks dropped (Chatwoot's account webhooks are never
 * retried): every ticket updated since the cursor is queued on its own webhook partition, where
 * the normaliser re-reads its messages and forwards only those it has not seen — idempotent, so
 * polling twice, or a webhook arriving late, never makes a second ticket. One replica polls at a time.
 */
export function startReconciler(d: {
  settings: ConnectorsSettings;
  apis: ReadonlyMap<string, HelpdeskApi>;
  store: ConnectorStore;
  publisher: EventPublisher;
  topo: Topology;
  holder: string;
  log: Logger;
  counters: Record<string, number>;
  now?: () => number;
}): Reconciler {
  const now = d.now ?? Date.now;
  let running: Promise<number> | undefined;
  let stopped = false;

  const poll = async (): Promise<number> => {
    if (!(await d.store.acquireLease('reconcile', d.holder, Math.max(3 * d.settings.reconcile.intervalMs, 30_000), now()))) return 0;
    let queued = 0;
    for (const a of d.settings.accounts) {
      const api = d.apis.get(apiKey(a.provider, a.account));
      if (!api) continue;
      try {
        const cursor = (await d.store.cursor(a.provider, a.account)) ?? now() - d.settings.reconcile.lookbackMs;
        const since = cursor - OVERLAP_MS;
        const { ticketIds, nextSinceMs } = await api.updatedSince(since);
        for (const ticketId of ticketIds) {
          const body: ReconcileBody = { ticket_id: ticketId, since_ms: since };
          const rec: WebhookRecord = { provider: a.provider, account: a.account, source: 'reconcile', deliveryId: '', receivedAt: new Date(now()).toISOString(), body };
          const partition = partitionOf(a.provider, a.account, ticketId, d.settings.partitions);
          await d.publisher.publishRaw(d.topo.subjects.webhook(a.provider, partition), encodeJson(rec), `reconcile:${a.provider}:${a.account}:${ticketId}:${nextSinceMs}`);
          queued++;
        }
        await d.store.setCursor(a.provider, a.account, Math.max(cursor, nextSinceMs));
      } catch (err) {
        d.counters.reconcile_errors = (d.counters.reconcile_errors ?? 0) + 1;
        d.log.warn({ err, provider: a.provider, account: a.account }, 'reconciliation poll failed; next poll retries');
      }
    }
    d.counters.reconcile_polls = (d.counters.reconcile_polls ?? 0) + 1;
    d.counters.reconcile_queued = (d.counters.reconcile_queued ?? 0) + queued;
    return queued;
  };

  const runOnce = () => {
    running ??= poll().finally(() => (running = undefined));
    return running;
  };
  const timer = d.settings.reconcile.enabled
    ? setInterval(() => {
        if (!stopped) void runOnce().catch(() => undefined);
      }, d.settings.reconcile.intervalMs)
    : undefined;
  timer?.unref();
  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
