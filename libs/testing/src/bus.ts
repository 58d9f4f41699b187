import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectBus, deletePrefix, EventPublisher, type Bus } from '@handrail/bus';
import { topology, type Identity, type Topology } from '@handrail/events';
import { openTrust, provision, type ProvisionSettings, type Trust } from '@handrail/runtime';
import { generateCredentials } from '@handrail/trust';

/** A unique subject prefix per test run, so tests share one NATS server without seeing each other. */
export function uniquePrefix(label = 't'): string {
  return `${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

let credentialsDir: string | undefined;

/**
 * A credentials directory for every identity (issue 11), made once per test process. On the shared
 * server (no auth) only the signing and sealing keys matter; an auth-enabled server gets its config from it.
 */
export function testCredentials(): string {
  if (!credentialsDir) {
    credentialsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handrail-creds-'));
    generateCredentials(credentialsDir);
  }
  return credentialsDir;
}

export interface TestBus {
  bus: Bus;
  topo: Topology;
  /** Deletes this run's streams and buckets and closes the connection. */
  cleanup(): Promise<void>;
}

/** Opens a bus on a fresh prefix and provisions it as `handrail provision` would (short retention). */
export async function openTestBus(natsUrl: string, label = 't', settings: Partial<ProvisionSettings> = {}, o: { nkeySeed?: Uint8Array; prefix?: string } = {}): Promise<TestBus> {
  const topo = topology(o.prefix ?? uniquePrefix(label));
  const bus = await connectBus({ url: natsUrl, name: `handrail-test-${topo.prefix}`, nkeySeed: o.nkeySeed });
  await provision(bus, topo, { AUDIT_RETENTION_DAYS: 1, TRANSIENT_RETENTION_DAYS: 1, DUPLICATE_WINDOW_MINUTES: 60, ...settings });
  return {
    bus,
    topo,
    async cleanup() {
      await deletePrefix(bus, topo);
      await bus.nc.drain().catch(() => undefined);
    },
  };
}

/** Polls `probe` until it returns a value or the timeout passes. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
}

/**
 * A publisher that seals and signs as `identity` with the test credentials, i.e. a genuine producer
 * (tests that play a service, e.g. "a console that published a decision, then died").
 */
export async function trustedPublisher(bus: Bus, topo: Topology, identity: Identity, dir = testCredentials()): Promise<{ publisher: EventPublisher; trust: Trust }> {
  const trust = await openTrust(bus, topo, { config: { HANDRAIL_CREDENTIALS_DIR: dir }, identity });
  return { publisher: new EventPublisher(bus.js, topo, trust.publisherSecurity), trust };
}
