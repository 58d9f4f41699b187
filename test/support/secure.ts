import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createUser } from '@nats-io/nkeys';
import { connectBus, type Bus } from '@handrail/bus';
import type { Identity } from '@handrail/events';
import { startSecureNats, type NatsHandle } from '@handrail/launcher';
import { generateCredentials, loadIdentity, natsAuth, renderServerConfig } from '@handrail/trust';
import { uniquePrefix } from '@handrail/testing';

export interface SecureBus {
  nats: NatsHandle & { storeDir: string; configFile: string };
  url: string;
  prefix: string;
  credentials: string;
  /** A leaked credential with broad NATS rights but no key in the trust bundle: what consumers must stop. */
  intruderSeed: Uint8Array;
  connectAs(identity: Identity): Promise<Bus>;
  connectIntruder(): Promise<Bus>;
  stop(): Promise<void>;
}

/** An auth-enabled nats-server with the generated config for one fresh prefix, and credentials for every identity. */
export async function startSecureBus(label: string): Promise<SecureBus> {
  const prefix = uniquePrefix(label);
  const credentials = fs.mkdtempSync(path.join(os.tmpdir(), 'handrail-secure-creds-'));
  const bundle = generateCredentials(credentials);
  const intruder = createUser();
  const nats = await startSecureNats({
    config: (port, storeDir) =>
      renderServerConfig({
        port,
        storeDir,
        prefixes: [prefix],
        bundle,
        extraUsers: [{ nkey: intruder.getPublicKey(), permissions: { publish: { allow: [`${prefix}.>`, '$JS.API.INFO', '$JS.API.STREAM.INFO.>'], deny: [] }, subscribe: { allow: ['_INBOX.>'], deny: [] } } }],
      }),
  });
  const open: Bus[] = [];
  const connectAs = async (identity: Identity) => {
    const b = await connectBus({ url: nats.url, name: `test-${identity}`, ...natsAuth(loadIdentity(credentials, identity)) });
    open.push(b);
    return b;
  };
  return {
    nats,
    url: nats.url,
    prefix,
    credentials,
    intruderSeed: intruder.getSeed(),
    connectAs,
    async connectIntruder() {
      const b = await connectBus({ url: nats.url, name: 'intruder', nkeySeed: intruder.getSeed() });
      open.push(b);
      return b;
    },
    async stop() {
      for (const b of open) await b.nc.close().catch(() => undefined);
      await nats.stop();
      fs.rmSync(credentials, { recursive: true, force: true });
    },
  };
}
