import { HelpdeskMessage } from '@handrail/contracts';
import { asRecord, asString, isoTime, type BotIdentity, type HookEvent, type NormalisedMessage, type Owner, type TicketRef, type TicketState, ticketKeyOf } from './model.js';

const CHANNELS: Record<string, string> = {
  'Channel::Email': 'email',
  'Channel::WebWidget': 'chat',
  'Channel::Api': 'api',
  'Channel::Sms': 'sms',
  'Channel::TwilioSms': 'sms',
  'Channel::Whatsapp': 'social',
  'Channel::FacebookPage': 'social',
  'Channel::Instagram': 'social',
  'Channel::Telegram': 'social',
  'Channel::Line': 'social',
  'Channel::TwitterProfile': 'social',
};

export function chatwootChannel(raw: string): string {
  return CHANNELS[raw] ?? 'api';
}

/** `message_type` is a string on webhooks and an integer inside `conversation.messages[]`. */
export function chatwootMessageType(v: unknown): 'incoming' | 'outgoing' | 'activity' | 'template' | 'unknown' {
  if (v === 'incoming' || v === 0) return 'incoming';
  if (v === 'outgoing' || v === 1) return 'outgoing';
  if (v === 'activity' || v === 2) return 'activity';
  if (v === 'template' || v === 3) return 'template';
  return 'unknown';
}

/**
 * Who holds a conversation. In an inbox with an agent bot a conversation is `pending` while the bot
 * owns it; an assignee who is not the bot is a person, whatever the status says (an assignment can
 * leave it `pending`, chatwoot#14870).
 */
export function chatwootOwner(status: string, assigneeId: string, bot: BotIdentity): Owner {
  if (assigneeId && !bot.userIds.includes(assigneeId)) return 'human';
  if (status === 'pending' || (assigneeId && bot.userIds.includes(assigneeId))) return 'bot';
  return 'none';
}

export function chatwootConversationId(body: unknown): string {
  const b = asRecord(body);
  const event = asString(b.event);
  if (event.startsWith('conversation_')) return asString(b.id);
  return asString(asRecord(b.conversation).id) || asString(b.conversation_id);
}

/** A conversation object from a webhook or `GET /conversations/{id}`. */
export function chatwootTicketState(conv: Record<string, unknown>, bot: BotIdentity): TicketState {
  const meta = asRecord(conv.meta);
  const assigneeId = asString(asRecord(meta.assignee).id) || asString(conv.assignee_id);
  const status = asString(conv.status);
  const team = asRecord(meta.team);
  return {
    status,
    assigneeId,
    groupId: asString(team.id) || asString(conv.team_id),
    tags: Array.isArray(conv.labels) ? conv.labels.map(asString).filter(Boolean) : [],
    owner: chatwootOwner(status, assigneeId, bot),
  };
}

export interface ChatwootMessageInput {
  account: string;
  conversation: Record<string, unknown>;
  message: Record<string, unknown>;
  eventId: string;
  receivedAt: string;
  source: 'webhook' | 'reconcile';
  bot: BotIdentity;
}

/** One Chatwoot message in the contract's words, from `message_created` or `GET …/messages`. */
export function chatwootMessage(i: ChatwootMessageInput): NormalisedMessage {
  const conv = i.conversation;
  const m = i.message;
  const ref: TicketRef = { provider: 'chatwoot', account: i.account, providerTicketId: asString(conv.id) };
  const sender = asRecord(m.sender);
  const senderType = asString(sender.type).toLowerCase();
  const authorId = asString(sender.id) || asString(m.sender_id);
  const type = chatwootMessageType(m.message_type);
  const isBot = senderType === 'agent_bot' || (type === 'outgoing' && i.bot.userIds.includes(authorId));
  const isCustomer = type === 'incoming' && (senderType === '' || senderType === 'contact');
  const contact = asRecord(asRecord(conv.meta).sender);
  const contactId = asString(contact.id) || (isCustomer ? authorId : '');
  const rawChannel = asString(conv.channel) || asString(asRecord(conv.inbox).channel_type);
  const helpdesk = HelpdeskMessage.fromPartial({
    provider: 'chatwoot',
    account: i.account,
    ticketKey: ticketKeyOf(ref),
    providerTicketId: ref.providerTicketId,
    providerMessageId: asString(m.id),
    providerEventId: i.eventId,
    direction: isCustomer ? 'inbound' : 'outbound',
    // Only a user's outgoing message is a person answering: templates (greetings, CSAT), activity
    // lines and sender-less automation messages are the helpdesk's own.
    authorRole: isBot ? 'bot' : isCustomer ? 'customer' : type === 'outgoing' && senderType === 'user' ? 'agent' : 'system',
    visibility: m.private === true ? 'internal' : 'public',
    customer: {
      providerContactId: contactId,
      email: asString(contact.email),
      phone: asString(contact.phone_number),
      name: asString(contact.name),
      externalId: asString(contact.identifier),
      verified: conv.hmac_verified === true || asRecord(conv.contact_inbox).hmac_verified === true,
    },
    rawChannel,
    occurredAt: isoTime(m.created_at) || i.receivedAt,
    receivedAt: i.receivedAt,
    ticketState: chatwootTicketState(conv, i.bot),
    source: i.source,
  });
  return {
    ref,
    helpdesk,
    authorId,
    body: asString(m.content),
    subject: '',
    channel: chatwootChannel(rawChannel),
    customerContactId: contactId,
    organizationId: '',
    inlineCustomer: { contact: contact, custom_attributes: asRecord(contact.custom_attributes), additional_attributes: asRecord(contact.additional_attributes) },
  };
}

