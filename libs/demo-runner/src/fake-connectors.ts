import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { InboundMessage } from '@handrail/contracts';
import { readStream, type Bus } from '@handrail/bus';
import { decodeEvent, ticketIdFor, type Topology } from '@handrail/events';
import { FAKE_IDS, startFakeHelpdesks, type FakeHelpdesks } from '@handrail/fake-helpdesks';

/** The demo's customers as helpdesk records: the tier the connector maps back from the plan field. */
const PLAN_OF_TIER: Record<string, string> = { vip: 'enterprise', plus: 'pro', standard: 'basic' };

export interface FakeConnectorDemo {
  fakes: FakeHelpdesks;
  /** Environment for the connectors service process. */
  env: Record<string, string>;
  /** Sends one demo ticket as a customer message through its helpdesk; answers our ticket id. */
  send(m: InboundMessage): Promise<{ ticketId: string; provider: 'zendesk' | 'chatwoot'; status: number }>;
  /** Sends the first webhook again, signed anew (a helpdesk's retry); answers the receiver's status and duplicate flag. */
  retryFirst(): Promise<string>;
  /** What the connector delivered, from its result events and from the fakes themselves. */
  deliveries(bus: Bus, topo: Topology, ticketIds: readonly string[]): Promise<DeliverySummary>;
  close(): Promise<void>;
}

export interface DeliverySummary {
  perTicket: Map<string, string[]>;
  events: { replies: number; notes: number; handoffs: number; failed: Record<string, number> };
  helpdesks: { zendesk: { publicReplies: number; internalNotes: number; groupAssigned: number }; chatwoot: { publicReplies: number; internalNotes: number; teamAssigned: number } };
}

/**
 * `make demo CONNECTORS=fake`: the demo tickets enter as customer messages in a local Zendesk and
 * a local Chatwoot (each demo customer always in the same one), reach Handrail as signed webhooks,
 * and replies, notes and handoffs go back through the helpdesks' APIs.
 */
