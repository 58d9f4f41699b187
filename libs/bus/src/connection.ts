import { connect, nkeyAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { UnavailableError } from '@handrail/errors';
import { RequestOne } from '@nats-io/nats-core/internal';
import { coalesceWrites, skipSettledRequestErrors } from './client-tuning.js';

export interface Bus {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

export interface ConnectOptions {
  url: string;
  name: string;
  /** How long to keep trying the first connection before failing start-up. */
  connectTimeoutMs?: number;
  /**
   * The client tunings of `client-tuning.ts` (on unless false). They patch nats.js for the whole
   * process once applied, so `false` only means stock behaviour before any tuned connection exists:
   * the bench's baseline chain.
   */
  tuned?: boolean;
  /** The identity's NATS nkey seed (issue 11: one user per service); never logged. */
  nkeySeed?: Uint8Array | undefined;
  /** The identity's own inbox prefix (issue 15: `_INBOX.>` is no longer open to every identity); `_INBOX` when unset. */
  inboxPrefix?: string | undefined;
}

export async function connectBus(o: ConnectOptions): Promise<Bus> {
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: o.url,
      name: o.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      timeout: o.connectTimeoutMs ?? 5_000,
      // Async traces build two Error objects (stack traces) for every request and publish, whether it
      // fails or not: a third of the client's CPU on the hot path. Errors keep their own stacks.
      noAsyncTraces: o.tuned !== false,
      ...(o.nkeySeed ? { authenticator: nkeyAuthenticator(o.nkeySeed) } : {}),
      ...(o.inboxPrefix ? { inboxPrefix: o.inboxPrefix } : {}),
    });
  } catch (err) {
    throw new UnavailableError(`cannot reach NATS at ${o.url}: ${(err as Error).message}`, err);
  }
  if (o.tuned !== false) {
    coalesceWrites(nc);
    skipSettledRequestErrors(RequestOne);
  }
  const jsm = await jetstreamManager(nc, { timeout: 10_000 }).catch((err: unknown) => {
    void nc.close();
    throw new UnavailableError(`NATS at ${o.url} has no JetStream: ${(err as Error).message}`, err);
  });
  return { nc, js: jetstream(nc, { timeout: 10_000 }), jsm };
}
