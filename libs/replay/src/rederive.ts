import { EventEnvelope } from '@handrail/contracts';
import { decideTicket, decisionPayloads, type TicketDecision } from '@handrail/decisions';
import type { PayloadCase } from '@handrail/events';
import { canonicalJson } from '@handrail/policy';
import type { ResolvedKb, ResolvedPolicy, RevisionResolver } from './revisions.js';
import type { RecordedTicket } from './tickets.js';

/** The decision stages a re-derivation compares, in pipeline order (what `decideTicket` returns). */
export const DECISION_STAGES = ['classified', 'permitted', 'draftRequested', 'drafted', 'draftChecked', 'concluded', 'qaSampled', 'handoff'] as const satisfies readonly PayloadCase[];
export type DecisionStage = (typeof DECISION_STAGES)[number];

const decided = (d: TicketDecision, s: DecisionStage): unknown => decisionPayloads(d)[s];

/** A payload as the contract writes it (defaults omitted), so equal decisions compare equal however they were built. */
export function payloadJson(kind: PayloadCase, value: unknown): Record<string, unknown> {
  const json = EventEnvelope.toJSON(EventEnvelope.fromPartial({ payload: { $case: kind, value } as never })) as Record<string, unknown>;
  return (json[kind] as Record<string, unknown> | undefined) ?? {};
}

export interface Difference {
  stage: DecisionStage | 'model';
  /** The top-level field that differs, `(event)` when one side has no such event. */
  field: string;
  recorded: string;
  now: string;
}

export interface Rederivation {
  ticketId: string;
  status: 'same' | 'different' | 'unresolved';
  /** The revisions the recorded decision names (and the re-derivation used). */
  revisions: { policy: string[]; kb: string[]; model: string };
  sources: string[];
  differences: Difference[];
  /** Why it could not be re-derived (a revision no longer available, an unreadable event). */
  problems: string[];
}

const short = (v: unknown): string => {
  const s = v === undefined ? '(none)' : typeof v === 'string' ? v : canonicalJson(v);
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
};

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Paths (a.b.c) where two JSON values differ, down to plain values or arrays. */
function differingPaths(a: unknown, b: unknown, at: string, out: Array<{ path: string; a: unknown; b: unknown }>): void {
  if (canonicalJson(a) === canonicalJson(b)) return;
  if (isObject(a) && isObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) differingPaths(a[k], b[k], at ? `${at}.${k}` : k, out);
    return;
  }
  out.push({ path: at, a, b });
}

/** Compares one recorded stage payload with the one decided now, naming each field that differs. */
export function compareStage(stage: DecisionStage, recorded: unknown, now: unknown): Difference[] {
  if (recorded === undefined && now === undefined) return [];
  if (recorded === undefined || now === undefined) return [{ stage, field: '(event)', recorded: recorded === undefined ? '(none)' : 'present', now: now === undefined ? '(none)' : 'present' }];
  const paths: Array<{ path: string; a: unknown; b: unknown }> = [];
  differingPaths(payloadJson(stage, recorded), payloadJson(stage, now), '', paths);
  return paths.map((p) => ({ stage, field: p.path, recorded: short(p.a), now: short(p.b) }));
}

const revisionOf = (e: EventEnvelope, k: 'policy' | 'kb'): string => e.revisions?.[k] ?? '';

/**
 * Decides a recorded ticket again with `decideTicket` — the services' own code — under the exact
 * policy, model and KB revisions its events name, with the contact history it saw, and compares every
 * decision stage with what was recorded. A stage recorded under another revision than the rest (a
 * policy change mid-ticket) is compared with a run under its own revision.
 */
export async function rederiveTicket(rec: RecordedTicket, resolver: RevisionResolver): Promise<Rederivation> {
  const recorded = new Map<DecisionStage, EventEnvelope>();
  for (const e of rec.events) {
    const k = e.payload?.$case;
    if (k && (DECISION_STAGES as readonly string[]).includes(k) && !recorded.has(k as DecisionStage)) recorded.set(k as DecisionStage, e);
  }
  const model = recorded.get('classified')?.revisions?.model ?? '';
  const policyRevs = [...new Set([...recorded.values()].map((e) => revisionOf(e, 'policy')).filter(Boolean))];
  const kbRevs = [...new Set([...recorded.values()].map((e) => revisionOf(e, 'kb')).filter(Boolean))];
  const result: Rederivation = { ticketId: rec.ticketId, status: 'same', revisions: { policy: policyRevs, kb: kbRevs, model }, sources: [], differences: [], problems: [...rec.unreadable] };
  if (recorded.size === 0) result.problems.push('no decision recorded');
  if (model.startsWith('llm:')) result.problems.push(`model ${model}: an LLM classification cannot be re-run offline`);
  const policies = new Map<string, ResolvedPolicy>();
  for (const rev of policyRevs) {
    const p = await resolver.policy(rev);
    if (p) policies.set(rev, p);
    else result.problems.push(`policy revision ${rev} is neither in the policy store nor any --policy file`);
  }
  const kbs = new Map<string, ResolvedKb>();
  for (const rev of kbRevs) {
    const k = await resolver.kb(rev);
    if (k) kbs.set(rev, k);
    else result.problems.push(`KB revision ${rev} is neither a snapshot the bucket still holds nor any --kb directory`);
  }
  const fallbackKb = kbs.values().next().value ?? (await resolver.currentKb());
  if (!fallbackKb) result.problems.push('no KB to decide with (none published, no --kb directory)');
  if (result.problems.length > 0 || !fallbackKb) return { ...result, status: 'unresolved' };

  const runs = new Map<string, TicketDecision>();
  const runFor = async (policy: ResolvedPolicy, kb: ResolvedKb): Promise<TicketDecision> => {
    const key = `${policy.revision}/${kb.revision}`;
    let d = runs.get(key);
    if (!d) {
      d = await decideTicket({ ticket: rec.ticket, history: rec.history }, { policy, kb: { kb: kb.kb, revision: kb.revision }, classify: await resolver.classifier(policy), relevance: await resolver.relevance(), sampling: resolver.sampling });
      runs.set(key, d);
      result.sources.push(`policy ${policy.revision} (${policy.source}), KB ${kb.revision} (${kb.source})`);
    }
    return d;
  };
  const firstPolicy = policies.get(policyRevs[0] ?? '');
  if (!firstPolicy) return { ...result, status: 'unresolved', problems: ['no policy revision recorded'] };
  for (const stage of DECISION_STAGES) {
    const e = recorded.get(stage);
    const policy = (e && policies.get(revisionOf(e, 'policy'))) || firstPolicy;
    const kb = (e && kbs.get(revisionOf(e, 'kb'))) || fallbackKb;
    const d = await runFor(policy, kb);
    result.differences.push(...compareStage(stage, e?.payload?.value, decided(d, stage)));
    if (stage === 'classified' && e && d.revisions.model !== model) result.differences.push({ stage: 'model', field: 'revisions.model', recorded: model, now: d.revisions.model });
  }
  return { ...result, status: result.differences.length ? 'different' : 'same' };
}
