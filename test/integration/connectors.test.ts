import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OutboundReply, type EventEnvelope } from '@handrail/contracts';
import { readStream } from '@handrail/bus';
import { newEvent, ticketIdFor } from '@handrail/events';
import { FAKE_GROUPS, FAKE_IDS, startFakeHelpdesks, type FakeHelpdesks } from '@handrail/fake-helpdesks';
import { startService, type RunningService } from '@handrail/runtime';
import { connectorsService, type ConnectorsHandle } from '@handrail/svc-connectors';
import { eventually, openTestBus, testCredentials, trustedPublisher, type TestBus } from '@handrail/testing';
import { openedEvents, startInProcess, type InProcessPipeline } from '../support/pipeline.js';

const ZD = FAKE_IDS.zendeskSubdomain;
const CW = String(FAKE_IDS.chatwootAccountId);
const zdTicket = (commentId: number) => ticketIdFor('zendesk', `${ZD}:${commentId}`);
const cwTicket = (messageId: number) => ticketIdFor('chatwoot', `${CW}:${messageId}`);

// An answer the demo pack's AI resolves alone, and messages it hands to people.
const AUTO = 'Do you accept PayPal or Apple Pay at checkout?';
const SAFETY = 'The heater I bought from you caught fire last night and there was smoke everywhere';

