import { startService, type RunningService } from '@handrail/runtime';
import { demoServiceEnv } from '@handrail/demo';
import { startDevIssuer, type DevIssuer, type MintOptions } from '@handrail/identity/dev';
import { consoleService } from '@handrail/svc-console';
import { testCredentials } from '@handrail/testing';

export const AUDIENCE = 'handrail-console';

export interface ConsoleUnderTest {
  svc: RunningService;
  base: string;
  issuer: DevIssuer;
  /** A token of a demo user (ana, ben, sam, quinn, rita, pat, pia, alex). */
  token(user: string, o?: MintOptions): Promise<string>;
  stop(): Promise<void>;
}

/** The console on a test prefix, verifying tokens of a local issuer (browser sign-in enabled). */
export async function startConsole(natsUrl: string, prefix: string, issuer?: DevIssuer, extra: Record<string, string> = {}): Promise<ConsoleUnderTest> {
  const own = issuer === undefined;
  const iss = issuer ?? (await startDevIssuer({ audience: AUDIENCE }));
  let port = 0;
  const svc = await startService(
    consoleService(
      { NATS_URL: natsUrl, HANDRAIL_PREFIX: prefix, LOG_LEVEL: 'silent', CONSOLE_PORT: '0', ...demoServiceEnv, HANDRAIL_CREDENTIALS_DIR: testCredentials(), AUTH_ISSUER: iss.url, AUTH_AUDIENCE: AUDIENCE, AUTH_CLIENT_ID: AUDIENCE, ...extra },
      { onListening: (p) => (port = p) },
    ),
  );
  return {
    svc,
    base: `http://127.0.0.1:${port}`,
    issuer: iss,
    token: (user, o) => iss.mint(user, o),
    stop: async () => {
      await svc.shutdown('test done');
      if (own) await iss.close();
    },
  };
}

export interface Reply {
  status: number;
  json: Record<string, unknown>;
}

/** One HTTP call to the console; `token` undefined sends none. */
export async function call(base: string, path: string, o: { token?: string | undefined; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.token) headers['authorization'] = `Bearer ${o.token}`;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method: o.body === undefined ? 'GET' : 'POST', headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { text };
  }
  return { status: res.status, json };
}
