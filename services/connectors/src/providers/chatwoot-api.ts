import type { AccountConfig } from '../config.js';
import { asRecord, asString, chatwootMessage, chatwootMessageType, chatwootTicketState, type BotIdentity, type NormalisedMessage } from '../domain/index.js';
import type { HelpdeskApi } from './api.js';
import { httpClient, type HttpClient } from './http.js';

const same = (a: string, b: string) => a.replace(/\s+/g, ' ').trim() === b.replace(/\s+/g, ' ').trim();

/** Chatwoot application API (`api_access_token` of an agent bot or an API user). */
export function chatwootApi(a: AccountConfig, o: { timeoutMs: number; http?: HttpClient }): HelpdeskApi {
  const http = o.http ?? httpClient({ baseUrl: a.baseUrl, timeoutMs: o.timeoutMs, authHeaders: () => ({ api_access_token: a.apiToken.reveal() }) });
  const bot: BotIdentity = { userIds: a.botUserIds };
  const base = `/api/v1/accounts/${encodeURIComponent(a.account)}`;
  const conv = (id: string) => `${base}/conversations/${encodeURIComponent(id)}`;
  const readRaw = async (id: string) => asRecord(await http.json<unknown>('GET', conv(id)));
  const list = async (id: string) => {
    const r = asRecord(await http.json<unknown>('GET', `${conv(id)}/messages`));
    return (Array.isArray(r.payload) ? r.payload : []).map(asRecord);
  };
  return {
    async readTicket(id) {
      return chatwootTicketState(await readRaw(id), bot);
    },
    async postMessage(m) {
      const r = asRecord(
        await http.json('POST', `${conv(m.ticketId)}/messages`, { content: m.body, message_type: 'outgoing', private: m.visibility === 'internal', content_type: 'text' }, { 'idempotency-key': m.idempotencyKey }),
      );
      return { messageId: asString(r.id) };
    },
    async findOurMessage(m) {
      const found = (await list(m.ticketId)).find((x) => {
        const sender = asRecord(x.sender);
        const ours = asString(sender.type).toLowerCase() === 'agent_bot' || a.botUserIds.includes(asString(sender.id) || asString(x.sender_id));
        return ours && chatwootMessageType(x.message_type) === 'outgoing' && (x.private === true) === (m.visibility === 'internal') && same(asString(x.content), m.body);
      });
      return found ? asString(found.id) : undefined;
    },
    async assign(m) {
      await http.json('POST', `${conv(m.ticketId)}/assignments`, { team_id: Number(m.groupId) || m.groupId }, { 'idempotency-key': `${m.idempotencyKey}:team` });
      // Out of the bot's hands: `open` is the human queue; the bot only speaks while `pending`.
      await http.json('POST', `${conv(m.ticketId)}/toggle_status`, { status: 'open' }, { 'idempotency-key': `${m.idempotencyKey}:open` });
    },
    async customerRecords(msg: NormalisedMessage) {
      const inline = asRecord(msg.inlineCustomer);
      if (Object.keys(asRecord(inline.custom_attributes)).length > 0 || !msg.customerContactId) return inline;
      const contact = asRecord(asRecord(await http.json<unknown>('GET', `${base}/contacts/${encodeURIComponent(msg.customerContactId)}`)).payload);
      return { contact, custom_attributes: asRecord(contact.custom_attributes), additional_attributes: asRecord(contact.additional_attributes) };
    },
    async updatedSince(sinceMs) {
      const ids: string[] = [];
      let latest = sinceMs;
      for (let page = 1; page <= 20; page++) {
        const r = asRecord(asRecord(await http.json<unknown>('GET', `${base}/conversations?status=all&sort_by=last_activity_at_desc&page=${page}`)).data);
        const items = (Array.isArray(r.payload) ? r.payload : []).map(asRecord);
        let older = false;
        for (const c of items) {
          const at = Number(c.last_activity_at) * 1000 || Date.parse(asString(c.last_activity_at)) || 0;
          if (at < sinceMs) {
            older = true;
            continue;
          }
          ids.push(asString(c.id));
          latest = Math.max(latest, at);
        }
        if (older || items.length === 0) break;
      }
      return { ticketIds: ids.reverse(), nextSinceMs: latest };
    },
    async messages(id, receivedAt) {
      const [conversation, items] = await Promise.all([readRaw(id), list(id)]);
      return items.map((m) => chatwootMessage({ account: a.account, conversation, message: m, eventId: '', receivedAt, source: 'reconcile', bot }));
    },
  };
}
