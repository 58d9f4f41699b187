import { HelpdeskMessage } from '@handrail/contracts';
import { asRecord, asString, isoTime, type BotIdentity, type HookEvent, type NormalisedMessage, type Owner, type TicketRef, type TicketState, ticketKeyOf } from './model.js';

const CHANNELS: Record<string, string> = {
  email: 'email',
  web: 'web',
  web_form: 'web',
  web_widget: 'web',
  api: 'api',
  web_service: 'api',
  chat: 'chat',
  native_messaging: 'chat',
  mobile_sdk: 'chat',
  voice: 'phone',
  sms: 'sms',
  facebook: 'social',
  twitter: 'social',
  whatsapp: 'social',
  instagram_dm: 'social',
};

export function zendeskChannel(raw: string): string {
  return CHANNELS[raw.toLowerCase()] ?? 'api';
}

/** Who holds a Zendesk ticket: the assignee, if any; our API user counts as the bot. */
export function zendeskOwner(assigneeId: string, bot: BotIdentity): Owner {
  if (!assigneeId) return 'none';
  return bot.userIds.includes(assigneeId) ? 'bot' : 'human';
}

/** The ticket id a webhook is about, for partitioning (before any other parsing). */
export function zendeskTicketIdOf(body: unknown): string {
  const b = asRecord(body);
  const fromSubject = /^zen:ticket:(\d+)$/.exec(asString(b.subject))?.[1];
  return fromSubject ?? (asString(asRecord(b.detail).id) || asString(b.ticket_id));
}

/** A ticket object from the event's `detail` or the REST API (`GET /api/v2/tickets/{id}`). */
export function zendeskTicketState(t: Record<string, unknown>, bot: BotIdentity): TicketState {
  const assigneeId = asString(t.assignee_id);
  return {
    status: asString(t.status).toLowerCase(),
    assigneeId,
    groupId: asString(t.group_id),
    tags: Array.isArray(t.tags) ? t.tags.map(asString).filter(Boolean) : [],
    owner: zendeskOwner(assigneeId, bot),
  };
}

export interface ZendeskCommentInput {
  account: string;
  ticket: Record<string, unknown>;
  comment: { id: string; body: string; isPublic: boolean; authorId: string; isStaff: boolean | undefined; createdAt: string };
  eventId: string;
  occurredAt: string;
  receivedAt: string;
  source: 'webhook' | 'reconcile';
  bot: BotIdentity;
}

/** One ticket comment in the contract's words, from a webhook or `GET /tickets/{id}/comments`. */
export function zendeskMessage(i: ZendeskCommentInput): NormalisedMessage {
  const t = i.ticket;
  const ref: TicketRef = { provider: 'zendesk', account: i.account, providerTicketId: asString(t.id) };
  const requesterId = asString(t.requester_id);
  const isBot = i.bot.userIds.includes(i.comment.authorId);
  // is_staff is on webhooks; from the REST API the requester is the customer.
  const isCustomer = !isBot && (i.comment.isStaff === undefined ? i.comment.authorId === requesterId : !i.comment.isStaff);
  const state = zendeskTicketState(t, i.bot);
  const rawChannel = asString(asRecord(t.via).channel);
  const helpdesk = HelpdeskMessage.fromPartial({
    provider: 'zendesk',
    account: i.account,
    ticketKey: ticketKeyOf(ref),
    providerTicketId: ref.providerTicketId,
    providerMessageId: i.comment.id,
    providerEventId: i.eventId,
    direction: isCustomer ? 'inbound' : 'outbound',
    authorRole: isBot ? 'bot' : isCustomer ? 'customer' : 'agent',
    visibility: i.comment.isPublic ? 'public' : 'internal',
    customer: { providerContactId: requesterId, organizationId: asString(t.organization_id) },
    rawChannel,
    occurredAt: i.comment.createdAt || i.occurredAt,
    receivedAt: i.receivedAt,
    ticketState: state,
    source: i.source,
  });
  return {
    ref,
    helpdesk,
    authorId: i.comment.authorId,
    body: i.comment.body,
    subject: asString(t.subject),
    channel: zendeskChannel(rawChannel),
    customerContactId: requesterId,
    organizationId: asString(t.organization_id),
  };
}

const idOf = (v: unknown): string => asString(v) || asString(asRecord(v).id);

/**
 * Normalises one Zendesk webhook body: event-subscription webhooks (`zen:event-type:ticket.*`) and
 * the satisfaction trigger template this connector ships (`handrail:satisfaction`).
 */
export function normaliseZendesk(body: unknown, o: { account: string; receivedAt: string; bot: BotIdentity }): HookEvent[] {
  const b = asRecord(body);
  const type = asString(b.type);
  const eventId = asString(b.id);
  const occurredAt = isoTime(b.time) || o.receivedAt;
  if (type === 'handrail:satisfaction') {
    const score = asString(b.score).toLowerCase();
    const ref: TicketRef = { provider: 'zendesk', account: o.account, providerTicketId: asString(b.ticket_id) };
    if (!ref.providerTicketId) return [{ kind: 'ignored', reason: 'satisfaction webhook without ticket_id' }];
    if (score !== 'good' && score !== 'bad') return [{ kind: 'ignored', reason: `satisfaction score ${JSON.stringify(score)} is not a rating` }];
    return [{ kind: 'outcome', ref, outcome: 'satisfaction', rating: score, score, eventId: eventId || `satisfaction:${ref.providerTicketId}:${score}:${asString(b.time)}`, occurredAt }];
  }
  const detail = asRecord(b.detail);
  const ev = asRecord(b.event);
  const ticketId = zendeskTicketIdOf(b);
  if (!ticketId) return [{ kind: 'ignored', reason: `no ticket id in ${type || 'an untyped webhook'}` }];
  const ref: TicketRef = { provider: 'zendesk', account: o.account, providerTicketId: ticketId };
  const ticket = { ...detail, id: ticketId };
  const state = zendeskTicketState(ticket, o.bot);
  switch (type) {
    case 'zen:event-type:ticket.comment_added': {
      const c = asRecord(ev.comment);
      const author = asRecord(c.author);
      const comment = {
        id: asString(c.id),
        body: asString(c.body),
        isPublic: c.is_public !== false,
        authorId: asString(author.id),
        isStaff: typeof author.is_staff === 'boolean' ? author.is_staff : undefined,
        createdAt: occurredAt,
      };
      if (!comment.id) return [{ kind: 'ignored', reason: 'comment_added without comment.id' }];
      return [{ kind: 'message', message: zendeskMessage({ account: o.account, ticket, comment, eventId, occurredAt, receivedAt: o.receivedAt, source: 'webhook', bot: o.bot }) }];
    }
    case 'zen:event-type:ticket.status_changed': {
      const current = asString(ev.current).toLowerCase();
      const previous = asString(ev.previous).toLowerCase();
      return [{ kind: 'state', ref, state: { ...state, status: current || state.status }, ...(previous ? { previousStatus: previous } : {}), eventId, occurredAt }];
    }
    case 'zen:event-type:ticket.agent_assignment_changed': {
      const assigneeId = idOf(ev.current);
      return [{ kind: 'state', ref, state: { ...state, assigneeId, owner: zendeskOwner(assigneeId, o.bot) }, eventId, occurredAt }];
    }
    case 'zen:event-type:ticket.group_assignment_changed':
      return [{ kind: 'state', ref, state: { ...state, groupId: idOf(ev.current) }, eventId, occurredAt }];
    default:
      return [{ kind: 'ignored', reason: `event type ${type || '(none)'} is not one the connector acts on` }];
  }
}
