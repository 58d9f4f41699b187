import { parseArgs } from 'node:util';
import { ERROR_CODES, HandrailError, UnavailableError, type ErrorCode } from '@handrail/errors';
import { AREA } from '@handrail/events';
import { readAccessToken } from '@handrail/identity';
import { BUILTIN_DEFECTS } from '@handrail/policy';
import { calibrationReport } from '@handrail/qa';
import { qaOverview } from '@handrail/quality';
import { cliConfig } from '../config.js';
import { printTable, UsageError } from '../io.js';
import { readLoop } from '../loop.js';

const HELP = `usage: handrail qa <status | backlog | calibration ID | restore AREA --note TEXT> [--json] [--policy FILE] [--token-file FILE]
  status          each area: what the pack grants, what AI may do now, the breaker's estimate and bound;
                  automation changes and alerts; reviewers' catch rates on seeded defects
  backlog         the improvement backlog: articles (passage and version), intents, templates and rules
                  behind reviewed defects, ranked by weighted count
  calibration ID  a calibration session: Fleiss' kappa and Krippendorff's alpha per category with
                  bootstrap intervals, and the items reviewers split on
  restore AREA    re-promote an area a circuit breaker demoted, through the console's API with your
                  access token (needs automation.restore; recorded with your identity)`;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const num = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, policy: { type: 'string' }, note: { type: 'string' }, 'token-file': { type: 'string' }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const [sub, arg] = positionals;
  if (sub === 'restore') {
    if (!arg || !AREA.parse(arg)) throw new UsageError(`restore needs an area: one of ${AREA.names.join(', ')}`);
    const note = (values.note ?? '').trim();
    if (note.length < 10) throw new UsageError('--note: say why automation may come back (at least 10 characters); it is recorded');
    const cfg = cliConfig();
    const { token } = readAccessToken({ tokenFile: values['token-file'], env: { HANDRAIL_TOKEN: cfg.HANDRAIL_TOKEN, HANDRAIL_TOKEN_FILE: cfg.HANDRAIL_TOKEN_FILE } });
    const base = cfg.CONSOLE_URL.replace(/\/+$/, '');
    let res: Response;
    try {
      res = await fetch(`${base}/api/automation/${arg}/restore`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ note }), signal: AbortSignal.timeout(15_000) });
    } catch (err) {
      throw new UnavailableError(`the console is not reachable at ${base} (CONSOLE_URL): ${(err as Error).message}`, err);
    }
    const data = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
    if (!res.ok) throw new HandrailError((ERROR_CODES as readonly string[]).includes(data.error ?? '') ? (data.error as ErrorCode) : 'internal', data.message ?? `HTTP ${res.status}`);
    console.log(values.json ? JSON.stringify(data) : `restored ${arg}: ${JSON.stringify(data)}`);
    return 0;
  }
  if (sub !== 'status' && sub !== 'backlog' && sub !== 'calibration') throw new UsageError('usage: handrail qa <status | backlog | calibration ID | restore AREA>');
  const { state, loop, pack } = await readLoop(values.policy);
  if (sub === 'calibration') {
    const session = arg ? state.calibrations.get(arg) : undefined;
    if (!session) throw new UsageError(`no calibration session ${JSON.stringify(arg ?? '')}; sessions: ${[...state.calibrations.keys()].join(', ') || 'none'}`);
    const items = session.ticketIds.map((id) => ({ ticketId: id, reviews: (state.tickets.get(id)?.reviews ?? []).filter((r) => r.session === session.sessionId) }));
    const r = calibrationReport(items, pack ? [...new Set([...BUILTIN_DEFECTS, ...pack.qa.defect_taxonomy.map((d) => d.category)])] : BUILTIN_DEFECTS);
    if (values.json) console.log(JSON.stringify({ session, agreement: r }));
    else {
      console.log(`${session.sessionId} "${session.title}": ${r.items} items with 2+ reviews by ${r.reviewers.join(', ')}${session.closedAt ? `; closed — outcome: ${session.outcome}` : '; open'}`);
      console.log(printTable(r.perCategory.map((c) => ({ category: c.category, items: String(c.items), 'fleiss kappa': `${num(c.fleissKappa)} ${c.kappaInterval ? `[${num(c.kappaInterval.lower)}, ${num(c.kappaInterval.upper)}]` : ''}`, 'krippendorff alpha': `${num(c.krippendorffAlpha)} ${c.alphaInterval ? `[${num(c.alphaInterval.lower)}, ${num(c.alphaInterval.upper)}]` : ''}`, unanimous: pct(c.unanimous) })), ['category', 'items', 'fleiss kappa', 'krippendorff alpha', 'unanimous']));
      for (const d of r.disagreements) console.log(`  ${d.ticketId} ${d.category}: yes ${d.yes.join(', ')} / no ${d.no.join(', ')}`);
    }
    return 0;
  }
  if (!pack) throw new UsageError('no active policy revision: pass --policy FILE (or set POLICY_FILE)');
  const o = qaOverview(state.tickets.values(), pack, loop);
  if (sub === 'backlog') {
    if (values.json) console.log(JSON.stringify({ backlog: o.backlog }));
    else console.log(o.backlog.length ? printTable(o.backlog.map((b) => ({ kind: b.kind, where: b.key, weighted: b.weight.toFixed(1), defects: String(b.defects), categories: Object.entries(b.categories).map(([k, n]) => `${k} ${n}`).join(', '), 'to do': b.action })), ['kind', 'where', 'weighted', 'defects', 'categories', 'to do']) : 'no reviewed defects yet');
    return 0;
  }
  if (values.json) {
    console.log(JSON.stringify({ ...o, changes: state.automation, alerts: state.alerts }));
    return 0;
  }
  console.log(printTable(o.areas.filter((a) => a.granted !== 'none' || a.demoted).map((a) => ({ area: a.area, grants: a.granted, now: a.current + (a.demoted ? ' (DEMOTED)' : ''), breaker: a.breaker?.reason ?? 'none' })), ['area', 'grants', 'now', 'breaker']));
  for (const c of state.automation) console.log(`${c.time} ${c.action} ${c.pilot ? `pilot ${c.pilot}` : c.area} → ${c.maxAction} by ${c.person?.name ?? 'circuit breaker'}: ${c.detail || c.reason}`);
  for (const a of state.alerts.slice(-10)) console.log(`ALERT ${a.time} ${a.kind}: ${a.detail}`);
  if (o.catchRates.length) console.log(printTable(o.catchRates.map((c) => ({ reviewer: c.name, seeded: String(c.seeded), caught: String(c.caught), 'catch rate': c.seeded ? pct(c.rate.rate) : '-', passed: pct(c.passRate) })), ['reviewer', 'seeded', 'caught', 'catch rate', 'passed']));
  return 0;
}
