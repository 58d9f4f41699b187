import { activeOverrides, MIN_ACTING_THRESHOLD } from './rules.js';
import { policyRevisionId } from './revision.js';
import { AREAS, HUMAN_ONLY_AREAS, type PolicyPack } from './schema.js';
import type { AuditRecord } from './store.js';

/** Blocks both renderers understand, so the Markdown and HTML documents can never say different things. */
type Block =
  | { kind: 'h'; level: 1 | 2 | 3; text: string }
  | { kind: 'p'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; head: string[]; rows: string[][] };

export interface PolicyDocsOptions {
  /** The store's audit trail; the change log section says when there is none. */
  history?: readonly AuditRecord[];
  /** Revision id to print; defaults to the pack's content hash. */
  revision?: string;
  generatedAt?: Date;
}

export interface PolicyDocs {
  markdown: string;
  html: string;
}

const pct = (r: number) => `${Math.round(r * 1000) / 10}%`;

/** Trigger rows: code, what fires it, threshold from the pack, and why it exists. */
function escalationRows(pack: PolicyPack): string[][] {
  const e = pack.escalation;
  const prio = (code: string) => e.priorities[code] ?? 'normal';
  return [
    ['low_confidence', 'classifier confidence below the area threshold, or the message is out of scope', 'per area (table above)', prio('low_confidence'), 'AI must not act on a guess'],
    ['out_of_scope', 'the semantic model finds the message far from every trained example', 'gate calibrated on the training examples', prio('out_of_scope'), 'a message about something never taught gets a person, however confident a model is'],
    ['model_disagreement', 'the lexical and the semantic model name different areas', '-', prio('model_disagreement'), 'two models that read the message differently are a doubt a person resolves'],
    [
      'risk_keyword',
      `message contains a risk keyword (${Object.keys(e.risk_keywords).join(', ') || 'none configured'})`,
      Object.entries(e.risk_keywords)
        .map(([g, w]) => `${g}: ${w.length} terms`)
        .join('; ') || '-',
      prio('risk_keyword'),
      'safety, fraud, legal and privacy signals reach a human even when the classifier chose another area',
    ],
    ['negative_sentiment', 'sentiment at or below the threshold', `≤ ${e.negative_sentiment_threshold}`, prio('negative_sentiment'), 'an upset customer gets a person'],
    ['repeat_contact', 'same customer, same issue, repeated', `${e.repeat_contact.max_contacts}+ contacts in ${e.repeat_contact.window_hours} h`, prio('repeat_contact'), 'automation already failed this customer'],
    [
      'open_human_case',
      'the customer has a case with people (an area AI does not resolve) open',
      e.open_case ? `earlier contact within ${e.open_case.window_hours} h` : 'off',
      prio('open_human_case'),
      'follow-ups ("I forgot it", "cancel it on the 21st") belong with the people who own the case',
    ],
    [
      'high_value',
      'valuable or high-risk account',
      `account value ≥ ${e.high_value.account_value_at_least}${e.high_value.tiers.length ? ` or tier ${e.high_value.tiers.join(', ')}` : ''}`,
      prio('high_value'),
      'the cost of a wrong answer is high',
    ],
    ['refund_over_limit / policy_exception', 'requested refund above the tier limit', Object.entries(pack.refund_limits.by_tier).map(([t, v]) => `${t} ${v}`).join(', '), prio('policy_exception'), 'money beyond the limit needs human approval'],
    ['human_only_area', `area is ${HUMAN_ONLY_AREAS.join(', ')}`, '-', prio('human_only_area'), 'legal deadlines, harm or liability'],
    ['prompt_injection', 'the message tries to instruct the assistant', 'any match', prio('prompt_injection'), 'AI never acts alone on a manipulated input'],
    ['tone_violation / policy_violation / pii_leak', 'the draft fails a guardrail check', 'any match', `${prio('tone_violation')} / ${prio('policy_violation')} / ${prio('pii_leak')}`, 'a human fixes the draft before it is sent'],
    [
      'no_answer',
      'the draft is grounded but does not answer the message (intent, key terms or meaning of the cited passages)',
      e.no_answer === 'draft' ? 'a person approves the draft' : 'nothing sent; a person answers',
      prio('no_answer'),
      'a true sentence about something else is not an answer',
    ],
  ];
}

