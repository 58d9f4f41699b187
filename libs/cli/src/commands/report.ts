import { parseArgs } from 'node:util';
import { readStream } from '@handrail/bus';
// Until libs/cli declares @handrail/svc-console, the pure report code is reached by path.
import { applyEvent, emptyProjection, weeklyReport, type WeekReport } from '@handrail/projection';
import { withEvents } from '../bus.js';
import { printTable, UsageError } from '../io.js';

const HELP = `usage: handrail report weekly [--json] [--last N]
Weekly monitoring from the retained event stream, per ISO week of arrival: tickets, share per route,
escalation rate, QA sampled/reviewed, defects by type, tone issues, unresolved contacts (escalated or
awaiting approval with no human decision), top reason codes and reviewer calibration (pairwise
agreement and Cohen's kappa on pass/fail). --json prints one JSON line.`;

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
    halluc: String(w.defects.hallucination),
    tone: String(w.toneIssues.total),
    policy: String(w.defects.policy_misapplication),
    incomplete: String(w.defects.incomplete_resolution),
    unresolved: String(w.unresolved),
    'edit rate': w.edits.sent ? `${pct(w.edits.editRate)} of ${w.edits.sent}` : '-',
    overrides: String(w.edits.overrides),
    'agree/kappa': w.calibration.passFail.pairs ? `${num(w.calibration.passFail.agreement)}/${num(w.calibration.passFail.kappa)}` : '-',
    'top reasons': w.topReasons.slice(0, 3).map((r) => `${r.code} ${r.count}`).join(', '),
  }));
  const columns = ['week', 'tickets', 'auto', 'approval', 'escalated', 'qa s/r', 'halluc', 'tone', 'policy', 'incomplete', 'unresolved', 'edit rate', 'overrides', 'agree/kappa', 'top reasons'];
  const lines = [printTable(rows, columns)];
  // Edit rate by area and by agent, from the draft→sent diff each decision keeps (the latest week).
  const latest = weeks[weeks.length - 1];
  if (latest && latest.edits.sent > 0) {
    lines.push('', `edits in ${latest.week} — by area: ${Object.entries(latest.edits.byArea).map(([a, r]) => `${a} ${pct(r.editRate)} of ${r.sent}`).join(', ')}`);
    lines.push(`edits in ${latest.week} — by agent: ${latest.edits.byAgent.map((r) => `${r.name} ${pct(r.editRate)} of ${r.sent} (mean change ${pct(r.meanChange)})`).join(', ')}`);
  }
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, last: { type: 'string' }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals[0] !== 'weekly' || positionals.length > 1) throw new UsageError('the only report is "weekly": handrail report weekly [--json]');
  const last = values.last === undefined ? undefined : Number(values.last);
  if (last !== undefined && (!Number.isInteger(last) || last < 1)) throw new UsageError('--last must be a positive integer');
  const state = emptyProjection();
  let skipped = 0;
  await withEvents(async (bus, topo, read) => {
    for (const m of await readStream(bus, topo.streams.events, topo.subjects.allEvents(), { max: Number.MAX_SAFE_INTEGER })) {
      const e = await read(m);
      if (e) applyEvent(state, e);
      else skipped++;
    }
  });
  const weeks = weeklyReport(state.tickets.values()).slice(last === undefined ? 0 : -last);
  if (values.json) console.log(JSON.stringify({ weeks, skippedEvents: skipped }));
  else {
    console.log(renderWeekly(weeks));
    if (skipped) console.log(`(${skipped} undecodable events skipped)`);
  }
  return 0;
}
