import { randomUUID } from 'node:crypto';
import { fixture } from './fixtures.js';
import { FakeHttp, route, type FakeResponse, type WebhookDelivery, type WebhookResult } from './http.js';
import { zendeskSignature } from './sign.js';
import { WebhookOutbox } from './webhooks.js';

export interface ZdUser {
  id: number;
  name: string;
  email: string;
  role: 'end-user' | 'agent' | 'admin';
  organization_id: number | null;
  user_fields: Record<string, unknown>;
}

export interface ZdComment {
  id: number;
  type: 'Comment';
  body: string;
  html_body: string;
  public: boolean;
  author_id: number;
  created_at: string;
}

export interface ZdTicket {
  id: number;
  subject: string;
  description: string;
  status: string;
  priority: string | null;
  requester_id: number;
  submitter_id: number;
  assignee_id: number | null;
  group_id: number | null;
  organization_id: number | null;
  tags: string[];
  via: { channel: string };
  created_at: string;
  updated_at: string;
}

export interface FakeZendeskOptions {
  subdomain: string;
  email: string;
  apiToken: string;
  webhookSecret: string;
  /** Our bot's Zendesk user (the API token's user). */
  botUserId: number;
}

const iso = (ms = Date.now()) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000', '');

/**
 * A local Zendesk that speaks the documented REST API v2 (tickets, comments, users, organisations,
 * incremental export) with API-token basic auth, and sends event-subscription webhooks
 * (`zen:event-type:ticket.*`) signed as Zendesk signs them. Like the real one it does not
 * de-duplicate ticket updates by `Idempotency-Key`: a retried PUT makes a second comment.
 */
export class FakeZendesk {
  readonly http: FakeHttp;
  readonly webhooks = new WebhookOutbox();
  readonly tickets = new Map<number, ZdTicket>();
  readonly comments = new Map<number, ZdComment[]>();
  readonly users = new Map<number, ZdUser>();
  readonly organizations = new Map<number, { id: number; name: string; organization_fields: Record<string, unknown> }>();
  private nextId = 9_000_000;
  /** Header timestamp override for the next webhook (tests of stale timestamps). */
  secret: string;

  constructor(readonly o: FakeZendeskOptions) {
    this.secret = o.webhookSecret;
    this.users.set(o.botUserId, { id: o.botUserId, name: 'Handrail', email: o.email, role: 'agent', organization_id: null, user_fields: {} });
    const auth = `Basic ${Buffer.from(`${o.email}/token:${o.apiToken}`).toString('base64')}`;
    this.http = new FakeHttp(
      [
        route('GET', '/api/v2/tickets/:id.json', (r) => ({ status: 200, body: { ticket: this.ticket(r.params.id ?? '') } })),
        route('PUT', '/api/v2/tickets/:id.json', (r) => this.update(Number(r.params.id), r.body)),
        route('GET', '/api/v2/tickets/:id/comments.json', (r) => {
          this.ticket(r.params.id ?? '');
          return { status: 200, body: { comments: this.comments.get(Number(r.params.id)) ?? [], next_page: null, previous_page: null, count: (this.comments.get(Number(r.params.id)) ?? []).length } };
        }),
        route('GET', '/api/v2/users/:id.json', (r) => {
          const u = this.users.get(Number(r.params.id));
          return u ? { status: 200, body: { user: u } } : { status: 404, body: { error: 'RecordNotFound' } };
        }),
        route('GET', '/api/v2/organizations/:id.json', (r) => {
          const org = this.organizations.get(Number(r.params.id));
          return org ? { status: 200, body: { organization: org } } : { status: 404, body: { error: 'RecordNotFound' } };
        }),
        route('GET', '/api/v2/incremental/tickets.json', (r) => {
          const start = Number(r.query.get('start_time') ?? '0') * 1000;
          const list = [...this.tickets.values()].filter((t) => Date.parse(t.updated_at) >= start).sort((a, b) => a.updated_at.localeCompare(b.updated_at));
          const end = list.length ? Math.floor(Date.parse(list[list.length - 1]?.updated_at ?? '') / 1000) : Math.floor(start / 1000);
          return { status: 200, body: { tickets: list, count: list.length, end_time: end, end_of_stream: true, next_page: null } };
        }),
      ],
      (h) => h.authorization === auth,
    );
  }

