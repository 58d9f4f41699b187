import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { HandrailError, UnauthenticatedError, ValidationError } from '@handrail/errors';
import { assertToken } from '@handrail/events';
import { TokenRejectedError } from '@handrail/identity';
import type { Logger } from '@handrail/observability';
import { slaMinutesFor, type AccessPolicy, type AuditRecord, type PolicyChangeResult, type PolicyImpact, type PolicyPack, type PolicyRevision, type ShadowChangeResult, type ShadowSetting } from '@handrail/policy';
import { wordDiff, type QueueFilter, type Queues, type TicketView, type TimelineStep, type WeekReport } from '@handrail/projection';
import { clearSession, finishLogin, startLogin, verifyRequest, type AuthOptions } from './auth.js';
import {
  actorFrom,
  defectTaxonomy,
  exceptionsOf,
  ForbiddenError,
  parseDecisionRequest,
  parseReviewRequest,
  requirePermission,
  seesReviews,
  type Actor,
  type DecisionRequest,
  type ReviewRequest,
} from './domain/index.js';
import { toHttpError } from './http-status.js';
import { consolePage, signedOutPage } from './page.js';

/** What the HTTP layer needs from the service; the service owns the bus, the projection and the stores. */
export interface ConsoleBackend {
  ready(): boolean;
  /** The live pack's roles and IdP mapping: a token's roles are resolved against it on every request. */
  access(): AccessPolicy;
  /** The live pack (limits, SLAs) the ticket view explains itself with. */
  pack(): PolicyPack;
  slaMinutes(queue: string): number;
  /** The work lists and their counts, read from the SQL projection. */
  queues(viewer: string, filter: QueueFilter): Promise<Queues>;
  /** One ticket as people act on it, from its own events. */
  ticket(id: string): Promise<TicketView | undefined>;
  /** The ticket and its plain-language timeline, from one read of its events. */
  page(id: string): Promise<{ ticket: TicketView; timeline: TimelineStep[] } | undefined>;
  decide(id: string, actor: Actor, req: DecisionRequest): Promise<TicketView | undefined>;
  review(id: string, actor: Actor, req: ReviewRequest): Promise<TicketView | undefined>;
  claim(id: string, actor: Actor, claim: boolean): Promise<TicketView | undefined>;
  /** Records a refusal as an `access_denied` event on the ticket's (or the policy's) timeline. */
  denied(actor: Actor, err: ForbiddenError, ticketId: string | undefined): Promise<void>;
  /** Calls `cb` with the id of every ticket whose view changed; returns the unsubscribe function. */
  subscribe(cb: (ticketId: string) => void): () => void;
  policy: {
    list(): Promise<{ active: string | null; revisions: PolicyRevision[] }>;
    history(): Promise<AuditRecord[]>;
    get(rev: string): Promise<PolicyRevision | undefined>;
    propose(actor: Actor, yaml: string, file: string, note: string, impact?: PolicyImpact): Promise<PolicyChangeResult>;
    decide(actor: Actor, rev: string, action: 'approve' | 'reject' | 'rollback', note: string): Promise<PolicyChangeResult>;
    /** Shadow mode (issue 15): the setting, and turning it on for a proposal or off (policy.propose). */
    shadow(): Promise<ShadowSetting | undefined>;
    setShadow(actor: Actor, rev: string | null, kb: string, note: string): Promise<ShadowChangeResult>;
  };
  /** The dead-letter queue (issue 11): what failed, where, why (reasons are scrubbed), and the ticket if known. */
  deadLetters?(): Promise<DeadLetterView[]>;
  /** The QA loop (issue 13). */
  qa: {
    /** A person opened a ticket: the first time starts their review clock. */
    opened(id: string, actor: Actor): void;
    /** The QA loop at a glance, read from the SQL projection. */
    overview(): Promise<unknown>;
    /** The weekly report, one entry per ISO week, read from the SQL projection. */
    weekly(): Promise<WeekReport[]>;
    /** Re-promote a demoted area (automation.restore). */
    restore(area: string, actor: Actor, note: string): Promise<unknown>;
    openCalibration(actor: Actor, req: { title: string; ticketIds: string[]; reviewers: string[] }): Promise<unknown>;
    closeCalibration(actor: Actor, id: string, outcome: string): Promise<unknown>;
    calibration(id: string): Promise<unknown>;
    /** The weekly report as a self-contained HTML page. */
    weeklyHtml(week: string | undefined): Promise<string>;
  };
}

