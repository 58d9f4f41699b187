import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { Area, HelpdeskOutcome, HumanDecision, QaReview, Route, TicketConcluded, type EventEnvelope } from '@handrail/contracts';
import { demoPaths, readSampleTickets } from '@handrail/demo';
import { newEvent } from '@handrail/events';
import { repoRoot } from '@handrail/launcher';
import { seededRandom } from '@handrail/qa';
import { eventually, openTestBus, testCredentials, trustedPublisher, type TestBus } from '@handrail/testing';
import { call, startConsole, type ConsoleUnderTest } from '../support/console.js';
import { intakeClient, openedEvents, startInProcess, type InProcessPipeline } from '../support/pipeline.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.join(repoRoot, 'docs', 'screenshots');
const runnable = existsSync(CHROMIUM) || process.env['CI'] === 'true';

/** Monday 10:00 UTC of the ISO week `weeksAgo` before this one. */
function weekStart(weeksAgo: number): Date {
  const d = new Date();
  const dow = d.getUTCDay() || 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - (dow - 1) - 7 * weeksAgo, 10));
}

describe.skipIf(!runnable)('weekly report — the demo plus synthetic verdicts, opened in Chromium (issue 13)', () => {
  let tb: TestBus;
  let pipeline: InProcessPipeline;
  let con: ConsoleUnderTest;
  let browser: Browser;
  const tokens: Record<string, string> = {};
  const htmlFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'hr-weekly-')), 'weekly.html');

  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'weekly');
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix, { QA_EVALUATE_INTERVAL_MS: '300' });
    con = await startConsole(inject('natsUrl'), tb.topo.prefix);
    for (const u of ['quinn', 'rita', 'sam', 'alex']) tokens[u] = await con.token(u);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await con?.stop();
    await pipeline?.stop();
    await tb?.cleanup();
  });

  it('weekly report — four weeks of decisions, samples, reviews, edits and outcomes render as charts; the screenshot goes in the README', async () => {
    // Three earlier weeks, synthetic: decisions as escalation concludes them (the sampler draws from them
    // like from any other), people's decisions, helpdesk outcomes; reviews come once the samples are in.
    const rnd = seededRandom(49);
    const esc = await trustedPublisher(tb.bus, tb.topo, 'escalation');
    const hd = await trustedPublisher(tb.bus, tb.topo, 'connectors');
    const consolePub = await trustedPublisher(tb.bus, tb.topo, 'console');
    const producer = (service: string) => ({ service, version: 'test', instance: 'test' });
    const mix = [
      { area: Area.AREA_FAQ_STATUS, route: Route.ROUTE_AUTO_RESOLVED, n: 24, reasons: [] as string[] },
      { area: Area.AREA_ROUTINE, route: Route.ROUTE_AUTO_RESOLVED, n: 14, reasons: [] },
      { area: Area.AREA_REFUND, route: Route.ROUTE_AWAITING_APPROVAL, n: 12, reasons: ['refund_needs_approval'] },
      { area: Area.AREA_COMPLAINT, route: Route.ROUTE_ESCALATED, n: 8, reasons: ['area_requires_human', 'negative_sentiment'] },
      { area: Area.AREA_PRIVACY, route: Route.ROUTE_ESCALATED, n: 4, reasons: ['human_only_area'] },
    ];
    const history: Array<{ id: string; week: number; at: Date; route: Route }> = [];
    for (const weeksAgo of [3, 2, 1]) {
      let i = 0;
      for (const m of mix) {
        for (let k = 0; k < m.n + (3 - weeksAgo) * 2; k++, i++) {
          const id = `t-hist${weeksAgo}${String(i).padStart(4, '0')}`;
          const at = new Date(weekStart(weeksAgo).getTime() + i * 600_000);
          const value = TicketConcluded.fromPartial({
            context: { ticketId: id, receivedAt: at.toISOString(), channel: k % 2 ? 'chat' : 'email', connector: 'demo', externalId: id },
            route: m.route,
            area: m.area,
            intent: 'x',
            confidence: 0.9,
            queue: m.route === Route.ROUTE_AUTO_RESOLVED ? '' : 'tier1-general',
            reasons: m.reasons.map((code) => ({ code, rule: code, detail: code, evidence: [] })),
          });
          await esc.publisher.publish(newEvent({ kind: 'concluded', value, ticketId: id, producer: producer('escalation'), now: at, revisions: { policy: 'hist', model: 'hist' } }));
          history.push({ id, week: weeksAgo, at, route: m.route });
          if (m.route === Route.ROUTE_AWAITING_APPROVAL) {
            const edited = rnd() < 0.3 + 0.1 * (3 - weeksAgo);
            const decision = HumanDecision.fromPartial({ ticketId: id, actor: 'u-ana', action: edited ? 'edit' : 'approve', finalText: 'ok', draftText: 'ok', person: { subject: 'u-ana', name: 'Ana Alvarez', roles: ['agent'] }, edit: edited ? { draftWords: 20, wordsAdded: 4, wordsRemoved: 3, changeRatio: 0.18 } : undefined, reviewMs: Math.round(2000 + rnd() * 60_000) });
            await consolePub.publisher.publish(newEvent({ kind: 'humanDecision', value: decision, ticketId: id, producer: producer('console'), now: new Date(at.getTime() + 3_600_000 * (1 + rnd() * 10)) }));
          }
          if (rnd() < 0.6) {
            const kind = rnd() < 0.12 + 0.03 * weeksAgo ? 'reopened' : 'solved';
            await hd.publisher.publish(newEvent({ kind: 'helpdeskOutcome', value: HelpdeskOutcome.fromPartial({ ticketId: id, connector: 'zendesk', ticketKey: id, kind, occurredAt: new Date(at.getTime() + 86_400_000).toISOString(), providerEventId: `${id}-o` }), ticketId: id, producer: producer('connectors'), now: at, idSuffix: kind }));
          }
        }
      }
    }

    // This week: the 49 demo tickets through the whole pipeline.
    const client = intakeClient(pipeline.grpcAddr);
    const demo = readSampleTickets(demoPaths.tickets).map((t) => t.message);
    const ids: string[] = [];
    for (const m of demo) {
      // Submitting is idempotent (the ticket id comes from the connector's id): on a loaded machine, retry a slow answer.
      let id = '';
      for (let attempt = 0; !id; attempt++) {
        try {
          id = (await client.submit(m)).ticketId;
        } catch (err) {
          if (attempt >= 3) throw err;
        }
      }
      ids.push(id);
    }
    client.close();
    await eventually(async () => {
      const n = (await openedEvents(tb.bus, tb.topo, tb.topo.subjects.eventsOfType('concluded'))).filter((e) => ids.includes(e.ticketId)).length;
      return n === ids.length ? n : undefined;
    }, 120_000, 500);

    // Samples drawn (history and demo), then synthetic verdicts: history reviewed with console-signed events at
    // the time, this week's through the console as quinn and rita (the seeded defect among them, unlabelled).
    const sampled = await eventually(async () => {
      const info = await tb.bus.jsm.consumers.info(tb.topo.streams.events, 'qa-sampler');
      if (info.num_pending > 0 || info.num_ack_pending > 0) return undefined;
      return openedEvents(tb.bus, tb.topo, tb.topo.subjects.eventsOfType('qa_sampled'));
    }, 120_000, 500);
    const when = new Map(history.map((h) => [h.id, h]));
    const cats = ['hallucination', 'tone_mismatch', 'policy_misapplication', 'incomplete_resolution'];
    for (const s of sampled) {
      const h = when.get(s.ticketId);
      if (!h) continue;
      const defectP = [0, 0.05, 0.1, 0.16][h.week] ?? 0.1;
      for (const [reviewer, name] of [['u-quinn', 'Quinn Park'], ['u-rita', 'Rita Moreau']] as const) {
        if (reviewer === 'u-rita' && rnd() < 0.6) continue;
        const findings = rnd() < defectP ? [{ category: cats[Math.floor(rnd() * cats.length)] ?? 'hallucination', severity: rnd() < 0.2 ? 'critical' : 'major', note: '' }] : [];
        const review = QaReview.fromPartial({ ticketId: s.ticketId, reviewer, defects: findings.map((f) => f.category), findings, passed: findings.length === 0, person: { subject: reviewer, name, roles: ['qa_reviewer'] }, blind: true, reviewMs: Math.round(20_000 + rnd() * 90_000) });
        await consolePub.publisher.publish(newEvent({ kind: 'qaReview', value: review, ticketId: s.ticketId, producer: producer('console'), now: new Date(h.at.getTime() + 2 * 86_400_000), idSuffix: reviewer }));
      }
    }
    const queue = (await call(con.base, '/api/queues', { token: tokens['quinn'] })).json as { qaSample: Array<{ ticketId: string }> };
    const current = queue.qaSample.filter((q) => !when.has(q.ticketId));
    expect(current.length).toBeGreaterThan(10);
    let k = 0;
    for (const q of current) {
      k++;
      const findings = k % 5 === 0 ? [{ category: 'hallucination', severity: 'major', note: 'claims a delivery date the order does not show' }] : k % 7 === 0 ? [{ category: 'tone_mismatch', severity: 'minor', note: 'curt, not the brand voice' }] : [];
      expect((await call(con.base, `/api/tickets/${q.ticketId}/review`, { token: tokens['quinn'], body: { findings } })).status).toBe(201);
      if (k % 2 === 0) expect((await call(con.base, `/api/tickets/${q.ticketId}/review`, { token: tokens['rita'], body: { findings: k % 4 === 0 ? findings : [] } })).status).toBe(201);
    }

    // The CLI writes the self-contained page; the console serves the same report.
    const saved = { url: process.env['NATS_URL'], prefix: process.env['HANDRAIL_PREFIX'], creds: process.env['HANDRAIL_CREDENTIALS_DIR'] };
    process.env['NATS_URL'] = inject('natsUrl');
    process.env['HANDRAIL_PREFIX'] = tb.topo.prefix;
    process.env['HANDRAIL_CREDENTIALS_DIR'] = testCredentials();
    const out: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((s: unknown) => void out.push(String(s)));
    try {
      const { run } = await import('../../libs/cli/src/commands/report.js');
      expect(await run(['weekly', '--html', htmlFile, '--policy', demoPaths.policy])).toBe(0);
      expect(await run(['weekly', '--json', '--policy', demoPaths.policy])).toBe(0);
      await expect(run(['weekly', '--week', '1999-W01'])).rejects.toThrow(/no tickets arrived in 1999-W01/);
      await expect(run(['weekly', '--week', '2026-13'])).rejects.toThrow(/--week must be an ISO week/);
    } finally {
      spy.mockRestore();
      for (const [key, v] of [['NATS_URL', saved.url], ['HANDRAIL_PREFIX', saved.prefix], ['HANDRAIL_CREDENTIALS_DIR', saved.creds]] as const) {
        if (v === undefined) delete process.env[key];
        else process.env[key] = v;
      }
    }
    const weeks = (JSON.parse(out.find((l) => l.startsWith('{"weeks"')) ?? '{}') as { weeks: Array<{ week: string; estimates: { reviewedDecisions: number; overall: { rate: number; lower: number; upper: number } }; outcomes: { known: number; unknown: number } }> }).weeks;
    expect(weeks).toHaveLength(4);
    for (const w of weeks) {
      expect(w.estimates.reviewedDecisions).toBeGreaterThan(5);
      expect(w.estimates.overall.lower).toBeLessThanOrEqual(w.estimates.overall.rate);
      expect(w.estimates.overall.upper).toBeGreaterThanOrEqual(w.estimates.overall.rate);
    }
    // The demo week: no helpdesk outcomes came back, so every outcome is unknown, none unresolved.
    expect(weeks[3]?.outcomes).toMatchObject({ known: 0 });
    const html = readFileSync(htmlFile, 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);

    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) errors.push(`request to ${r.url()}`);
    });
    await page.goto(`file://${htmlFile}`);
    await page.locator('h1').waitFor();
    expect(await page.locator('h1').innerText()).toMatch(/weekly QA report — \d{4}-W\d{2}/);
    // The charts: the defect trend with its confidence band, bars with whiskers by area and category, the trigger mix.
    expect(await page.locator('svg').count()).toBeGreaterThanOrEqual(5);
    expect(await page.locator('svg[aria-label="defect rate by category"] polygon').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('svg[aria-label="defect rate by category"] circle').count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator('svg[aria-label^="trigger mix"] rect').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('text=Improvement backlog').count()).toBe(1);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'weekly-report.png'), fullPage: true });

    // The console's view of it: report.read, the same sections.
    const viaConsole = await browser.newPage({ extraHTTPHeaders: { authorization: `Bearer ${tokens['alex']}` } });
    const res = await viaConsole.goto(`${con.base}/report/weekly`);
    expect(res?.status()).toBe(200);
    expect(await viaConsole.locator('svg').count()).toBeGreaterThanOrEqual(5);
    const denied = await call(con.base, '/report/weekly', { token: await con.token('ana') });
    expect(denied.status).toBe(403);
    expect(errors).toEqual([]);
    const events: EventEnvelope[] = await openedEvents(tb.bus, tb.topo, tb.topo.subjects.eventsOfType('qa_seeded'));
    console.log(`[weekly-report] ${weeks.map((w) => `${w.week}: defect rate ${(w.estimates.overall.rate * 100).toFixed(1)}% [${(w.estimates.overall.lower * 100).toFixed(1)}–${(w.estimates.overall.upper * 100).toFixed(1)}] over ${w.estimates.reviewedDecisions} reviewed`).join('; ')}; ${events.length} seeded defects`);
  }, 300_000);
});
