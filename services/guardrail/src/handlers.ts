import { Permission, Verdict, type ActionPermitted, type DraftProposed, type EventEnvelope, type TicketClassified } from '@handrail/contracts';
import { ack, type EventPublisher, type Outcome } from '@handrail/bus';
import { actionFromName, actionToName, areaToName, EnvelopeError, newEvent } from '@handrail/events';
import type { AreaName } from '@handrail/policy';
import type { ActivePolicy } from '@handrail/runtime';
import { checkDraftAll, injectionEvidence, permit, requestedAmount, type DraftCheckDeps, type RuleHit } from './domain/index.js';

export interface GuardrailDeps {
  publisher: EventPublisher;
  producer: { service: string; version: string; instance: string };
  policy: () => ActivePolicy;
  draftChecks: () => DraftCheckDeps;
}

const toReason = (r: RuleHit) => ({ code: r.code, rule: r.rule, detail: r.detail, evidence: [...r.evidence] });

/** The customer's own e-mail and phone, as found in their message: a draft may repeat these. */
function customerContacts(entities: ReadonlyArray<{ kind: string; value: string }>): { email?: string; phone?: string } {
  return { email: entities.find((e) => e.kind === 'email')?.value, phone: entities.find((e) => e.kind === 'phone')?.value };
}

export function createPermitHandler(d: GuardrailDeps): (env: EventEnvelope, p: TicketClassified) => Promise<Outcome> {
  return async (env, p) => {
    const { ticket, classification: c } = p;
    if (!ticket || !c) throw new EnvelopeError('classified event is incomplete');
    const { pack, revision } = d.policy();
    const result = permit({
      area: areaToName(c.area) as AreaName,
      intent: c.intent,
      riskFlags: c.riskFlags,
      tier: ticket.customer?.tier ?? 'standard',
      requestedRefund: requestedAmount(c.entities),
      injection: injectionEvidence(`${ticket.subject}\n${ticket.body}`),
      policy: pack,
    });
    const permission = Permission.fromPartial({
      action: actionFromName(result.action),
      reasons: result.reasons.map(toReason),
      confidenceThreshold: result.confidenceThreshold,
      refundLimit: result.refundLimit,
    });
    const value: ActionPermitted = { ticket, classification: c, permission };
    await d.publisher.publish(newEvent({ kind: 'permitted', value, ticketId: env.ticketId, producer: d.producer, cause: env, revisions: { policy: revision } }));
    return ack();
  };
}

export function createDraftCheckHandler(d: GuardrailDeps): (env: EventEnvelope, p: DraftProposed) => Promise<Outcome> {
  return async (env, p) => {
    const { ticket, classification: c, permission } = p;
    if (!ticket || !c || !permission) throw new EnvelopeError('drafted event is incomplete');
    const { pack, revision } = d.policy();
    const checks = d.draftChecks();
    const verdicts = p.draft
      ? checkDraftAll(
          {
            draft: p.draft,
            area: areaToName(c.area) as AreaName,
            action: actionToName(permission.action),
            refundLimit: permission.refundLimit,
            customer: customerContacts(c.entities),
            policy: pack,
          },
          checks,
        )
      : [];
    const passed = p.draft !== undefined && verdicts.every((v) => v.passed);
    await d.publisher.publish(
      newEvent({
        kind: 'draftChecked',
        value: {
          ticket,
          classification: c,
          permission,
          intendedRoute: p.intendedRoute,
          reasons: p.reasons,
          draft: p.draft,
          verdicts: verdicts.map((v) => Verdict.fromPartial(v)),
          passed,
        },
        ticketId: env.ticketId,
        producer: d.producer,
        cause: env,
        revisions: { policy: revision, kb: checks.kbRevision },
      }),
    );
    return ack();
  };
}
