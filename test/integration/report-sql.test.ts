import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Area, AiAction, HelpdeskOutcome, HumanDecision, QaReview, QaSampled, QaSeeded, Route, ShadowDecided, Ticket, TicketClaim, type EventEnvelope } from '@handrail/contracts';
import { createClassifier, trainingExamplesFromPolicy } from '@handrail/classifier';
import { decideInOrder, decisionPayloads } from '@handrail/decisions';
import { demoPaths, readSampleTickets } from '@handrail/demo';
import { newEvent, ticketIdFor, type PayloadCase, type PayloadOf } from '@handrail/events';
import { ingestDirectory, toSnapshot } from '@handrail/kb';
import { loadPolicyFile, policyRevisionId, slaMinutesFor, type PolicyPack } from '@handrail/policy';
import { applyEvent as foldEvent, BUILTIN_CATEGORIES, emptyProjection, renderWeeklyHtml, weeklyReport, type ProjectionState } from '@handrail/projection';
import { calibrationReport } from '@handrail/qa';
import { LoopState, qaOverview } from '@handrail/quality';
import { applyEvent, embeddedDb, migrate, postgresDb, projectionDigest, reportState, type Db } from '@handrail/sql-projection';

/** The defect categories (as the console's taxonomy: the built-in four and the pack's own). */
const defectTaxonomy = (pack: PolicyPack): string[] => [...new Set([...BUILTIN_CATEGORIES, ...pack.qa.defect_taxonomy.map((d) => d.category)])];
const ADMIN_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const producer = { service: 'test', version: '0', instance: 'report-sql' };
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 9, 8, 0);
const person = (subject: string, name: string, roles = ['agent']) => ({ subject, name, roles, issuer: 'https://idp.test' });
const ANA = person('u-ana', 'Ana Alvarez');
const SAM = person('u-sam', 'Sam Sato', ['supervisor']);
const QUINN = person('u-quinn', 'Quinn Li', ['qa']);
const RITA = person('u-rita', 'Rita Moreau', ['qa']);

