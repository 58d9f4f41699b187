import type { EventEnvelope, TicketConcluded } from '@handrail/contracts';
import { decodeJson, openBucket, type Bus } from '@handrail/bus';
import { trainPackModels } from '@handrail/classifier';
import { sharedEncoder, withStoredVectors } from '@handrail/encoder';
import { decideTicket, passageTexts, semanticScorer, type ContactRecord, type TicketDecision } from '@handrail/decisions';
import { ROUTE, type Topology } from '@handrail/events';
import { fromSnapshot, toSnapshot, type KbSnapshot, type KnowledgeBase } from '@handrail/kb';
import { loadPolicyFile, policyRevisionId, PolicyStore } from '@handrail/policy';
import { KB_SNAPSHOT_KEY } from '@handrail/runtime';
import { UsageError } from './io.js';
import { loadKb } from './commands/kb.js';
import { cliConfig } from './config.js';
import { trainingEncoder } from './offline.js';

export interface Rederived {
  decision: TicketDecision;
  sources: { policy: string; kb: string };
  recorded: TicketConcluded | undefined;
  same: boolean;
}

/**
 * A recorded ticket decided again, now, by `decideTicket` — with the policy and KB the services would
 * use now (the active revision and the published snapshot, else the given files) and the customer's
 * recorded contact history — and compared with what was concluded.
 */
export async function rederive(bus: Bus, topo: Topology, events: readonly EventEnvelope[], files: { policy?: string | undefined; kb?: string | undefined }): Promise<Rederived> {
  const received = events.find((e) => e.payload?.$case === 'received');
  const ticket = received?.payload?.$case === 'received' ? received.payload.value.ticket : undefined;
  if (!ticket) throw new UsageError('the ticket has no received event to decide from');
  const stored = await new PolicyStore(bus.nc, topo.buckets.policy).active();
  let policy: { pack: Awaited<ReturnType<typeof loadPolicyFile>>; revision: string; source: string };
  if (stored) policy = { pack: stored.pack, revision: stored.rev, source: `active revision ${stored.rev}` };
  else if (files.policy) {
    const pack = await loadPolicyFile(files.policy);
    policy = { pack, revision: policyRevisionId(pack), source: `pack file ${files.policy}` };
  } else throw new UsageError('no active policy revision: give --policy FILE (or POLICY_FILE) to re-derive with');
  const kbBucket = await openBucket(bus, topo.buckets.kb, { history: 10 });
  const snap = await kbBucket.get(KB_SNAPSHOT_KEY);
  let kb: KnowledgeBase;
  let kbSource: string;
  if (snap?.value.length) {
    kb = fromSnapshot(decodeJson<KbSnapshot>(snap.value));
    kbSource = `published snapshot ${kb.revision}`;
  } else if (files.kb) {
    kb = await loadKb(files.kb, new Date(ticket.receivedAt || Date.now()));
    kbSource = `directory ${files.kb}`;
  } else throw new UsageError('no published KB snapshot: give --kb DIR (or KB_DIR) to re-derive with');
  const contacts = await (await openBucket(bus, topo.buckets.contacts)).get(ticket.customerId);
  const history = contacts?.value.length ? decodeJson<ContactRecord[]>(contacts.value) : [];
  const encoder = await sharedEncoder();
  const models = await trainPackModels(policy.pack, trainingEncoder(policy.pack, encoder));
  const decision = await decideTicket(
    { ticket, history },
    { policy, kb: { kb, revision: toSnapshot(kb).revision }, classify: { classifier: models.classifier, semantic: models.semantic }, relevance: { semantic: semanticScorer(withStoredVectors(encoder, cliConfig().ENCODER_STORE_DIR, passageTexts(kb))) } },
  );
  const c = events.find((e) => e.payload?.$case === 'concluded');
  const recorded = c?.payload?.$case === 'concluded' ? c.payload.value : undefined;
  const same =
    recorded !== undefined &&
    recorded.route === decision.concluded.route &&
    recorded.queue === decision.concluded.queue &&
    JSON.stringify(recorded.reasons.map((r) => r.code)) === JSON.stringify(decision.concluded.reasons.map((r) => r.code));
  return { decision, sources: { policy: policy.source, kb: kbSource }, recorded, same };
}

export function renderRederived(r: Rederived): string {
  const route = (x: TicketConcluded | undefined) => (x ? `${ROUTE.name(x.route) ?? 'unknown'}${x.queue ? ` → ${x.queue}` : ''} [${x.reasons.map((y) => y.code).join(', ')}]` : 'not concluded');
  return [
    `re-derived now with decideTicket (${r.sources.policy}; ${r.sources.kb}; model ${r.decision.revisions.model}):`,
    `  now:      ${route(r.decision.concluded)}`,
    `  recorded: ${route(r.recorded)}`,
    `  ${r.same ? 'same decision' : 'DIFFERENT decision (policy, KB or model changed since, or the history was read later)'}`,
  ].join('\n');
}
