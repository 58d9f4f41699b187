import { randomUUID } from 'node:crypto';
import { FakeHttp, route, type FakeResponse, type WebhookDelivery, type WebhookResult } from './http.js';
import { chatwootSignature } from './sign.js';
import { WebhookOutbox } from './webhooks.js';

export interface CwContact {
  id: number;
  name: string;
  email: string;
  phone_number: string;
  identifier: string;
  custom_attributes: Record<string, unknown>;
  additional_attributes: Record<string, unknown>;
}

export interface CwMessage {
  id: number;
  content: string;
  /** 0 incoming, 1 outgoing, 2 activity, 3 template (integers, as the API lists them). */
  message_type: number;
  content_type: string;
  private: boolean;
  created_at: number;
  conversation_id: number;
  sender: { id: number; name: string; type: 'contact' | 'user' | 'agent_bot' } | null;
}

export interface CwConversation {
  id: number;
  display_id: number;
  inbox_id: number;
  status: 'open' | 'pending' | 'resolved' | 'snoozed';
  channel: string;
  contact_id: number;
  assignee: { id: number; name: string; type: 'user' } | null;
  team: { id: number; name: string } | null;
  labels: string[];
  last_activity_at: number;
  created_at: number;
}

export interface FakeChatwootOptions {
  accountId: number;
  apiToken: string;
  webhookSecret: string;
  /** The agent bot whose token the connector uses. */
  botId: number;
}

const nowS = () => Math.floor(Date.now() / 1000);

/**
 * A local Chatwoot that speaks the documented application API (conversations, messages,
 * toggle_status, assignments, contacts) with `api_access_token`, and sends account webhooks
 * (`message_created`, `conversation_status_changed`, `conversation_updated`) signed as Chatwoot
 * signs them, never retried (as Chatwoot's account webhooks are not). Conversations in the bot's
 * inbox start `pending`. It ignores `Idempotency-Key`, as Chatwoot does.
 */
export class FakeChatwoot {
  readonly http: FakeHttp;
  readonly webhooks = new WebhookOutbox();
  readonly conversations = new Map<number, CwConversation>();
  readonly messages = new Map<number, CwMessage[]>();
  readonly contacts = new Map<number, CwContact>();
  readonly teams = new Map<number, string>([
    [1, 'Support'],
    [2, 'Billing'],
    [3, 'Trust & Safety'],
  ]);
  private nextId = 5_000;
  secret: string;

  constructor(readonly o: FakeChatwootOptions) {
    this.secret = o.webhookSecret;
    const base = '/api/v1/accounts/:account';
    this.http = new FakeHttp(
      [
        route('GET', `${base}/conversations/:id`, (r) => ({ status: 200, body: this.conversationJson(this.conv(r)) })),
        route('GET', `${base}/conversations/:id/messages`, (r) => ({ status: 200, body: { meta: { contact: this.contacts.get(this.conv(r).contact_id) }, payload: this.messages.get(this.conv(r).id) ?? [] } })),
        route('POST', `${base}/conversations/:id/messages`, (r) => this.post(this.conv(r), r.body)),
        route('POST', `${base}/conversations/:id/toggle_status`, (r) => {
          const c = this.conv(r);
          const status = (r.body as { status?: CwConversation['status'] } | undefined)?.status ?? 'open';
          void this.changeStatus(c, status, true);
          return { status: 200, body: { meta: {}, payload: { success: true, current_status: status, conversation_id: c.id } } };
        }),
        route('POST', `${base}/conversations/:id/assignments`, (r) => {
          const c = this.conv(r);
          const b = (r.body ?? {}) as { team_id?: number; assignee_id?: number };
          if (b.team_id !== undefined) {
            const name = this.teams.get(Number(b.team_id));
            if (!name) throw Object.assign(new Error(`team ${b.team_id} not found`), { status: 404 });
            c.team = { id: Number(b.team_id), name };
          }
          if (b.assignee_id !== undefined) c.assignee = { id: Number(b.assignee_id), name: `Agent ${b.assignee_id}`, type: 'user' };
          c.last_activity_at = nowS();
          this.webhooks.later(() => this.conversationWebhook(c, 'conversation_updated', []));
          return { status: 200, body: b.team_id !== undefined ? c.team : c.assignee };
        }),
        route('GET', `${base}/conversations`, (r) => {
          const page = Number(r.query.get('page') ?? '1');
          const all = [...this.conversations.values()].sort((a, b) => b.last_activity_at - a.last_activity_at);
          return { status: 200, body: { data: { meta: { all_count: all.length }, payload: all.slice((page - 1) * 25, page * 25).map((c) => this.conversationJson(c)) } } };
        }),
        route('GET', `${base}/contacts/:id`, (r) => {
          const c = this.contacts.get(Number(r.params.id));
          return c ? { status: 200, body: { payload: c } } : { status: 404, body: { error: 'Resource could not be found' } };
        }),
      ],
      (h) => h.api_access_token === o.apiToken,
    );
  }

