import { AiAction, EventEnvelope, Priority, type Person, type Reason, type Route } from '@handrail/contracts';
import { actionName, areaLabel, PRIORITY, ROUTE } from '@handrail/events';

export interface TimelineStep {
  time: string;
  stage: string;
  event: string;
  revisions: { policy: string; model: string; kb: string };
  summary: string;
  rules: Array<{ code: string; rule: string; detail: string; evidence: string[] }>;
}

const priority = (p: Priority) => PRIORITY.name(p) ?? '';
/** "Sam Sato (supervisor)": a person as events name them, subject when there is no name. */
const personLabel = (p: Person | undefined, fallback: string) => {
  const name = p?.name || p?.subject || fallback || 'someone';
  return p?.roles.length ? `${name} (${p.roles.join(', ')})` : name;
};
const routeName = (r: Route) => ROUTE.name(r) ?? 'unknown';
const rules = (rs: readonly Reason[]) => rs.map((r) => ({ code: r.code, rule: r.rule, detail: r.detail, evidence: [...r.evidence] }));

/** One line of plain language per event, built from the events alone (no customer text). */
export function explainTimeline(events: readonly EventEnvelope[]): TimelineStep[] {
  return events.map((e) => {
    const base = {
      time: e.time,
      stage: e.producer?.service ?? '?',
      event: e.type,
      revisions: { policy: e.revisions?.policy ?? '', model: e.revisions?.model ?? '', kb: e.revisions?.kb ?? '' },
    };
    const p = e.payload;
    switch (p?.$case) {
      case 'received': {
        const t = p.value.ticket;
        return { ...base, summary: `received via ${t?.connector}/${t?.channel}; customer tier ${t?.customer?.tier}, value ${t?.customer?.accountValue}, ${t?.customer?.priorContacts} prior contacts`, rules: [] };
      }
      case 'classified': {
        const c = p.value.classification;
        const flags = c?.riskFlags.length ? `; risk detectors: ${c.riskFlags.join(', ')}` : '';
        return { ...base, summary: `area ${c ? areaLabel(c.area) : 'unknown'}, intent ${c?.intent}, confidence ${c?.confidence.toFixed(3)}, sentiment ${c?.sentiment.toFixed(2)}${c?.outOfScope ? ', out of scope' : ''}${flags}`, rules: [] };
      }
      case 'permitted': {
        const perm = p.value.permission;
        return { ...base, summary: `AI may: ${actionName(perm?.action ?? AiAction.AI_ACTION_NONE)} (threshold ${perm?.confidenceThreshold}, refund limit ${perm?.refundLimit})`, rules: rules(perm?.reasons ?? []) };
      }
      case 'draftRequested':
        return { ...base, summary: `draft requested; if it passes every check: ${p.value.plan ? routeName(p.value.plan.intendedRoute) : 'unknown'}`, rules: rules(p.value.plan?.reasons ?? []) };
      case 'drafted': {
        const d = p.value.draft;
        const r = p.value.relevance;
        // Whether the draft answers the message (issue 12): the figures that decided it.
        const figures = r ? `key terms ${(r.keyTermCoverage * 100).toFixed(0)}% (gate ${(r.keyTermThreshold * 100).toFixed(0)}%)${r.hasSemantic ? `, similarity ${r.semanticSimilarity.toFixed(3)} (gate ${r.semanticThreshold}, ${r.encoderVersion})` : ''}` : '';
        const answers = r ? (r.passed ? `; answers the message: ${figures}` : `; does NOT answer the message: ${figures}`) : '';
        return {
          ...base,
          summary: d
            ? `draft by ${d.drafter} (${d.templateId}) citing ${d.citations.map((c) => `${c.passageId}@${c.articleVersion}`).join(', ')}${answers}`
            : `no draft: nothing in the knowledge base grounds a reply (${p.value.kbFindings.join('; ') || 'no findings'})`,
          rules: r && !r.passed ? [{ code: 'no_answer', rule: 'drafting.relevance', detail: r.detail, evidence: [`intent=${r.intent}`, `article_intents=${r.articleIntents.join('|')}`, ...(r.uncoveredTerms.length ? [`uncovered=${r.uncoveredTerms.join('|')}`] : [])] }] : [],
        };
      }
      case 'draftChecked': {
        const failed = p.value.verdicts.filter((v) => !v.passed);
        return {
          ...base,
          summary: p.value.passed ? `draft passed ${p.value.verdicts.length} checks` : `draft failed: ${failed.map((v) => v.code).join(', ') || 'no draft'}`,
          rules: failed.map((v) => ({ code: v.code, rule: `guardrail.${v.check}`, detail: v.detail, evidence: [...v.evidence] })),
        };
      }
      case 'concluded': {
        const c = p.value;
        return { ...base, summary: `TERMINAL ${routeName(c.route)}${c.queue ? ` → queue ${c.queue}` : ''}${priority(c.priority) ? `, priority ${priority(c.priority)}` : ''}`, rules: rules(c.reasons) };
      }
      case 'qaSampled':
        return {
          ...base,
          summary: `sampled for QA review (${p.value.stage === 'human_edit' ? 'after a human edit, ' : ''}${p.value.sampleReason}, rate ${p.value.rate}, inclusion probability ${(p.value.inclusionProbability || p.value.rate).toFixed(3)}${p.value.factors.length > 1 ? `; ${p.value.factors.filter((f) => f !== 'base').join(', ')}` : ''})`,
          rules: [],
        };
      case 'handoff':
        return { ...base, summary: `handoff packet: ${p.value.packet?.summary ?? ''} Next step: ${p.value.packet?.suggestedNextStep ?? ''}`, rules: [] };
      case 'humanDecision': {
        const d = p.value;
        const who = personLabel(d.person, d.actor);
        const parts = [`${who} chose ${d.action}${d.note ? ` — "${d.note}"` : ''}`];
        if (d.edit && d.edit.changeRatio > 0) parts.push(`edited the draft (+${d.edit.wordsAdded}/−${d.edit.wordsRemoved} words, ${Math.round(d.edit.changeRatio * 100)}% changed)`);
        if (d.exceptions.length) parts.push(`approved exception: ${d.exceptions.join('; ')}`);
        if (d.finalText) parts.push(`reply cites ${d.citations.length} passage${d.citations.length === 1 ? '' : 's'}`);
        if (d.override) parts.push(`OVERRIDE of failed checks (${d.override.failed.join(', ')}) — reason: "${d.override.reason}"`);
        const failed = d.verdicts.filter((v) => !v.passed);
        return {
          ...base,
          stage: 'human',
          summary: parts.join('; '),
          rules: failed.map((v) => ({ code: v.code, rule: `guardrail.${v.check}`, detail: v.detail, evidence: [...v.evidence] })),
        };
      }
      case 'qaReview':
        return {
          ...base,
          stage: 'qa',
          summary: `QA review by ${personLabel(p.value.person, p.value.reviewer)}${p.value.blind ? ' (blind)' : ''}: ${p.value.passed ? 'pass' : `defects ${p.value.findings.length ? p.value.findings.map((f) => `${f.category} (${f.severity})`).join(', ') : p.value.defects.join(', ')}`}${p.value.calibrationSession ? ` [calibration ${p.value.calibrationSession}]` : ''}`,
          rules: [],
        };
      case 'claim':
        return {
          ...base,
          stage: 'human',
          summary: p.value.claimed
            ? `${personLabel(p.value.person, '')} claimed the ticket${p.value.previousOwner ? ` from ${p.value.previousOwnerName || p.value.previousOwner}` : ''}`
            : `${personLabel(p.value.person, '')} released the ticket${p.value.previousOwner && p.value.previousOwner !== p.value.person?.subject ? ` (claimed by ${p.value.previousOwnerName || p.value.previousOwner})` : ''}`,
          rules: [],
        };
      case 'replyBlocked':
        return {
          ...base,
          stage: 'human',
          summary: `${personLabel(p.value.person, '')}'s ${p.value.action} was NOT sent: ${p.value.failures.length} check${p.value.failures.length === 1 ? '' : 's'} failed (${[...new Set(p.value.failures.map((v) => v.code))].join(', ')})`,
          rules: p.value.failures.map((v) => ({ code: v.code, rule: `guardrail.${v.check}`, detail: v.detail, evidence: [...v.evidence] })),
        };
      case 'accessDenied':
        return { ...base, stage: 'human', summary: `REFUSED: ${personLabel(p.value.person, '')} tried ${p.value.action} without ${p.value.permission}${p.value.detail ? ` — ${p.value.detail}` : ''}`, rules: [] };
      case 'policyChanged':
        return { ...base, stage: 'policy', summary: `${personLabel(p.value.person, '')} ${p.value.action} revision ${p.value.rev} (active ${p.value.fromRev || '-'} → ${p.value.toRev || '-'})${p.value.note ? ` — "${p.value.note}"` : ''}`, rules: [] };
      case 'outboundReply':
        return { ...base, summary: `reply sent to ${p.value.connector} with ${p.value.citations.length} citations`, rules: [] };
      case 'replySent':
        return { ...base, summary: `${p.value.kind} delivered to ${p.value.connector} (${p.value.visibility}${p.value.assignedGroup ? `, assigned to group ${p.value.assignedGroup}` : ''}) as message ${p.value.providerMessageId} after ${p.value.attempts} attempt(s)`, rules: [] };
      case 'replyFailed':
        return { ...base, summary: `${p.value.kind} NOT delivered to ${p.value.connector}: ${p.value.reason}${p.value.detail ? ` — ${p.value.detail}` : ''}`, rules: [] };
      case 'helpdeskOutcome':
        return { ...base, stage: 'helpdesk', summary: `helpdesk says: ${p.value.kind}${p.value.rating ? ` (${p.value.rating}, score ${p.value.score})` : ''}`, rules: [] };
      case 'automationChanged': {
        const a = p.value;
        const est = a.estimate ? ` — estimated defect rate ${(a.estimate.rate * 100).toFixed(1)}% (lower bound ${(a.estimate.lower * 100).toFixed(1)}% > bound ${(a.estimate.bound * 100).toFixed(1)}%, ${a.estimate.samples} reviews)` : '';
        const what = a.action === 'pilot_stop' ? `pilot ${a.pilot} stopped itself` : `${a.action === 'demote' ? 'DEMOTED' : 'restored'} automation in ${areaLabel(a.area)}: AI may ${actionName(a.maxAction)} (was ${actionName(a.previousAction)})`;
        return { ...base, stage: a.person ? 'human' : 'qa', summary: `${what}${a.person ? ` by ${personLabel(a.person, '')}` : ''} — ${a.reason}${est}`, rules: a.detail ? [{ code: a.reason, rule: a.pilot ? `pilots.${a.pilot}` : `qa.circuit_breakers.${areaLabel(a.area)}`, detail: a.detail, evidence: [] }] : [] };
      }
      case 'qaAlert':
        return { ...base, stage: 'qa', summary: `ALERT ${p.value.kind}: ${p.value.detail}`, rules: [] };
      case 'qaSeeded':
        return { ...base, stage: 'qa', summary: `seeded known defect ${p.value.seedId} into the QA queue (${p.value.expectedDefects.join(', ')})`, rules: [] };
      case 'calibration':
        return { ...base, stage: 'qa', summary: `${personLabel(p.value.person, '')} ${p.value.action === 'open' ? 'opened' : 'closed'} calibration session ${p.value.sessionId}${p.value.outcome ? ` — outcome: "${p.value.outcome}"` : ''}`, rules: [] };
      case 'shadowDecided': {
        const c = p.value.concluded;
        return { ...base, stage: 'shadow', summary: `shadow (never acted on): candidate policy ${e.revisions?.policy ?? '?'} would route ${c ? routeName(c.route) : 'unknown'}${c?.queue ? ` to ${c.queue}` : ''}; production ran ${p.value.production?.policy || '?'}`, rules: rules(c?.reasons ?? []) };
      }
      case undefined:
        return { ...base, summary: 'event without payload', rules: [] };
    }
  });
}

export function renderTimeline(ticketId: string, steps: readonly TimelineStep[]): string {
  const out = [`ticket ${ticketId}`];
  for (const s of steps) {
    const rev = [s.revisions.policy && `policy ${s.revisions.policy}`, s.revisions.model && `model ${s.revisions.model}`, s.revisions.kb && `kb ${s.revisions.kb}`].filter(Boolean).join(', ');
    out.push(`${s.time}  ${s.stage.padEnd(11)} ${s.event.padEnd(15)} ${s.summary}${rev ? `  [${rev}]` : ''}`);
    for (const r of s.rules) out.push(`${' '.repeat(52)}• ${r.code} (${r.rule}): ${r.detail}${r.evidence.length ? ` — evidence: ${r.evidence.join(', ')}` : ''}`);
  }
  return out.join('\n');
}
