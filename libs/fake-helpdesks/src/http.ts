import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  params: Record<string, string>;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A scripted answer to the next matching call: a status, optionally after doing the work anyway. */
export interface Fault {
  status: number;
  /** Do the write, then answer the error: the case where the client never learns it succeeded. */
  commit?: boolean;
  retryAfterSeconds?: number;
  /** Only a request this accepts meets the fault (e.g. one ticket's); others pass it by. */
  only?: (r: FakeRequest) => boolean;
}

export interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  /** The route's name in fault scripts and the request log, e.g. `PUT /api/v2/tickets/:id`. */
  name: string;
  handle(req: FakeRequest): FakeResponse;
}

export function route(method: string, path: string, handle: Route['handle']): Route {
  const names: string[] = [];
  const pattern = new RegExp(`^${path.replace(/:([a-z_]+)/g, (_m, n: string) => (names.push(n), '([^/]+?)')).replace(/\./g, '\\.')}$`);
  return { method, pattern, names, name: `${method} ${path}`, handle };
}

export interface LoggedRequest {
  route: string;
  method: string;
  path: string;
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** A small JSON HTTP server with an auth check, a request log and fault scripts per route. */
export class FakeHttp {
  readonly log: LoggedRequest[] = [];
  private readonly faults = new Map<string, Fault[]>();
  private server: http.Server | undefined;
  url = '';

  constructor(
    private readonly routes: Route[],
    private readonly authorised: (h: http.IncomingHttpHeaders) => boolean,
  ) {}

  /** The next calls of `routeName` answer these faults, in order, before the route works again. */
  failNext(routeName: string, faults: Fault[]): void {
    if (!this.routes.some((r) => r.name === routeName)) throw new Error(`no route ${routeName}; routes: ${this.routes.map((r) => r.name).join(', ')}`);
    this.faults.set(routeName, [...(this.faults.get(routeName) ?? []), ...faults]);
  }

  calls(routeName: string): LoggedRequest[] {
    return this.log.filter((l) => l.route === routeName);
  }

  async listen(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const send = (r: FakeResponse, routeName: string, body: unknown) => {
          this.log.push({ route: routeName, method: req.method ?? '', path: url.pathname, status: r.status, headers: req.headers, body });
          res.writeHead(r.status, { 'content-type': 'application/json', ...(r.headers ?? {}) });
          res.end(r.body === undefined ? '' : JSON.stringify(r.body));
        };
        let body: unknown;
        try {
          body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
        } catch {
          return send({ status: 400, body: { error: 'invalid JSON' } }, '?', undefined);
        }
        const match = this.routes.map((r) => ({ r, m: req.method === r.method ? r.pattern.exec(url.pathname) : null })).find((x) => x.m);
        if (!match?.m) return send({ status: 404, body: { error: 'RecordNotFound', description: 'Not found' } }, '?', body);
        if (!this.authorised(req.headers)) return send({ status: 401, body: { error: "Couldn't authenticate you" } }, match.r.name, body);
        const params = Object.fromEntries(match.r.names.map((n, i) => [n, decodeURIComponent(match.m?.[i + 1] ?? '')]));
        const fr: FakeRequest = { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body, params };
        const queued = this.faults.get(match.r.name) ?? [];
        const at = queued.findIndex((f) => !f.only || f.only(fr));
        const fault = at >= 0 ? queued.splice(at, 1)[0] : undefined;
        if (fault) {
          if (fault.commit) match.r.handle(fr);
          return send({ status: fault.status, body: { error: fault.status === 429 ? 'TooManyRequests' : 'InternalError' }, headers: fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {} }, match.r.name, body);
        }
        try {
          send(match.r.handle(fr), match.r.name, body);
        } catch (err) {
          const status = (err as { status?: number }).status ?? 422;
          send({ status, body: { error: status === 404 ? 'RecordNotFound' : 'RecordInvalid', description: (err as Error).message } }, match.r.name, body);
        }
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

export interface WebhookDelivery {
  url: string;
  headers: Record<string, string>;
  raw: string;
}

export interface WebhookResult {
  status: number;
  body: unknown;
}

/** Sends one webhook exactly as given (the bytes, the headers): replays send the same object twice. */
export async function sendWebhook(d: WebhookDelivery): Promise<WebhookResult> {
  try {
    const res = await fetch(d.url, { method: 'POST', headers: d.headers, body: d.raw, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body };
  } catch (err) {
    return { status: 0, body: (err as Error).message };
  }
}