export interface DeadLetterView {
  seq: number;
  stage: string;
  subject: string;
  ticketId: string;
  reason: string;
  deliveries: string;
}

const MAX_BODY = 256 * 1024;

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

/** A calibration session: a title, the tickets, and at least two reviewers (their token subjects). */
function parseCalibrationRequest(body: unknown): { title: string; ticketIds: string[]; reviewers: string[] } {
  const o = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const problems: Array<{ field: string; problem: string }> = [];
  const title = typeof o['title'] === 'string' ? o['title'].trim() : '';
  if (!title || title.length > 200) problems.push({ field: 'title', problem: 'is required (at most 200 characters)' });
  const strings = (field: string, min: number, max: number): string[] => {
    const v = o[field];
    if (!Array.isArray(v) || v.length < min || v.length > max || v.some((x) => typeof x !== 'string' || !x)) {
      problems.push({ field, problem: `must be a list of ${min} to ${max} ids` });
      return [];
    }
    return [...new Set(v as string[])];
  };
  const ticketIds = strings('ticketIds', 1, 200);
  const reviewers = strings('reviewers', 2, 20);
  for (const [i, id] of ticketIds.entries()) {
    try {
      assertToken('ticket id', id);
    } catch {
      problems.push({ field: `ticketIds[${i}]`, problem: 'is not a ticket id' });
    }
  }
  if (problems.length) throw new ValidationError(problems);
  return { title, ticketIds, reviewers };
}

const noteOf = (body: unknown): string => {
  const n = (body as { note?: unknown } | null)?.note;
  if (n === undefined || n === null) return '';
  if (typeof n !== 'string' || n.length > 2000) throw new ValidationError([{ field: 'note', problem: 'must be a string of at most 2000 characters' }]);
  return n.trim();
};

/**
 * The ticket as this person may see it. A QA reviewer who has not given their review sees no other
 * review and no QA step of the timeline (blind review); everyone sees the draft → sent diff.
 */
function viewFor(t: TicketView, actor: Actor, timeline: TimelineStep[], pack: PolicyPack) {
  // A seeded known defect looks like any sampled ticket: its label never leaves the server (issue 13).
  const { seen: _seen, seed, ...rest } = t;
  if (seed) {
    rest.qaSampled = { reason: 'by_route.auto_resolved', rate: 0.2, inclusionProbability: 0.2, factors: ['base'], stage: 'conclusion', stratum: `${t.area}/${t.route ?? ''}` };
    rest.connector = '';
    timeline = [];
  }
  const blind = !seesReviews(t, actor);
  const d = t.decisions[0];
  const open = t.decisions.length === 0 && (t.route === 'awaiting_approval' || t.route === 'escalated');
  const start = Date.parse(t.times.received || t.times.concluded);
  const slaMinutes = t.route && t.route !== 'auto_resolved' ? slaMinutesFor(pack.sla, t.queue || 'unassigned') : 0;
  const ageMinutes = Number.isFinite(start) ? Math.max(0, Math.floor((Date.now() - start) / 60_000)) : 0;
  return {
    ticket: {
      ...rest,
      /** What acting on it approves beyond the action itself, and the permission each needs. */
      exceptions: open ? exceptionsOf(t, pack) : [],
      /** The defect categories a reviewer picks from (the built-in four and the pack's own). */
      taxonomy: defectTaxonomy(pack),
      /** What a tone mismatch is judged against. */
      brandVoice: pack.tone.brand_voice,
      sla: slaMinutes ? { queue: t.queue, slaMinutes, ageMinutes, breached: open && ageMinutes > slaMinutes } : undefined,
      reviews: blind ? [] : rest.reviews,
      reviewCount: t.reviews.length,
      blindReview: blind,
      decisions: rest.decisions.map((x) => ({ ...x, diff: x.draftText && x.finalText ? wordDiff(x.draftText, x.finalText) : [] })),
    },
    timeline: blind ? timeline.filter((s) => s.event !== 'qa_reviewed') : timeline,
    decidedByMe: d?.actor === actor.subject,
  };
}