  static async start(o: FakeZendeskOptions): Promise<FakeZendesk> {
    const z = new FakeZendesk(o);
    await z.http.listen();
    return z;
  }

  get url(): string {
    return this.http.url;
  }

  /** Where webhooks go (the connector's `/webhooks/zendesk/<subdomain>`). */
  set webhookUrl(u: string) {
    this.webhooks.url = u;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private id(): number {
    return ++this.nextId;
  }

  private ticket(id: string | number): ZdTicket {
    const t = this.tickets.get(Number(id));
    if (!t) throw Object.assign(new Error(`ticket ${id} not found`), { status: 404 });
    return t;
  }

  addUser(u: Partial<ZdUser> & { name: string; email: string }): ZdUser {
    const user: ZdUser = { id: u.id ?? this.id(), role: 'end-user', organization_id: null, user_fields: {}, ...u };
    this.users.set(user.id, user);
    return user;
  }

  addOrganization(name: string, fields: Record<string, unknown>): number {
    const id = this.id();
    this.organizations.set(id, { id, name, organization_fields: fields });
    return id;
  }

  /** A customer writes in: a new ticket with its first comment, and the webhook for it. */
  async customerCreates(requesterId: number, subject: string, body: string, channel = 'email'): Promise<{ ticketId: number; commentId: number; result: WebhookResult | undefined }> {
    const u = this.users.get(requesterId);
    const now = iso();
    const t: ZdTicket = { id: this.id(), subject, description: body, status: 'new', priority: null, requester_id: requesterId, submitter_id: requesterId, assignee_id: null, group_id: null, organization_id: u?.organization_id ?? null, tags: [], via: { channel }, created_at: now, updated_at: now };
    this.tickets.set(t.id, t);
    const c = this.addComment(t, body, true, requesterId);
    const result = await this.commentWebhook(t, c);
    return { ticketId: t.id, commentId: c.id, result };
  }

  async customerReplies(ticketId: number, body: string): Promise<{ commentId: number; result: WebhookResult | undefined }> {
    const t = this.ticket(ticketId);
    if (t.status === 'solved') await this.setStatus(ticketId, 'open');
    const c = this.addComment(t, body, true, t.requester_id);
    return { commentId: c.id, result: await this.commentWebhook(t, c) };
  }

  /** A person takes the ticket in the agent workspace. */
  async agentAssigns(ticketId: number, agentId: number): Promise<void> {
    const t = this.ticket(ticketId);
    if (!this.users.has(agentId)) this.addUser({ id: agentId, name: `Agent ${agentId}`, email: `agent${agentId}@example.com`, role: 'agent' });
    const previous = t.assignee_id;
    t.assignee_id = agentId;
    t.status = 'open';
    t.updated_at = iso();
    await this.event(t, 'ticket.agent_assignment_changed', { current: { id: String(agentId) }, previous: { id: previous === null ? null : String(previous) } });
  }

  async setStatus(ticketId: number, status: string): Promise<void> {
    const t = this.ticket(ticketId);
    const previous = t.status;
    t.status = status;
    t.updated_at = iso();
    await this.event(t, 'ticket.status_changed', { current: status.toUpperCase(), previous: previous.toUpperCase() });
  }

  /** The satisfaction trigger the connector's README asks admins to create. */
  async rateSatisfaction(ticketId: number, score: 'good' | 'bad'): Promise<WebhookResult | undefined> {
    const body = { ...fixture('zendesk.trigger.satisfaction'), ticket_id: String(ticketId), score, time: iso() };
    return this.webhooks.send('satisfaction', () => this.delivery(body));
  }

  /** A signed delivery of `body`, as Zendesk would send it now (or with the timestamp given). */
  delivery(body: unknown, o: { timestamp?: string; secret?: string } = {}): WebhookDelivery {
    const raw = JSON.stringify(body);
    const ts = o.timestamp ?? iso();
    return {
      url: this.webhooks.url,
      raw,
      headers: {
        'content-type': 'application/json',
        'x-zendesk-webhook-id': '01HANDRAILFAKE',
        'x-zendesk-webhook-invocation-id': String((body as { id?: unknown }).id ?? randomUUID()),
        'x-zendesk-webhook-signature-timestamp': ts,
        'x-zendesk-webhook-signature': zendeskSignature(o.secret ?? this.secret, ts, raw),
      },
    };
  }

  /** The event-subscription envelope Zendesk sends for a ticket event (shape from the documented fixture). */
  envelope(t: ZdTicket, type: string, event: unknown): Record<string, unknown> {
    const f = fixture('zendesk.ticket.comment_added');
    return {
      ...f,
      detail: {
        ...(f.detail as object),
        ...t,
        id: String(t.id),
        requester_id: String(t.requester_id),
        submitter_id: String(t.submitter_id),
        assignee_id: t.assignee_id === null ? null : String(t.assignee_id),
        group_id: t.group_id === null ? null : String(t.group_id),
        organization_id: t.organization_id === null ? null : String(t.organization_id),
        status: t.status.toUpperCase(),
        priority: t.priority?.toUpperCase() ?? null,
      },
      event,
      id: randomUUID(),
      subject: `zen:ticket:${t.id}`,
      time: iso(),
      type: `zen:event-type:${type}`,
    };
  }

  private event(t: ZdTicket, type: string, event: unknown): Promise<WebhookResult | undefined> {
    return this.webhooks.send(type, () => this.delivery(this.envelope(t, type, event)));
  }

  private addComment(t: ZdTicket, body: string, isPublic: boolean, authorId: number): ZdComment {
    const c: ZdComment = { id: this.id(), type: 'Comment', body, html_body: `<p>${body}</p>`, public: isPublic, author_id: authorId, created_at: iso() };
    this.comments.set(t.id, [...(this.comments.get(t.id) ?? []), c]);
    t.updated_at = c.created_at;
    return c;
  }

  private commentWebhook(t: ZdTicket, c: ZdComment): Promise<WebhookResult | undefined> {
    const author = this.users.get(c.author_id);
    return this.event(t, 'ticket.comment_added', { comment: { author: { id: String(c.author_id), is_staff: author ? author.role !== 'end-user' : false, name: author?.name ?? '' }, body: c.body, id: String(c.id), is_public: c.public } });
  }

  private update(id: number, body: unknown): FakeResponse {
    const t = this.ticket(id);
    const u = ((body as { ticket?: Record<string, unknown> } | undefined)?.ticket ?? {}) as Record<string, unknown>;
    const events: unknown[] = [];
    const after: Array<() => Promise<unknown>> = [];
    if (t.status === 'closed') return { status: 422, body: { error: 'RecordInvalid', description: 'closed tickets cannot be updated' } };
    const comment = u.comment as { body?: string; html_body?: string; public?: boolean; author_id?: number } | undefined;
    if (comment) {
      const text = comment.body ?? comment.html_body ?? '';
      if (!text) return { status: 422, body: { error: 'RecordInvalid', description: 'comment body is blank' } };
      const c = this.addComment(t, text, comment.public !== false, comment.author_id ?? this.o.botUserId);
      events.push({ ...c, type: 'Comment' });
      after.push(() => this.commentWebhook(t, c));
    }
    if ('group_id' in u) {
      const previous = t.group_id;
      t.group_id = u.group_id === null ? null : Number(u.group_id);
      after.push(() => this.event(t, 'ticket.group_assignment_changed', { current: String(t.group_id), previous: previous === null ? null : String(previous) }));
    }
    if ('assignee_id' in u) t.assignee_id = u.assignee_id === null ? null : Number(u.assignee_id);
    if (typeof u.status === 'string' && u.status !== t.status) {
      const previous = t.status;
      t.status = u.status;
      after.push(() => this.event(t, 'ticket.status_changed', { current: t.status.toUpperCase(), previous: previous.toUpperCase() }));
    }
    if (t.status === 'new') t.status = 'open';
    t.updated_at = iso();
    // Webhooks for the change follow the API's answer, as they do from Zendesk.
    this.webhooks.later(async () => {
      for (const f of after) await f();
    });
    return { status: 200, body: { ticket: t, audit: { id: this.id(), ticket_id: t.id, created_at: t.updated_at, author_id: this.o.botUserId, events } } };
  }

  /** Public comments our bot posted on a ticket. */
  botReplies(ticketId: number): ZdComment[] {
    return (this.comments.get(ticketId) ?? []).filter((c) => c.author_id === this.o.botUserId && c.public);
  }

  botNotes(ticketId: number): ZdComment[] {
    return (this.comments.get(ticketId) ?? []).filter((c) => c.author_id === this.o.botUserId && !c.public);
  }
}
