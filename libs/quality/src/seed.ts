import { createHash } from 'node:crypto';
import { QaSeeded, Route } from '@handrail/contracts';
import { AREA } from '@handrail/events';
import { allowedAction, type PolicyPack } from '@handrail/policy';

/**
 * A known defect for the QA queue, chosen from the pack's seed library by the sample that triggered
 * it. Its ticket id is derived from that sample's, so a redelivery seeds the same item once, and it
 * looks like any other ticket id: reviewers cannot tell it apart.
 */
export function seedAfter(pack: PolicyPack, triggeringTicketId: string): QaSeeded | undefined {
  const seeds = pack.qa.seeding.seeds;
  if (seeds.length === 0) return undefined;
  const h = createHash('sha256').update(`seed:${triggeringTicketId}`).digest();
  const s = seeds[h.readUInt32BE(0) % seeds.length];
  if (!s) return undefined;
  return QaSeeded.fromPartial({
    ticketId: `t-${h.toString('hex').slice(8, 32)}`,
    seedId: s.id,
    area: AREA.value(s.area),
    intent: s.intent,
    // Where such a reply would sit: sent by AI where it may resolve, else awaiting a person's approval.
    route: allowedAction(pack, s.area) === 'resolve' ? Route.ROUTE_AUTO_RESOLVED : Route.ROUTE_AWAITING_APPROVAL,
    channel: s.channel,
    subject: s.subject,
    body: s.body,
    draftText: s.draft,
    expectedDefects: s.defects,
  });
}