function queueFilterOf(url: URL): QueueFilter {
  const p = url.searchParams;
  const claim = p.get('claim') ?? 'any';
  if (!['any', 'mine', 'unclaimed', 'others'].includes(claim)) throw new ValidationError([{ field: 'claim', problem: 'must be any, mine, unclaimed or others' }]);
  return {
    queue: p.get('queue') || undefined,
    priority: p.get('priority') || undefined,
    claim: claim as QueueFilter['claim'],
    breached: p.get('breached') === 'true' || undefined,
    q: p.get('q') || undefined,
  };
}

/** Routes requests to the backend; every error is normalised once, here. */
export function createConsoleServer(b: ConsoleBackend, auth: AuthOptions, log: Logger): http.Server {
  return http.createServer((req, res) => {
    const send: Send = (code, body) => {
      res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(JSON.stringify(body));
    };
    const ctx: { actor?: Actor; ticketId?: string } = {};
    handle(req, res, b, auth, send, ctx, log).catch(async (err: unknown) => {
      if (err instanceof ForbiddenError && ctx.actor) {
        await b.denied(ctx.actor, err, ctx.ticketId).catch((e: unknown) => log.error({ err: e }, 'could not record a refusal'));
      }
      const { status, body } = toHttpError(err);
      if (status >= 500) log.error({ err, path: req.url?.split('?')[0] }, 'request failed');
      if (status === 401) log.warn({ path: req.url?.split('?')[0], problem: err instanceof TokenRejectedError ? err.problem : 'unauthenticated' }, 'request without a verified identity');
      if (res.headersSent) {
        res.end();
        return;
      }
      send(status, body);
    });
  });
}

