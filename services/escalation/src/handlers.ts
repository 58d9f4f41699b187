import { Route, TicketConcluded, type ActionPermitted, type DraftChecked, type EventEnvelope } from '@handrail/contracts';
import { ack, decodeJson, encodeJson, type EventPublisher, type KV, type Outcome } from '@handrail/bus';
import { HandrailError } from '@handrail/errors';
import { actionToName, areaToName, EnvelopeError, newEvent, routeToName, type Topology } from '@handrail/events';
import type { AreaName, PolicyPack } from '@handrail/policy';
import type { ActivePolicy } from '@handrail/runtime';
import { AREAS, queueFor, resolvableAreas } from '@handrail/policy';
import { appendContact, concludeAfterDraft, decideRoute, openHumanCases, priorityFor, repeatContacts, type ContactRecord } from './domain/index.js';
import { fromReason, PRIORITY, ROUTE, toReason } from './mapping.js';

export interface EscalationDeps {
  publisher: EventPublisher;
  topo: Topology;
  producer: { service: string; version: string; instance: string };
  contacts: KV;
  policy: () => ActivePolicy;
}

interface ContactLookup {
  repeatOf: string[];
  openCases: ContactRecord[];
}

/** Reads the customer's contact history and records this ticket, with optimistic concurrency. */
async function recordContact(kv: KV, customerId: string, current: ContactRecord, pack: PolicyPack): Promise<ContactLookup> {
  const windowHours = Math.max(pack.escalation.repeat_contact.window_hours, pack.escalation.open_case?.window_hours ?? 0);
  const resolvable = new Set<string>(resolvableAreas(pack));
  const humanAreas = new Set(AREAS.filter((a) => !resolvable.has(a)));
  for (let attempt = 0; attempt < 10; attempt++) {
    const entry = await kv.get(customerId);
    const history = entry?.value.length ? decodeJson<ContactRecord[]>(entry.value) : [];
    const repeats: ContactLookup = {
      repeatOf: repeatContacts(history, current, pack.escalation.repeat_contact.window_hours),
      openCases: pack.escalation.open_case ? openHumanCases(history, current, pack.escalation.open_case.window_hours, humanAreas) : [],
    };
    const next = appendContact(history, current, windowHours);
    if (next.length === history.length && history.some((h) => h.ticketId === current.ticketId)) return repeats;
    try {
      if (entry && entry.operation === 'PUT') await kv.update(customerId, encodeJson(next), entry.revision);
      else await kv.create(customerId, encodeJson(next));
      return repeats;
    } catch {
      // Another ticket of the same customer wrote first; read again.
    }
  }
  throw new HandrailError('unavailable', 'contact history kept changing; will retry');
}

export function createRouteHandler(d: EscalationDeps): (env: EventEnvelope, p: ActionPermitted) => Promise<Outcome> {
  return async (env, p) => {
    const { pack, revision } = d.policy();
    const ticket = p.ticket;
    const c = p.classification;
    const perm = p.permission;
    if (!ticket || !c || !perm) throw new EnvelopeError('permitted event is incomplete');
    const area = areaToName(c.area) as AreaName;
    const customer = ticket.customer;
    const { repeatOf, openCases } = await recordContact(
      d.contacts,
      ticket.customerId,
      { ticketId: ticket.ticketId, area, intent: c.intent, channel: ticket.channel, at: ticket.receivedAt },
      pack,
    );
    const decision = decideRoute(actionToName(perm.action), {
      area,
      confidence: c.confidence,
      confidenceThreshold: perm.confidenceThreshold,
      outOfScope: c.outOfScope,
      sentiment: c.sentiment,
      text: `${ticket.subject}\n${ticket.body}`,
      customer: { tier: customer?.tier ?? 'standard', accountValue: customer?.accountValue ?? 0, highRisk: customer?.highRisk ?? false },
      repeatOf,
      openCases,
      permissionReasons: perm.reasons.map(fromReason),
      policy: pack,
    });
    const withCustomer = { ...ticket, customer: customer ? { ...customer, repeatOf } : customer };
    const revisions = { policy: revision };
    if (decision.route === 'escalated') {
      await publishConclusion(d, env, revisions, {
        ticketId: ticket.ticketId,
        route: Route.ROUTE_ESCALATED,
        reasons: decision.reasons.map(toReason),
        area: c.area,
        intent: c.intent,
        confidence: c.confidence,
        queue: decision.queue,
        priority: PRIORITY[decision.priority],
        customerId: ticket.customerId,
        connector: ticket.connector,
        externalId: ticket.externalId,
        expectedArea: ticket.metadata['expected_area'] ?? '',
      });
      return ack();
    }
    await d.publisher.publish(
      newEvent({
        kind: 'draftRequested',
        value: { ticket: withCustomer, classification: c, permission: perm, intendedRoute: ROUTE[decision.route], reasons: decision.reasons.map(toReason) },
        ticketId: ticket.ticketId,
        producer: d.producer,
        cause: env,
        revisions,
      }),
    );
    return ack();
  };
}

async function publishConclusion(d: EscalationDeps, cause: EventEnvelope, revisions: { policy: string }, c: Partial<TicketConcluded>): Promise<void> {
  const value = TicketConcluded.fromPartial(c);
  await d.publisher.publish(newEvent({ kind: 'concluded', value, ticketId: value.ticketId, producer: d.producer, cause, revisions }));
}

export function createConcludeHandler(d: EscalationDeps): (env: EventEnvelope, p: DraftChecked) => Promise<Outcome> {
  return async (env, p) => {
    const { pack, revision } = d.policy();
    const ticket = p.ticket;
    const c = p.classification;
    if (!ticket || !c) throw new EnvelopeError('draft_checked event is incomplete');
    const area = areaToName(c.area) as AreaName;
    const intended = routeToName(p.intendedRoute) as 'auto_resolved' | 'awaiting_approval';
    const conclusion = concludeAfterDraft(intended, p.reasons.map(fromReason), {
      hasDraft: p.draft !== undefined && p.draft.text !== '',
      draftFailure: p.draft ? undefined : 'no_grounding',
      verdicts: p.verdicts,
    });
    const route = ROUTE[conclusion.route];
    const priority = conclusion.route === 'escalated' ? priorityFor(pack, area, conclusion.reasons) : 'low';
    await publishConclusion(d, env, { policy: revision }, {
      ticketId: ticket.ticketId,
      route,
      reasons: conclusion.reasons.map(toReason),
      area: c.area,
      intent: c.intent,
      confidence: c.confidence,
      queue: conclusion.route === 'auto_resolved' ? '' : queueFor(pack, area),
      priority: PRIORITY[priority],
      draft: p.draft,
      verdicts: p.verdicts,
      customerId: ticket.customerId,
      connector: ticket.connector,
      externalId: ticket.externalId,
      expectedArea: ticket.metadata['expected_area'] ?? '',
    });
    if (route === Route.ROUTE_AUTO_RESOLVED && p.draft) {
      // The reply's id is the ticket's: a redelivered conclusion can never send a second reply.
      const reply = newEvent({
        kind: 'outboundReply',
        value: { ticketId: ticket.ticketId, connector: ticket.connector, externalId: ticket.externalId, customerId: ticket.customerId, text: p.draft.text, citations: p.draft.citations },
        ticketId: ticket.ticketId,
        producer: d.producer,
        cause: env,
        revisions: { policy: revision },
      });
      await d.publisher.publish(reply, { subject: d.topo.subjects.outbound(ticket.connector) });
    }
    return ack();
  };
}
