import { Ticket, type Reason, type Verdict } from '@handrail/contracts';
import { trainingPhrases, trainPackModels, type ClassifierModels, type SentenceEncoder, type TrainedClassifier } from '@handrail/classifier';
import { sharedEncoder, withStoredVectors, type Encoder } from '@handrail/encoder';
import { decideTicket, semanticScorer, type SemanticScorer, type TicketDecision } from '@handrail/decisions';
import { actionName, AI_ACTION, areaLabel, ROUTE, type AiActionName, type RouteName } from '@handrail/events';
import type { KnowledgeBase } from '@handrail/kb';
import { loadPolicyFile, policyRevisionId, type PolicyPack } from '@handrail/policy';
import { cliConfig } from './config.js';

export interface OfflinePolicy {
  pack: PolicyPack;
  revision: string;
  classifier: TrainedClassifier;
  /** Both models, as the classifier service trains them (the semantic one unless `semantic: false`). */
  models: ClassifierModels;
  /** Semantic closeness for answer relevance, as the drafting service measures it (unless `semantic: false`). */
  answer?: SemanticScorer | undefined;
}

/** What the pack's models train with: `encoder`, reading the pack's example vectors from ENCODER_STORE_DIR when set. */
export function trainingEncoder(pack: PolicyPack, encoder: Encoder): SentenceEncoder {
  return withStoredVectors(encoder, cliConfig().ENCODER_STORE_DIR, trainingPhrases(pack));
}

export async function loadOfflinePolicy(file: string, o: { semantic?: boolean } = {}): Promise<OfflinePolicy> {
  const pack = await loadPolicyFile(file);
  const encoder = o.semantic === false ? undefined : await sharedEncoder();
  const models = await trainPackModels(pack, encoder ? trainingEncoder(pack, encoder) : undefined);
  return { pack, revision: policyRevisionId(pack), classifier: models.classifier, models, answer: encoder ? semanticScorer(encoder) : undefined };
}

export interface OfflineResult {
  decision: TicketDecision;
  area: string;
  intent: string;
  confidence: number;
  sentiment: number;
  riskFlags: string[];
  action: AiActionName;
  route: RouteName | 'unknown';
  reasons: Reason[];
  draft: { text: string; citations: Array<{ article: string; passage: string; version: string }> } | null;
  verdicts: Verdict[];
  kbFindings: string[];
}

/**
 * One message through `decideTicket` — the stages the services run, in process, without the bus:
 * classification, permission, escalation triggers, drafting, draft checks and the conclusion.
 */
export async function runOffline(text: string, p: OfflinePolicy, kb: KnowledgeBase, o: { tier?: string; now?: Date } = {}): Promise<OfflineResult> {
  const ticket = Ticket.fromPartial({
    ticketId: 't-offline',
    connector: 'cli',
    externalId: 'offline',
    customerId: 'c-offline',
    channel: 'api',
    body: text,
    receivedAt: (o.now ?? new Date()).toISOString(),
    customer: { customerId: 'c-offline', tier: o.tier ?? 'standard' },
  });
  const decision = await decideTicket({ ticket }, { policy: p, kb: { kb, revision: kb.revision }, classify: { classifier: p.classifier, semantic: p.models.semantic }, relevance: { semantic: p.answer } });
  const c = decision.classified.classification;
  const draft = decision.checked?.draft;
  return {
    decision,
    area: c ? areaLabel(c.area) : 'unknown',
    intent: c?.intent ?? '',
    confidence: c?.confidence ?? 0,
    sentiment: c?.sentiment ?? 0,
    riskFlags: c?.riskFlags ?? [],
    action: actionName(decision.permitted.permission?.action ?? AI_ACTION.value('none')),
    route: ROUTE.name(decision.concluded.route) ?? 'unknown',
    reasons: decision.concluded.reasons,
    draft: draft ? { text: draft.text, citations: draft.citations.map((x) => ({ article: x.articleId, passage: x.passageId, version: x.articleVersion })) } : null,
    verdicts: decision.checked?.verdicts ?? [],
    kbFindings: decision.drafted?.kbFindings ?? [],
  };
}
