import { parseArgs } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { BUILTIN_DEFECTS, slaMinutesFor, type PolicyPack } from '@handrail/policy';
import { renderShadowText, renderWeeklyHtml, weeklyReport, type WeekReport } from '@handrail/projection';
import { qaOverview } from '@handrail/quality';
import { printTable, UsageError } from '../io.js';
import { readLoop } from '../loop.js';

const HELP = `usage: handrail report weekly [--week YYYY-Www] [--html FILE] [--json] [--last N] [--policy FILE]
Weekly monitoring from the retained event stream, per ISO week of arrival, week over week: the
estimated defect rate (each review weighted by 1/its inclusion probability) with 95% Wilson intervals,
by category and area; escalation rate and trigger mix; automation rate; tone issues; unresolved
(reopened in the helpdesk) and repeat contacts — tickets the helpdesk never reported on are unknown,
not unresolved; edit and override rates; SLA breaches; reviewers' catch rates on seeded defects;
reviewer agreement; with shadow mode on, a candidate's decisions against production's (tickets
compared, same, changed by route, area and reason, with examples). --week ends the report at that week; --html FILE writes a self-contained page
with SVG charts and the QA loop (areas, demotions, pilots, alerts, improvement backlog); --json prints
one JSON line. The pack (categories, SLAs, breakers) is the active revision, else --policy / POLICY_FILE.`;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const num = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));

/** One row per week; the columns a team lead reads on Monday. */
export function renderWeekly(weeks: readonly WeekReport[]): string {
  if (weeks.length === 0) return 'no tickets in the retained stream';
  const rows = weeks.map((w) => ({
    week: w.week,
    tickets: String(w.tickets),
    auto: pct(w.routes.auto_resolved.share),
    approval: pct(w.routes.awaiting_approval.share),
    escalated: pct(w.escalationRate),
    'qa s/r': `${w.qa.sampled}/${w.qa.reviewed}`,
    'defect rate (95% CI)': w.estimates.reviewedDecisions ? `${pct(w.estimates.overall.rate)} (${pct(w.estimates.overall.lower)}-${pct(w.estimates.overall.upper)}, n=${w.estimates.reviewedDecisions})` : '-',
    halluc: String(w.defects.hallucination),
    tone: String(w.toneIssues.total),
    policy: String(w.defects.policy_misapplication),
    incomplete: String(w.defects.incomplete_resolution),
    unresolved: `${w.outcomes.reopened}/${w.outcomes.known} (${w.outcomes.unknown} unknown)`,
    sla: `${w.sla.breached}/${w.sla.withSla}`,
    'edit rate': w.edits.sent ? `${pct(w.edits.editRate)} of ${w.edits.sent}` : '-',
    overrides: String(w.edits.overrides),
    'agree/kappa': w.calibration.passFail.pairs ? `${num(w.calibration.passFail.agreement)}/${num(w.calibration.passFail.kappa)}` : '-',
    'top reasons': w.topReasons.slice(0, 3).map((r) => `${r.code} ${r.count}`).join(', '),
  }));
  const columns = ['week', 'tickets', 'auto', 'approval', 'escalated', 'qa s/r', 'defect rate (95% CI)', 'halluc', 'tone', 'policy', 'incomplete', 'unresolved', 'sla', 'edit rate', 'overrides', 'agree/kappa', 'top reasons'];
  const lines = [printTable(rows, columns)];
  // Edit rate by area and by agent, from the draft→sent diff each decision keeps (the latest week).
  const latest = weeks[weeks.length - 1];
  if (latest && latest.edits.sent > 0) {
    lines.push('', `edits in ${latest.week} — by area: ${Object.entries(latest.edits.byArea).map(([a, r]) => `${a} ${pct(r.editRate)} of ${r.sent}`).join(', ')}`);
    lines.push(`edits in ${latest.week} — by agent: ${latest.edits.byAgent.map((r) => `${r.name} ${pct(r.editRate)} of ${r.sent} (mean change ${pct(r.meanChange)})`).join(', ')}`);
  }
  // Shadow mode (issue 15): a candidate's decisions against production's, the latest week.
  if (latest?.shadow.candidates.length) lines.push('', ...renderShadowText(latest.week, latest.shadow));
  return lines.join('\n');
}

const WEEK_RE = /^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      last: { type: 'string' },
      week: { type: 'string' },
      html: { type: 'string' },
      policy: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals[0] !== 'weekly' || positionals.length > 1) throw new UsageError('the only report is "weekly": handrail report weekly [--week YYYY-Www] [--html FILE] [--json]');
  const last = values.last === undefined ? undefined : Number(values.last);
  if (last !== undefined && (!Number.isInteger(last) || last < 1)) throw new UsageError('--last must be a positive integer');
  if (values.week !== undefined && !WEEK_RE.test(values.week)) throw new UsageError(`--week must be an ISO week like 2026-W49, got ${JSON.stringify(values.week)}`);
  if (values.html !== undefined && !values.html) throw new UsageError('--html needs a file name');
  const { state, loop, pack, skipped } = await readLoop(values.policy);
  const options = pack ? { slaMinutes: (q: string) => slaMinutesFor(pack.sla, q), categories: defectTaxonomyOf(pack) } : {};
  let weeks = weeklyReport(state.tickets.values(), options);
  if (values.week) {
    weeks = weeks.filter((w) => w.week <= (values.week ?? ''));
    if (weeks.at(-1)?.week !== values.week) throw new UsageError(`no tickets arrived in ${values.week} (weeks with tickets: ${weeklyReport(state.tickets.values()).map((w) => w.week).join(', ') || 'none'})`);
  }
  weeks = weeks.slice(last === undefined ? 0 : -last);
  if (values.html) {
    const html = renderWeeklyHtml({
      weeks,
      week: weeks.at(-1),
      title: `${pack?.name ?? 'Handrail'} weekly QA report`,
      generatedAt: new Date().toISOString(),
      loop: pack ? qaOverview(state.tickets.values(), pack, loop) : undefined,
      alerts: state.alerts,
      changes: state.automation,
    });
    await writeFile(values.html, html, 'utf8');
  }
  if (values.json) console.log(JSON.stringify({ weeks, skippedEvents: skipped }));
  else {
    console.log(renderWeekly(weeks));
    if (values.html) console.log(`\nwrote ${values.html} (self-contained HTML with SVG charts)`);
    if (skipped) console.log(`(${skipped} undecodable events skipped)`);
  }
  return 0;
}

/** The pack's defect categories: the four built in and its own. */
function defectTaxonomyOf(pack: PolicyPack): string[] {
  return [...new Set([...BUILTIN_DEFECTS, ...pack.qa.defect_taxonomy.map((d) => d.category)])];
}
