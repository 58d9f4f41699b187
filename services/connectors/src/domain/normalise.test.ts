import { describe, expect, it } from 'vitest';
import { fixture, FIXTURE_NAMES } from '@handrail/fake-helpdesks';
import { normaliseChatwoot, chatwootMessageType } from './chatwoot.js';
import { isoTime, statusOutcome, type HookEvent } from './model.js';
import { normaliseZendesk } from './zendesk.js';

const receivedAt = '2025-01-07T10:00:05.000Z';
const zd = (body: unknown, bot = ['900']) => normaliseZendesk(body, { account: 'northwind', receivedAt, bot: { userIds: bot } });
const cw = (body: unknown, bot = ['42']) => normaliseChatwoot(body, { account: '1', receivedAt, deliveryId: 'd-1', bot: { userIds: bot } });
const only = (e: HookEvent[]) => {
  expect(e).toHaveLength(1);
  return e[0]!;
};

describe('normalisation of documented payloads (replayed fixtures)', () => {
  it('fixtures — every fixture normalises to something other than "ignored"', () => {
    for (const name of FIXTURE_NAMES) {
      const events = name.startsWith('zendesk') ? zd(fixture(name)) : cw(fixture(name));
      expect(events.map((e) => e.kind), name).not.toContain('ignored');
    }
  });

  it('zendesk — comment_added by the requester is a public inbound customer message with the ticket state', () => {
    const e = only(zd(fixture('zendesk.ticket.comment_added')));
    if (e.kind !== 'message') throw new Error(e.kind);
    expect(e.message.helpdesk).toMatchObject({
      provider: 'zendesk',
      account: 'northwind',
      ticketKey: 'zendesk:northwind:5158',
      providerTicketId: '5158',
      providerMessageId: '8700000000001',
      providerEventId: 'cbe4028c-7239-495d-b020-f22348516046',
      direction: 'inbound',
      authorRole: 'customer',
      visibility: 'public',
      rawChannel: 'email',
      occurredAt: '2025-01-07T10:00:00.000Z',
      receivedAt,
      ticketState: { status: 'new', owner: 'none', tags: ['order'] },
    });
    expect(e.message).toMatchObject({ channel: 'email', customerContactId: '8447388090494', organizationId: '8447346622078', body: 'Where is my order? It has been a week.' });
  });

  it('zendesk — a comment by our API user is the bot (an echo); by other staff, an agent; private is internal', () => {
    const f = fixture('zendesk.ticket.comment_added');
    const ev = f.event as { comment: { author: Record<string, unknown>; is_public: boolean } };
    ev.comment.author = { id: '900', is_staff: true, name: 'Handrail' };
    const bot = only(zd(f));
    expect(bot.kind === 'message' && bot.message.helpdesk).toMatchObject({ authorRole: 'bot', direction: 'outbound' });
    ev.comment.author = { id: '77', is_staff: true, name: 'Cara' };
    ev.comment.is_public = false;
    const agent = only(zd(f));
    expect(agent.kind === 'message' && agent.message.helpdesk).toMatchObject({ authorRole: 'agent', visibility: 'internal' });
  });

  it('zendesk — status and assignment changes update the state; a person assigned owns the ticket; the satisfaction trigger is an outcome', () => {
    expect(only(zd(fixture('zendesk.ticket.status_changed')))).toMatchObject({ kind: 'state', state: { status: 'solved' }, previousStatus: 'open' });
    expect(only(zd(fixture('zendesk.ticket.agent_assignment_changed')))).toMatchObject({ kind: 'state', state: { assigneeId: '8447388090100', owner: 'human' } });
    expect(only(zd(fixture('zendesk.ticket.agent_assignment_changed'), ['8447388090100']))).toMatchObject({ state: { owner: 'bot' } });
    expect(only(zd(fixture('zendesk.trigger.satisfaction')))).toMatchObject({ kind: 'outcome', outcome: 'satisfaction', rating: 'bad', ref: { providerTicketId: '5158' } });
    expect(only(zd({ type: 'zen:event-type:user.created', id: 'x' }))).toMatchObject({ kind: 'ignored' });
  });

  it('chatwoot — message_created incoming from a contact is a customer message with the contact and the bot owning the pending conversation', () => {
    const e = only(cw(fixture('chatwoot.message_created')));
    if (e.kind !== 'message') throw new Error(e.kind);
    expect(e.message.helpdesk).toMatchObject({
      provider: 'chatwoot',
      ticketKey: 'chatwoot:1:912',
      providerMessageId: '4211',
      providerEventId: 'd-1',
      direction: 'inbound',
      authorRole: 'customer',
      visibility: 'public',
      rawChannel: 'Channel::WebWidget',
      customer: { providerContactId: '77', email: 'ben@example.com', externalId: 'cust-77' },
      ticketState: { status: 'pending', owner: 'bot' },
    });
    expect(e.message.channel).toBe('chat');
    expect(e.message.inlineCustomer).toMatchObject({ custom_attributes: { plan: 'enterprise' } });
  });

  it('chatwoot — our outgoing message (agent_bot) is the bot; a user\'s is an agent; a private one is internal; an assignee who is not the bot owns it', () => {
    const f = fixture('chatwoot.message_created');
    Object.assign(f, { message_type: 'outgoing', sender: { id: 42, type: 'agent_bot' } });
    expect(only(cw(f))).toMatchObject({ kind: 'message', message: { helpdesk: { authorRole: 'bot', direction: 'outbound' } } });
    Object.assign(f, { sender: { id: 9, type: 'user' }, private: true });
    (f.conversation as { meta: Record<string, unknown> }).meta.assignee = { id: 9 };
    expect(only(cw(f))).toMatchObject({ message: { helpdesk: { authorRole: 'agent', visibility: 'internal', ticketState: { owner: 'human' } } } });
    // A greeting or CSAT template, or an automation message without a sender, is not a person answering.
    Object.assign(f, { message_type: 'template', sender: null, private: false });
    expect(only(cw(f))).toMatchObject({ message: { helpdesk: { authorRole: 'system' } } });
    Object.assign(f, { message_type: 'outgoing', sender: null });
    expect(only(cw(f))).toMatchObject({ message: { helpdesk: { authorRole: 'system' } } });
  });

  it('chatwoot — status changes carry the previous status; a CSAT answer of 2 is a bad rating', () => {
    expect(only(cw(fixture('chatwoot.conversation_status_changed')))).toMatchObject({ kind: 'state', state: { status: 'resolved', owner: 'human' }, previousStatus: 'open' });
    expect(only(cw(fixture('chatwoot.csat.message_updated')))).toMatchObject({ kind: 'outcome', outcome: 'satisfaction', rating: 'bad', score: '2' });
  });

  it('chatwoot — message_type is a string on webhooks and an integer in lists; created_at ISO or epoch seconds', () => {
    expect([0, 1, 2, 3, 'incoming', 'outgoing', 'activity', 'template', 9].map(chatwootMessageType)).toEqual(['incoming', 'outgoing', 'activity', 'template', 'incoming', 'outgoing', 'activity', 'template', 'unknown']);
    expect(isoTime(1736244000)).toBe('2025-01-07T10:00:00.000Z');
    expect(isoTime('1736244000')).toBe('2025-01-07T10:00:00.000Z');
    expect(isoTime('2025-01-07T10:00:00.000Z')).toBe('2025-01-07T10:00:00.000Z');
    expect(isoTime('soon')).toBe('');
  });

  it('outcomes — entering solved/resolved/closed is solved, leaving it is reopened, anything else nothing', () => {
    expect(statusOutcome('open', 'solved')).toBe('solved');
    expect(statusOutcome('pending', 'resolved')).toBe('solved');
    expect(statusOutcome('solved', 'closed')).toBeUndefined();
    expect(statusOutcome('resolved', 'open')).toBe('reopened');
    expect(statusOutcome('open', 'pending')).toBeUndefined();
    expect(statusOutcome('solved', 'solved')).toBeUndefined();
  });
});
