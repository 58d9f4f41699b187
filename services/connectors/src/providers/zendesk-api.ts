import type { AccountConfig } from '../config.js';
import { asRecord, asString, isoTime, zendeskMessage, zendeskTicketState, type BotIdentity } from '../domain/index.js';
import type { HelpdeskApi } from './api.js';
import { httpClient, type HttpClient } from './http.js';

const same = (a: string, b: string) => a.replace(/\s+/g, ' ').trim() === b.replace(/\s+/g, ' ').trim();

/** Zendesk Support REST API v2 (API token auth: `{email}/token:{token}`). */
export function zendeskApi(a: AccountConfig, o: { timeoutMs: number; http?: HttpClient }): HelpdeskApi {
  const http =
    o.http ??
    httpClient({
      baseUrl: a.baseUrl,
      timeoutMs: o.timeoutMs,
      authHeaders: () => ({ authorization: `Basic ${Buffer.from(`${a.email}/token:${a.apiToken.reveal()}`).toString('base64')}` }),
    });
  const bot: BotIdentity = { userIds: a.botUserIds };
  const botId = a.botUserIds[0] ?? '';
  const ticketPath = (id: string) => `/api/v2/tickets/${encodeURIComponent(id)}.json`;
  const readRaw = async (id: string) => asRecord((await http.json<{ ticket?: unknown }>('GET', ticketPath(id))).ticket);
  const comments = async (id: string) => {
    const r = await http.json<{ comments?: unknown[] }>('GET', `/api/v2/tickets/${encodeURIComponent(id)}/comments.json?sort_order=asc`);
    return (r.comments ?? []).map(asRecord);
  };
  return {
    async readTicket(id) {
      return zendeskTicketState(await readRaw(id), bot);
    },
    async postMessage(m) {
      const ticket: Record<string, unknown> = { comment: { body: m.body, public: m.visibility === 'public', ...(botId ? { author_id: Number(botId) || botId } : {}) } };
      if (m.groupId) ticket.group_id = Number(m.groupId) || m.groupId;
      const r = await http.json<{ audit?: { events?: unknown[] } }>('PUT', ticketPath(m.ticketId), { ticket }, { 'idempotency-key': m.idempotencyKey });
      const comment = (r.audit?.events ?? []).map(asRecord).find((e) => e.type === 'Comment');
      return { messageId: asString(comment?.id) };
    },
    async findOurMessage(m) {
      const found = (await comments(m.ticketId)).find((c) => asString(c.author_id) === botId && (c.public !== false) === (m.visibility === 'public') && same(asString(c.body), m.body));
      return found ? asString(found.id) : undefined;
    },
    async assign(m) {
      const current = await readRaw(m.ticketId);
      const ticket: Record<string, unknown> = { group_id: Number(m.groupId) || m.groupId };
      // Out of the bot's hands: a bot assignee would keep the ticket "ours" in every view.
      if (a.botUserIds.includes(asString(current.assignee_id))) ticket.assignee_id = null;
      await http.json('PUT', ticketPath(m.ticketId), { ticket }, { 'idempotency-key': m.idempotencyKey });
    },
    async customerRecords(msg) {
      const user = msg.customerContactId ? asRecord((await http.json<{ user?: unknown }>('GET', `/api/v2/users/${encodeURIComponent(msg.customerContactId)}.json`)).user) : {};
      const orgId = msg.organizationId || asString(user.organization_id);
      const organization = orgId ? asRecord((await http.json<{ organization?: unknown }>('GET', `/api/v2/organizations/${encodeURIComponent(orgId)}.json`)).organization) : {};
      return { user, organization };
    },
    async updatedSince(sinceMs) {
      const r = await http.json<{ tickets?: unknown[]; end_time?: number }>('GET', `/api/v2/incremental/tickets.json?start_time=${Math.floor(sinceMs / 1000)}`);
      const tickets = (r.tickets ?? []).map(asRecord);
      const latest = tickets.reduce((t, x) => Math.max(t, Date.parse(isoTime(x.updated_at)) || 0), sinceMs);
      return { ticketIds: tickets.map((t) => asString(t.id)).filter(Boolean), nextSinceMs: typeof r.end_time === 'number' ? Math.max(sinceMs, r.end_time * 1000) : latest };
    },
    async messages(id, receivedAt) {
      const [ticket, list] = await Promise.all([readRaw(id), comments(id)]);
      return list.map((c) =>
        zendeskMessage({
          account: a.account,
          ticket,
          comment: { id: asString(c.id), body: asString(c.body), isPublic: c.public !== false, authorId: asString(c.author_id), isStaff: undefined, createdAt: isoTime(c.created_at) },
          eventId: '',
          occurredAt: isoTime(c.created_at),
          receivedAt,
          source: 'reconcile',
          bot,
        }),
      );
    },
  };
}
