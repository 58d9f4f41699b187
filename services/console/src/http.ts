import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { HandrailError, ValidationError } from '@handrail/errors';
import { assertToken } from '@handrail/events';
import type { Logger } from '@handrail/observability';
import { queuesOf, weeklyReport, type TicketView, type TimelineStep } from '@handrail/projection';
import { parseActor, parseDecisionRequest, parseReviewRequest, type DecisionRequest, type ReviewRequest } from './domain/index.js';
import { toHttpError } from './http-status.js';
import { consolePage } from './page.js';

/** What the HTTP layer needs from the service; the service owns the bus and the projection. */
export interface ConsoleBackend {
  tickets(): Iterable<TicketView>;
  ticket(id: string): TicketView | undefined;
  timeline(id: string): Promise<TimelineStep[]>;
  decide(id: string, actor: string, req: DecisionRequest): Promise<TicketView | undefined>;
  review(id: string, actor: string, req: ReviewRequest): Promise<TicketView | undefined>;
  ready(): boolean;
}

export const USER_HEADER = 'x-handrail-user';
const MAX_BODY = 64 * 1024;

type Send = (code: number, body: unknown) => void;

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    // Also keeps cross-site form posts out: they cannot send this content type without CORS.
    throw new ValidationError([{ field: 'content-type', problem: 'must be application/json' }]);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw new ValidationError([{ field: 'body', problem: `must be at most ${MAX_BODY} bytes` }]);
    chunks.push(b);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ValidationError([{ field: 'body', problem: 'is not valid JSON' }]);
  }
}

function ticketIdOf(raw: string): string {
  try {
    return assertToken('ticket id', decodeURIComponent(raw));
  } catch {
    throw new ValidationError([{ field: 'id', problem: 'is not a ticket id' }]);
  }
}

/** The view without bookkeeping. */
function publicTicket(t: TicketView): Omit<TicketView, 'seen'> {
  const { seen: _seen, ...rest } = t;
  return rest;
}

/** Routes requests to the backend; every error is normalised once, here. */
export function createConsoleServer(b: ConsoleBackend, log: Logger): http.Server {
  return http.createServer((req, res) => {
    const send: Send = (code, body) => {
      res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(JSON.stringify(body));
    };
    handle(req, res, b, send).catch((err: unknown) => {
      const { status, body } = toHttpError(err);
      if (status >= 500) log.error({ err, path: req.url?.split('?')[0] }, 'request failed');
      if (res.headersSent) {
        res.end();
        return;
      }
      send(status, body);
    });
  });
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, b: ConsoleBackend, send: Send): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://console');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  if (path === '/healthz') return send(200, { ok: true });
  if (path === '/readyz') return send(b.ready() ? 200 : 503, { ready: b.ready() });

  const actor = parseActor(req.headers[USER_HEADER]);
  if (!actor) {
    return send(401, { error: 'unauthenticated', message: 'no X-Handrail-User header: the console must be reached through the auth proxy' });
  }
  if (path === '/' && method === 'GET') {
    const nonce = randomBytes(16).toString('base64');
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'self'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self' data:; frame-ancestors 'none'`,
      'x-content-type-options': 'nosniff',
    });
    res.end(consolePage({ actor, nonce }));
    return;
  }
  if (path === '/api/queues' && method === 'GET') return send(200, queuesOf(b.tickets(), actor));
  if (path === '/api/report/weekly' && method === 'GET') return send(200, { weeks: weeklyReport(b.tickets()) });

  const m = /^\/api\/tickets\/([^/]+)(\/decision|\/review)?$/.exec(path);
  if (m) {
    const id = ticketIdOf(m[1] ?? '');
    const sub = m[2];
    if (!sub && method === 'GET') {
      const t = b.ticket(id);
      if (!t) throw new HandrailError('not_found', `no ticket ${id}`);
      return send(200, { ticket: publicTicket(t), timeline: await b.timeline(id) });
    }
    if (sub === '/decision' && method === 'POST') {
      const t = await b.decide(id, actor, parseDecisionRequest(await readJson(req)));
      return send(201, { ticket: t ? publicTicket(t) : undefined });
    }
    if (sub === '/review' && method === 'POST') {
      const t = await b.review(id, actor, parseReviewRequest(await readJson(req)));
      return send(201, { ticket: t ? publicTicket(t) : undefined });
    }
    return send(405, { error: 'method_not_allowed', message: `${method} ${path}` });
  }
  return send(404, { error: 'not_found', message: `no route ${method} ${path}` });
}

