const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The signed-out page (also the answer to /auth/logout). */
export function signedOutPage(canSignIn: boolean): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed out — Handrail</title></head>
<body style="font:14px system-ui,sans-serif;margin:40px"><h1 style="font-size:18px">Signed out</h1>
<p>${canSignIn ? '<a href="/auth/login" id="sign-in">Sign in again</a>' : 'Send an access token (Authorization: Bearer) to use the console.'}</p></body></html>`;
}

/**
 * The console: one self-contained page (inline CSS and vanilla JS, no build step). Every value from
 * the API is written with textContent, never as HTML, so customer text cannot inject markup. Who is
 * signed in comes from the verified token; the page only shows it.
 */
export function consolePage(o: { actor: { name: string; subject: string; roles: readonly string[]; permissions: ReadonlySet<string> }; nonce: string; canSignOut: boolean }): string {
  const me = JSON.stringify({ subject: o.actor.subject, name: o.actor.name, roles: [...o.actor.roles], permissions: [...o.actor.permissions] }).replace(/</g, '\\u003c');
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
  #queues { max-height: calc(100vh - 110px); overflow:auto; }
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

  header .who .roles { opacity:.75; margin-left:6px; font-size:12px; }
  header a.signout { color:#cbd2d9; margin-left:12px; font-size:12px; }
  .live { font-size:11px; margin-left:10px; padding:1px 6px; border-radius:8px; background:#3b4b5a; color:#cbd2d9; }
  .live.on { background:#2e7d4f; color:#fff; }
  .filters { display:grid; grid-template-columns: 1fr 1fr; gap:6px; margin-bottom:8px; }
  .filters select, .filters input[type=search] { font:inherit; font-size:12px; padding:3px 6px; border:1px solid var(--line); border-radius:5px; width:100%; }
  .filters .wide { grid-column: span 2; }
  .filters label { font-size:12px; color:var(--muted); display:flex; align-items:center; gap:4px; }
  .num { font-weight:600; }
  .cust { color:var(--muted); font-size:12px; }
  .chip.sla { background:#e8f5ee; color:var(--ok); }
  .chip.sla.due { background:#fff4e0; color:var(--warn); }
  .chip.sla.breached { background:#b23b3b; color:#fff; font-weight:600; }
  .chip.claimed { background:#e6eef7; color:#2f5f8f; }
  .chip.ok { background:#e8f5ee; color:var(--ok); } .chip.bad { background:#fbe9e9; color:var(--bad); }
  .banner { border-radius:6px; padding:8px 10px; margin:8px 0; font-size:13px; }
  .banner.warn { background:#fff4e0; border:1px solid #f0d9a8; }
  .banner.bad { background:#fbe9e9; border:1px solid #e8c4c4; }
  .banner.info { background:#eef5f9; border:1px solid #cfe2ec; }
  .checks li { margin:2px 0; }
  .diff .added { background:#dff3e4; color:#1d5e36; text-decoration:none; }
  .diff .removed { background:#fbe2e2; color:#8b2c2c; text-decoration:line-through; }
  .override { border-left:3px solid var(--bad); padding:4px 10px; margin:6px 0; background:#fff7f7; }
</style>
</head>
<body>
<header><h1>Handrail console <span class="live" id="live">connecting…</span></h1><span class="who">signed in as <b id="who">${escapeHtml(o.actor.name)}</b><span class="roles" id="roles">${escapeHtml(o.actor.roles.join(', ') || 'no role')}</span>${o.canSignOut ? '<a class="signout" href="/auth/logout" id="sign-out">sign out</a>' : ''}</span></header>
<nav class="tabs"><button id="tab-work" class="active">Work queues</button><button id="tab-report">Weekly monitoring</button><button id="tab-policy" hidden>Policy</button></nav>
<main id="work">
  <section class="panel" id="queues" aria-label="queues">
    <div class="filters" id="filters">
      <select id="filter-queue" aria-label="queue"><option value="">all queues</option></select>
      <select id="filter-claim" aria-label="claimed"><option value="any">anyone's</option><option value="unclaimed">unclaimed</option><option value="mine">claimed by me</option><option value="others">claimed by others</option></select>
      <select id="filter-priority" aria-label="priority"><option value="">any priority</option><option>urgent</option><option>high</option><option>normal</option><option>low</option></select>
      <label><input type="checkbox" id="filter-breached"> SLA breached only</label>
      <input type="search" id="filter-q" placeholder="ticket #, customer, area…" aria-label="search" class="wide">
    </div>
    <h2>Awaiting approval <span class="count" id="n-approval">0</span></h2><ul class="queue" id="q-approval"></ul>
    <h2>Escalated <span class="count" id="n-escalated">0</span> <span class="count" id="n-breached" title="SLA breached">0 breached</span></h2><div id="q-escalated"></div>
    <h2>QA sample <span class="count" id="n-qa">0</span></h2><ul class="queue" id="q-qa"></ul>
  </section>
  <section class="panel" id="ticket" aria-label="ticket"><div class="placeholder">Pick a ticket from a queue.</div></section>
</main>
<main id="report" class="wide" hidden><section class="panel" id="report-body"></section></main>
<main id="policy" class="wide" hidden><section class="panel" id="policy-body"></section><section class="panel" id="policy-revision" hidden></section></main>
<script nonce="${o.nonce}">
'use strict';
const ME = ${me};
const can = (p) => ME.permissions.includes(p);
const DEFECTS = ['hallucination', 'tone_mismatch', 'policy_misapplication', 'incomplete_resolution'];
let selected = null;
const typed = new Map(); // reply text a person is writing, per ticket: live updates never wipe it

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

async function api(path, body) {
  const res = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) { const err = new Error(data.message || res.statusText); err.status = res.status; err.data = data; throw err; }
  return data;
}

function dur(min) {
  const m = Math.abs(Math.round(min));
  if (m < 60) return m + ' min';
  if (m < 1440) return Math.floor(m / 60) + ' h ' + (m % 60 ? (m % 60) + ' min' : '');
  return Math.floor(m / 1440) + ' d ' + Math.floor((m % 1440) / 60) + ' h';
}

function slaChip(t) {
  if (!t.slaMinutes) return null;
  const left = t.slaMinutes - t.ageMinutes;
  if (t.breached) return el('span', { class: 'chip sla breached', title: 'SLA ' + dur(t.slaMinutes) + ' for ' + (t.queue || 'this queue') }, 'SLA breached ' + dur(-left) + ' ago');
  return el('span', { class: 'chip sla' + (left < t.slaMinutes / 4 ? ' due' : ''), title: 'SLA ' + dur(t.slaMinutes) }, 'due in ' + dur(left));
}

function queueItem(t) {
  const li = el('li', { 'data-ticket': t.ticketId, onclick: () => openTicket(t.ticketId) },
    el('div', {}, el('span', { class: 'num' }, '#' + t.ticketNumber), ' ', el('span', { class: 'cust' }, t.customerId + (t.customerTier ? ' · ' + t.customerTier : '') + (t.channel ? ' · ' + t.channel : ''))),
    el('div', {}, el('b', {}, t.area.replace(/_/g, ' ')), ' · ', t.intent.replace(/_/g, ' '), t.subject ? el('span', { class: 'cust' }, ' — ' + t.subject) : ''),
    el('div', { class: 'chips' },
      el('span', { class: 'chip', title: 'received ' + t.receivedAt }, dur(t.ageMinutes) + ' old'), slaChip(t),
      t.priority ? el('span', { class: 'chip ' + t.priority }, t.priority) : null,
      t.claimedBy ? el('span', { class: 'chip claimed' }, t.claimedBy === ME.subject ? 'claimed by you' : 'claimed by ' + t.claimedByName) : null,
      t.reasons.slice(0, 3).map((r) => el('span', { class: 'chip' }, r))));
  if (t.ticketId === selected) li.classList.add('selected');
  return li;
}

function fill(id, items) {
  const box = document.getElementById(id);
  box.replaceChildren(...(items.length ? items.map(queueItem) : [el('li', { class: 'empty' }, 'nothing waiting')]));
}

function filterQuery() {
  const p = new URLSearchParams();
  const v = (id) => document.getElementById(id).value;
  if (v('filter-queue')) p.set('queue', v('filter-queue'));
  if (v('filter-claim') !== 'any') p.set('claim', v('filter-claim'));
  if (v('filter-priority')) p.set('priority', v('filter-priority'));
  if (document.getElementById('filter-breached').checked) p.set('breached', 'true');
  if (v('filter-q').trim()) p.set('q', v('filter-q').trim());
  const s = p.toString();
  return s ? '?' + s : '';
}

async function loadQueues() {
  if (!can('ticket.read')) { document.getElementById('queues').replaceChildren(el('div', { class: 'placeholder' }, 'Your role (' + (ME.roles.join(', ') || 'none') + ') does not read tickets.')); return; }
  const q = await api('/api/queues' + filterQuery());
  document.getElementById('n-approval').textContent = q.counts.awaitingApproval;
  document.getElementById('n-escalated').textContent = q.counts.escalated;
  document.getElementById('n-breached').textContent = q.counts.breached + ' breached';
  document.getElementById('n-qa').textContent = q.counts.qaSample;
  const sel = document.getElementById('filter-queue');
  const current = sel.value;
  sel.replaceChildren(el('option', { value: '' }, 'all queues'), ...q.queues.map((n) => el('option', { value: n, selected: n === current }, n)));
  fill('q-approval', q.awaitingApproval);
  fill('q-qa', q.qaSample);
  const esc = document.getElementById('q-escalated');
  esc.replaceChildren(...(q.escalated.length ? q.escalated.map((g) => el('div', {}, el('div', { class: 'qname' }, g.queue, el('span', { class: 'count' }, g.tickets.length)), el('ul', { class: 'queue' }, g.tickets.map(queueItem)))) : [el('div', { class: 'empty' }, 'nothing waiting')]));
}

function cite(c) { return c.passageId + '@' + c.articleVersion; }
function status(box, ok, text) { box.className = 'status show ' + (ok ? 'ok' : 'bad'); box.textContent = text; }
function refusal(e) {
  if (e.status === 403) return 'Refused (403 ' + (e.data && e.data.permission || 'permission_denied') + '): ' + e.message;
  if (e.status === 401) return 'Your sign-in has expired or is not valid (' + (e.data && e.data.problem || '401') + '). Reload to sign in again.';
  if (e.status === 409) return 'Already done: ' + e.message;
  return 'Not recorded: ' + e.message;
}

function checksList(checks) {
  return el('ul', { class: 'checks', id: 'checks-failed' }, checks.map((v) => el('li', { 'data-check': v.check, 'data-code': v.code }, el('b', {}, v.check + ' · ' + v.code), ': ' + v.detail + (v.evidence.length ? ' — “' + v.evidence.join('”, “') + '”' : ''))));
}

function diffView(ops) {
  return el('div', { class: 'message diff', id: 'sent-diff' }, ops.map((d) => el('span', { class: d.op }, d.text + ' ')));
}

function decidedPanel(t) {
  const d = t.decisions[0];
  const box = el('div', { id: 'decided-box' });
  box.append(el('p', { id: 'decided' }, 'Decided by ', el('b', {}, d.actorName), d.actorRoles.length ? ' (' + d.actorRoles.join(', ') + ')' : '', ': ', d.action, d.note ? ' — ' + d.note : ''));
  if (d.override) box.append(el('div', { class: 'override', id: 'override-shown' }, el('b', {}, 'Sent over failed checks'), ' (' + d.override.failed.join(', ') + ') — reason: “' + d.override.reason + '”'));
  if (d.exceptions.length) box.append(el('div', { class: 'banner info' }, 'Approved exception: ' + d.exceptions.join('; ')));
  if (d.finalText) {
    box.append(el('h2', {}, 'Sent to the customer'), el('div', { class: 'message', id: 'sent-text' }, d.sentences.length ? d.sentences.map((s) => el('span', { class: 'sentence' }, s.text, s.citations.length ? el('sup', {}, '[' + s.citations.map(cite).join(', ') + ']') : '', ' ')) : d.finalText));
    box.append(el('div', { class: 'meta', id: 'sent-citations' }, 'citations of the text sent: ', d.citations.map(cite).join(', ') || 'none'));
    if (d.draftText && d.edit && d.edit.changeRatio > 0) box.append(el('h2', {}, 'Draft → sent (' + Math.round(d.edit.changeRatio * 100) + '% changed)'), diffView(d.diff));
  }
  return box;
}

function decisionPanel(t) {
  if (t.decisions.length) return decidedPanel(t);
  const box = el('div', {});
  if (t.route !== 'awaiting_approval' && t.route !== 'escalated') return box;
  const mayAct = t.route === 'escalated' ? can('ticket.take_over') : can('reply.send') || can('reply.reject');
  if (!mayAct) { box.append(el('p', { class: 'meta', id: 'read-only' }, 'You can read this ticket; your role (' + (ME.roles.join(', ') || 'none') + ') does not decide it.')); return box; }
  const msg = el('div', { class: 'status', id: 'decision-status', role: 'status' });
  const checksBox = el('div', { id: 'checks-box' });
  const text = el('textarea', { id: 'reply-text', 'aria-label': 'reply text' });
  text.value = typed.has(t.ticketId) ? typed.get(t.ticketId) : (t.route === 'awaiting_approval' && t.draft ? t.draft.text : '');
  text.addEventListener('input', () => typed.set(t.ticketId, text.value));
  const note = el('input', { type: 'text', id: 'decision-note', placeholder: 'note for the record (optional)', 'aria-label': 'note' });
  const exceptions = (t.exceptions || []);
  const act = async (action, needsText, override) => {
    for (const b of box.querySelectorAll('button')) b.disabled = true;
    try {
      const edited = t.draft && text.value.trim() !== t.draft.text.trim();
      const chosen = action === 'approve' && edited ? 'edit' : action;
      await api('/api/tickets/' + encodeURIComponent(t.ticketId) + '/decision', { action: chosen, text: needsText || chosen === 'edit' ? text.value : undefined, note: note.value || undefined, override: override ? { reason: override } : undefined });
      typed.delete(t.ticketId);
      status(msg, true, 'Recorded: ' + chosen + (chosen !== 'reject' ? ' — the reply is on its way to the customer.' : '.'));
      await refresh();
    } catch (e) {
      status(msg, false, refusal(e));
      if (e.status === 422 && e.data.checks) {
        checksBox.replaceChildren(el('div', { class: 'banner bad' }, el('b', {}, 'Not sent — these checks failed:'), checksList(e.data.checks)));
        if (e.data.canOverride) {
          const reason = el('input', { type: 'text', id: 'override-reason', placeholder: 'why this reply must go out as it is (recorded in the timeline)', 'aria-label': 'override reason' });
          checksBox.append(reason, el('div', { class: 'actions' }, el('button', { class: 'act danger', id: 'btn-override', onclick: () => act(action, needsText, reason.value) }, 'Send anyway (supervisor override)')));
        } else {
          checksBox.append(el('p', { class: 'meta' }, 'Fix the reply, or ask a supervisor: only they may send it with an override.'));
        }
      }
      for (const b of box.querySelectorAll('button')) b.disabled = false;
    }
  };
  const buttons = t.route === 'awaiting_approval'
    ? [el('button', { class: 'act primary', id: 'btn-approve', onclick: () => act('approve', false) }, 'Approve & send'),
       el('button', { class: 'act', id: 'btn-edit', onclick: () => act('edit', true) }, 'Send edited reply'),
       el('button', { class: 'act danger', id: 'btn-reject', onclick: () => act('reject', false) }, 'Reject')]
    : [el('button', { class: 'act primary', id: 'btn-resolve', onclick: () => act('resolve', true) }, exceptions.length ? 'Approve exception & send reply' : 'Take over & send reply')];
  const needs = exceptions.filter((x) => !can(x.permission));
  box.append(
    exceptions.length ? el('div', { class: 'banner warn', id: 'exception-banner' }, el('b', {}, 'Exception: '), exceptions.map((x) => x.detail).join('; '), ' — needs ', exceptions.map((x) => x.permission).join(', '), needs.length ? ' (you do not hold it: a supervisor approves this)' : '') : '',
    el('h2', {}, t.route === 'awaiting_approval' ? 'Reply (edit before sending if needed)' : 'Your reply (sent to the customer once, checked like an AI draft)'), text, note, el('div', { class: 'actions' }, buttons), msg, checksBox);
  return box;
}

function reviewPanel(t) {
  const head = el('h2', {}, 'QA reviews');
  if (!t.route) return el('div', {}, head);
  const list = t.reviews.length ? el('table', { id: 'reviews' }, el('tr', {}, el('th', {}, 'reviewer'), el('th', {}, 'verdict'), el('th', {}, 'note')),
    t.reviews.map((r) => el('tr', {}, el('td', {}, r.reviewerName + (r.blind ? ' (blind)' : '')), el('td', { class: r.passed ? 'ok' : 'bad' }, r.passed ? 'pass' : (r.findings && r.findings.length ? r.findings.map((f) => f.category + ' (' + f.severity + ')') : r.defects).join(', ')), el('td', {}, r.note)))) : null;
  const mine = t.reviews.find((r) => r.reviewer === ME.subject);
  if (!can('qa.review') || mine) return el('div', {}, head, list || el('div', { class: 'empty' }, 'no reviews yet'));
  if (t.decisions.some((d) => d.actor === ME.subject)) return el('div', {}, head, el('div', { class: 'empty', id: 'review-own' }, 'You decided this ticket; someone else reviews it.'), list || '');
  const blind = el('div', { class: 'banner info', id: 'review-blind' }, 'Blind review: ' + (t.reviewCount ? t.reviewCount + ' other review' + (t.reviewCount === 1 ? ' is' : 's are') + ' hidden' : 'no other reviews yet') + ' until you submit yours.');
  // Each defect with its severity (issue 13); the pack may add categories to the taxonomy.
  const taxonomy = (t.taxonomy && t.taxonomy.length) ? t.taxonomy : DEFECTS;
  const checks = taxonomy.map((d) => el('label', { class: 'defect' }, el('input', { type: 'checkbox', value: d, name: 'defect' }), ' ', d.replace(/_/g, ' '), ' ',
    el('select', { 'aria-label': d + ' severity', name: 'severity-' + d }, ['major', 'minor', 'critical'].map((v) => el('option', { value: v }, v)))));
  const note = el('input', { type: 'text', id: 'review-note', placeholder: 'note (optional)', 'aria-label': 'review note' });
  const msg = el('div', { class: 'status', role: 'status', id: 'review-status' });
  const submit = async () => {
    const picked = checks.filter((c) => c.querySelector('input').checked);
    const defects = picked.map((c) => c.querySelector('input').value);
    const findings = picked.map((c) => ({ category: c.querySelector('input').value, severity: c.querySelector('select').value }));
    try {
      await api('/api/tickets/' + encodeURIComponent(t.ticketId) + '/review', { findings, note: note.value || undefined });
      status(msg, true, defects.length ? 'Review recorded: ' + defects.join(', ') : 'Review recorded: pass');
      await refresh();
    } catch (e) { status(msg, false, refusal(e)); }
  };
  const voice = (t.brandVoice && t.brandVoice.length) ? el('div', { class: 'empty', id: 'brand-voice' }, 'Tone mismatch is judged against the brand voice: ' + t.brandVoice.join(' · ')) : '';
  return el('div', {}, head, blind, el('h2', {}, 'Your review — tick the defects you see with their severity, none for a pass'), voice, checks, note,
    el('div', { class: 'actions' }, el('button', { class: 'act primary', id: 'btn-review', onclick: submit }, 'Submit review')), msg);
}

function claimBar(t) {
  const open = !t.decisions.length && (t.route === 'awaiting_approval' || t.route === 'escalated');
  if (!open || !can('ticket.claim')) return t.claim ? el('div', { class: 'meta' }, 'claimed by ' + t.claim.ownerName) : '';
  const msg = el('span', { class: 'meta', id: 'claim-status' });
  const call = async (what) => {
    try { await api('/api/tickets/' + encodeURIComponent(t.ticketId) + '/' + what, {}); await refresh(); }
    catch (e) { msg.textContent = refusal(e); }
  };
  const mine = t.claim && t.claim.owner === ME.subject;
  return el('div', { class: 'actions' },
    t.claim ? el('span', { class: 'chip claimed', id: 'claimed-by' }, mine ? 'claimed by you' : 'claimed by ' + t.claim.ownerName) : el('span', { class: 'chip' }, 'unclaimed'),
    !mine ? el('button', { class: 'act', id: 'btn-claim', onclick: () => call('claim') }, t.claim ? 'Take it over' : 'Claim') : '',
    t.claim ? el('button', { class: 'act', id: 'btn-unclaim', onclick: () => call('unclaim') }, mine ? 'Release' : 'Release their claim') : '', msg);
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
  const timeline = el('table', { class: 'timeline', id: 'timeline' }, data.timeline.map((s) => el('tr', { 'data-event': s.event }, el('td', {}, s.time.replace('T', ' ').slice(0, 19)), el('td', {}, s.stage), el('td', {}, s.summary,
    s.rules.length ? el('div', { class: 'meta' }, s.rules.map((r) => r.code + (r.evidence.length ? ' (' + r.evidence.join('; ') + ')' : '')).join(' · ')) : ''))));
  const sla = t.sla ? slaChip(t.sla) : null;
  panel.replaceChildren(
    el('h3', {}, el('span', { id: 'ticket-number' }, '#' + t.externalId), ' — ', (t.subject || t.intent.replace(/_/g, ' ') || 'ticket')),
    el('div', { class: 'meta' }, 'customer ', el('b', { id: 'ticket-customer' }, t.customerId),
      t.customer ? ' (' + t.customer.tier + ', value ' + t.customer.accountValue + ', ' + t.customer.priorContacts + ' prior contacts)' : '', ' · ', t.channel || t.connector, ' · route ', el('b', { id: 'route' }, t.route || 'in progress'),
      t.queue ? ' → ' + t.queue : '', t.priority ? ' · ' + t.priority : '', ' · ', el('span', { class: 'tid', title: 'Handrail ticket id' }, t.ticketId)),
    el('div', { class: 'chips' }, sla),
    claimBar(t),
    el('h2', {}, 'Customer message'), el('div', { class: 'message', id: 'customer-message' }, t.body),
    el('div', { class: 'meta' }, 'area ', t.area, ' · intent ', t.intent, t.confidence !== undefined ? ' · confidence ' + t.confidence.toFixed(2) : '', t.riskFlags.length ? ' · risk: ' + t.riskFlags.join(', ') : ''),
    el('h2', {}, 'Reasons and evidence'), reasons,
    handoff ? el('h2', {}, 'Handoff packet') : '', handoff || '',
    el('h2', {}, 'AI draft'), draft,
    t.reply ? el('p', { class: 'ok', id: 'reply-sent' }, 'Reply sent ', t.reply.time.replace('T', ' ').slice(0, 19), ' with ' + t.reply.citations.length + ' citation' + (t.reply.citations.length === 1 ? '' : 's')) : '',
    decisionPanel(t),
    reviewPanel(t),
    el('h2', {}, 'Timeline'), timeline);
}

async function openTicket(id) {
  selected = id;
  if (location.hash !== '#' + id) history.replaceState(null, '', '#' + id);
  for (const li of document.querySelectorAll('li[data-ticket]')) li.classList.toggle('selected', li.dataset.ticket === id);
  try { renderTicket(await api('/api/tickets/' + encodeURIComponent(id))); }
  catch (e) { document.getElementById('ticket').replaceChildren(el('div', { class: 'placeholder' }, 'Could not load the ticket: ' + refusal(e))); }
}

async function refresh() {
  await loadQueues();
  if (selected) await openTicket(selected);
}

const pct = (x) => (x * 100).toFixed(1) + '%';
const k = (a) => a.kappa === null ? 'n/a' : a.kappa.toFixed(2);
async function loadReport() {
  const body = document.getElementById('report-body');
  if (!can('report.read')) { body.replaceChildren(el('div', { class: 'placeholder' }, 'Your role does not read the report.')); return; }
  const { weeks } = await api('/api/report/weekly');
  if (!weeks.length) { body.replaceChildren(el('div', { class: 'placeholder' }, 'No tickets yet.')); return; }
  const rows = [
    ['tickets', (w) => w.tickets], ['auto resolved', (w) => pct(w.routes.auto_resolved.share)], ['awaiting approval', (w) => pct(w.routes.awaiting_approval.share)],
    ['escalation rate', (w) => pct(w.escalationRate)], ['QA sampled / reviewed', (w) => w.qa.sampled + ' / ' + w.qa.reviewed],
    ...DEFECTS.map((d) => ['defect: ' + d.replace(/_/g, ' '), (w) => w.defects[d]]), ['tone issues', (w) => w.toneIssues.total],
    ['estimated defect rate (95% CI)', (w) => w.estimates.reviewedDecisions ? pct(w.estimates.overall.rate) + ' (' + pct(w.estimates.overall.lower) + '–' + pct(w.estimates.overall.upper) + ', ' + w.estimates.reviewedDecisions + ' reviewed)' : '-'],
    ['unresolved (reopened) · unknown', (w) => w.outcomes.reopened + ' of ' + w.outcomes.known + ' known · ' + w.outcomes.unknown + ' unknown'],
    ['SLA breaches', (w) => w.sla.breached + ' of ' + w.sla.withSla], ['top reasons', (w) => w.topReasons.map((r) => r.code + ' ' + r.count).join(', ')],
    ['drafts sent by people · edit rate', (w) => w.edits.sent + ' · ' + pct(w.edits.editRate)],
    ['edit rate by area', (w) => Object.entries(w.edits.byArea).map(([a, r]) => a + ' ' + pct(r.editRate)).join(', ') || '-'],
    ['edit rate by agent', (w) => w.edits.byAgent.map((r) => r.name + ' ' + pct(r.editRate) + ' of ' + r.sent).join(', ') || '-'],
    ['overrides · blocked replies · refusals', (w) => w.edits.overrides + ' · ' + w.edits.blocked + ' · ' + w.edits.denied],
    ['calibration: tickets ≥2 reviews', (w) => w.calibration.ticketsWithMultipleReviews],
    ['pass/fail agreement · kappa', (w) => w.calibration.passFail.agreement === null ? 'n/a' : pct(w.calibration.passFail.agreement) + ' · ' + k(w.calibration.passFail)],
  ];
  body.replaceChildren(el('h2', {}, 'Weekly monitoring'), el('p', {}, el('a', { href: '/report/weekly', target: '_blank', id: 'report-html' }, 'Open the weekly QA report with charts (defect rates with intervals, escalations, automation, the QA loop)')), el('table', { id: 'report-table' }, el('tr', {}, el('th', {}, ''), weeks.map((w) => el('th', {}, w.week))),
    rows.map(([label, f]) => el('tr', {}, el('td', {}, label), weeks.map((w) => el('td', {}, String(f(w))))))));
}

// Policy revisions (issue 15): an approver reads what a proposal would change over recorded tickets before the approve button.
async function loadPolicy() {
  const body = document.getElementById('policy-body');
  const { active, revisions } = await api('/api/policy');
  const rows = revisions.slice().sort((a, b) => b.proposedAt.localeCompare(a.proposedAt));
  body.replaceChildren(el('h2', {}, 'Policy revisions'), el('p', { class: 'meta' }, 'active revision: ', el('b', { id: 'policy-active' }, active || 'none (the pack file)')),
    rows.length ? el('table', { id: 'policy-revisions' }, el('tr', {}, el('th', {}, 'revision'), el('th', {}, 'status'), el('th', {}, 'proposed by'), el('th', {}, 'note'), el('th', {}, 'impact')),
      rows.map((r) => el('tr', { 'data-rev': r.rev }, el('td', {}, el('a', { href: '#policy-' + r.rev, class: 'tid', onclick: (ev) => { ev.preventDefault(); openRevision(r.rev); } }, r.rev)), el('td', {}, r.status),
        el('td', {}, (r.proposedByName || r.proposedBy) + ' · ' + r.proposedAt.replace('T', ' ').slice(0, 16)), el('td', {}, r.note),
        el('td', {}, r.impact ? r.impact.changed + ' of ' + r.impact.tickets + ' decisions change' : el('span', { class: 'bad' }, 'no impact report'))))) : el('div', { class: 'empty' }, 'No revisions proposed yet.'));
}

function impactGroups(title, groups) {
  if (!Array.isArray(groups) || !groups.length) return '';
  return el('div', {}, el('h2', {}, title), el('table', { class: 'impact-groups' }, el('tr', {}, el('th', {}, 'change'), el('th', {}, 'tickets'), el('th', {}, 'examples')),
    groups.map((g) => el('tr', {}, el('td', {}, String(g.key)), el('td', {}, String(g.count)), el('td', { class: 'tid' }, (g.examples || []).join(', '))))));
}

async function openRevision(rev) {
  const box = document.getElementById('policy-revision');
  box.hidden = false;
  const r = await api('/api/policy/revisions/' + encodeURIComponent(rev));
  const i = r.impact;
  const impact = i
    ? el('div', { id: 'policy-impact' }, el('h2', {}, 'Impact over recorded tickets'),
        el('p', { id: 'policy-impact-summary' }, el('b', {}, String(i.changed)), ' of ' + i.tickets + ' recorded decisions would change (window ' + (i.window.from || 'start') + ' → ' + (i.window.to || 'now') + ', computed ' + i.generatedAt + ' by the proposer’s what-if; re-run it with handrail replay --policy ' + r.rev + ').'),
        impactGroups('By route', i.report && i.report.byRoute), impactGroups('By area', i.report && i.report.byArea), impactGroups('By reason', i.report && i.report.byReason),
        el('pre', { class: 'message', id: 'policy-impact-text' }, i.text))
    : el('div', { class: 'banner warn', id: 'policy-no-impact' }, 'No impact report is attached. Before approving, run handrail replay --policy ' + r.rev + ' --since 7d.');
  const msg = el('div', { class: 'status', role: 'status', id: 'policy-status' });
  const note = el('input', { type: 'text', id: 'policy-note', placeholder: 'note for the record (optional)', 'aria-label': 'policy note' });
  const decide = async (action) => {
    for (const b of box.querySelectorAll('button')) b.disabled = true;
    try {
      const res = await api('/api/policy/revisions/' + encodeURIComponent(r.rev) + '/' + action, { note: note.value || undefined });
      status(msg, true, 'Recorded: ' + action + ' ' + r.rev + (res.status ? ' (' + res.status + ')' : ''));
      await loadPolicy();
    } catch (e) {
      status(msg, false, refusal(e));
      for (const b of box.querySelectorAll('button')) b.disabled = false;
    }
  };
  const actions = r.status === 'proposed' && can('policy.approve')
    ? el('div', {}, note, el('div', { class: 'actions' }, el('button', { class: 'act primary', id: 'btn-policy-approve', onclick: () => decide('approve') }, 'Approve revision'), el('button', { class: 'act danger', id: 'btn-policy-reject', onclick: () => decide('reject') }, 'Reject')), msg)
    : '';
  box.replaceChildren(el('h3', { id: 'policy-rev-title' }, 'Policy revision ' + r.rev + ' — ' + r.status),
    el('p', { class: 'meta' }, 'pack ', r.pack.name, ', proposed by ', el('b', {}, r.proposedByName || r.proposedBy), ' at ' + r.proposedAt, r.note ? ' — “' + r.note + '”' : '', r.decidedBy ? ' · ' + r.status + ' by ' + (r.decidedByName || r.decidedBy) : ''),
    impact, actions);
}

function show(tab) {
  for (const t of ['work', 'report', 'policy']) {
    document.getElementById(t).hidden = tab !== t;
    document.getElementById('tab-' + t).classList.toggle('active', tab === t);
  }
  if (tab === 'report') loadReport().catch((e) => document.getElementById('report-body').replaceChildren(el('div', { class: 'placeholder' }, refusal(e))));
  if (tab === 'policy') loadPolicy().catch((e) => document.getElementById('policy-body').replaceChildren(el('div', { class: 'placeholder' }, refusal(e))));
}
document.getElementById('tab-work').addEventListener('click', () => show('work'));
document.getElementById('tab-report').addEventListener('click', () => show('report'));
document.getElementById('tab-policy').hidden = !can('policy.read');
document.getElementById('tab-policy').addEventListener('click', () => show('policy'));
for (const id of ['filter-queue', 'filter-claim', 'filter-priority', 'filter-breached']) document.getElementById(id).addEventListener('change', () => loadQueues().catch(() => undefined));
document.getElementById('filter-q').addEventListener('input', () => loadQueues().catch(() => undefined));
loadQueues().catch((e) => document.getElementById('queues').prepend(el('div', { class: 'status show bad' }, 'Could not load queues: ' + refusal(e))));
// A link to a ticket (#t-…) opens it: from the helpdesk, a chat message or a colleague.
const fromHash = () => { if (/^#t-[0-9a-f]{24}$/.test(location.hash) && can('ticket.read') && location.hash.slice(1) !== selected) openTicket(location.hash.slice(1)); };
window.addEventListener('hashchange', fromHash);
fromHash();

// Live updates: the server names the tickets that changed; the lists and the open ticket follow.
let pending = null;
function live() {
  if (!can('ticket.read')) return;
  const badge = document.getElementById('live');
  const es = new EventSource('/api/stream');
  es.onopen = () => { badge.textContent = 'live'; badge.classList.add('on'); };
  es.onerror = () => { badge.textContent = 'reconnecting…'; badge.classList.remove('on'); };
  es.addEventListener('expired', () => { es.close(); badge.textContent = 'signed out'; badge.classList.remove('on'); });
  es.addEventListener('tickets', (ev) => {
    const ids = JSON.parse(ev.data);
    if (pending) return;
    pending = setTimeout(async () => {
      pending = null;
      const editing = document.activeElement && ['reply-text', 'override-reason', 'decision-note', 'review-note'].includes(document.activeElement.id);
      await loadQueues().catch(() => undefined);
      if (selected && ids.includes(selected) && !editing) await openTicket(selected).catch(() => undefined);
    }, 300);
  });
}
live();
</script>
</body>
</html>`;
}