/** The real PostgreSQL at 127.0.0.1:5432 when it answers (a database of this run's own), else embedded PGlite. */
async function projectionDb(): Promise<{ db: Db; kind: string; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2_000 });
  try {
    await admin.connect();
  } catch {
    const db = await embeddedDb();
    return { db, kind: 'embedded PGlite (no server answered)', drop: async () => undefined };
  }
  const name = `handrail_report_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const db = postgresDb(Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).href);
  return {
    db,
    kind: 'real PostgreSQL at 127.0.0.1:5432',
    async drop() {
      await db.close();
      // The pool's sockets close after end() resolves: a forced drop before then fails a closing client.
      await new Promise((r) => setTimeout(r, 200));
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/**
 * Three weeks of the demo tickets decided by the real pipeline code (classifier, policy, drafting,
 * guardrail, escalation, sampler), then what people and the QA loop did with them: claims, decisions
 * with edits, overrides and review clocks, refusals, re-draws after an edit, blind reviews with findings
 * (one replaced, two in a calibration session), seeded known defects, helpdesk outcomes (a bad rating
 * outside the sample), two shadow candidates, alerts and automation changes.
 */
async function realisticStream(pack: PolicyPack): Promise<{ events: EventEnvelope[]; shadow: EventEnvelope[] }> {
  const kb = await ingestDirectory(demoPaths.kb);
  const samples = readSampleTickets(demoPaths.tickets);
  const tickets = samples.map((s, i) =>
    Ticket.fromPartial({
      ticketId: ticketIdFor('grpc', `rep-${i}`),
      connector: 'grpc',
      externalId: `rep-${i}`,
      customerId: s.message.customerId,
      channel: s.message.channel,
      subject: s.message.subject,
      body: s.message.body,
      orders: s.message.orders,
      receivedAt: new Date(T0 + i * 8 * 3_600_000).toISOString(),
    }),
  );
  const decided = await decideInOrder(tickets, {
    policy: { pack, revision: policyRevisionId(pack) },
    kb: { kb, revision: toSnapshot(kb).revision },
    classify: { classifier: createClassifier(trainingExamplesFromPolicy(pack)) },
  });
  const timed: Array<{ at: number; e: EventEnvelope }> = [];
  const shadow: EventEnvelope[] = [];
  const add = <C extends PayloadCase>(at: number, kind: C, ticketId: string, value: PayloadOf<C>, o: { idSuffix?: string; revisions?: { policy?: string; kb?: string; model?: string } } = {}) =>
    timed.push({ at, e: newEvent({ kind, value, ticketId, producer, now: new Date(at), idSuffix: o.idSuffix, revisions: o.revisions }) });
  let n = 0;
  for (const [i, t] of tickets.entries()) {
    const d = decided[i];
    if (!d) continue;
    const at = Date.parse(t.receivedAt);
    const id = t.ticketId;
    add(at, 'received', id, { ticket: t }, { revisions: d.revisions });
    const p = decisionPayloads(d);
    const stages = Object.entries(p).filter(([k, v]) => v !== undefined && k !== 'outboundReply') as Array<[PayloadCase, unknown]>;
    stages.forEach(([kind, value], k) => add(at + (k + 1) * 1_000, kind, id, value as never, { revisions: d.revisions }));
    const route = d.concluded.route;
    const draft = d.checked?.draft;
    const later = at + 40 * 60_000 + (i % 5) * 50 * 60_000;
    if (route === Route.ROUTE_AWAITING_APPROVAL || route === Route.ROUTE_ESCALATED) {
      n++;
      if (n % 4 === 3) continue; // still open
      add(later - 10 * 60_000, 'claim', id, TicketClaim.fromPartial({ ticketId: id, person: ANA, claimed: true }), { idSuffix: '1' });
      if (n % 6 === 0) add(later - 5 * 60_000, 'replyBlocked', id, { ticketId: id, person: ANA, action: 'edit', text: 'a blocked reply', failures: [] });
      if (n % 7 === 0) add(later - 4 * 60_000, 'accessDenied', id, { ticketId: id, person: QUINN, action: 'decision.approve', permission: 'decision.approve', resource: id, detail: 'lacks permission' });
      const action = (['approve', 'edit', 'resolve', 'reject'] as const)[n % 4] ?? 'approve';
      const edited = action === 'edit';
      add(later, 'humanDecision', id, HumanDecision.fromPartial({
        ticketId: id,
        actor: n % 2 ? ANA.subject : SAM.subject,
        person: n % 2 ? ANA : SAM,
        action,
        finalText: 'the reply',
        draftText: action === 'approve' || action === 'edit' ? (draft?.text ?? 'the AI draft') : '',
        edit: edited ? { draftWords: 40, wordsAdded: 5, wordsRemoved: 3, changeRatio: 0.2 } : action === 'approve' ? { draftWords: 40, wordsAdded: 0, wordsRemoved: 0, changeRatio: 0 } : undefined,
        reviewMs: n % 5 === 0 ? 0 : 3_000 + n * 1_000,
        citations: draft?.citations ?? [],
        override: n % 8 === 0 ? { reason: 'customer confirmed by phone', failed: ['grounding'] } : undefined,
      }));
      if (edited) add(later + 1_000, 'qaSampled', id, QaSampled.fromPartial({ ticketId: id, route, area: d.concluded.area, sampleReason: 'human_edit', rate: 0.1, inclusionProbability: 0.9, factors: ['human_edit'], stage: 'human_edit', stratum: 'x/y' }));
    }
    // Reviews: every sampled ticket gets Quinn's; every other one also Rita's (blind, with findings).
    const sampled = Boolean(d.sample) || (route !== Route.ROUTE_AUTO_RESOLVED && n % 3 === 0);
    if (sampled) {
      const bad = i % 3 === 0;
      add(later + 2 * 3_600_000, 'qaReview', id, QaReview.fromPartial({ ticketId: id, reviewer: QUINN.subject, person: QUINN, passed: !bad, blind: true, defects: bad ? ['hallucination'] : [], findings: bad ? [{ category: 'hallucination', severity: i % 2 ? 'critical' : 'major', note: 'made up a date' }] : [], reviewMs: 20_000 + i * 100, calibrationSession: i < 6 ? 'cal-1' : '' }), { idSuffix: 'quinn' });
      if (i % 2 === 0) add(later + 3 * 3_600_000, 'qaReview', id, QaReview.fromPartial({ ticketId: id, reviewer: RITA.subject, person: RITA, passed: i % 4 !== 0, blind: true, defects: i % 4 === 0 ? ['tone_mismatch', 'incomplete_resolution'] : [], reviewMs: 1_500, calibrationSession: i < 6 ? 'cal-1' : '' }), { idSuffix: 'rita' });
      // Quinn changes their mind on one: the later review replaces the first.
      if (i === 3) add(later + 4 * 3_600_000, 'qaReview', id, QaReview.fromPartial({ ticketId: id, reviewer: QUINN.subject, person: QUINN, passed: false, blind: false, defects: ['policy_misapplication'], findings: [{ category: 'policy_misapplication', severity: 'minor', note: 'n' }], reviewMs: 9_000 }), { idSuffix: 'quinn-2' });
    }
    // Outcomes: solved, reopened, ratings (a bad one outside the sample).
    if (i % 3 === 1) add(at + DAY, 'helpdeskOutcome', id, HelpdeskOutcome.fromPartial({ ticketId: id, kind: 'solved', rating: '', occurredAt: new Date(at + DAY).toISOString() }), { idSuffix: 'solved' });
    if (i % 5 === 2) add(at + 2 * DAY, 'helpdeskOutcome', id, HelpdeskOutcome.fromPartial({ ticketId: id, kind: 'reopened', rating: '', occurredAt: new Date(at + 2 * DAY).toISOString() }), { idSuffix: 'reopened' });
    if (i % 4 === 1) add(at + DAY + 1_000, 'helpdeskOutcome', id, HelpdeskOutcome.fromPartial({ ticketId: id, kind: 'satisfaction', rating: i % 8 === 1 ? 'bad' : 'good', occurredAt: new Date(at + DAY + 1_000).toISOString() }), { idSuffix: 'csat' });
    // Two candidates in shadow mode: one agrees, one routes refunds (and every fourth ticket) differently.
    for (const [k, rev] of ['cand-a', 'cand-b'].entries()) {
      if (i % (k + 2) !== 0) continue;
      const c = d.concluded;
      const differs = rev === 'cand-b' && (c.area === Area.AREA_REFUND || i % 4 === 0);
      const flipped = c.route === Route.ROUTE_ESCALATED ? Route.ROUTE_AWAITING_APPROVAL : Route.ROUTE_ESCALATED;
      shadow.push(newEvent({
        kind: 'shadowDecided',
        ticketId: id,
        producer,
        now: new Date(at + 2_000),
        idSuffix: rev,
        revisions: { policy: rev, kb: k ? 'kb-next' : '', model: d.revisions.model },
        value: ShadowDecided.fromPartial({ concluded: { ...c, route: differs ? flipped : c.route, reasons: differs ? [...c.reasons, { code: 'refund_over_limit', rule: 'r', detail: '', evidence: [] }] : c.reasons }, aiAction: AiAction.AI_ACTION_DRAFT, production: d.revisions }),
      }));
    }
  }
  // A ticket only the shadow saw (production's events expired or not yet in).
  shadow.push(newEvent({ kind: 'shadowDecided', ticketId: 'shadow-only', producer, now: new Date(T0), idSuffix: 'cand-a', revisions: { policy: 'cand-a' }, value: ShadowDecided.fromPartial({ concluded: { route: Route.ROUTE_AUTO_RESOLVED, area: Area.AREA_FAQ_STATUS }, aiAction: AiAction.AI_ACTION_RESOLVE }) }));
  // Seeded known defects, reviewed (caught by Quinn, missed by Rita).
  for (let s = 0; s < 3; s++) {
    const id = `seed-${s}`;
    const at = T0 + (s * 5 + 1) * DAY;
    add(at, 'qaSeeded', id, QaSeeded.fromPartial({ ticketId: id, seedId: `s-${s}`, area: Area.AREA_REFUND, intent: 'refund_request', route: Route.ROUTE_AUTO_RESOLVED, channel: 'email', subject: 'seeded', body: 'b', draftText: 'd', expectedDefects: ['hallucination'], citations: [{ articleId: 'refunds-policy', passageId: 'p1', articleVersion: 'v1' }] }));
    add(at + 3_600_000, 'qaReview', id, QaReview.fromPartial({ ticketId: id, reviewer: QUINN.subject, person: QUINN, passed: false, defects: ['hallucination'], blind: true, reviewMs: 30_000 }), { idSuffix: 'quinn' });
    add(at + 3_700_000, 'qaReview', id, QaReview.fromPartial({ ticketId: id, reviewer: RITA.subject, person: RITA, passed: true, blind: true, reviewMs: 900 }), { idSuffix: 'rita' });
  }
  // The QA loop's own records.
  const loopAt = T0 + 10 * DAY;
  add(loopAt, 'automationChanged', 'automation', { action: 'demote', area: Area.AREA_REFUND, pilot: '', maxAction: AiAction.AI_ACTION_ASSIST, previousAction: AiAction.AI_ACTION_DRAFT, reason: 'defect_rate_above_bound', detail: 'upper bound 31% > 10%', person: undefined, estimate: { rate: 0.2, lower: 0.1, upper: 0.31, bound: 0.1, confidence: 0.95, samples: 12, effectiveN: 9.5 } }, { idSuffix: 'refund-1' });
  add(loopAt + 1_000, 'qaAlert', 'automation', { kind: 'breaker_tripped', area: Area.AREA_REFUND, subject: '', detail: 'refund demoted to assist', value: 0.31, threshold: 0.1 }, { idSuffix: 'breaker-refund-1' });
  add(loopAt + 2_000, 'qaAlert', 'automation', { kind: 'reviewer_passes_seeded', area: Area.AREA_UNSPECIFIED, subject: 'u-rita', detail: 'passed 3 of 3 seeded defects', value: 1, threshold: 0.5 }, { idSuffix: 'rita-seeded' });
  add(loopAt + 3 * DAY, 'automationChanged', 'automation', { action: 'restore', area: Area.AREA_REFUND, pilot: '', maxAction: AiAction.AI_ACTION_DRAFT, previousAction: AiAction.AI_ACTION_ASSIST, reason: 'restored_by_person', detail: 'fixed the article', person: SAM, estimate: undefined }, { idSuffix: 'refund-2' });
  add(loopAt + 4 * DAY, 'automationChanged', 'automation', { action: 'demote', area: Area.AREA_ROUTINE, pilot: '', maxAction: AiAction.AI_ACTION_DRAFT, previousAction: AiAction.AI_ACTION_RESOLVE, reason: 'defect_rate_above_bound', detail: 'upper bound 22% > 10%', person: undefined, estimate: undefined }, { idSuffix: 'routine-1' });
  const calIds = timed.filter((x) => x.e.payload?.$case === 'qaReview' && x.e.payload.value.calibrationSession === 'cal-1').map((x) => x.e.ticketId);
  add(T0, 'calibration', 'calibration', { sessionId: 'cal-1', action: 'open', title: 'Hallucination or tone?', ticketIds: [...new Set(calIds)], reviewers: ['u-quinn', 'u-rita'], person: SAM, outcome: '' }, { idSuffix: 'cal-1-open' });
  add(T0 + 5 * DAY, 'calibration', 'calibration', { sessionId: 'cal-1', action: 'close', title: '', ticketIds: [], reviewers: [], person: SAM, outcome: 'a date not in the KB is a hallucination' }, { idSuffix: 'cal-1-close' });
  add(T0 + 6 * DAY, 'calibration', 'calibration', { sessionId: 'cal-2', action: 'open', title: 'Still open', ticketIds: [], reviewers: ['u-quinn'], person: SAM, outcome: '' }, { idSuffix: 'cal-2-open' });
  // In the order a stream would hold them: by time, then as published.
  const events = timed.map((x, k) => ({ ...x, k })).sort((a, b) => a.at - b.at || a.k - b.k).map((x) => x.e);
  return { events, shadow };
}

describe('sql-projection — the weekly report and the QA overview from SQL equal the in-memory ones (issue 15)', () => {
  let pack: PolicyPack;
  let events: EventEnvelope[];
  let shadow: EventEnvelope[];
  let memory: ProjectionState;
  let loop: LoopState;
  let store: Awaited<ReturnType<typeof projectionDb>>;

  beforeAll(async () => {
    pack = await loadPolicyFile(demoPaths.policy);
    ({ events, shadow } = await realisticStream(pack));
    memory = emptyProjection();
    loop = new LoopState();
    // The console's old read model: the events stream and the shadow stream, folded in memory.
    for (const e of [...events, ...shadow]) {
      foldEvent(memory, e);
      loop.apply(e);
    }
    store = await projectionDb();
    console.log(`[report-sql test] ${store.kind}; ${events.length} events, ${shadow.length} shadow decisions, ${memory.tickets.size} tickets`);
    await migrate(store.db);
    for (const [i, e] of events.entries()) await applyEvent(store.db, i + 1, e.time, e);
    for (const [i, e] of shadow.entries()) await applyEvent(store.db, i + 1, e.time, e, 'shadow');
  }, 180_000);
  afterAll(async () => {
    if (store?.kind.startsWith('embedded')) await store.db.close();
    await store?.drop();
  });

  it('reportState — weekly report (JSON and HTML), QA overview, alerts, automation changes and calibration sessions deep-equal the whole-stream memory\'s', async () => {
    const { state, automationEvents } = await reportState(store.db);
    const sqlLoop = new LoopState();
    for (const e of automationEvents) sqlLoop.apply(e);
    const now = new Date(T0 + 30 * DAY);
    const o = { slaMinutes: (q: string) => slaMinutesFor(pack.sla, q), categories: defectTaxonomy(pack), now };
    const want = weeklyReport(memory.tickets.values(), o);
    const got = weeklyReport(state.tickets.values(), o);
    expect(got).toEqual(want);
    expect(qaOverview(state.tickets.values(), pack, sqlLoop)).toEqual(qaOverview(memory.tickets.values(), pack, loop));
    expect(state.alerts).toEqual(memory.alerts);
    expect(state.automation).toEqual(memory.automation);
    expect([...state.calibrations.values()]).toEqual([...memory.calibrations.values()]);
    expect(sqlLoop.automation).toEqual(loop.automation);
    expect(sqlLoop.lastChangeAt).toEqual(loop.lastChangeAt);
    const html = (s: ProjectionState, l: LoopState, weeks: typeof want) =>
      renderWeeklyHtml({ weeks, week: weeks.at(-1), title: 'weekly', generatedAt: now.toISOString(), loop: qaOverview(s.tickets.values(), pack, l), alerts: s.alerts, changes: s.automation });
    expect(html(state, sqlLoop, got)).toBe(html(memory, loop, want));
    // A calibration session's agreement, from the reviews SQL holds.
    const items = (s: ProjectionState) => (s.calibrations.get('cal-1')?.ticketIds ?? []).map((id) => ({ ticketId: id, reviews: (s.tickets.get(id)?.reviews ?? []).filter((r) => r.session === 'cal-1') }));
    expect(calibrationReport(items(state), defectTaxonomy(pack))).toEqual(calibrationReport(items(memory), defectTaxonomy(pack)));

    // And not a comparison of empty reports: every section has something in it.
    expect(want.length).toBeGreaterThanOrEqual(3);
    const sum = (f: (w: (typeof want)[number]) => number) => want.reduce((n, w) => n + f(w), 0);
    expect(sum((w) => w.tickets)).toBeGreaterThan(40);
    expect(sum((w) => w.qa.reviews)).toBeGreaterThan(10);
    expect(sum((w) => w.estimates.reviewedDecisions)).toBeGreaterThan(5);
    expect(sum((w) => w.edits.edited)).toBeGreaterThan(0);
    expect(sum((w) => w.edits.overrides)).toBeGreaterThan(0);
    expect(sum((w) => w.edits.blocked)).toBeGreaterThan(0);
    expect(sum((w) => w.edits.denied)).toBeGreaterThan(0);
    expect(sum((w) => w.human.timed)).toBeGreaterThan(0);
    expect(sum((w) => w.helpdesk.reopened)).toBeGreaterThan(0);
    expect(sum((w) => w.helpdesk.satisfaction.bad)).toBeGreaterThan(0);
    expect(sum((w) => w.seeded)).toBe(3);
    expect(sum((w) => w.shadow.candidates.length)).toBeGreaterThanOrEqual(2);
    expect(sum((w) => w.shadow.candidates.reduce((n, c) => n + c.routeChanged, 0))).toBeGreaterThan(0);
    expect(want.flatMap((w) => w.reviewers).length).toBeGreaterThan(0);
    expect(state.alerts).toHaveLength(2);
    expect(state.automation).toHaveLength(3);
    expect(state.calibrations.get('cal-1')?.closedAt).not.toBe('');
    expect(sqlLoop.automation.demoted.has('routine')).toBe(true);
  });

  it('projector rows — applying the whole stream again changes nothing (the digest includes the report\'s tables)', async () => {
    const before = await projectionDigest(store.db);
    expect(before.counts['qa_findings']).toBeGreaterThan(0);
    expect(before.counts['shadow_decisions']).toBe(shadow.length);
    expect(before.counts['decision_details']).toBeGreaterThan(0);
    // A redelivery at a new sequence (the dedupe window passed): rows keyed by event id stay as they were.
    const { rowsOf, shadowRowsOf } = await import('@handrail/sql-projection');
    await store.db.transaction(async (q) => {
      for (const [i, e] of events.entries()) for (const s of rowsOf(events.length + i + 1, e.time, e)) await q(s.sql, s.params);
      for (const [i, e] of shadow.entries()) for (const s of shadowRowsOf(shadow.length + i + 1, e.time, e)) await q(s.sql, s.params);
    });
    expect(await projectionDigest(store.db)).toEqual(before);
  });
});