function blocks(pack: PolicyPack, o: PolicyDocsOptions): Block[] {
  const rev = o.revision ?? policyRevisionId(pack);
  const out: Block[] = [
    { kind: 'h', level: 1, text: `Handrail policy: ${pack.name}` },
    {
      kind: 'p',
      text: `Revision ${rev}. Generated from the policy pack${o.generatedAt ? ` on ${o.generatedAt.toISOString()}` : ''}; do not edit by hand. ${pack.description}`.trim(),
    },
    { kind: 'h', level: 2, text: 'Responsibility split' },
    {
      kind: 'p',
      text: 'What AI may do in each area: none (humans only), assist (AI prepares context for a human), draft (AI writes, a human approves), resolve (AI answers end to end after every guardrail passes).',
    },
    {
      kind: 'table',
      head: ['Area', 'AI may', 'Humans own', 'Risk', 'Required controls', 'Confidence threshold', 'Queue'],
      rows: AREAS.map((a) => {
        const p = pack.areas[a];
        return [a, p?.ai_action ?? 'none', (p?.human_responsibilities ?? []).join('; '), p?.risk ?? '-', (p?.required_controls ?? []).join('; '), p ? String(p.confidence_threshold) : '-', p?.queue ?? '-'];
      }),
    },
    { kind: 'h', level: 2, text: 'Refund limits' },
    {
      kind: 'table',
      head: ['Tier', `Largest refund AI may draft (${pack.refund_limits.currency})`],
      rows: Object.entries(pack.refund_limits.by_tier).map(([t, v]) => [t, String(v)]),
    },
    { kind: 'h', level: 2, text: 'Escalation rules and override logic' },
    {
      kind: 'list',
      items: [
        'Default deny: an area or intent the pack does not name, or a tier without a limit, gets no AI action (tiers fall back to `default`).',
        `Human-only areas: ${HUMAN_ONLY_AREAS.join(', ')}. A pack that lets AI draft or resolve there is refused unless an override below records who approved it and why.`,
        'Permission only ever goes down: each check can lower what AI may do, none can raise it.',
        'Every trigger that fires is recorded with its reason code; the ticket goes to the area queue at the highest priority that applies.',
        `Confidence thresholds below ${MIN_ACTING_THRESHOLD} are refused for areas where AI acts.`,
      ],
    },
    { kind: 'table', head: ['Reason code', 'Fires when', 'Threshold', 'Priority', 'Why'], rows: escalationRows(pack) },
    { kind: 'h', level: 3, text: 'Overrides of human-only areas' },
  ];
  const overrides = activeOverrides(pack);
  out.push(
    overrides.length === 0
      ? { kind: 'p', text: 'None: AI never drafts or resolves in a human-only area under this revision.' }
      : {
          kind: 'table',
          head: ['Area', 'AI may', 'Justification', 'Approved by', 'Ticket'],
          rows: overrides.map((ov) => [ov.area, ov.ai_action, ov.justification, ov.approved_by, ov.ticket]),
        },
  );
  out.push(
    { kind: 'h', level: 3, text: 'Risk keywords' },
    { kind: 'table', head: ['Group', 'Terms'], rows: Object.entries(pack.escalation.risk_keywords).map(([g, w]) => [g, w.join(', ')]) },
    { kind: 'h', level: 2, text: 'Content controls' },
    {
      kind: 'list',
      items: [
        `Approved sources: ${pack.approved_sources.join(', ') || 'none'}; every sentence of an AI answer must be supported by one of them.`,
        `Banned phrases: ${pack.tone.banned_phrases.join(', ') || 'none'}.`,
        `Overconfident phrases: ${pack.tone.overconfident_phrases.join(', ') || 'none'}.`,
        `Dismissive or robotic phrases: ${pack.tone.dismissive_patterns.join(', ') || 'none'}.`,
        'No contact details, card numbers or addresses other than the customer\'s own; no refund above the tier limit; no commitment an area does not allow.',
        ...pack.tone.brand_voice.map((v) => `Brand voice: ${v}`),
      ],
    },
    { kind: 'h', level: 2, text: 'QA sampling plan' },
    {
      kind: 'p',
      text: `Share of closed tickets a human reviews afterwards. Default ${pct(pack.sampling.default_rate)}; an area-and-route rate beats a per-area rate, which beats a per-route rate, which beats the default. Every sample records its inclusion probability, so defect rates are estimated without bias (each review weighted by 1/probability).`,
    },
    {
      kind: 'table',
      head: ['Applies to', 'Rate'],
      rows: [
        ['default', pct(pack.sampling.default_rate)],
        ...Object.entries(pack.sampling.by_route).map(([r, v]) => [`route ${r}`, pct(v ?? 0)]),
        ...Object.entries(pack.sampling.by_area).map(([a, v]) => [`area ${a}`, pct(v ?? 0)]),
        ...Object.entries(pack.sampling.by_area_route).flatMap(([a, rs]) => Object.entries(rs ?? {}).map(([r, v]) => [`area ${a}, route ${r}`, pct(v ?? 0)])),
        ...(pack.sampling.first_after_revision ? [[`the first ${pack.sampling.first_after_revision} decisions after a new policy, KB or model revision`, '100%']] : []),
        ...(pack.sampling.weekly_minimum_per_area ? [[`the first ${pack.sampling.weekly_minimum_per_area} decisions of each week in every area`, '100%']] : []),
        ...(pack.sampling.low_margin ? [[`confidence within ${pack.sampling.low_margin.within} of the area's threshold`, `rate × ${pack.sampling.low_margin.weight}`]] : []),
        ...(pack.sampling.human_edit_rate !== undefined ? [['a draft a person edited before sending', `at least ${pct(pack.sampling.human_edit_rate)}`]] : []),
      ],
    },
    { kind: 'h', level: 2, text: 'Circuit breakers and pilots' },
    {
      kind: 'p',
      text: 'When an area\'s estimated defect rate exceeds its bound with confidence (the one-sided lower confidence bound above it, after the minimum number of reviews), automation there is demoted — resolve to draft for approval, draft to a person — with an audit event and an alert; only a person holding automation.restore re-promotes it.',
    },
    {
      kind: 'table',
      head: ['Area', 'Defect rate bound', 'Confidence', 'Minimum reviews', 'Counted severities'],
      rows: AREAS.flatMap((a) => {
        const d = pack.qa.circuit_breakers.default;
        const own = pack.qa.circuit_breakers.by_area[a];
        const bound = own?.max_defect_rate ?? d?.max_defect_rate;
        if (bound === undefined) return [];
        return [[a, pct(bound), pct(own?.confidence ?? d?.confidence ?? 0.95), String(own?.min_reviews ?? d?.min_reviews ?? 10), (own?.severities ?? d?.severities ?? []).join(', ')]];
      }),
    },
    ...pack.pilots.map((p) => ({
      kind: 'p' as const,
      text: `Pilot ${p.name}: areas ${p.areas.join(', ')}, channels ${p.channels.join(', ') || 'all'}, ${pct(p.traffic_share)} of traffic (outside: ${p.outside_action}). Success: ${JSON.stringify(p.success)}. Stop: ${JSON.stringify(p.stop)}.`,
    })),
    { kind: 'h', level: 2, text: 'Who may do what' },
    {
      kind: 'p',
      text: 'Roles come from the access token (roles claim, and IdP groups mapped below); every action is checked on the server, and a refusal is recorded as an access_denied event.',
    },
    {
      kind: 'table',
      head: ['Role', 'Permissions'],
      rows: Object.entries(pack.access.roles).map(([r, ps]) => [r, ps.join(', ') || 'none']),
    },
    ...(Object.keys(pack.access.groups).length
      ? [{ kind: 'table' as const, head: ['IdP group', 'Roles'], rows: Object.entries(pack.access.groups).map(([g, rs]) => [g, rs.join(', ')]) }]
      : []),
    { kind: 'h', level: 2, text: 'Service levels' },
    {
      kind: 'table',
      head: ['Queue', 'First human action within'],
      rows: [...Object.entries(pack.sla.by_queue).map(([q, m]) => [q, minutes(m)]), ['any other queue', minutes(pack.sla.default_minutes)]],
    },
    { kind: 'h', level: 2, text: 'Policy change log' },
  );
  const history = o.history ?? [];
  out.push(
    history.length === 0
      ? { kind: 'p', text: 'No recorded changes (the pack was not read from the policy store).' }
      : {
          kind: 'table',
          head: ['When', 'Who', 'Action', 'Revision', 'Active before → after', 'Note'],
          rows: history.map((h) => [h.at, h.name ?? h.by, h.action, h.rev, `${h.from ?? '-'} → ${h.to ?? '-'}`, h.note]),
        },
  );
  return out;
}

