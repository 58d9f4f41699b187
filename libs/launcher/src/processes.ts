import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCredentials } from '@handrail/trust';
import { assertBuilt } from './build-state.js';
import { freePort } from './nats.js';

/** The pipeline: what a cluster starts unless told otherwise. */
export const SERVICE_NAMES = ['intake', 'classifier', 'guardrail', 'escalation', 'drafting', 'qa-sampler', 'shadow'] as const;
/** Services started only when asked for (they need configuration of their own, e.g. CONNECTORS_CONFIG). */
export const OPTIONAL_SERVICE_NAMES = ['connectors'] as const;
/**
 * Every service: the console for people (it needs an identity provider: AUTH_ISSUER, AUTH_AUDIENCE)
 * and the SQL projector (DATABASE_URL, or embedded PGlite) included.
 */
export const ALL_SERVICE_NAMES = [...SERVICE_NAMES, 'console', 'projector', ...OPTIONAL_SERVICE_NAMES] as const;
export type ServiceName = (typeof ALL_SERVICE_NAMES)[number];

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * How a service process runs. `compiled`: plain `node services/<name>/dist/main.js`, what the image
 * runs (demo, bench); needs `make build`. `tsx`: the TypeScript sources through tsx, resolving
 * workspace packages to their `src/` with the `@handrail/source` export condition (tests, development).
 */
export type ServiceRuntime = 'compiled' | 'tsx';

const SOURCE_CONDITION = '@handrail/source';

function serviceCommand(name: ServiceName, runtime: ServiceRuntime): string[] {
  const dir = path.join(repoRoot, 'services', name);
  return runtime === 'compiled'
    ? [path.join(dir, 'dist', 'main.js')]
    : [`--conditions=${SOURCE_CONDITION}`, '--import', 'tsx', path.join(dir, 'src', 'main.ts')];
}

/** Fails with what to run when `compiled` is asked for and a service's dist/ (or a library's it uses) is missing or older than its sources. */
function assertServicesBuilt(names: readonly ServiceName[]): void {
  assertBuilt(repoRoot, names.map((n) => path.join(repoRoot, 'services', n)));
}

export interface StartOptions {
  readyTimeoutMs?: number;
  /** Extra node flags, e.g. --cpu-prof for profiling. */
  nodeArgs?: readonly string[];
  /** Default `tsx`. */
  runtime?: ServiceRuntime;
}

export interface ServiceProcess {
  name: ServiceName;
  child: ChildProcess;
  logFile: string;
  /** Resolves with the exit code (or null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM and wait (ordered shutdown inside the service). */
  stop(timeoutMs?: number): Promise<number | null>;
}

async function isReady(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1_000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Starts one service as its own process and resolves once its readiness probe answers 200. */
export async function startServiceProcess(name: ServiceName, env: Record<string, string>, logDir: string, o: StartOptions = {}): Promise<ServiceProcess> {
  const { readyTimeoutMs = 60_000, nodeArgs = [], runtime = 'tsx' } = o;
  if (runtime === 'compiled') assertServicesBuilt([name]);
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${name}.log`);
  const out = fs.createWriteStream(logFile, { flags: 'a' });
  const healthPort = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, ...serviceCommand(name, runtime)], {
    cwd: repoRoot,
    env: { ...process.env, ...env, HANDRAIL_SERVICE_NAME: name, HEALTH_PORT: String(healthPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c: Buffer) => out.write(c));
  child.stderr?.on('data', (c: Buffer) => out.write(c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = (async () => {
    const until = Date.now() + readyTimeoutMs;
    while (Date.now() < until) {
      if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} before it was ready (see ${logFile})`);
      if (await isReady(healthPort)) return;
      await new Promise((r) => setTimeout(r, 150));
    }
    child.kill('SIGKILL');
    throw new Error(`${name} was not ready within ${readyTimeoutMs} ms (see ${logFile})`);
  })();
  await ready;
  return {
    name,
    child,
    logFile,
    exited,
    async stop(timeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(t);
      out.end();
      return code;
    },
  };
}

export interface Cluster {
  processes: Map<ServiceName, ServiceProcess>;
  grpcAddr: string;
  env: Record<string, string>;
  restart(name: ServiceName): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

/** Starts every service as its own process, sharing one NATS URL and subject prefix. */
export async function startCluster(o: {
  natsUrl: string;
  prefix: string;
  logDir: string;
  grpcPort: number;
  env?: Record<string, string>;
  services?: readonly ServiceName[];
  /** Extra node flags, e.g. --cpu-prof for profiling. */
  nodeArgs?: readonly string[];
  /** Default `tsx`; the demo and the bench run `compiled`. */
  runtime?: ServiceRuntime;
}): Promise<Cluster> {
  const env: Record<string, string> = {
    NATS_URL: o.natsUrl,
    HANDRAIL_PREFIX: o.prefix,
    GRPC_PORT: String(o.grpcPort),
    GRPC_HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...o.env,
  };
  // Each service needs its identity (issue 11); a development cluster without one gets a fresh set.
  if (!env['HANDRAIL_CREDENTIALS_DIR']) {
    env['HANDRAIL_CREDENTIALS_DIR'] = path.join(o.logDir, 'credentials');
    generateCredentials(env['HANDRAIL_CREDENTIALS_DIR']);
  }
  const processes = new Map<ServiceName, ServiceProcess>();
  const names = o.services ?? SERVICE_NAMES;
  const start: StartOptions = { nodeArgs: o.nodeArgs ?? [], runtime: o.runtime ?? 'tsx' };
  // Checked once for all, before anything starts: one message listing every stale package.
  if (start.runtime === 'compiled') assertServicesBuilt(names);
  // allSettled, not all: when one fails to start, the others that did are stopped, never orphaned.
  const results = await Promise.allSettled(names.map((n) => startServiceProcess(n, env, o.logDir, start)));
  for (const r of results) if (r.status === 'fulfilled') processes.set(r.value.name, r.value);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all([...processes.values()].map((p) => p.stop(5_000)));
    throw failed.reason;
  }
  return {
    processes,
    grpcAddr: `127.0.0.1:${o.grpcPort}`,
    env,
    async restart(name) {
      const p = await startServiceProcess(name, env, o.logDir, start);
      processes.set(name, p);
      return p;
    },
    async stop() {
      // Intake first so nothing new enters, then the rest together.
      await processes.get('intake')?.stop();
      await Promise.all([...processes.values()].filter((p) => p.name !== 'intake').map((p) => p.stop()));
    },
  };
}
