import type { AddressInfo } from 'node:net';
import { Route, type EventEnvelope } from '@handrail/contracts';
import { ack, backoffMs, follow, readTicketTimeline, retry } from '@handrail/bus';
import { HandrailError } from '@handrail/errors';
import { CONSUMERS, decodeEvent, newEvent, payloadOf, ROUTE } from '@handrail/events';
import type { ServiceDefinition } from '@handrail/runtime';
import { consoleConfigSchema } from './config.js';
import { applyEvent, emptyProjection, explainTimeline, type TicketView } from '@handrail/projection';
import { planDecision, planReview, replyForDecision, type DecisionRequest, type ReviewRequest } from './domain/index.js';
import { createConsoleServer, type ConsoleBackend } from './http.js';

export const VERSION = '0.1.0';

/** Lets a test (or the launcher) learn the port when `CONSOLE_PORT=0`. */
export interface ConsoleHandle {
  onListening?: (port: number) => void;
}

export function consoleService(env?: Record<string, string | undefined>, handle: ConsoleHandle = {}): ServiceDefinition<typeof consoleConfigSchema> {
  return {
    name: 'console',
    version: VERSION,
    configSchema: consoleConfigSchema,
    env,
    async start(ctx) {
      const { bus, topo, publisher, producer, log } = ctx;
      const state = emptyProjection();
      // Outbound replies, kept whole so the ticket view's timeline can show the reply that went out.
      const replies = new Map<string, EventEnvelope>();
      const apply = (e: EventEnvelope) => {
        applyEvent(state, e);
        if (e.payload?.$case === 'outboundReply') replies.set(e.ticketId, e);
      };
      let ready = false;
      const followers = [
        await follow(bus, topo.streams.events, topo.subjects.allEvents(), apply, log),
        await follow(bus, topo.streams.outbound, topo.subjects.allOutbound(), apply, log),
      ];
      await Promise.all(followers.map((f) => f.caughtUp));
      log.info({ tickets: state.tickets.size }, 'projection rebuilt from the retained stream');
      ready = true;

      const revisionsOf = (t: TicketView) => t.revisions;
      /** From this replica's projection, or from the ticket's own events when the projection lags. */
      const ticketWithConclusion = async (id: string): Promise<TicketView | undefined> => {
        const known = state.tickets.get(id);
        if (known?.route) return known;
        const local = emptyProjection();
        for (const e of await readTicketTimeline(bus, topo, id)) applyEvent(local, e);
        const t = local.tickets.get(id);
        return t?.route ? t : undefined;
      };
      const backend: ConsoleBackend = {
        tickets: () => state.tickets.values(),
        ticket: (id) => state.tickets.get(id),
        ready: () => ready,
        async timeline(id) {
          const events = await readTicketTimeline(bus, topo, id);
          const reply = replies.get(id);
          if (reply) events.push(reply);
          return explainTimeline(events);
        },
        async decide(id: string, actor: string, req: DecisionRequest) {
          const t = state.tickets.get(id);
          const plan = planDecision(t, actor, req);
          if (!t) return undefined;
          const decision = newEvent({
            kind: 'humanDecision',
            value: { ...plan.decision, previousRoute: t.route ? ROUTE.value(t.route) : Route.ROUTE_UNSPECIFIED },
            ticketId: id,
            producer,
            correlationId: t.correlationId || undefined,
            revisions: revisionsOf(t),
          });
          // One decision per ticket, across replicas too: the id is the ticket's, so JetStream
          // reports a second one as a duplicate even before this replica has seen the first.
          const ack = await publisher.publish(decision);
          if (ack.duplicate) throw new HandrailError('already_exists', 'this ticket has already been decided');
          apply(decision);
          // The reply is sent by the decision consumer below, so a crash here cannot lose it.
          log.info({ ticketId: id, action: req.action, actor }, 'human decision recorded');
          return state.tickets.get(id);
        },
        async review(id: string, actor: string, req: ReviewRequest) {
          const t = state.tickets.get(id);
          const value = planReview(t, actor, req);
          if (!t) return undefined;
          const review = newEvent({
            kind: 'qaReview',
            value,
            ticketId: id,
            producer,
            correlationId: t.correlationId || undefined,
            revisions: revisionsOf(t),
            idSuffix: actor,
          });
          const ack = await publisher.publish(review);
          if (ack.duplicate) throw new HandrailError('already_exists', `${actor} has already reviewed this ticket`);
          apply(review);
          log.info({ ticketId: id, reviewer: actor, defects: value.defects }, 'QA review recorded');
          return state.tickets.get(id);
        },
      };

      // Sends the reply of each approve/edit decision. A durable consumer, so a decision recorded
      // just before a crash still gets its reply; the reply's id is the ticket's, so never two.
      await ctx.consume({
        stream: topo.streams.events,
        durable: CONSUMERS.console,
        filterSubject: topo.subjects.eventsOfType('human_decided'),
        decode: decodeEvent,
        attributes: (e) => ({ 'handrail.ticket_id': e.ticketId }),
        async handler(d) {
          const decision = payloadOf(d.value, 'humanDecision');
          const t = await ticketWithConclusion(decision.ticketId);
          if (!t) return retry(backoffMs(d.deliveryCount), 'ticket not concluded yet');
          const reply = replyForDecision(t, decision);
          if (!reply) return ack();
          const env = newEvent({
            kind: 'outboundReply',
            value: { ticketId: t.ticketId, connector: t.connector, externalId: t.externalId, customerId: t.customerId, text: reply.text, citations: reply.citations },
            ticketId: t.ticketId,
            producer,
            cause: d.value,
          });
          await publisher.publish(env, { subject: topo.subjects.outbound(t.connector), traceContext: d.traceContext });
          return ack();
        },
      });

      const server = createConsoleServer(backend, log);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(ctx.config.CONSOLE_PORT, ctx.config.CONSOLE_HOST, () => resolve());
      });
      const port = (server.address() as AddressInfo).port;
      handle.onListening?.(port);
      log.info({ port, host: ctx.config.CONSOLE_HOST }, 'console listening');
      return {
        closers: [
          async () => {
            ready = false;
            server.closeIdleConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
          },
          async () => {
            await Promise.all(followers.map((f) => f.stop()));
          },
        ],
      };
    },
  };
}