describe('connectors — contract with local Zendesk and Chatwoot (issue 14)', () => {
  let tb: TestBus;
  let fakes: FakeHelpdesks;
  let pipeline: InProcessPipeline;
  let connectors: RunningService;
  let dir: string;
  const handle: ConnectorsHandle = {};

  const events = async (ticketId: string, type?: string): Promise<EventEnvelope[]> => {
    const all = await openedEvents(tb.bus, tb.topo, tb.topo.subjects.ticketTimeline(ticketId)).catch(() => []);
    return type ? all.filter((e) => e.type === type) : all;
  };
  const one = async (ticketId: string, type: string) => eventually(async () => (await events(ticketId, type))[0]);

  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'conn');
    fakes = await startFakeHelpdesks();
    dir = mkdtempSync(join(tmpdir(), 'handrail-connectors-'));
    const config = join(dir, 'connectors.yaml');
    writeFileSync(config, fakes.configYaml({ baseDelayMs: 50 }));
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix);
    let port = 0;
    handle.onListening = (p) => (port = p);
    connectors = await startService(
      connectorsService({ NATS_URL: inject('natsUrl'), HANDRAIL_PREFIX: tb.topo.prefix, LOG_LEVEL: 'silent', HANDRAIL_CREDENTIALS_DIR: testCredentials(), CONNECTORS_CONFIG: config, CONNECTORS_HTTP_PORT: '0', CONNECTORS_HTTP_HOST: '127.0.0.1', MAX_DELIVER: '6', ...fakes.secretEnv }, handle),
    );
    fakes.connect(port);
  });
  afterAll(async () => {
    await fakes?.settled();
    await connectors?.shutdown('test done');
    await pipeline?.stop();
    await fakes?.close();
    await tb?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('zendesk — a signed webhook becomes exactly one ticket with the customer mapped from the organisation; a retried delivery is not a second ticket', async () => {
    const z = fakes.zendesk;
    const org = z.addOrganization('Acme', { plan: 'pro', annual_value: '2400' });
    const user = z.addUser({ name: 'Ada', email: 'ada@example.com', organization_id: org, user_fields: { fraud_risk: 'low' } });
    const created = await z.customerCreates(user.id, 'Order', 'My parcel has not arrived yet, where is it?');
    expect(created.result).toEqual({ status: 200, body: { accepted: true, duplicate: false } });
    const ticketId = zdTicket(created.commentId);
    const received = await one(ticketId, 'received');
    const t = received.payload?.$case === 'received' ? received.payload.value.ticket : undefined;
    expect(t).toMatchObject({ connector: 'zendesk', externalId: `${ZD}:${created.commentId}`, channel: 'email', customerId: `zd-${ZD}-${user.id}` });
    expect(t?.customer).toMatchObject({ tier: 'plus', accountValue: 2400, highRisk: false });
    expect(t?.metadata).toMatchObject({ ticket_key: `zendesk:${ZD}:${created.ticketId}` });

    // Zendesk retries the same event (same invocation id, signed anew) and, later, once more under a new id.
    const first = z.webhooks.sent.find((s) => s.event === 'ticket.comment_added' && s.delivery.raw.includes(String(created.commentId)));
    expect(first).toBeDefined();
    const body = JSON.parse(first!.delivery.raw) as Record<string, unknown>;
    // A retry comes later than the first try, so it is signed over a later timestamp.
    const later = new Date(Date.now() + 2_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const retried = await z.webhooks.replay(z.delivery(body, { timestamp: later }));
    expect(retried).toEqual({ status: 200, body: { accepted: true, duplicate: true } });
    const again = await z.webhooks.replay(z.delivery({ ...body, id: 'a-later-invocation' }));
    expect(again.status).toBe(200);
    await eventually(async () => ((handle.counters?.duplicate_message ?? 0) >= 1 ? true : undefined));
    expect(await events(ticketId, 'received')).toHaveLength(1);
  });

  it('zendesk and chatwoot — a wrong signature, a stale timestamp or a replayed delivery is refused with a clear status; a rotated-out secret still verifies', async () => {
    const z = fakes.zendesk;
    const user = z.addUser({ name: 'Eve', email: 'eve@example.com' });
    const ok = await z.customerCreates(user.id, '', 'How long does standard shipping take to Ohio?');
    expect(ok.result?.status).toBe(200);
    const body = JSON.parse(z.webhooks.sent.at(-1)!.delivery.raw) as Record<string, unknown>;

    expect(await z.webhooks.replay(z.delivery(body, { secret: 'not-the-secret' }))).toMatchObject({ status: 401, body: { error: 'invalid_signature' } });
    const stale = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    expect(await z.webhooks.replay(z.delivery(body, { timestamp: stale }))).toMatchObject({ status: 401, body: { error: 'stale_timestamp' } });
    expect(await z.webhooks.replay(z.webhooks.sent.at(-1)!.delivery)).toMatchObject({ status: 409, body: { error: 'replayed_delivery' } });
    const unsigned = z.delivery(body);
    delete unsigned.headers['x-zendesk-webhook-signature'];
    expect(await z.webhooks.replay(unsigned)).toMatchObject({ status: 401, body: { error: 'missing_signature' } });
    // Tampered bytes under a valid signature.
    const tampered = z.delivery(body);
    expect(await z.webhooks.replay({ ...tampered, raw: tampered.raw.replace('Ohio', 'Iowa') })).toMatchObject({ status: 401, body: { error: 'invalid_signature' } });
    // During a rotation the old secret is still listed.
    expect((await z.webhooks.replay(z.delivery({ ...body, id: 'rotated' }, { secret: fakes.secretEnv.HANDRAIL_SECRET_ZENDESK_WEBHOOK_OLD }))).status).toBe(200);
    expect(await z.webhooks.replay({ ...z.delivery(body), url: z.webhooks.url.replace(ZD, 'someone-else') })).toMatchObject({ status: 404, body: { error: 'unknown_account' } });

    const c = fakes.chatwoot;
    const contact = c.addContact({ name: 'Finn' });
    const w = await c.customerWrites(contact.id, 'what are your customer service hours on weekends');
    expect(w.result?.status).toBe(200);
    const cwBody = JSON.parse(c.webhooks.sent.at(-1)!.delivery.raw) as Record<string, unknown>;
    expect(await c.webhooks.replay(c.delivery(cwBody, { secret: 'nope' }))).toMatchObject({ status: 401, body: { error: 'invalid_signature' } });
    expect(await c.webhooks.replay(c.delivery(cwBody, { timestamp: String(Math.floor(Date.now() / 1000) - 900) }))).toMatchObject({ status: 401, body: { error: 'stale_timestamp' } });
    expect(await c.webhooks.replay(c.webhooks.sent.at(-1)!.delivery)).toMatchObject({ status: 409, body: { error: 'replayed_delivery' } });
    // Nothing refused became a ticket: one each.
    await one(zdTicket(ok.commentId), 'received');
    await one(cwTicket(w.messageId), 'received');
    expect(await events(zdTicket(ok.commentId), 'received')).toHaveLength(1);
  });

  it('zendesk — an auto-resolved ticket gets exactly one public reply when the first call fails with 500 and the next with 429; our reply echoed back is ignored', async () => {
    const z = fakes.zendesk;
    const user = z.addUser({ name: 'Gus', email: 'gus@example.com' });
    const created = await z.customerCreates(user.id, 'Payment options', AUTO, 'web');
    // This ticket's updates only: another test's late note to its own ticket must not meet the faults.
    const onlyThis = (r: { params: Record<string, string> }) => r.params['id'] === String(created.ticketId);
    z.http.failNext('PUT /api/v2/tickets/:id.json', [{ status: 500, only: onlyThis }, { status: 429, retryAfterSeconds: 1, only: onlyThis }]);
    const ticketId = zdTicket(created.commentId);
    const sent = await one(ticketId, 'reply_sent');
    expect(sent.payload?.$case === 'replySent' && sent.payload.value).toMatchObject({ kind: 'reply', visibility: 'public', attempts: 3 });
    const puts = z.http.calls('PUT /api/v2/tickets/:id.json').filter((c) => c.path.includes(String(created.ticketId)));
    expect(puts.map((p) => p.status)).toEqual([500, 429, 200]);
    // One idempotency key for every attempt at this reply.
    expect(new Set(puts.map((p) => p.headers['idempotency-key'])).size).toBe(1);
    // Retry-After: 1 was honoured before the third attempt.
    expect(z.botReplies(created.ticketId)).toHaveLength(1);

    // The fake sends comment_added for our reply: it is not a ticket and not a person taking over.
    await fakes.settled();
    const ours = z.botReplies(created.ticketId)[0]!;
    await eventually(async () => ((handle.counters?.echo_ignored ?? 0) >= 1 ? true : undefined));
    expect(await events(zdTicket(ours.id))).toHaveLength(0);
    expect(await events(ticketId, 'reply_failed')).toHaveLength(0);
  });

  it('chatwoot — an auto-resolved conversation gets exactly one reply when the first POST fails with 500 after the helpdesk stored it and the look-up then gets 429', async () => {
    const c = fakes.chatwoot;
    const contact = c.addContact({ name: 'Hana', custom_attributes: { plan: 'pro', lifetime_value: '900' } });
    c.http.failNext('POST /api/v1/accounts/:account/conversations/:id/messages', [{ status: 500, commit: true }]);
    c.http.failNext('GET /api/v1/accounts/:account/conversations/:id/messages', [{ status: 429, retryAfterSeconds: 1 }]);
    const w = await c.customerWrites(contact.id, AUTO);
    const ticketId = cwTicket(w.messageId);
    const received = await one(ticketId, 'received');
    expect(received.payload?.$case === 'received' && received.payload.value.ticket?.customer).toMatchObject({ tier: 'plus', accountValue: 900 });
    const sent = await one(ticketId, 'reply_sent');
    expect(sent.payload?.$case === 'replySent' && sent.payload.value).toMatchObject({ kind: 'reply', visibility: 'public' });
    expect(c.botReplies(w.conversationId)).toHaveLength(1);
    expect(c.http.calls('POST /api/v1/accounts/:account/conversations/:id/messages').filter((x) => x.path.includes(`/${w.conversationId}/`))).toHaveLength(1);
    expect((handle.counters?.found_after_lost_answer ?? 0)).toBeGreaterThanOrEqual(1);
    await fakes.settled();
    // The echo of our reply (message_created, outgoing, agent_bot) left the conversation with the bot.
    expect(await events(cwTicket(c.botReplies(w.conversationId)[0]!.id))).toHaveLength(0);
  });

  it('chatwoot and zendesk — an escalated ticket gets one internal note with the handoff packet and the queue\'s group, never a silent handoff', async () => {
    const c = fakes.chatwoot;
    const contact = c.addContact({ name: 'Ivo' });
    const w = await c.customerWrites(contact.id, SAFETY);
    const ticketId = cwTicket(w.messageId);
    const sent = await one(ticketId, 'reply_sent');
    expect(sent.payload?.$case === 'replySent' && sent.payload.value).toMatchObject({ kind: 'handoff', visibility: 'internal', assignedGroup: FAKE_GROUPS.chatwoot['trust-and-safety'] });
    const notes = c.botNotes(w.conversationId);
    expect(notes).toHaveLength(1);
    expect(notes[0]?.content).toMatch(/handed this ticket to people \(queue trust-and-safety/);
    expect(notes[0]?.content).toMatch(/Suggested next step:/);
    expect(c.botReplies(w.conversationId)).toHaveLength(0);
    const conv = c.conversations.get(w.conversationId)!;
    expect(conv.team?.id).toBe(Number(FAKE_GROUPS.chatwoot['trust-and-safety']));
    expect(conv.status).toBe('open');

    const z = fakes.zendesk;
    const user = z.addUser({ name: 'Jo', email: 'jo@example.com' });
    const created = await z.customerCreates(user.id, 'Fire', SAFETY);
    await one(zdTicket(created.commentId), 'reply_sent');
    expect(z.botNotes(created.ticketId)).toHaveLength(1);
    expect(z.botReplies(created.ticketId)).toHaveLength(0);
    expect(z.tickets.get(created.ticketId)?.group_id).toBe(Number(FAKE_GROUPS.zendesk['trust-and-safety']));
  });

  it('chatwoot and zendesk — a ticket a person took gets no AI reply, even when the takeover webhook was lost (ownership is re-read before replying)', async () => {
    const c = fakes.chatwoot;
    const contact = c.addContact({ name: 'Kim' });
    const w = await c.customerWrites(contact.id, SAFETY);
    const ticketId = cwTicket(w.messageId);
    await one(ticketId, 'reply_sent'); // the handoff note
    c.webhooks.dropNext(2);
    await c.agentTakesOver(w.conversationId, 9);
    await fakes.settled();
    const replyFor = (id: string, connector: string, externalId: string, suffix: string) =>
      newEvent({ kind: 'outboundReply', value: OutboundReply.fromPartial({ ticketId: id, connector, externalId, customerId: 'x', text: 'We accept PayPal.' }), ticketId: id, producer: { service: 'escalation', version: '0', instance: 't' }, idSuffix: suffix });
    const env = replyFor(ticketId, 'chatwoot', `${CW}:${w.messageId}`, 'late');
    const { publisher: escalation, trust: escalationTrust } = await trustedPublisher(tb.bus, tb.topo, 'escalation');
    await escalation.publish(env, { subject: tb.topo.subjects.outbound('chatwoot') });
    const failed = await one(ticketId, 'reply_failed');
    expect(failed.payload?.$case === 'replyFailed' && failed.payload.value).toMatchObject({ kind: 'reply', reason: 'human_owner' });
    expect(c.botReplies(w.conversationId)).toHaveLength(0);

    // Zendesk: a person is assigned (webhook lost) to a ticket whose AI answer is still on the way.
    const z = fakes.zendesk;
    const user = z.addUser({ name: 'Lou', email: 'lou@example.com' });
    const created = await z.customerCreates(user.id, 'Fire', SAFETY);
    const zt = zdTicket(created.commentId);
    await one(zt, 'reply_sent');
    z.webhooks.dropNext(1);
    await z.agentAssigns(created.ticketId, 555);
    const zenv = replyFor(zt, 'zendesk', `${ZD}:${created.commentId}`, 'late');
    await escalation.publish(zenv, { subject: tb.topo.subjects.outbound('zendesk') });
    const zf = await one(zt, 'reply_failed');
    expect(zf.payload?.$case === 'replyFailed' && zf.payload.value).toMatchObject({ reason: 'human_owner' });
    expect(z.botReplies(created.ticketId)).toHaveLength(0);
    await escalationTrust.close();
  });

  it('chatwoot and zendesk — a webhook the helpdesk dropped is picked up by the reconciliation poll exactly once', async () => {
    const c = fakes.chatwoot;
    const contact = c.addContact({ name: 'Max' });
    c.webhooks.dropNext(1);
    const w = await c.customerWrites(contact.id, 'how long does standard shipping usually take to Ohio?');
    expect(w.result).toBeUndefined();
    const ticketId = cwTicket(w.messageId);
    expect(await events(ticketId)).toHaveLength(0);
    expect(await handle.reconcile!()).toBeGreaterThanOrEqual(1);
    await one(ticketId, 'received');
    // Polling again, and the lost webhook turning up late, change nothing.
    await handle.reconcile!();
    const late = c.webhooks.dropped.at(-1)!;
    expect((await c.webhooks.replay(c.delivery(JSON.parse(late.delivery.raw)))).status).toBe(200);
    await eventually(async () => ((handle.counters?.duplicate_message ?? 0) >= 3 ? true : undefined));
    expect(await events(ticketId, 'received')).toHaveLength(1);
    expect(handle.counters?.forwarded_by_reconcile).toBeGreaterThanOrEqual(1);

    const z = fakes.zendesk;
    const user = z.addUser({ name: 'Ned', email: 'ned@example.com' });
    z.webhooks.dropNext(1);
    const created = await z.customerCreates(user.id, '', 'what are your customer service hours on weekends');
    await handle.reconcile!();
    await one(zdTicket(created.commentId), 'received');
    await handle.reconcile!();
    await new Promise((r) => setTimeout(r, 500));
    expect(await events(zdTicket(created.commentId), 'received')).toHaveLength(1);
  });

  it('zendesk and chatwoot — solved, reopened and satisfaction come back as helpdesk_outcome events on the tickets they concern', async () => {
    const z = fakes.zendesk;
    const user = z.addUser({ name: 'Oda', email: 'oda@example.com' });
    const created = await z.customerCreates(user.id, '', 'What is your return window?');
    const zt = zdTicket(created.commentId);
    // The pipeline's own delivery (reply, note or handoff, which may reopen) first: the outcomes are the people's.
    await one(zt, 'reply_sent');
    await z.setStatus(created.ticketId, 'solved');
    await z.rateSatisfaction(created.ticketId, 'bad');
    await z.setStatus(created.ticketId, 'open');
    const outcomes = await eventually(async () => {
      const o = await events(zt, 'helpdesk_outcome');
      return o.length >= 3 ? o : undefined;
    });
    expect(outcomes.map((e) => (e.payload?.$case === 'helpdeskOutcome' ? `${e.payload.value.kind}:${e.payload.value.rating}` : '')).sort()).toEqual(['reopened:', 'satisfaction:bad', 'solved:']);

    const c = fakes.chatwoot;
    const contact = c.addContact({ name: 'Pia' });
    const w = await c.customerWrites(contact.id, 'Do you ship to Canada?');
    const ct = cwTicket(w.messageId);
    await one(ct, 'reply_sent');
    await c.resolve(w.conversationId);
    await fakes.settled();
    await c.csat(w.conversationId, 5);
    const cw = await eventually(async () => {
      const o = await events(ct, 'helpdesk_outcome');
      return o.length >= 2 ? o : undefined;
    });
    expect(cw.map((e) => (e.payload?.$case === 'helpdeskOutcome' ? `${e.payload.value.kind}:${e.payload.value.rating}` : '')).sort()).toEqual(['satisfaction:good', 'solved:']);
  });
});

describe('connectors — one message at a time per ticket, in order (issue 14)', () => {
  let tb: TestBus;
  let fakes: FakeHelpdesks;
  let connectors: RunningService;
  let dir: string;
  const handle: ConnectorsHandle = {};
  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'connord');
    fakes = await startFakeHelpdesks();
    dir = mkdtempSync(join(tmpdir(), 'handrail-connectors-'));
    const config = join(dir, 'connectors.yaml');
    writeFileSync(config, fakes.configYaml());
    let port = 0;
    handle.onListening = (p) => (port = p);
    // No pipeline: what the connector hands intake is read straight off the inbound stream.
    connectors = await startService(connectorsService({ NATS_URL: inject('natsUrl'), HANDRAIL_PREFIX: tb.topo.prefix, LOG_LEVEL: 'silent', HANDRAIL_CREDENTIALS_DIR: testCredentials(), CONNECTORS_CONFIG: config, CONNECTORS_HTTP_PORT: '0', CONNECTORS_HTTP_HOST: '127.0.0.1', ...fakes.secretEnv }, handle));
    fakes.connect(port);
  });
  afterAll(async () => {
    await connectors?.shutdown('test done');
    await fakes?.close();
    await tb?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ordering — each partition consumer lets one webhook out at a time across replicas, and a reconciled thread reaches intake oldest first', async () => {
    for (let p = 0; p < 2; p++) {
      const info = await tb.bus.jsm.consumers.info(tb.topo.streams.webhooks, `connectors-normalise-p${p}`);
      expect(info.config.max_ack_pending).toBe(1);
      expect(info.config.filter_subject).toBe(tb.topo.subjects.webhookPartition(p));
    }
    const z = fakes.zendesk;
    const user = z.addUser({ name: 'Quinn', email: 'quinn@example.com' });
    z.webhooks.dropNext(4);
    const created = await z.customerCreates(user.id, 'Several things', 'first: where is my parcel');
    const ids = [created.commentId];
    for (const text of ['second: it was a gift', 'third: the address is right', 'fourth: please hurry']) ids.push((await z.customerReplies(created.ticketId, text)).commentId);
    await handle.reconcile!();
    const inbound = await eventually(async () => {
      const msgs = await readStream(tb.bus, tb.topo.streams.inbound, tb.topo.subjects.inbound('zendesk'), { idleMs: 300 });
      return msgs.length >= 4 ? msgs : undefined;
    });
    const order = inbound.map((m) => (JSON.parse(new TextDecoder().decode(m.data)) as { externalId: string }).externalId);
    expect(order).toEqual(ids.map((id) => `${ZD}:${id}`));
  });
});