/** A CSAT answer: 1-5, where 4-5 are good and 1-2 bad (3 is neither). */
export function csatRating(rating: number): string {
  if (rating >= 4) return 'good';
  if (rating <= 2) return 'bad';
  return 'neutral';
}

/** `changed_attributes` is an array of `{attr: {previous_value, current_value}}` (or one such object). */
function previousStatus(v: unknown): string {
  const items = Array.isArray(v) ? v : [v];
  for (const it of items) {
    const prev = asString(asRecord(asRecord(it).status).previous_value);
    if (prev) return prev;
  }
  return '';
}

/** Normalises one Chatwoot webhook body (account webhook, API inbox or agent bot). */
export function normaliseChatwoot(body: unknown, o: { account: string; receivedAt: string; deliveryId: string; bot: BotIdentity }): HookEvent[] {
  const b = asRecord(body);
  const event = asString(b.event);
  switch (event) {
    case 'message_created':
    case 'message_updated': {
      const conv = asRecord(b.conversation);
      if (!asString(conv.id)) return [{ kind: 'ignored', reason: `${event} without conversation.id` }];
      const ref: TicketRef = { provider: 'chatwoot', account: o.account, providerTicketId: asString(conv.id) };
      if (asString(b.content_type) === 'input_csat') {
        const response = asRecord(asRecord(asRecord(b.content_attributes).submitted_values).csat_survey_response);
        const score = response.rating;
        if (typeof score !== 'number') return [{ kind: 'ignored', reason: 'CSAT message without a rating yet' }];
        return [{ kind: 'outcome', ref, outcome: 'satisfaction', rating: csatRating(score), score: String(score), eventId: `csat:${asString(b.id)}:${score}`, occurredAt: isoTime(b.updated_at) || isoTime(b.created_at) || o.receivedAt }];
      }
      if (event === 'message_updated') return [{ kind: 'ignored', reason: 'message_updated of an ordinary message' }];
      if (!asString(b.id)) return [{ kind: 'ignored', reason: 'message_created without id' }];
      return [{ kind: 'message', message: chatwootMessage({ account: o.account, conversation: conv, message: b, eventId: o.deliveryId, receivedAt: o.receivedAt, source: 'webhook', bot: o.bot }) }];
    }
    case 'conversation_status_changed':
    case 'conversation_updated':
    case 'conversation_created': {
      const ref: TicketRef = { provider: 'chatwoot', account: o.account, providerTicketId: asString(b.id) };
      if (!ref.providerTicketId) return [{ kind: 'ignored', reason: `${event} without id` }];
      const state = chatwootTicketState(b, o.bot);
      const occurredAt = isoTime(b.timestamp) || isoTime(b.updated_at) || o.receivedAt;
      const eventId = o.deliveryId || `${event}:${ref.providerTicketId}:${state.status}:${asString(b.timestamp)}`;
      const previous = previousStatus(b.changed_attributes);
      return [{ kind: 'state', ref, state, ...(previous ? { previousStatus: previous } : {}), eventId, occurredAt }];
    }
    default:
      return [{ kind: 'ignored', reason: `event ${event || '(none)'} is not one the connector acts on` }];
  }
}