  static async start(o: FakeChatwootOptions): Promise<FakeChatwoot> {
    const c = new FakeChatwoot(o);
    await c.http.listen();
    return c;
  }

  get url(): string {
    return this.http.url;
  }

  set webhookUrl(u: string) {
    this.webhooks.url = u;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private id(): number {
    return ++this.nextId;
  }

  private conv(r: { params: Record<string, string> }): CwConversation {
    if (Number(r.params.account) !== this.o.accountId) throw Object.assign(new Error('account not found'), { status: 404 });
    const c = this.conversations.get(Number(r.params.id));
    if (!c) throw Object.assign(new Error(`conversation ${r.params.id} not found`), { status: 404 });
    return c;
  }

  addContact(c: Partial<CwContact> & { name: string }): CwContact {
    const contact: CwContact = { id: this.id(), email: '', phone_number: '', identifier: '', custom_attributes: {}, additional_attributes: {}, ...c };
    this.contacts.set(contact.id, contact);
    return contact;
  }

  conversationJson(c: CwConversation): Record<string, unknown> {
    const contact = this.contacts.get(c.contact_id);
    return {
      id: c.id,
      display_id: c.display_id,
      inbox_id: c.inbox_id,
      account_id: this.o.accountId,
      status: c.status,
      channel: c.channel,
      can_reply: true,
      contact_inbox: { source_id: `src-${c.contact_id}`, hmac_verified: false },
      meta: { sender: contact ? { ...contact, type: 'contact' } : null, assignee: c.assignee, team: c.team, channel: c.channel },
      labels: c.labels,
      timestamp: c.last_activity_at,
      last_activity_at: c.last_activity_at,
      created_at: c.created_at,
      messages: (this.messages.get(c.id) ?? []).slice(-1),
    };
  }

  /** A customer writes: in a new conversation (bot inbox: `pending`) or an existing one. */
  async customerWrites(contactId: number, content: string, conversationId?: number, channel = 'Channel::WebWidget'): Promise<{ conversationId: number; messageId: number; result: WebhookResult | undefined }> {
    let c = conversationId === undefined ? undefined : this.conversations.get(conversationId);
    if (!c) {
      const id = this.id();
      c = { id, display_id: id - 5000, inbox_id: 3, status: 'pending', channel, contact_id: contactId, assignee: null, team: null, labels: [], last_activity_at: nowS(), created_at: nowS() };
      this.conversations.set(c.id, c);
    } else if (c.status === 'resolved') {
      // A customer writing into a resolved conversation reopens it with its last agent (chatwoot#4008).
      await this.changeStatus(c, c.assignee ? 'open' : 'pending', false);
    }
    const contact = this.contacts.get(contactId);
    const m = this.addMessage(c, { content, message_type: 0, private: false, sender: contact ? { id: contact.id, name: contact.name, type: 'contact' } : null });
    return { conversationId: c.id, messageId: m.id, result: await this.messageWebhook(c, m) };
  }

  /** A person takes the conversation: assigned to them, status open. */
  async agentTakesOver(conversationId: number, agentId: number): Promise<void> {
    const c = this.conversations.get(conversationId);
    if (!c) throw new Error(`no conversation ${conversationId}`);
    c.assignee = { id: agentId, name: `Agent ${agentId}`, type: 'user' };
    await this.conversationWebhook(c, 'conversation_updated', [{ assignee_id: { previous_value: null, current_value: agentId } }]);
    await this.changeStatus(c, 'open', true);
  }

  async agentReplies(conversationId: number, agentId: number, content: string): Promise<void> {
    const c = this.conversations.get(conversationId);
    if (!c) throw new Error(`no conversation ${conversationId}`);
    const m = this.addMessage(c, { content, message_type: 1, private: false, sender: { id: agentId, name: `Agent ${agentId}`, type: 'user' } });
    await this.messageWebhook(c, m);
  }

  async resolve(conversationId: number): Promise<void> {
    const c = this.conversations.get(conversationId);
    if (!c) throw new Error(`no conversation ${conversationId}`);
    await this.changeStatus(c, 'resolved', true);
  }

  /** The customer answers the CSAT survey (1-5): `message_updated` of the `input_csat` message. */
  async csat(conversationId: number, rating: number): Promise<WebhookResult | undefined> {
    const c = this.conversations.get(conversationId);
    if (!c) throw new Error(`no conversation ${conversationId}`);
    const m = this.addMessage(c, { content: 'Please rate the conversation', message_type: 3, private: false, sender: null, content_type: 'input_csat' });
    const body = {
      event: 'message_updated',
      id: m.id,
      content: m.content,
      created_at: new Date(m.created_at * 1000).toISOString(),
      updated_at: new Date().toISOString(),
      message_type: 'template',
      content_type: 'input_csat',
      content_attributes: { submitted_values: { csat_survey_response: { rating, feedback_message: '' } } },
      private: false,
      sender: null,
      account: { id: this.o.accountId, name: 'Northwind' },
      conversation: this.conversationJson(c),
    };
    return this.webhooks.send('message_updated', () => this.delivery(body));
  }

  delivery(body: unknown, o: { timestamp?: string; secret?: string; deliveryId?: string } = {}): WebhookDelivery {
    const raw = JSON.stringify(body);
    const ts = o.timestamp ?? String(nowS());
    return {
      url: this.webhooks.url,
      raw,
      headers: {
        'content-type': 'application/json',
        'x-chatwoot-timestamp': ts,
        'x-chatwoot-delivery': o.deliveryId ?? randomUUID(),
        'x-chatwoot-signature': chatwootSignature(o.secret ?? this.secret, ts, raw),
      },
    };
  }

  private addMessage(c: CwConversation, m: Omit<CwMessage, 'id' | 'created_at' | 'conversation_id' | 'content_type'> & { content_type?: string }): CwMessage {
    const msg: CwMessage = { id: this.id(), created_at: nowS(), conversation_id: c.id, content_type: 'text', ...m };
    this.messages.set(c.id, [...(this.messages.get(c.id) ?? []), msg]);
    c.last_activity_at = msg.created_at;
    return msg;
  }

  /** `message_created` as the account webhook sends it: message_type as a string, created_at ISO. */
  messageBody(c: CwConversation, m: CwMessage): Record<string, unknown> {
    const types = ['incoming', 'outgoing', 'activity', 'template'];
    return {
      event: 'message_created',
      id: m.id,
      content: m.content,
      created_at: new Date(m.created_at * 1000).toISOString(),
      message_type: types[m.message_type] ?? 'incoming',
      content_type: m.content_type,
      content_attributes: {},
      source_id: null,
      private: m.private,
      sender: m.sender ? { ...m.sender, ...(m.sender.type === 'contact' ? { email: this.contacts.get(m.sender.id)?.email ?? '' } : {}) } : null,
      account: { id: this.o.accountId, name: 'Northwind' },
      inbox: { id: c.inbox_id, name: 'Website' },
      conversation: this.conversationJson(c),
    };
  }

  private messageWebhook(c: CwConversation, m: CwMessage): Promise<WebhookResult | undefined> {
    return this.webhooks.send('message_created', () => this.delivery(this.messageBody(c, m)));
  }

  private conversationWebhook(c: CwConversation, event: string, changed: unknown[]): Promise<WebhookResult | undefined> {
    return this.webhooks.send(event, () => this.delivery({ event, ...this.conversationJson(c), account: { id: this.o.accountId, name: 'Northwind' }, changed_attributes: changed }));
  }

  private async changeStatus(c: CwConversation, status: CwConversation['status'], later: boolean): Promise<void> {
    const previous = c.status;
    if (previous === status) return;
    c.status = status;
    c.last_activity_at = nowS();
    const send = () => this.conversationWebhook(c, 'conversation_status_changed', [{ status: { previous_value: previous, current_value: status } }]);
    if (later) this.webhooks.later(send);
    else await send();
  }

  private post(c: CwConversation, body: unknown): FakeResponse {
    const b = (body ?? {}) as { content?: string; private?: boolean; message_type?: string };
    if (!b.content) return { status: 422, body: { error: 'content is blank' } };
    const m = this.addMessage(c, { content: b.content, message_type: 1, private: b.private === true, sender: { id: this.o.botId, name: 'Handrail', type: 'agent_bot' } });
    this.webhooks.later(() => this.messageWebhook(c, m));
    return { status: 200, body: { ...m, message_type: 1 } };
  }

  botReplies(conversationId: number): CwMessage[] {
    return (this.messages.get(conversationId) ?? []).filter((m) => m.sender?.type === 'agent_bot' && !m.private);
  }

  botNotes(conversationId: number): CwMessage[] {
    return (this.messages.get(conversationId) ?? []).filter((m) => m.sender?.type === 'agent_bot' && m.private);
  }
}
