const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The console: one self-contained page (inline CSS and vanilla JS, no build step). Every value from
 * the API is written with textContent, never as HTML, so customer text cannot inject markup.
 */
export function consolePage(o: { actor: string; nonce: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Handrail console</title>
<style nonce="${o.nonce}">
  :root { --bg:#f6f7f9; --panel:#fff; --ink:#1f2933; --muted:#616e7c; --line:#e4e7eb; --accent:#2f6f8f;
          --ok:#2e7d4f; --warn:#a86a00; --bad:#b23b3b; --chip:#eef2f6; }
  * { box-sizing: border-box; }
  [hidden] { display:none !important; }
  body { margin:0; font:14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--ink); background:var(--bg); }
  header { display:flex; align-items:center; justify-content:space-between; padding:10px 20px; background:#24323f; color:#fff; }
  header h1 { font-size:16px; margin:0; font-weight:600; letter-spacing:.2px; }
  header .who { font-size:13px; opacity:.85; }
  nav.tabs { display:flex; gap:4px; padding:0 20px; background:#24323f; }
  nav.tabs button { background:none; border:0; color:#cbd2d9; padding:8px 12px; cursor:pointer; font:inherit; border-bottom:2px solid transparent; }
  nav.tabs button.active { color:#fff; border-bottom-color:#7fb8d4; }
  main { display:grid; grid-template-columns: 360px 1fr; gap:16px; padding:16px 20px; align-items:start; }
  main.wide { grid-template-columns: 1fr; }
  section.panel { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:12px 14px; }
  h2 { font-size:13px; text-transform:uppercase; letter-spacing:.6px; color:var(--muted); margin:14px 0 6px; }
  h2:first-child { margin-top:0; }
  h3 { font-size:15px; margin:0 0 4px; }
  .count { display:inline-block; min-width:20px; padding:0 6px; border-radius:10px; background:var(--chip); color:var(--ink); font-size:12px; text-align:center; margin-left:4px; }
  ul.queue { list-style:none; margin:0; padding:0; }
  ul.queue li { padding:7px 8px; border-radius:6px; cursor:pointer; border:1px solid transparent; }
  ul.queue li:hover { background:#f0f4f8; }
  ul.queue li.selected { border-color:var(--accent); background:#eef5f9; }
  .tid { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size:12px; color:var(--muted); }
  .chips { display:flex; flex-wrap:wrap; gap:4px; margin-top:3px; }
  .chip { background:var(--chip); border-radius:4px; padding:0 6px; font-size:12px; }
  .chip.urgent, .chip.high { background:#fbe9e9; color:var(--bad); }
  .chip.normal { background:#fff4e0; color:var(--warn); }
  .qname { font-weight:600; font-size:13px; margin:8px 0 2px; }
  .empty { color:var(--muted); font-style:italic; padding:4px 8px; }
  .message { white-space:pre-wrap; background:#f9fafb; border-left:3px solid var(--accent); padding:8px 12px; border-radius:4px; }
  .meta { color:var(--muted); font-size:13px; }
  table { border-collapse:collapse; width:100%; font-size:13px; }
  th, td { text-align:left; padding:4px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
  th { color:var(--muted); font-weight:600; }
  .ok { color:var(--ok); } .bad { color:var(--bad); }
  textarea { width:100%; min-height:120px; font:inherit; padding:8px; border:1px solid var(--line); border-radius:6px; }
  input[type=text] { width:100%; font:inherit; padding:6px 8px; border:1px solid var(--line); border-radius:6px; }
  .actions { display:flex; flex-wrap:wrap; gap:8px; margin-top:10px; }
  button.act { font:inherit; padding:6px 14px; border-radius:6px; border:1px solid var(--line); background:#fff; cursor:pointer; }
  button.act.primary { background:var(--accent); border-color:var(--accent); color:#fff; }
  button.act.danger { color:var(--bad); border-color:#e8c4c4; }
  button.act:disabled { opacity:.5; cursor:default; }
  .status { margin-top:8px; padding:6px 10px; border-radius:6px; display:none; }
  .status.show { display:block; }
  .status.ok { background:#e8f5ee; } .status.bad { background:#fbe9e9; }
  .grid2 { display:grid; grid-template-columns: 1fr 1fr; gap:12px; }
  .sentence sup { color:var(--accent); font-size:11px; margin-left:2px; }
  label.defect { display:block; margin:2px 0; }
  .timeline td:first-child { white-space:nowrap; color:var(--muted); font-family: ui-monospace, monospace; font-size:12px; }
  #report-table td:first-child { width:260px; color:var(--muted); }
  .placeholder { color:var(--muted); padding:40px; text-align:center; }
</style>
</head>
<body>
<header><h1>Handrail console</h1><span class="who">signed in as <b id="who">${escapeHtml(o.actor)}</b></span></header>
<nav class="tabs"><button id="tab-work" class="active">Work queues</button><button id="tab-report">Weekly monitoring</button></nav>
<main id="work">
  <section class="panel" id="queues" aria-label="queues">
    <h2>Awaiting approval <span class="count" id="n-approval">0</span></h2><ul class="queue" id="q-approval"></ul>
    <h2>Escalated <span class="count" id="n-escalated">0</span></h2><div id="q-escalated"></div>
    <h2>QA sample <span class="count" id="n-qa">0</span></h2><ul class="queue" id="q-qa"></ul>
  </section>
  <section class="panel" id="ticket" aria-label="ticket"><div class="placeholder">Pick a ticket from a queue.</div></section>
</main>
<main id="report" class="wide" hidden><section class="panel" id="report-body"></section></main>
<script nonce="${o.nonce}">
'use strict';
const DEFECTS = ['hallucination', 'tone_mismatch', 'policy_misapplication', 'incomplete_resolution'];
let selected = null;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

async function api(path, body) {
  const res = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) { const err = new Error(data.message || res.statusText); err.status = res.status; throw err; }
  return data;
}

function queueItem(t) {
  const li = el('li', { 'data-ticket': t.ticketId, onclick: () => openTicket(t.ticketId) },
    el('div', {}, el('b', {}, t.area.replace(/_/g, ' ')), ' · ', t.intent.replace(/_/g, ' ')),
    el('div', { class: 'tid' }, t.ticketId),
    el('div', { class: 'chips' }, t.priority ? el('span', { class: 'chip ' + t.priority }, t.priority) : null, t.reasons.slice(0, 4).map((r) => el('span', { class: 'chip' }, r))));
  if (t.ticketId === selected) li.classList.add('selected');
  return li;
}

function fill(id, items) {
  const box = document.getElementById(id);
  box.replaceChildren(...(items.length ? items.map(queueItem) : [el('li', { class: 'empty' }, 'nothing waiting')]));
}

async function loadQueues() {
  const q = await api('/api/queues');
  document.getElementById('n-approval').textContent = q.counts.awaitingApproval;
  document.getElementById('n-escalated').textContent = q.counts.escalated;
  document.getElementById('n-qa').textContent = q.counts.qaSample;
  fill('q-approval', q.awaitingApproval);
  fill('q-qa', q.qaSample);
  const esc = document.getElementById('q-escalated');
  esc.replaceChildren(...(q.escalated.length ? q.escalated.map((g) => el('div', {}, el('div', { class: 'qname' }, g.queue, el('span', { class: 'count' }, g.tickets.length)), el('ul', { class: 'queue' }, g.tickets.map(queueItem)))) : [el('div', { class: 'empty' }, 'nothing waiting')]));
}

function cite(c) { return c.passageId + '@' + c.articleVersion; }

function status(box, ok, text) { box.className = 'status show ' + (ok ? 'ok' : 'bad'); box.textContent = text; }

function decisionPanel(t) {
  const box = el('div', {});
  const msg = el('div', { class: 'status', id: 'decision-status', role: 'status' });
  if (t.decisions.length) {
    const d = t.decisions[0];
    box.append(el('p', { id: 'decided' }, 'Decided by ', el('b', {}, d.actor), ': ', d.action, d.note ? ' — ' + d.note : ''), d.finalText ? el('div', { class: 'message' }, d.finalText) : '');
    return box;
  }
  if (t.route !== 'awaiting_approval' && t.route !== 'escalated') return box;
  const text = el('textarea', { id: 'reply-text', 'aria-label': 'reply text' });
  text.value = t.route === 'awaiting_approval' && t.draft ? t.draft.text : '';
  const note = el('input', { type: 'text', id: 'decision-note', placeholder: 'note for the record (optional)', 'aria-label': 'note' });
  const act = async (action, needsText) => {
    for (const b of box.querySelectorAll('button')) b.disabled = true;
    try {
      await api('/api/tickets/' + encodeURIComponent(t.ticketId) + '/decision', { action, text: needsText ? text.value : undefined, note: note.value || undefined });
      const sends = action === 'approve' || action === 'edit';
      status(msg, true, 'Recorded: ' + action + (sends ? ' — the reply is on its way to the customer.' : '.'));
      await refresh();
      // The reply is sent right after the decision is recorded; show it once it is out.
      for (let i = 0; sends && i < 10 && selected === t.ticketId && !document.getElementById('reply-sent'); i++) {
        await new Promise((r) => setTimeout(r, 800));
        await openTicket(t.ticketId);
      }
    } catch (e) {
      status(msg, false, (e.status === 409 ? 'Someone already decided this ticket: ' : 'Not recorded: ') + e.message);
      for (const b of box.querySelectorAll('button')) b.disabled = false;
    }
  };
  const buttons = t.route === 'awaiting_approval'
    ? [el('button', { class: 'act primary', id: 'btn-approve', onclick: () => act('approve', false) }, 'Approve'),
       el('button', { class: 'act', id: 'btn-edit', onclick: () => act('edit', true) }, 'Edit & send'),
       el('button', { class: 'act danger', id: 'btn-reject', onclick: () => act('reject', false) }, 'Reject')]
    : [el('button', { class: 'act primary', id: 'btn-resolve', onclick: () => act('resolve', true) }, 'Take over & resolve')];
  box.append(el('h2', {}, t.route === 'awaiting_approval' ? 'Reply (edit before sending if needed)' : 'Your reply'), text, note, el('div', { class: 'actions' }, buttons), msg);
  return box;
}

function reviewPanel(t) {
  const me = document.getElementById('who').textContent;
  const mine = t.reviews.find((r) => r.reviewer === me);
  const list = t.reviews.length ? el('table', {}, el('tr', {}, el('th', {}, 'reviewer'), el('th', {}, 'verdict'), el('th', {}, 'note')),
    t.reviews.map((r) => el('tr', {}, el('td', {}, r.reviewer), el('td', { class: r.passed ? 'ok' : 'bad' }, r.passed ? 'pass' : r.defects.join(', ')), el('td', {}, r.note)))) : el('div', { class: 'empty' }, 'no reviews yet');
  if (mine || !t.route) return el('div', {}, el('h2', {}, 'QA reviews'), list);
  const checks = DEFECTS.map((d) => el('label', { class: 'defect' }, el('input', { type: 'checkbox', value: d, name: 'defect' }), ' ', d.replace(/_/g, ' ')));
  const note = el('input', { type: 'text', id: 'review-note', placeholder: 'note (optional)', 'aria-label': 'review note' });
  const msg = el('div', { class: 'status', role: 'status' });
  const submit = async () => {
    const defects = checks.map((c) => c.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
    try {
      await api('/api/tickets/' + encodeURIComponent(t.ticketId) + '/review', { defects, note: note.value || undefined });
      status(msg, true, defects.length ? 'Review recorded: ' + defects.join(', ') : 'Review recorded: pass');
      await refresh();
    } catch (e) { status(msg, false, 'Not recorded: ' + e.message); }
  };
  return el('div', {}, el('h2', {}, 'QA reviews'), list, el('h2', {}, 'Your review — tick the defects you see, none for a pass'), checks, note,
    el('div', { class: 'actions' }, el('button', { class: 'act primary', id: 'btn-review', onclick: submit }, 'Submit review')), msg);
}

function renderTicket(data) {
  const t = data.ticket;
  const panel = document.getElementById('ticket');
  const reasons = t.reasons.length ? el('table', {}, el('tr', {}, el('th', {}, 'reason'), el('th', {}, 'rule'), el('th', {}, 'evidence')),
    t.reasons.map((r) => el('tr', {}, el('td', {}, el('b', {}, r.code), el('div', { class: 'meta' }, r.detail)), el('td', { class: 'tid' }, r.rule), el('td', {}, r.evidence.join('; '))))) : el('div', { class: 'empty' }, 'no reason codes fired' + (t.route === 'awaiting_approval' ? ' — the policy lets AI draft here, and a person sends' : ''));
  const draft = t.draft ? el('div', {},
    el('div', { class: 'message', id: 'draft' }, t.draft.sentences.length ? t.draft.sentences.map((s) => el('span', { class: 'sentence' }, s.text, s.citations.length ? el('sup', {}, '[' + s.citations.map(cite).join(', ') + ']') : '', ' ')) : t.draft.text),
    el('div', { class: 'meta' }, 'drafter ', t.draft.drafter, ' · template ', t.draft.templateId, ' · citations: ', t.draft.citations.map(cite).join(', ') || 'none'),
    t.verdicts.length ? el('div', { class: 'chips' }, t.verdicts.map((v) => el('span', { class: 'chip ' + (v.passed ? 'ok' : 'bad'), title: v.detail }, (v.passed ? '✓ ' : '✗ ') + v.check + ' ' + v.code))) : '') : el('div', { class: 'empty' }, 'no draft');
  const h = t.handoff;
  const handoff = h ? el('div', {}, el('p', {}, h.summary), el('p', {}, el('b', {}, 'Next step: '), h.suggestedNextStep),
    h.triggers.length ? el('div', { class: 'chips' }, h.triggers.map((x) => el('span', { class: 'chip' }, x))) : '',
    h.kbFindings.length ? el('ul', {}, h.kbFindings.map((f) => el('li', {}, f))) : '') : null;
  const timeline = el('table', { class: 'timeline' }, data.timeline.map((s) => el('tr', {}, el('td', {}, s.time.replace('T', ' ').slice(0, 19)), el('td', {}, s.stage), el('td', {}, s.summary,
    s.rules.length ? el('div', { class: 'meta' }, s.rules.map((r) => r.code + (r.evidence.length ? ' (' + r.evidence.join('; ') + ')' : '')).join(' · ')) : ''))));
  panel.replaceChildren(
    el('h3', {}, (t.subject || t.intent.replace(/_/g, ' ') || 'ticket')),
    el('div', { class: 'meta' }, el('span', { class: 'tid' }, t.ticketId), ' · ', t.channel || t.connector, ' · customer ', t.customerId,
      t.customer ? ' (' + t.customer.tier + ', value ' + t.customer.accountValue + ')' : '', ' · route ', el('b', { id: 'route' }, t.route || 'in progress'),
      t.queue ? ' → ' + t.queue : '', t.priority ? ' · ' + t.priority : '', t.decisions.length ? ' · decided: ' + t.decisions[0].action : ''),
    el('h2', {}, 'Customer message'), el('div', { class: 'message', id: 'customer-message' }, t.body),
    el('div', { class: 'meta' }, 'area ', t.area, ' · intent ', t.intent, t.confidence !== undefined ? ' · confidence ' + t.confidence.toFixed(2) : '', t.riskFlags.length ? ' · risk: ' + t.riskFlags.join(', ') : ''),
    el('h2', {}, 'Reasons and evidence'), reasons,
    handoff ? el('h2', {}, 'Handoff packet') : '', handoff || '',
    el('h2', {}, 'Draft'), draft,
    t.reply ? el('p', { class: 'ok', id: 'reply-sent' }, 'Reply sent ', t.reply.time.replace('T', ' ').slice(0, 19)) : '',
    decisionPanel(t),
    reviewPanel(t),
    el('h2', {}, 'Timeline'), timeline);
}

async function openTicket(id) {
  selected = id;
  for (const li of document.querySelectorAll('li[data-ticket]')) li.classList.toggle('selected', li.dataset.ticket === id);
  try { renderTicket(await api('/api/tickets/' + encodeURIComponent(id))); }
  catch (e) { document.getElementById('ticket').replaceChildren(el('div', { class: 'placeholder' }, 'Could not load the ticket: ' + e.message)); }
}

async function refresh() {
  await loadQueues();
  if (selected) await openTicket(selected);
}

const pct = (x) => (x * 100).toFixed(1) + '%';
const k = (a) => a.kappa === null ? 'n/a' : a.kappa.toFixed(2);
async function loadReport() {
  const { weeks } = await api('/api/report/weekly');
  const body = document.getElementById('report-body');
  if (!weeks.length) { body.replaceChildren(el('div', { class: 'placeholder' }, 'No tickets yet.')); return; }
  const rows = [
    ['tickets', (w) => w.tickets], ['auto resolved', (w) => pct(w.routes.auto_resolved.share)], ['awaiting approval', (w) => pct(w.routes.awaiting_approval.share)],
    ['escalation rate', (w) => pct(w.escalationRate)], ['QA sampled / reviewed', (w) => w.qa.sampled + ' / ' + w.qa.reviewed],
    ...DEFECTS.map((d) => ['defect: ' + d.replace(/_/g, ' '), (w) => w.defects[d]]), ['tone issues', (w) => w.toneIssues.total],
    ['unresolved', (w) => w.unresolved], ['top reasons', (w) => w.topReasons.map((r) => r.code + ' ' + r.count).join(', ')],
    ['calibration: tickets ≥2 reviews', (w) => w.calibration.ticketsWithMultipleReviews],
    ['pass/fail agreement · kappa', (w) => w.calibration.passFail.agreement === null ? 'n/a' : pct(w.calibration.passFail.agreement) + ' · ' + k(w.calibration.passFail)],
  ];
  body.replaceChildren(el('h2', {}, 'Weekly monitoring'), el('table', { id: 'report-table' }, el('tr', {}, el('th', {}, ''), weeks.map((w) => el('th', {}, w.week))),
    rows.map(([label, f]) => el('tr', {}, el('td', {}, label), weeks.map((w) => el('td', {}, String(f(w))))))));
}

function show(tab) {
  document.getElementById('work').hidden = tab !== 'work';
  document.getElementById('report').hidden = tab !== 'report';
  document.getElementById('tab-work').classList.toggle('active', tab === 'work');
  document.getElementById('tab-report').classList.toggle('active', tab === 'report');
  if (tab === 'report') loadReport().catch((e) => document.getElementById('report-body').replaceChildren(el('div', { class: 'placeholder' }, e.message)));
}
document.getElementById('tab-work').addEventListener('click', () => show('work'));
document.getElementById('tab-report').addEventListener('click', () => show('report'));
loadQueues().catch((e) => document.getElementById('queues').prepend(el('div', { class: 'status show bad' }, 'Could not load queues: ' + e.message)));
setInterval(() => { if (!document.getElementById('work').hidden) loadQueues().catch(() => undefined); }, 10000);
</script>
</body>
</html>`;
}
