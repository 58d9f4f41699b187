import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

export interface NatsHandle {
  url: string;
  /** What we did to get it: used an existing server, started one, or a container. */
  source: 'env' | 'existing' | 'started' | 'container';
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** True when a NATS server with JetStream answers at `url`. */
export async function hasJetStream(url: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const nc = await connect({ servers: url, timeout: timeoutMs, reconnect: false });
    try {
      const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
      await jsm.getAccountInfo();
      return true;
    } finally {
      await nc.close();
    }
  } catch {
    return false;
  }
}

function findNatsServer(): string | undefined {
  for (const dir of [...(process.env['PATH'] ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/bin', '/usr/bin']) {
    const p = path.join(dir, 'nats-server');
    if (dir && fs.existsSync(p)) return p;
  }
  return undefined;
}

function tryAptInstall(log: (s: string) => void): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0 || !fs.existsSync('/usr/bin/apt-get')) return false;
  log('nats-server not found; installing it with apt-get (Debian package nats-server)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  return spawnSync('apt-get', ['install', '-y', '-qq', 'nats-server'], { stdio: 'ignore', env }).status === 0;
}

async function waitFor(url: string, child: ChildProcess, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with code ${child.exitCode}`);
    if (await hasJetStream(url, 500)) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`nats-server did not answer at ${url} within ${ms} ms`);
}

/**
 * Finds or provides a NATS server with JetStream: NATS_URL if set; else 127.0.0.1:4222 if it answers;
 * else a local `nats-server -js` on a free port (installed with apt-get on Debian as root if missing);
 * else a testcontainers NATS when Docker is there; else a clear error saying how to get one.
 */
export async function ensureNats(o: { envUrl?: string | undefined; log?: (s: string) => void } = {}): Promise<NatsHandle> {
  const log = o.log ?? (() => undefined);
  if (o.envUrl) {
    if (!(await hasJetStream(o.envUrl, 5_000))) throw new Error(`NATS_URL=${o.envUrl} does not answer, or has no JetStream enabled (start it with -js)`);
    return { url: o.envUrl, source: 'env', stop: async () => {} };
  }
  const local = 'nats://127.0.0.1:4222';
  if (await hasJetStream(local)) return { url: local, source: 'existing', stop: async () => {} };
  let bin = findNatsServer();
  if (!bin && tryAptInstall(log)) bin = findNatsServer();
  if (bin) {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handrail-nats-'));
    const url = `nats://127.0.0.1:${port}`;
    log(`starting ${bin} -js on port ${port}`);
    const child = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
    await waitFor(url, child, 15_000);
    return {
      url,
      source: 'started',
      stop: async () => {
        if (child.exitCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        }
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (fs.existsSync('/var/run/docker.sock')) {
    try {
      const { NatsContainer } = await import('@testcontainers/nats');
      const c = await new NatsContainer('nats:2.9').withJetStream().start();
      const url = `nats://${c.getHost()}:${c.getMappedPort(4222)}`;
      return { url, source: 'container', stop: async () => void (await c.stop()) };
    } catch (err) {
      log(`testcontainers could not start NATS: ${(err as Error).message}`);
    }
  }
  throw new Error(
    'no NATS server with JetStream: set NATS_URL, or run one on 127.0.0.1:4222 (`nats-server -js`), ' +
      'or install nats-server (Debian: apt-get install nats-server; elsewhere https://github.com/nats-io/nats-server/releases)',
  );
}

/**
 * An auth-enabled nats-server of our own (issue 11): the generated config (one nkey user per identity,
 * least-privilege permissions), JetStream in a fresh store directory, on a free port. For `make demo`
 * and the integration tests; stops only what it started.
 */
export async function startSecureNats(o: { config: (port: number, storeDir: string) => string; log?: (s: string) => void }): Promise<NatsHandle & { storeDir: string; configFile: string }> {
  let bin = findNatsServer();
  if (!bin && tryAptInstall(o.log ?? (() => undefined))) bin = findNatsServer();
  if (!bin) throw new Error('nats-server not found (Debian: apt-get install nats-server)');
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handrail-secure-nats-'));
  const storeDir = path.join(dir, 'store');
  const configFile = path.join(dir, 'server.conf');
  fs.writeFileSync(configFile, o.config(port, storeDir));
  const child = spawn(bin, ['-c', configFile], { stdio: 'ignore' });
  const url = `nats://127.0.0.1:${port}`;
  const until = Date.now() + 15_000;
  // No anonymous user: readiness is the port answering, not a JetStream call.
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with code ${child.exitCode} (config ${configFile})`);
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (open) break;
    if (Date.now() > until) throw new Error(`nats-server did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  o.log?.(`started an auth-enabled nats-server on port ${port} (${configFile})`);
  return {
    url,
    source: 'started',
    storeDir,
    configFile,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
