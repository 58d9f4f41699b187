import type { Group, ImpactReport } from './what-if.js';

const windowText = (r: ImpactReport) => `${r.window.from ?? 'the start of the stream'} → ${r.window.to ?? 'now'}`;

function groupLines(title: string, groups: readonly Group[]): string[] {
  if (!groups.length) return [];
  const w = Math.max(...groups.map((g) => g.key.length));
  return [`${title}:`, ...groups.map((g) => `  ${g.key.padEnd(w)}  ${String(g.count).padStart(5)}  e.g. ${g.examples.join(', ')}`)];
}

/** The impact report for a terminal or a proposal's note. */
export function renderImpactText(r: ImpactReport): string {
  const head = [
    `what-if: policy ${r.candidate.policy} (${r.candidate.policySource}); KB ${r.candidate.kbSource}`,
    `window ${windowText(r)}: ${r.tickets} recorded tickets re-decided in process (nothing published), ${r.changed} would change${r.skipped ? `, ${r.skipped} skipped (no recorded conclusion or KB)` : ''}`,
  ];
  if (!r.changed) return [...head, 'no decision would change'].join('\n');
  const rows = r.changes.map((c) => {
    const parts = [`${c.route.from} → ${c.route.to}`];
    if (c.queue.from !== c.queue.to) parts.push(`queue ${c.queue.from || '-'} → ${c.queue.to || '-'}`);
    if (c.area.from !== c.area.to) parts.push(`area ${c.area.from} → ${c.area.to}`);
    if (c.priority.from !== c.priority.to) parts.push(`priority ${c.priority.from} → ${c.priority.to}`);
    const reasons = [...c.reasonsAdded.map((x) => `+${x}`), ...c.reasonsRemoved.map((x) => `-${x}`)];
    return `  ${c.ticketId}  ${parts.join('; ')}${reasons.length ? `  [${reasons.join(' ')}]` : ''}`;
  });
  return [...head, '', ...groupLines('by area', r.byArea), '', ...groupLines('by route', r.byRoute), '', ...groupLines('by reason', r.byReason), '', 'every change:', ...rows].join('\n');
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);

function groupTable(title: string, groups: readonly Group[]): string {
  if (!groups.length) return '';
  return `<h2>${esc(title)}</h2><table><thead><tr><th>${esc(title.replace(/^by /, ''))}</th><th>tickets</th><th>examples</th></tr></thead><tbody>${groups
    .map((g) => `<tr><td>${esc(g.key)}</td><td class="n">${g.count}</td><td>${g.examples.map(esc).join(', ')}</td></tr>`)
    .join('')}</tbody></table>`;
}

/** The report as one self-contained HTML fragment (the console embeds it; `--html` wraps it in a page). */
export function renderImpactHtmlFragment(r: ImpactReport): string {
  const rows = r.changes
    .map(
      (c) =>
        `<tr><td>${esc(c.ticketId)}</td><td>${esc(c.area.from === c.area.to ? c.area.from : `${c.area.from} → ${c.area.to}`)}</td><td>${esc(`${c.route.from} → ${c.route.to}`)}</td><td>${esc(c.queue.from === c.queue.to ? c.queue.from : `${c.queue.from || '-'} → ${c.queue.to || '-'}`)}</td><td>${esc([...c.reasonsAdded.map((x) => `+${x}`), ...c.reasonsRemoved.map((x) => `-${x}`)].join(' '))}</td></tr>`,
    )
    .join('');
  return [
    `<section class="impact"><p>Policy <code>${esc(r.candidate.policy)}</code> (${esc(r.candidate.policySource)}), KB ${esc(r.candidate.kbSource)}; window ${esc(windowText(r))}.</p>`,
    `<p><strong>${r.changed}</strong> of ${r.tickets} recorded decisions would change${r.skipped ? ` (${r.skipped} skipped)` : ''}. Re-decided in process; nothing was published.</p>`,
    groupTable('by area', r.byArea),
    groupTable('by route', r.byRoute),
    groupTable('by reason', r.byReason),
    r.changes.length ? `<h2>every change</h2><table><thead><tr><th>ticket</th><th>area</th><th>route</th><th>queue</th><th>reasons</th></tr></thead><tbody>${rows}</tbody></table>` : '',
    '</section>',
  ].join('\n');
}

export function renderImpactHtml(r: ImpactReport): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>What-if ${esc(r.candidate.policy)}</title><style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}td.n{text-align:right}code{background:#f3f3f3;padding:0 .2em}</style></head><body><h1>What-if: policy ${esc(r.candidate.policy)}</h1>${renderImpactHtmlFragment(r)}</body></html>\n`;
}