function minutes(m: number): string {
  if (m % 1440 === 0) return `${m / 1440} d`;
  if (m % 60 === 0) return `${m / 60} h`;
  return `${m} min`;
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function toMarkdown(bs: readonly Block[]): string {
  return (
    bs
      .map((b) => {
        switch (b.kind) {
          case 'h':
            return `${'#'.repeat(b.level)} ${b.text}`;
          case 'p':
            return b.text;
          case 'list':
            return b.items.map((i) => `- ${i}`).join('\n');
          case 'table':
            return [`| ${b.head.map(mdCell).join(' | ')} |`, `|${b.head.map(() => ' --- ').join('|')}|`, ...b.rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`)].join('\n');
        }
      })
      .join('\n\n') + '\n'
  );
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const inline = (s: string) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');

function toHtml(bs: readonly Block[], title: string): string {
  const body = bs
    .map((b) => {
      switch (b.kind) {
        case 'h':
          return `<h${b.level}>${inline(b.text)}</h${b.level}>`;
        case 'p':
          return `<p>${inline(b.text)}</p>`;
        case 'list':
          return `<ul>\n${b.items.map((i) => `  <li>${inline(i)}</li>`).join('\n')}\n</ul>`;
        case 'table':
          return `<table>\n<thead><tr>${b.head.map((h) => `<th>${inline(h)}</th>`).join('')}</tr></thead>\n<tbody>\n${b.rows
            .map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`)
            .join('\n')}\n</tbody>\n</table>`;
      }
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;line-height:1.45}
table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.35rem .5rem;vertical-align:top;text-align:left}
th{background:#f3f3f3}
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** The vendor proof documents, generated from the pack and the store's audit trail, never hand-written. */
export function renderPolicyDocs(pack: PolicyPack, o: PolicyDocsOptions = {}): PolicyDocs {
  const bs = blocks(pack, o);
  return { markdown: toMarkdown(bs), html: toHtml(bs, `Handrail policy: ${pack.name}`) };
}