export async function startFakeConnectorDemo(o: { outDir: string; port: number; customers: Record<string, { tier?: string; accountValue?: number }> }): Promise<FakeConnectorDemo> {
  const fakes = await startFakeHelpdesks();
  const config = path.join(o.outDir, 'connectors.yaml');
  fs.mkdirSync(o.outDir, { recursive: true });
  fs.writeFileSync(config, fakes.configYaml({ reconcileSeconds: 30, baseDelayMs: 200 }));
  fakes.connect(o.port);
  const zdUsers = new Map<string, number>();
  const cwContacts = new Map<string, number>();
  const providerOf = (customerId: string) => ((createHash('sha256').update(customerId).digest()[0] ?? 0) % 2 === 0 ? 'zendesk' : 'chatwoot');
  let first: { provider: 'zendesk' | 'chatwoot'; raw: string } | undefined;

  const zdUser = (customerId: string) => {
    let id = zdUsers.get(customerId);
    if (id === undefined) {
      const p = o.customers[customerId];
      const org = fakes.zendesk.addOrganization(`Org of ${customerId}`, { plan: PLAN_OF_TIER[p?.tier ?? 'standard'] ?? 'basic', annual_value: String(p?.accountValue ?? 0) });
      id = fakes.zendesk.addUser({ name: customerId, email: `${customerId}@example.com`, organization_id: org }).id;
      zdUsers.set(customerId, id);
    }
    return id;
  };
  const cwContact = (customerId: string) => {
    let id = cwContacts.get(customerId);
    if (id === undefined) {
      const p = o.customers[customerId];
      id = fakes.chatwoot.addContact({ name: customerId, email: `${customerId}@example.com`, custom_attributes: { plan: PLAN_OF_TIER[p?.tier ?? 'standard'] ?? 'basic', lifetime_value: String(p?.accountValue ?? 0) } }).id;
      cwContacts.set(customerId, id);
    }
    return id;
  };
  const zdChannel: Record<string, string> = { email: 'email', chat: 'chat', web: 'web', phone: 'voice', sms: 'sms', social: 'facebook', api: 'api' };
  const cwChannel: Record<string, string> = { email: 'Channel::Email', chat: 'Channel::WebWidget', web: 'Channel::WebWidget', sms: 'Channel::Sms', social: 'Channel::Whatsapp', api: 'Channel::Api' };

  return {
    fakes,
    env: { CONNECTORS_CONFIG: config, CONNECTORS_HTTP_PORT: String(o.port), CONNECTORS_HTTP_HOST: '127.0.0.1', ...fakes.secretEnv },
    async send(m) {
      const provider = providerOf(m.customerId);
      if (provider === 'zendesk') {
        const r = await fakes.zendesk.customerCreates(zdUser(m.customerId), m.subject || m.body.slice(0, 60), m.body, zdChannel[m.channel] ?? 'email');
        first ??= { provider, raw: fakes.zendesk.webhooks.sent.at(-1)?.delivery.raw ?? '' };
        return { ticketId: ticketIdFor('zendesk', `${FAKE_IDS.zendeskSubdomain}:${r.commentId}`), provider, status: r.result?.status ?? 0 };
      }
      // Each demo ticket is a new conversation in the bot's inbox (pending: the bot may answer).
      const r = await fakes.chatwoot.customerWrites(cwContact(m.customerId), m.body, undefined, cwChannel[m.channel] ?? 'Channel::WebWidget');
      first ??= { provider, raw: fakes.chatwoot.webhooks.sent.at(-1)?.delivery.raw ?? '' };
      return { ticketId: ticketIdFor('chatwoot', `${FAKE_IDS.chatwootAccountId}:${r.messageId}`), provider, status: r.result?.status ?? 0 };
    },
    async retryFirst() {
      if (!first) return 'nothing sent';
      const body = JSON.parse(first.raw) as unknown;
      const fake = first.provider === 'zendesk' ? fakes.zendesk : fakes.chatwoot;
      const d = first.provider === 'zendesk' ? fakes.zendesk.delivery(body) : fakes.chatwoot.delivery(body, { deliveryId: 'demo-retry' });
      const r = await fake.webhooks.replay(d);
      return `HTTP ${r.status} ${JSON.stringify(r.body)}`;
    },
    async deliveries(bus, topo, ticketIds) {
      await fakes.settled();
      const wanted = new Set(ticketIds);
      const perTicket = new Map<string, string[]>();
      const events = { replies: 0, notes: 0, handoffs: 0, failed: {} as Record<string, number> };
      for (const type of ['reply_sent', 'reply_failed'] as const) {
        for (const m of await readStream(bus, topo.streams.events, topo.subjects.eventsOfType(type), { idleMs: 300 })) {
          const e = decodeEvent(m.data);
          if (!wanted.has(e.ticketId)) continue;
          const p = e.payload;
          const label = p?.$case === 'replySent' ? p.value.kind : p?.$case === 'replyFailed' ? `${p.value.kind} not sent: ${p.value.reason}` : '?';
          perTicket.set(e.ticketId, [...(perTicket.get(e.ticketId) ?? []), label]);
          if (p?.$case === 'replySent') {
            if (p.value.kind === 'reply') events.replies++;
            else if (p.value.kind === 'handoff') events.handoffs++;
            else events.notes++;
          } else if (p?.$case === 'replyFailed') events.failed[p.value.reason] = (events.failed[p.value.reason] ?? 0) + 1;
        }
      }
      const z = fakes.zendesk;
      const c = fakes.chatwoot;
      const zdTickets = [...z.tickets.keys()];
      const cwConvs = [...c.conversations.keys()];
      return {
        perTicket,
        events,
        helpdesks: {
          zendesk: {
            publicReplies: zdTickets.reduce((n, t) => n + z.botReplies(t).length, 0),
            internalNotes: zdTickets.reduce((n, t) => n + z.botNotes(t).length, 0),
            groupAssigned: [...z.tickets.values()].filter((t) => t.group_id !== null).length,
          },
          chatwoot: {
            publicReplies: cwConvs.reduce((n, t) => n + c.botReplies(t).length, 0),
            internalNotes: cwConvs.reduce((n, t) => n + c.botNotes(t).length, 0),
            teamAssigned: [...c.conversations.values()].filter((x) => x.team !== null).length,
          },
        },
      };
    },
    close: () => fakes.close(),
  };
}
