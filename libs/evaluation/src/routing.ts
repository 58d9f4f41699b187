import { Ticket, type Classification, type Reason } from '@handrail/contracts';
import { planTicket } from '@handrail/decisions';
import { areaLabel, ROUTE, type RouteName } from '@handrail/events';
import type { PolicyPack } from '@handrail/policy';
import { acceptedLabels, type GoldMessage } from './loaders.js';

/** Anything that classifies a message the way the services' classifier does. */
export interface MessageClassifier {
  classify(text: string): Classification;
}

export interface RouteOutcome {
  /** `escalated` is final; the other two are where the ticket goes if its draft passes every check. */
  route: RouteName;
  reasons: Reason[];
}

/** The same pack with every area's confidence threshold replaced by `threshold`. */
export function withThreshold(policy: PolicyPack, threshold: number): PolicyPack {
  const areas = Object.fromEntries(Object.entries(policy.areas).map(([name, area]) => [name, { ...area, confidence_threshold: threshold }]));
  return { ...policy, areas: areas as PolicyPack['areas'] };
}

/** The same pack with the given areas' thresholds replaced and every other area at 1 (never automated on confidence). */
export function withAreaThresholds(policy: PolicyPack, thresholds: Readonly<Record<string, number>>): PolicyPack {
  const areas = Object.fromEntries(Object.entries(policy.areas).map(([name, area]) => [name, { ...area, confidence_threshold: thresholds[name] ?? 1 }]));
  return { ...policy, areas: areas as PolicyPack['areas'] };
}

/** The routing decision the guardrail and escalation services would make; evaluation runs no other decision code. */
export function decide(text: string, classification: Classification, policy: PolicyPack): RouteOutcome {
  const ticket = Ticket.fromPartial({ ticketId: 't-eval', customerId: 'c-eval', body: text });
  const { routed } = planTicket({ ticket }, classification, policy);
  if (routed.kind === 'concluded') return { route: 'escalated', reasons: routed.concluded.reasons };
  const plan = routed.request.plan;
  return { route: (plan && ROUTE.name(plan.intendedRoute)) ?? 'escalated', reasons: plan?.reasons ?? [] };
}

/** One test message after classification and routing. */
export interface RoutedMessage {
  gold: GoldMessage;
  /** The gold label had training examples, so intent accuracy can count it. */
  trained: boolean;
  /** The predicted intent is the gold label (or one of a multi-label row's labels). */
  intentCorrect: boolean;
  intent: string;
  area: string;
  confidence: number;
  outOfScope: boolean;
  /** Routed `auto_resolved` with every confidence threshold at 0: only the threshold can still stop it. */
  autoAtZero: boolean;
  /** Routed `auto_resolved` under the thresholds being evaluated. */
  automated: boolean;
  reasons: string[];
}

/**
 * Classifies and routes every message. `policy` carries the thresholds under evaluation; the extra
 * zero-threshold decision lets sweeps vary the threshold without re-running the classifier — exact,
 * because the threshold only enters decideOffline through `confidence < threshold`.
 */
export function routeAll(
  classifications: ReadonlyArray<{ gold: GoldMessage; classification: Classification }>,
  policy: PolicyPack,
  trainedLabels: ReadonlySet<string>,
): RoutedMessage[] {
  const zero = withThreshold(policy, 0);
  return classifications.map(({ gold, classification: c }) => {
    const atZero = decide(gold.text, c, zero);
    const real = decide(gold.text, c, policy);
    return {
      gold,
      trained: trainedLabels.has(gold.label),
      intentCorrect: acceptedLabels(gold).includes(c.intent),
      intent: c.intent,
      area: areaLabel(c.area),
      confidence: c.confidence,
      outOfScope: c.outOfScope,
      autoAtZero: atZero.route === 'auto_resolved',
      automated: real.route === 'auto_resolved',
      reasons: real.reasons.map((r) => r.code),
    };
  });
}

export function classifyAll(classifier: MessageClassifier, gold: readonly GoldMessage[], onProgress?: (done: number, total: number) => void): Array<{ gold: GoldMessage; classification: Classification }> {
  return gold.map((g, i) => {
    const classification = classifier.classify(g.text);
    if (onProgress && (i % 50 === 49 || i === gold.length - 1)) onProgress(i + 1, gold.length);
    return { gold: g, classification };
  });
}
