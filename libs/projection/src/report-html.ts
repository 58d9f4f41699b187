import type { WeekReport } from './report.js';

/**
 * The weekly report as one self-contained HTML page: inline CSS, charts as inline SVG, no scripts,
 * no external requests. Each section is a function of the report context, one entry in WEEKLY_SECTIONS.
 */

export interface ReportContext {
  weeks: readonly WeekReport[];
  /** The week the page is about (the last of `weeks` by default). */
  week: WeekReport | undefined;
  title: string;
  generatedAt: string;
  /** The QA loop's state, when the caller has it (console, CLI): areas, pilots, backlog. */
  loop?: LoopSummary | undefined;
  alerts?: ReadonlyArray<{ kind: string; area: string; detail: string; time: string }> | undefined;
  changes?: ReadonlyArray<{ action: string; area: string; pilot: string; maxAction: string; reason: string; detail: string; time: string; person: { name: string } | undefined }> | undefined;
}

/** What the page shows of the QA loop (a structural subset of @handrail/quality's overview). */
export interface LoopSummary {
  areas: ReadonlyArray<{ area: string; granted: string; current: string; demoted: { reason: string; since: string } | undefined; breaker: { reason: string; trip: boolean } | undefined }>;
  pilots: ReadonlyArray<{ name: string; stopped: unknown; result: { verdict: string; tickets: number; reviews: number; reasons: readonly string[] } }>;
  backlog: ReadonlyArray<{ kind: string; key: string; weight: number; defects: number; categories: Record<string, number>; action: string }>;
}

export type ReportSection = (ctx: ReportContext) => string;

const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
const pct = (x: number, d = 1) => `${(x * 100).toFixed(d)}%`;
const ci = (e: { lower: number; upper: number }) => `${pct(e.lower)}–${pct(e.upper)}`;

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#65a30d', '#be185d'];

interface Point {
  y: number;
  lo?: number | undefined;
  hi?: number | undefined;
}