async function handle(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  b: ConsoleBackend,
  auth: AuthOptions,
  send: Send,
  ctx: { actor?: Actor; ticketId?: string },
  log: Logger,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://console');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  if (path === '/healthz') return send(200, { ok: true });
  if (path === '/readyz') return send(b.ready() ? 200 : 503, { ready: b.ready() });
  if (path === '/auth/login' && method === 'GET') return startLogin(res, auth);
  if (path === '/auth/callback' && method === 'GET') {
    const t = await finishLogin(req, res, url, auth);
    log.info({ subject: t.subject }, 'signed in');
    return;
  }
  if (path === '/auth/logout') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'set-cookie': clearSession(auth) });
    res.end(signedOutPage(Boolean(auth.oidc)));
    return;
  }

  let verified;
  try {
    verified = await verifyRequest(req, auth);
  } catch (err) {
    // A person opening the page is sent to sign in; API callers get the 401 with its reason.
    if (path === '/' && method === 'GET' && auth.oidc && err instanceof UnauthenticatedError) {
      res.writeHead(302, { location: '/auth/login', 'cache-control': 'no-store' });
      res.end();
      return;
    }
    throw err;
  }
  const actor = actorFrom(verified.token, b.access());
  ctx.actor = actor;
  const access = b.access();
  // A browser's cookie rides along on any request to this host; a state-changing one must come from the console's own page.
  if (method !== 'GET' && verified.via === 'cookie') {
    const origin = req.headers.origin;
    let host: string | undefined;
    try {
      host = origin ? new URL(origin).host : undefined;
    } catch {
      host = 'invalid';
    }
    if (origin && host !== req.headers.host) throw new ForbiddenError('rule:same_origin', `${method} ${path}`, 'cross-site request refused');
  }

  if (path === '/' && method === 'GET') {
    const nonce = randomBytes(16).toString('base64');
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'self'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'`,
      'x-content-type-options': 'nosniff',
    });
    res.end(consolePage({ actor, nonce, canSignOut: verified.via === 'cookie' }));
    return;
  }
  if (path === '/api/me' && method === 'GET') {
    return send(200, { subject: actor.subject, issuer: actor.issuer, name: actor.name, roles: actor.roles, permissions: [...actor.permissions].sort(), expiresAt: actor.expiresAt });
  }
  if (path === '/api/queues' && method === 'GET') {
    requirePermission(actor, 'ticket.read', 'queues.read', access);
    return send(200, await b.queues(actor.subject, queueFilterOf(url)));
  }
  if (path === '/api/stream' && method === 'GET') {
    requirePermission(actor, 'ticket.read', 'stream.read', access);
    return stream(req, res, b, actor);
  }
  if (path === '/api/report/weekly' && method === 'GET') {
    requirePermission(actor, 'report.read', 'report.read', access);
    return send(200, { weeks: await b.qa.weekly() });
  }
  if (path === '/api/qa' && method === 'GET') {
    requirePermission(actor, 'report.read', 'qa.read', access);
    return send(200, await b.qa.overview());
  }
  if ((path === '/report/weekly' || path === '/report/weekly.html') && method === 'GET') {
    requirePermission(actor, 'report.read', 'report.read', access);
    const week = url.searchParams.get('week') ?? undefined;
    if (week !== undefined && !/^\d{4}-W\d{2}$/.test(week)) throw new ValidationError([{ field: 'week', problem: 'must be an ISO week like 2026-W49' }]);
    // Self-contained: inline styles and SVG, no scripts.
    const page = await b.qa.weeklyHtml(week);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:", 'x-content-type-options': 'nosniff' });
    res.end(page);
    return;
  }
  const am = /^\/api\/automation\/([a-z_]+)\/restore$/.exec(path);
  if (am && method === 'POST') {
    const body = await readJson(req);
    return send(201, await b.qa.restore(am[1] ?? '', actor, noteOf(body)));
  }
  if (path === '/api/calibration' && method === 'POST') {
    return send(201, await b.qa.openCalibration(actor, parseCalibrationRequest(await readJson(req))));
  }
  const cm = /^\/api\/calibration\/([A-Za-z0-9_-]{1,64})(\/close)?$/.exec(path);
  if (cm && method === 'GET' && !cm[2]) {
    requirePermission(actor, 'report.read', 'calibration.read', access);
    return send(200, await b.qa.calibration(cm[1] ?? ''));
  }
  if (cm && method === 'POST' && cm[2]) {
    const body = await readJson(req);
    const outcome = (body as { outcome?: unknown } | null)?.outcome;
    if (typeof outcome !== 'string' || outcome.trim().length < 5 || outcome.length > 2000) throw new ValidationError([{ field: 'outcome', problem: 'say what the session agreed, 5 to 2000 characters' }]);
    return send(200, await b.qa.closeCalibration(actor, cm[1] ?? '', outcome.trim()));
  }
  if (path === '/api/queues/dead-letters' && method === 'GET') {
    requirePermission(actor, 'ticket.read', 'queues.read', access);
    return send(200, { deadLetters: (await b.deadLetters?.()) ?? [] });
  }

  const m = /^\/api\/tickets\/([^/]+)(\/decision|\/review|\/claim|\/unclaim)?$/.exec(path);
  if (m) {
    const id = ticketIdOf(m[1] ?? '');
    const sub = m[2];
    const reading = !sub && method === 'GET';
    const page = reading ? await b.page(id) : undefined;
    ctx.ticketId = (reading ? page : await b.ticket(id)) ? id : undefined;
    if (reading) {
      requirePermission(actor, 'ticket.read', 'ticket.read', access);
      if (!page) throw new HandrailError('not_found', `no ticket ${id}`);
      b.qa.opened(id, actor);
      return send(200, viewFor(page.ticket, actor, page.timeline, b.pack()));
    }
    if (method !== 'POST') return send(405, { error: 'method_not_allowed', message: `${method} ${path}` });
    const body = await readJson(req);
    const viewOf = (t: TicketView | undefined) => (t ? viewFor(t, actor, [], b.pack()).ticket : undefined);
    if (sub === '/decision') return send(201, { ticket: viewOf(await b.decide(id, actor, parseDecisionRequest(body))) });
    if (sub === '/review') return send(201, { ticket: viewOf(await b.review(id, actor, parseReviewRequest(body, defectTaxonomy(b.pack())))) });
    if (sub === '/claim' || sub === '/unclaim') return send(201, { ticket: viewOf(await b.claim(id, actor, sub === '/claim')) });
    return send(405, { error: 'method_not_allowed', message: `${method} ${path}` });
  }

  if (path === '/api/policy' && method === 'GET') {
    requirePermission(actor, 'policy.read', 'policy.read', access);
    return send(200, await b.policy.list());
  }
  if (path === '/api/policy/history' && method === 'GET') {
    requirePermission(actor, 'policy.read', 'policy.read', access);
    return send(200, { history: await b.policy.history() });
  }
  if (path === '/api/policy/revisions' && method === 'POST') {
    const body = await readJson(req);
    const yaml = (body as { yaml?: unknown } | null)?.yaml;
    const file = (body as { file?: unknown } | null)?.file;
    if (typeof yaml !== 'string' || !yaml.trim()) throw new ValidationError([{ field: 'yaml', problem: 'the pack, as YAML text' }]);
    return send(201, await b.policy.propose(actor, yaml, typeof file === 'string' && file ? file : 'proposed-pack.yaml', noteOf(body), impactOf(body)));
  }
  const rv = /^\/api\/policy\/revisions\/([0-9a-f]{12})$/.exec(path);
  if (rv && method === 'GET') {
    requirePermission(actor, 'policy.read', 'policy.read', access);
    const rec = await b.policy.get(rv[1] ?? '');
    if (!rec) throw new HandrailError('not_found', `no policy revision ${rv[1] ?? ''}`);
    return send(200, rec);
  }
  const rp = /^\/policy\/([0-9a-f]{12})$/.exec(path);
  if (rp && method === 'GET') {
    requirePermission(actor, 'policy.read', 'policy.read', access);
    const rec = await b.policy.get(rp[1] ?? '');
    if (!rec) throw new HandrailError('not_found', `no policy revision ${rp[1] ?? ''}`);
    const nonce = randomBytes(16).toString('base64');
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; frame-ancestors 'none'`,
      'x-content-type-options': 'nosniff',
    });
    res.end(revisionPage(rec, nonce));
    return;
  }
  if (path === '/api/policy/shadow' && method === 'GET') {
    requirePermission(actor, 'policy.read', 'policy.read', access);
    return send(200, { shadow: (await b.policy.shadow()) ?? null });
  }
  if (path === '/api/policy/shadow' && method === 'POST') {
    const body = (await readJson(req)) as { rev?: unknown; kb?: unknown; off?: unknown } | null;
    const off = body?.off === true;
    const problems: Array<{ field: string; problem: string }> = [];
    if (!off && (typeof body?.rev !== 'string' || !/^[0-9a-f]{12}$/.test(body.rev))) problems.push({ field: 'rev', problem: 'a proposed revision id (12 hex digits), or "off": true' });
    if (body?.kb !== undefined && (typeof body.kb !== 'string' || (body.kb !== '' && !/^[A-Za-z0-9_-]{1,64}$/.test(body.kb)))) problems.push({ field: 'kb', problem: 'a KB revision id the kb bucket holds' });
    if (problems.length) throw new ValidationError(problems);
    return send(200, await b.policy.setShadow(actor, off ? null : String(body?.rev), typeof body?.kb === 'string' ? body.kb : '', noteOf(body)));
  }
  const pm = /^\/api\/policy\/revisions\/([0-9a-f]{12})\/(approve|reject|rollback)$/.exec(path);
  if (pm && method === 'POST') {
    const body = await readJson(req);
    return send(200, await b.policy.decide(actor, pm[1] ?? '', pm[2] as 'approve' | 'reject' | 'rollback', noteOf(body)));
  }
  return send(404, { error: 'not_found', message: `no route ${method} ${path}` });
}

const MAX_IMPACT_TEXT = 128 * 1024;

/** A proposal's attached impact (issue 15), checked field by field; absent is fine, malformed is a 400 naming the field. */
function impactOf(body: unknown): PolicyImpact | undefined {
  const i = (body as { impact?: unknown } | null)?.impact;
  if (i === undefined || i === null) return undefined;
  const o = i as Record<string, unknown>;
  const problems: Array<{ field: string; problem: string }> = [];
  if (typeof o !== 'object') problems.push({ field: 'impact', problem: 'an object (the what-if report)' });
  else {
    if (typeof o['text'] !== 'string' || o['text'].length > MAX_IMPACT_TEXT) problems.push({ field: 'impact.text', problem: `the report as text, at most ${MAX_IMPACT_TEXT} characters` });
    if (typeof o['generatedAt'] !== 'string' || Number.isNaN(Date.parse(o['generatedAt']))) problems.push({ field: 'impact.generatedAt', problem: 'an ISO time' });
    for (const f of ['tickets', 'changed'] as const) if (typeof o[f] !== 'number' || !Number.isInteger(o[f]) || o[f] < 0) problems.push({ field: `impact.${f}`, problem: 'a non-negative integer' });
    const w = o['window'] as Record<string, unknown> | null | undefined;
    if (!w || typeof w !== 'object' || !['from', 'to'].every((k) => w[k] === null || typeof w[k] === 'string')) problems.push({ field: 'impact.window', problem: '{ from, to }: ISO times or null' });
    if (!o['report'] || typeof o['report'] !== 'object' || Array.isArray(o['report'])) problems.push({ field: 'impact.report', problem: 'the structured report (an object)' });
  }
  if (problems.length) throw new ValidationError(problems);
  return i as PolicyImpact;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);

/** A revision for its approver: who proposed it, the note, and what it would change over recorded traffic. */
function revisionPage(r: PolicyRevision, nonce: string): string {
  const impact = r.impact
    ? `<h2>Impact over recorded tickets</h2><p><strong>${r.impact.changed}</strong> of ${r.impact.tickets} recorded decisions would change (window ${escapeHtml(r.impact.window.from ?? 'start')} → ${escapeHtml(r.impact.window.to ?? 'now')}, computed ${escapeHtml(r.impact.generatedAt)} by the proposer's what-if; re-run it with <code>handrail replay --policy ${escapeHtml(r.rev)}</code>).</p><pre>${escapeHtml(r.impact.text)}</pre>`
    : `<h2>Impact over recorded tickets</h2><p class="warn">No impact report is attached. Before approving, run <code>handrail replay --policy ${escapeHtml(r.rev)} --since 7d</code>.</p>`;
  const who = (name: string | undefined, sub: string) => `${escapeHtml(name ?? sub)} (${escapeHtml(sub)})`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Policy revision ${escapeHtml(r.rev)}</title><style nonce="${nonce}">body{font:14px system-ui,sans-serif;margin:2em;max-width:72em}pre{background:#f6f6f6;padding:1em;overflow:auto}.warn{color:#a40}</style></head><body>
<h1>Policy revision ${escapeHtml(r.rev)} — ${escapeHtml(r.status)}</h1>
<p>Pack ${escapeHtml(r.pack.name)}, proposed by ${who(r.proposedByName, r.proposedBy)} at ${escapeHtml(r.proposedAt)}${r.note ? ` — “${escapeHtml(r.note)}”` : ''}.${r.decidedBy ? ` ${escapeHtml(r.status)} by ${who(r.decidedByName, r.decidedBy)} at ${escapeHtml(r.decidedAt ?? '?')}.` : ''}</p>
${impact}
${r.status === 'proposed' ? `<p>A second policy admin approves it with <code>handrail policy approve ${escapeHtml(r.rev)}</code> (or <code>POST /api/policy/revisions/${escapeHtml(r.rev)}/approve</code>).</p>` : ''}
</body></html>`;
}

/**
 * Server-sent events: `ticket` with the id of every ticket whose view changed (batched), so pages
 * update without a manual refresh. The stream ends when the caller's token expires.
 */
function stream(req: http.IncomingMessage, res: http.ServerResponse, b: ConsoleBackend, actor: Actor): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write('retry: 3000\n\n');
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    if (pending.size === 0) return;
    res.write(`event: tickets\ndata: ${JSON.stringify([...pending])}\n\n`);
    pending.clear();
  };
  const unsubscribe = b.subscribe((id) => {
    pending.add(id);
    timer ??= setTimeout(flush, 250);
  });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  const expiry = setTimeout(() => {
    res.write('event: expired\ndata: {}\n\n');
    res.end();
  }, Math.max(0, actor.expiresAt * 1000 - Date.now()));
  const close = () => {
    unsubscribe();
    clearInterval(heartbeat);
    clearTimeout(expiry);
    if (timer) clearTimeout(timer);
  };
  req.on('close', close);
  res.on('close', close);
}

