import { connectBus, readStream, type Bus, type StoredMessage } from '@handrail/bus';
import type { EventEnvelope } from '@handrail/contracts';
import { HandrailError } from '@handrail/errors';
import { decodeEvent, isIdentity, topology, type Identity, type Topology } from '@handrail/events';
import { openTrust, type Trust } from '@handrail/runtime';
import { loadIdentity, natsAuth } from '@handrail/trust';
import { cliConfig } from './config.js';

/** The identity a command acts as: HANDRAIL_IDENTITY, else the command's own. */
function identityFor(fallback: Identity): Identity {
  const id = cliConfig().HANDRAIL_IDENTITY ?? fallback;
  if (!isIdentity(id)) throw new HandrailError('invalid_argument', `HANDRAIL_IDENTITY: "${id}" is not a known identity`);
  return id;
}

/** Connects with the CLI's configuration: as the identity (its NATS user and inbox) when credentials are set. */
export async function connectCli(o: { identity?: Identity; name?: string } = {}): Promise<Bus> {
  const cfg = cliConfig();
  const auth = cfg.HANDRAIL_CREDENTIALS_DIR ? natsAuth(loadIdentity(cfg.HANDRAIL_CREDENTIALS_DIR, identityFor(o.identity ?? 'operator'))) : {};
  return connectBus({ url: cfg.NATS_URL, name: o.name ?? 'handrail-cli', ...auth });
}

/** Connects with the CLI's configuration, runs `fn`, and always closes the connection. */
export async function withBus<T>(fn: (bus: Bus, topo: Topology) => Promise<T>, o: { identity?: Identity } = {}): Promise<T> {
  const cfg = cliConfig();
  const bus = await connectCli(o);
  try {
    return await fn(bus, topology(cfg.HANDRAIL_PREFIX));
  } finally {
    await bus.nc.drain().catch(() => undefined);
  }
}

/**
 * Like `withBus`, with the identity's keys: verify signatures, open sealed text, sign audit records.
 * Needs HANDRAIL_CREDENTIALS_DIR.
 */
export async function withTrust<T>(fn: (bus: Bus, topo: Topology, trust: Trust) => Promise<T>, o: { identity?: Identity } = {}): Promise<T> {
  const cfg = cliConfig();
  if (!cfg.HANDRAIL_CREDENTIALS_DIR) throw new HandrailError('failed_precondition', 'HANDRAIL_CREDENTIALS_DIR is required for this command (it verifies signatures or opens sealed text)');
  const identity = identityFor(o.identity ?? 'operator');
  return withBus(async (bus, topo) => {
    const trust = await openTrust(bus, topo, { config: { HANDRAIL_CREDENTIALS_DIR: cfg.HANDRAIL_CREDENTIALS_DIR ?? '', HANDRAIL_MASTER_KEY_FILE: cfg.HANDRAIL_MASTER_KEY_FILE }, identity });
    try {
      return await fn(bus, topo, trust);
    } finally {
      await trust.close();
    }
  }, { identity });
}

/** Reads a stored event: authenticated and opened with credentials, else decoded as stored (sealed text stays sealed). */
export type EventReader = (m: StoredMessage) => Promise<EventEnvelope | undefined>;

/** `withBus` plus an event reader; with HANDRAIL_CREDENTIALS_DIR, forged events are skipped and text opened. */
export async function withEvents<T>(fn: (bus: Bus, topo: Topology, read: EventReader) => Promise<T>): Promise<T> {
  if (cliConfig().HANDRAIL_CREDENTIALS_DIR) {
    return withTrust((bus, topo, trust) =>
      fn(bus, topo, async (m) => {
        const r = await trust.readEvent({ subject: m.subject, data: m.data, header: (n) => m.headers[n] });
        return r.ok ? r.env : undefined;
      }),
    );
  }
  return withBus((bus, topo) =>
    fn(bus, topo, async (m) => {
      try {
        return decodeEvent(m.data);
      } catch {
        return undefined;
      }
    }),
  );
}

/** One ticket's events, oldest first, through `read`. */
export async function ticketEvents(bus: Bus, topo: Topology, read: EventReader, ticketId: string): Promise<EventEnvelope[]> {
  const out: EventEnvelope[] = [];
  for (const m of await readStream(bus, topo.streams.events, topo.subjects.ticketTimeline(ticketId), { idleMs: 500 })) {
    const e = await read(m);
    if (e) out.push(e);
  }
  return out;
}