/** A line chart over weeks with optional confidence bands; values are shares (0..1). */
export function lineChartSvg(labels: readonly string[], series: ReadonlyArray<{ name: string; points: ReadonlyArray<Point | null> }>, o: { title: string; height?: number } = { title: '' }): string {
  const W = 640;
  const H = o.height ?? 240;
  const m = { l: 48, r: 150, t: 28, b: 36 };
  const iw = W - m.l - m.r;
  const ih = H - m.t - m.b;
  const all = series.flatMap((s) => s.points.flatMap((p) => (p ? [p.hi ?? p.y, p.y] : [])));
  const yMax = Math.min(1, Math.max(0.05, ...all) * 1.1);
  const x = (i: number) => m.l + (labels.length <= 1 ? iw / 2 : (i * iw) / (labels.length - 1));
  const y = (v: number) => m.t + ih - (v / yMax) * ih;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(o.title)}">`];
  parts.push(`<text x="${m.l}" y="16" font-size="13" font-weight="600">${esc(o.title)}</text>`);
  for (let k = 0; k <= 4; k++) {
    const v = (yMax * k) / 4;
    parts.push(`<line x1="${m.l}" x2="${m.l + iw}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e7eb"/><text x="${m.l - 6}" y="${(y(v) + 4).toFixed(1)}" font-size="10" text-anchor="end">${pct(v, 0)}</text>`);
  }
  labels.forEach((l, i) => parts.push(`<text x="${x(i).toFixed(1)}" y="${H - 14}" font-size="10" text-anchor="middle">${esc(l)}</text>`));
  series.forEach((s, si) => {
    const color = PALETTE[si % PALETTE.length] ?? '#000';
    const pts = s.points.map((p, i) => (p ? { i, ...p } : null)).filter((p): p is { i: number } & Point => p !== null);
    const band = pts.filter((p) => p.lo !== undefined && p.hi !== undefined);
    if (band.length >= 2) {
      const upper = band.map((p) => `${x(p.i).toFixed(1)},${y(p.hi ?? p.y).toFixed(1)}`);
      const lower = [...band].reverse().map((p) => `${x(p.i).toFixed(1)},${y(p.lo ?? p.y).toFixed(1)}`);
      parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${color}" fill-opacity="0.12" stroke="none"/>`);
    }
    for (const p of band) parts.push(`<line x1="${x(p.i).toFixed(1)}" x2="${x(p.i).toFixed(1)}" y1="${y(p.lo ?? p.y).toFixed(1)}" y2="${y(p.hi ?? p.y).toFixed(1)}" stroke="${color}" stroke-opacity="0.5"/>`);
    if (pts.length >= 2) parts.push(`<polyline points="${pts.map((p) => `${x(p.i).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const p of pts) parts.push(`<circle cx="${x(p.i).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(s.name)} ${esc(labels[p.i] ?? '')}: ${pct(p.y)}${p.lo !== undefined && p.hi !== undefined ? ` (${pct(p.lo)}–${pct(p.hi)})` : ''}</title></circle>`);
    parts.push(`<rect x="${W - m.r + 12}" y="${m.t + si * 18}" width="10" height="10" fill="${color}"/><text x="${W - m.r + 28}" y="${m.t + si * 18 + 9}" font-size="11">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Horizontal bars with interval whiskers; values are shares (0..1). */
export function barChartSvg(bars: ReadonlyArray<{ label: string; value: number; lo?: number | undefined; hi?: number | undefined; note?: string | undefined }>, o: { title: string; color?: string; bound?: number | undefined }): string {
  const W = 660;
  const row = 22;
  const m = { l: 150, r: 170, t: 28, b: 20 };
  const H = m.t + m.b + Math.max(1, bars.length) * row;
  const iw = W - m.l - m.r;
  const xMax = Math.min(1, Math.max(0.05, o.bound ?? 0, ...bars.map((b) => b.hi ?? b.value)) * 1.1);
  const x = (v: number) => m.l + (v / xMax) * iw;
  const color = o.color ?? PALETTE[0] ?? '#2563eb';
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(o.title)}">`, `<text x="8" y="16" font-size="13" font-weight="600">${esc(o.title)}</text>`];
  if (bars.length === 0) parts.push(`<text x="${m.l}" y="${m.t + 14}" font-size="11" fill="#6b7280">no data</text>`);
  bars.forEach((b, i) => {
    const yy = m.t + i * row;
    parts.push(`<text x="${m.l - 8}" y="${yy + 14}" font-size="11" text-anchor="end">${esc(b.label)}</text>`);
    parts.push(`<rect x="${m.l}" y="${yy + 3}" width="${Math.max(0, x(b.value) - m.l).toFixed(1)}" height="${row - 8}" fill="${color}" fill-opacity="0.75"><title>${esc(b.label)}: ${pct(b.value)}</title></rect>`);
    if (b.lo !== undefined && b.hi !== undefined) {
      const cy = yy + row / 2 - 1;
      parts.push(`<line x1="${x(b.lo).toFixed(1)}" x2="${x(b.hi).toFixed(1)}" y1="${cy}" y2="${cy}" stroke="#111827"/><line x1="${x(b.lo).toFixed(1)}" x2="${x(b.lo).toFixed(1)}" y1="${cy - 4}" y2="${cy + 4}" stroke="#111827"/><line x1="${x(b.hi).toFixed(1)}" x2="${x(b.hi).toFixed(1)}" y1="${cy - 4}" y2="${cy + 4}" stroke="#111827"/>`);
    }
    parts.push(`<text x="${W - m.r + 8}" y="${yy + 14}" font-size="11">${pct(b.value)}${b.lo !== undefined && b.hi !== undefined ? ` [${pct(b.lo, 0)}–${pct(b.hi, 0)}]` : ''}${b.note ? ` ${esc(b.note)}` : ''}</text>`);
  });
  if (o.bound !== undefined) parts.push(`<line x1="${x(o.bound).toFixed(1)}" x2="${x(o.bound).toFixed(1)}" y1="${m.t - 4}" y2="${H - m.b + 4}" stroke="#dc2626" stroke-dasharray="4 3"/><text x="${x(o.bound).toFixed(1)}" y="${H - 4}" font-size="10" fill="#dc2626" text-anchor="middle">bound ${pct(o.bound, 0)}</text>`);
  parts.push('</svg>');
  return parts.join('');
}

const table = (head: readonly string[], rows: ReadonlyArray<readonly unknown[]>) =>
  `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.length ? rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('') : `<tr><td colspan="${head.length}" class="muted">none</td></tr>`}</tbody></table>`;

const card = (label: string, value: string, sub: string) => `<div class="card"><div class="label">${esc(label)}</div><div class="value">${esc(value)}</div><div class="sub">${esc(sub)}</div></div>`;

const delta = (now: number | undefined, before: number | undefined) => (now === undefined || before === undefined ? '' : `${now >= before ? '▲' : '▼'} ${Math.abs((now - before) * 100).toFixed(1)} pts vs last week`);

export const headerSection: ReportSection = (c) => {
  const w = c.week;
  const prev = c.weeks[c.weeks.indexOf(w as WeekReport) - 1];
  if (!w) return `<h1>${esc(c.title)}</h1><p class="muted">no tickets in the retained stream</p>`;
  return `<h1>${esc(c.title)} — ${esc(w.week)}</h1><p class="muted">generated ${esc(c.generatedAt)} from the event stream · ${w.tickets} tickets, ${w.qa.sampled} sampled, ${w.estimates.reviewedDecisions} reviewed decisions in the estimates, ${w.seeded} seeded known defects (kept out of every figure but the catch rates)</p>
<div class="cards">
${card('estimated defect rate', pct(w.estimates.overall.rate), `95% CI ${ci(w.estimates.overall)} · ${delta(w.estimates.overall.rate, prev?.estimates.overall.rate)}`)}
${card('escalation rate', pct(w.escalation.rate.rate), `CI ${ci(w.escalation.rate)} · ${delta(w.escalation.rate.rate, prev?.escalation.rate.rate)}`)}
${card('automation rate', pct(w.automation.rate.rate), `resolved by AI alone · ${delta(w.automation.rate.rate, prev?.automation.rate.rate)}`)}
${card('unresolved', w.outcomes.unresolvedRate ? pct(w.outcomes.unresolvedRate.rate) : 'unknown', `${w.outcomes.reopened} reopened of ${w.outcomes.known} known · ${w.outcomes.unknown} unknown`)}
${card('edit rate', pct(w.human.editRate.rate), `${w.human.sent} drafts sent by people · overrides ${pct(w.human.overrideRate.rate)}`)}
${card('SLA breaches', String(w.sla.breached), `of ${w.sla.withSla} waiting for a person (${pct(w.sla.rate.rate)})`)}
</div>`;
};

export const defectTrendSection: ReportSection = (c) => {
  const labels = c.weeks.map((w) => w.week);
  const cats = Object.keys(c.week?.estimates.byCategory ?? {});
  const overall = { name: 'any defect', points: c.weeks.map((w) => (w.estimates.reviewedDecisions ? { y: w.estimates.overall.rate, lo: w.estimates.overall.lower, hi: w.estimates.overall.upper } : null)) };
  const byCat = cats.map((k) => ({ name: k, points: c.weeks.map((w) => (w.estimates.reviewedDecisions && w.estimates.byCategory[k] ? { y: w.estimates.byCategory[k].rate } : null)) }));
  return `<section><h2>Estimated defect rate, week over week</h2><p class="muted">Each reviewed decision weighted by 1/its inclusion probability (Hájek form of Horvitz–Thompson); band: Wilson 95% interval at Kish's effective sample size. Stratified estimate this week: ${c.week ? `${pct(c.week.estimates.stratified.rate)} (${ci(c.week.estimates.stratified)})${c.week.estimates.stratified.unsampledShare > 0 ? `, ${pct(c.week.estimates.stratified.unsampledShare)} of decisions in strata without a review` : ''}` : '-'}.</p>${lineChartSvg(labels, [overall, ...byCat], { title: 'defect rate by category' })}</section>`;
};

export const defectByAreaSection: ReportSection = (c) => {
  const w = c.week;
  if (!w) return '';
  const areas = Object.entries(w.estimates.byArea).filter(([, e]) => e.samples > 0);
  const cats = Object.entries(w.estimates.byCategory);
  return `<section><h2>Defects by area and category (${esc(w.week)})</h2>
${barChartSvg(areas.map(([a, e]) => ({ label: a, value: e.rate, lo: e.lower, hi: e.upper, note: `n=${e.samples}` })), { title: 'estimated defect rate by area, 95% CI' })}
${barChartSvg(cats.map(([k, e]) => ({ label: k, value: e.rate, lo: e.lower, hi: e.upper })), { title: 'estimated defect rate by category, 95% CI', color: PALETTE[1] })}
<p class="muted">Tone: ${w.toneIssues.toneViolations} drafts stopped by the tone check, ${w.toneIssues.toneMismatchReviews} reviews found a tone mismatch against the brand voice.</p></section>`;
};

export const escalationSection: ReportSection = (c) => {
  const labels = c.weeks.map((w) => w.week);
  const w = c.week;
  return `<section><h2>Escalation and automation</h2>
${lineChartSvg(labels, [
    { name: 'escalation rate', points: c.weeks.map((x) => (x.concluded ? { y: x.escalation.rate.rate, lo: x.escalation.rate.lower, hi: x.escalation.rate.upper } : null)) },
    { name: 'automation rate', points: c.weeks.map((x) => (x.concluded ? { y: x.automation.rate.rate, lo: x.automation.rate.lower, hi: x.automation.rate.upper } : null)) },
    { name: 'edit rate', points: c.weeks.map((x) => (x.human.sent ? { y: x.human.editRate.rate } : null)) },
    { name: 'override rate', points: c.weeks.map((x) => (x.human.overrideRate.n ? { y: x.human.overrideRate.rate } : null)) },
  ], { title: 'week over week' })}
${w ? barChartSvg(w.escalation.triggers.slice(0, 10).map((t) => ({ label: t.code, value: t.share, note: `(${t.count})` })), { title: `trigger mix of ${w.routes.escalated.count} escalations (${w.week})`, color: PALETTE[4] }) : ''}
${w ? barChartSvg(Object.entries(w.automation.byArea).map(([a, r]) => ({ label: a, value: r.rate.rate, lo: r.rate.lower, hi: r.rate.upper, note: `${r.automated}/${r.decisions}` })), { title: 'share resolved by AI alone, by area', color: PALETTE[2] }) : ''}
</section>`;
};

export const outcomesSection: ReportSection = (c) =>
  `<section><h2>Outcomes, people and service levels</h2>${table(
    ['week', 'outcome known', 'unknown', 'reopened (unresolved)', 'repeat contacts', 'open, no decision', 'drafts sent', 'edit rate', 'overrides', 'median review time', 'SLA breaches'],
    c.weeks.map((w) => [
      w.week,
      w.outcomes.known,
      w.outcomes.unknown,
      w.outcomes.unresolvedRate ? `${w.outcomes.reopened} (${pct(w.outcomes.unresolvedRate.rate)}, ${ci(w.outcomes.unresolvedRate)})` : 'unknown',
      w.outcomes.repeatContacts,
      w.outcomes.openWithoutDecision,
      w.human.sent,
      w.human.sent ? pct(w.human.editRate.rate) : '-',
      `${w.edits.overrides} (${pct(w.human.overrideRate.rate)})`,
      w.human.timed ? `${(w.human.medianReviewMs / 1000).toFixed(1)} s` : '-',
      `${w.sla.breached} of ${w.sla.withSla}`,
    ]),
  )}<p class="muted">Unresolved counts only what the helpdesk reported (reopened); tickets it never reported on are unknown, not unresolved.</p></section>`;

export const reviewersSection: ReportSection = (c) => {
  const w = c.week;
  if (!w) return '';
  return `<section><h2>Reviewers</h2>${table(
    ['reviewer', 'seeded seen', 'caught', 'catch rate (95% CI)', 'real reviews', 'passed'],
    w.reviewers.map((r) => [r.name, r.seeded, r.caught, r.seeded ? `${pct(r.rate.rate, 0)} (${ci(r.rate)})` : '-', r.reviews, r.reviews ? pct(r.passRate, 0) : '-']),
  )}<p class="muted">Pairwise agreement on pass/fail: ${w.calibration.passFail.pairs ? `${pct(w.calibration.passFail.agreement ?? 0, 0)}, Cohen's kappa ${w.calibration.passFail.kappa?.toFixed(2) ?? 'n/a'}` : 'no ticket with two reviews'}; calibration sessions report Fleiss' kappa and Krippendorff's alpha per category.</p></section>`;
};

export const loopSection: ReportSection = (c) => {
  const l = c.loop;
  const alerts = c.alerts ?? [];
  const changes = c.changes ?? [];
  if (!l && !alerts.length && !changes.length) return '';
  return `<section><h2>The QA loop</h2>
${l ? table(['area', 'pack grants', 'AI may now', 'breaker'], l.areas.filter((a) => a.granted !== 'none' || a.demoted).map((a) => [a.area, a.granted, a.demoted ? `${a.current} (demoted ${a.demoted.since.slice(0, 16)})` : a.current, a.breaker?.reason ?? 'no breaker'])) : ''}
${changes.length ? `<h3>Automation changes</h3>${table(['time', 'change', 'by', 'why'], changes.map((x) => [x.time.slice(0, 19), x.action === 'pilot_stop' ? `pilot ${x.pilot} stopped` : `${x.action} ${x.area} → ${x.maxAction}`, x.person?.name ?? 'circuit breaker', x.detail || x.reason]))}` : ''}
${alerts.length ? `<h3>Alerts</h3>${table(['time', 'kind', 'detail'], alerts.slice(-20).map((a) => [a.time.slice(0, 19), a.kind, a.detail]))}` : ''}
${l?.pilots.length ? `<h3>Pilots</h3>${table(['pilot', 'verdict', 'tickets', 'reviews', 'why'], l.pilots.map((p) => [p.name, p.result.verdict, p.result.tickets, p.result.reviews, p.result.reasons.join('; ')]))}` : ''}
${l ? `<h3>Improvement backlog</h3>${table(['what', 'where', 'weighted defects', 'defects', 'categories', 'to do'], l.backlog.slice(0, 15).map((b) => [b.kind, b.key, b.weight.toFixed(1), b.defects, Object.entries(b.categories).map(([k, n]) => `${k} ${n}`).join(', '), b.action]))}` : ''}
</section>`;
};

/** Shadow mode (issue 15): a candidate's decisions beside production's, for the week's tickets; nothing when it was off. */
export const shadowHtmlSection: ReportSection = (c) => {
  const w = c.week;
  if (!w?.shadow.candidates.length) return '';
  const groups = (title: string, gs: ReadonlyArray<{ key: string; count: number; examples: readonly string[] }>) => (gs.length ? `<h3>${esc(title)}</h3>${table([title.replace(/^by /, ''), 'tickets', 'examples'], gs.map((g) => [g.key, g.count, g.examples.join(', ')]))}` : '');
  return `<section><h2>Shadow mode: candidate vs production (${esc(w.week)})</h2><p class="muted">A candidate revision decided every ticket beside production, recorded on the shadow stream and never acted on; each row compares production's conclusion with the candidate's.</p>
${w.shadow.candidates
    .map(
      (k) => `<h3>Candidate policy <code>${esc(k.candidate.policy)}</code>${k.candidate.kb ? `, KB <code>${esc(k.candidate.kb)}</code>` : ''} vs production ${esc(k.production.join(', ') || '-')}</h3>
<div class="cards">${card('compared', String(k.compared), `${k.pending} not concluded yet`)}${card('same decision', String(k.same), k.compared ? pct(k.same / k.compared) : '-')}${card('route changed', String(k.routeChanged), k.compared ? pct(k.routeChanged / k.compared) : '-')}${card('changed otherwise', String(k.changed - k.routeChanged), 'queue, priority or reasons only')}</div>
${groups('by route', k.byRoute)}${groups('by area', k.byArea)}${groups('by reason', k.byReason)}
${k.changes.length ? `<h3>Changes${k.changes.length < k.changed ? ` (first ${k.changes.length} of ${k.changed})` : ''}</h3>${table(['ticket', 'area', 'route', 'queue', 'reasons'], k.changes.map((x) => [x.ticketId, x.area.from === x.area.to ? x.area.from : `${x.area.from} → ${x.area.to}`, `${x.route.from} → ${x.route.to}`, x.queue.from === x.queue.to ? x.queue.from : `${x.queue.from || '-'} → ${x.queue.to || '-'}`, [...x.reasonsAdded.map((r) => `+${r}`), ...x.reasonsRemoved.map((r) => `-${r}`)].join(' ')]))}` : ''}`,
    )
    .join('\n')}
</section>`;
};

/** The page's sections, in order. */
export const WEEKLY_SECTIONS: readonly ReportSection[] = [headerSection, defectTrendSection, defectByAreaSection, escalationSection, outcomesSection, reviewersSection, loopSection, shadowHtmlSection];

const CSS = `body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1320px;color:#111827;padding:0 16px}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}h3{font-size:14px;margin:16px 0 6px}.muted{color:#6b7280;font-size:12px}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:14px 0}.card{border:1px solid #e5e7eb;border-radius:8px;padding:10px 14px;min-width:190px}.card .label{font-size:12px;color:#6b7280}.card .value{font-size:24px;font-weight:650}.card .sub{font-size:11px;color:#6b7280}section{break-inside:avoid}section svg{display:inline-block;vertical-align:top;margin:4px 8px 8px 0}table{border-collapse:collapse;font-size:12px;margin:6px 0}th,td{border:1px solid #e5e7eb;padding:4px 8px;text-align:left}th{background:#f9fafb}`;

export function renderWeeklyHtml(ctx: ReportContext, sections: readonly ReportSection[] = WEEKLY_SECTIONS): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(ctx.title)}${ctx.week ? ` — ${esc(ctx.week.week)}` : ''}</title><style>${CSS}</style></head><body>${sections.map((s) => s(ctx)).join('\n')}</body></html>`;
}
