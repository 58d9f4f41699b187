import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Route } from '@handrail/contracts';
import { repoRoot } from '@handrail/launcher';
import { demoPaths } from '@handrail/demo';
import { eventually, openTestBus, testCredentials, type TestBus } from '@handrail/testing';
import { handrail } from '../support/cli.js';
import { call, startConsole, type ConsoleUnderTest } from '../support/console.js';
import { conclusions, intakeClient, replies, startInProcess, type InProcessPipeline } from '../support/pipeline.js';

const CHROMIUM = '/usr/bin/chromium';
const REFUND = "I returned the blender two weeks ago and still haven't seen my refund of $30. When will it arrive?";
const OVER_LIMIT = 'The sofa arrived with a broken frame. I want a refund of $900 for it.';
const FAQ = 'How long does standard shipping take?';
/** Committed: the README shows these. */
const SHOTS = path.join(repoRoot, 'docs', 'screenshots');

// Debian's chromium is installed by .ci/ensure-deps.sh; a developer without it skips, CI never does.
const runnable = existsSync(CHROMIUM) || process.env['CI'] === 'true';

describe.skipIf(!runnable)('console in a browser (real Chromium, signed in through the identity provider)', () => {
  let tb: TestBus;
  let pipeline: InProcessPipeline;
  let con: ConsoleUnderTest;
  let browser: Browser;
  const ids = { refund: '', overLimit: '', faq: '', hacked: '', lawyer: '' };
  const errors: string[] = [];

  /** Opens the console in a fresh browser profile and signs in as `user` on the identity provider's page. */
  async function signIn(user: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    // A loaded machine is slow, not broken: generous waits, the assertions stay exact.
    page.setDefaultTimeout(60_000);
    page.on('pageerror', (e) => errors.push(`${user}: ${e.message}`));
    await page.goto(con.base);
    // The console sent us to the identity provider; pick the person (a real IdP asks for a password here).
    await page.locator(`#user-${user}`).click();
    await page.locator('#who').waitFor();
    return { context, page };
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    tb = await openTestBus(inject('natsUrl'), 'console-ui');
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix);
    con = await startConsole(inject('natsUrl'), tb.topo.prefix);
    const client = intakeClient(pipeline.grpcAddr);
    const submit = async (externalId: string, customerId: string, channel: string, subject: string, body: string) =>
      (await client.submit({ connector: 'zendesk', externalId, customerId, channel, subject, body })).ticketId;
    ids.refund = await submit('48213', 'c-ui1', 'email', 'Blender refund', REFUND);
    ids.overLimit = await submit('48214', 'c-ui2', 'email', 'Broken sofa', OVER_LIMIT);
    ids.faq = await submit('48215', 'c-ui3', 'chat', 'Shipping time', FAQ);
    ids.hacked = await submit('48216', 'c-ui4', 'chat', 'Account hacked', 'Someone hacked my account and bought things with my card.');
    ids.lawyer = await submit('48217', 'c-ui5', 'email', 'Complaint', 'My lawyer will be in touch about this.');
    client.close();
    const done = await eventually(async () => {
      const c = await conclusions(tb.bus, tb.topo);
      return Object.values(ids).every((id) => c.has(id)) ? c : undefined;
    }, 60_000);
    expect(done.get(ids.refund)?.[0]?.route).toBe(Route.ROUTE_AWAITING_APPROVAL);
    expect(done.get(ids.overLimit)?.[0]?.route).toBe(Route.ROUTE_ESCALATED);
    const sam = await con.token('sam');
    await eventually(async () => {
      const views = await Promise.all(Object.values(ids).map((id) => call(con.base, `/api/tickets/${id}`, { token: sam })));
      return views.every((v) => v.status === 200 && (v.json['ticket'] as { route?: string }).route) ? true : undefined;
    }, 30_000);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await con?.stop();
    await pipeline?.stop();
    await tb?.cleanup();
  });

  it("console UI — an agent's over-limit refund approval is refused; a supervisor's sends exactly one reply; the agent's queue updates live", async () => {
    const agent = await signIn('ana');
    const page = agent.page;
    expect(await page.locator('#who').textContent()).toBe('Ana Alvarez');
    expect(await page.locator('#roles').textContent()).toBe('agent');
    const item = page.locator(`#q-escalated li[data-ticket="${ids.overLimit}"]`);
    await item.waitFor({ timeout: 15_000 });
    // The helpdesk's number and the customer, not hash ids; age and the queue's SLA.
    expect(await item.textContent()).toContain('#48214');
    expect(await item.textContent()).toContain('c-ui2');
    expect(await item.locator('.chip.sla').count()).toBe(1);
    await page.locator('#live.on').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: path.join(SHOTS, 'console-queue.png') });

    await item.click();
    await page.locator('#exception-banner').waitFor();
    expect(await page.locator('#exception-banner').textContent()).toMatch(/refund 900 USD above the \w+ limit of 50 USD.*refund\.approve_over_limit/);
    await page.locator('#reply-text').fill('I have approved your refund of $900 for the sofa; it will reach your original payment method within 5 business days.');
    await page.locator('#btn-resolve').click();
    await expect.poll(() => page.locator('#decision-status').textContent(), { timeout: 10_000 }).toMatch(/Refused \(403 refund\.approve_over_limit\)/);
    expect((await replies(tb.bus, tb.topo)).get(ids.overLimit)).toBeUndefined();

    // The supervisor approves it in their own browser.
    const sup = await signIn('sam');
    await sup.page.goto(`${con.base}/#${ids.overLimit}`);
    await sup.page.locator('#exception-banner').waitFor();
    await sup.page.locator('#reply-text').fill('I have approved your refund of $900 for the sofa; it will reach your original payment method within 5 business days.');
    await sup.page.locator('#decision-note').fill('frame damage confirmed from the photos');
    await sup.page.locator('#btn-resolve').click();
    await sup.page.locator('#decided').waitFor({ timeout: 15_000 });
    expect(await sup.page.locator('#decided').textContent()).toMatch(/Sam Sato.*supervisor.*resolve/);
    await sup.page.locator('#reply-sent').waitFor({ timeout: 15_000 });
    expect(await sup.page.locator('#timeline').textContent()).toMatch(/REFUSED: Ana Alvarez \(agent\) tried decision\.resolve without refund\.approve_over_limit/);
    await sup.page.screenshot({ path: path.join(SHOTS, 'console-ticket.png'), fullPage: true });
    const sent = await eventually(async () => {
      const r = await replies(tb.bus, tb.topo);
      return r.get(ids.overLimit) ? r : undefined;
    });
    expect(sent.get(ids.overLimit)).toBe(1);
    // A second click cannot send a second reply.
    expect(await sup.page.locator('#btn-resolve').count()).toBe(0);

    // The agent's page follows without a reload: the ticket leaves the queue, and its view shows the decision.
    await expect.poll(() => page.locator(`#q-escalated li[data-ticket="${ids.overLimit}"]`).count(), { timeout: 10_000 }).toBe(0);
    await page.locator('#decided').waitFor({ timeout: 10_000 });
    await agent.context.close();
    await sup.context.close();
    expect((await replies(tb.bus, tb.topo)).get(ids.overLimit)).toBe(1);
  });

  it("console UI — the bad edit is refused naming each check; only the supervisor's override sends it, and the timeline shows the reason", async () => {
    const bad = 'calm down. Your refund of $9,000 is guaranteed… Reply with your full card number and CVV';
    const agent = await signIn('ana');
    await agent.page.goto(`${con.base}/#${ids.refund}`);
    await agent.page.locator('#reply-text').fill(bad);
    await agent.page.locator('#btn-edit').click();
    await agent.page.locator('#checks-failed').waitFor();
    const codes = await agent.page.locator('#checks-failed li').evaluateAll((lis) => [...new Set(lis.map((l) => l.getAttribute('data-check')))]);
    expect(codes.sort()).toEqual(['grounding', 'pii', 'policy', 'tone']);
    expect(await agent.page.locator('#btn-override').count()).toBe(0);
    await agent.context.close();

    const sup = await signIn('sam');
    await sup.page.goto(`${con.base}/#${ids.refund}`);
    await sup.page.locator('#reply-text').fill(bad);
    await sup.page.locator('#btn-edit').click();
    await sup.page.locator('#override-reason').fill('legal asked for this exact wording in the test plan');
    await sup.page.locator('#btn-override').click();
    await sup.page.locator('#override-shown').waitFor();
    expect(await sup.page.locator('#override-shown').textContent()).toContain('legal asked for this exact wording in the test plan');
    await sup.page.locator('#reply-sent').waitFor();
    expect(await sup.page.locator('#timeline').textContent()).toMatch(/OVERRIDE of failed checks .* reason: "legal asked for this exact wording in the test plan"/);
    expect(await sup.page.locator('#sent-diff .added').count()).toBeGreaterThan(0);
    await sup.page.screenshot({ path: path.join(SHOTS, 'console-override.png'), fullPage: true });
    await sup.context.close();
    const sent = await eventually(async () => {
      const r = await replies(tb.bus, tb.topo);
      return r.get(ids.refund) ? r : undefined;
    });
    expect(sent.get(ids.refund)).toBe(1);
  });

  it('console UI — a blind reviewer does not see the first review until they give theirs', async () => {
    const rita = await con.token('rita');
    expect((await call(con.base, `/api/tickets/${ids.faq}/review`, { token: rita, body: { defects: ['tone_mismatch'], note: 'RITA-NOTE curt answer' } })).status).toBe(201);
    const { context, page } = await signIn('quinn');
    await page.goto(`${con.base}/#${ids.faq}`);
    await page.locator('#review-blind').waitFor();
    expect(await page.locator('#review-blind').textContent()).toContain('1 other review is hidden');
    const text = (await page.locator('#ticket').textContent()) ?? '';
    expect(text).not.toContain('Rita Moreau');
    expect(text).not.toContain('RITA-NOTE');
    expect(await page.locator('#timeline tr[data-event="qa_reviewed"]').count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'console-blind-review.png'), fullPage: true });
    await page.locator('input[name="defect"][value="incomplete_resolution"]').check();
    await page.locator('#btn-review').click();
    await page.locator('#reviews').waitFor({ timeout: 10_000 });
    const after = (await page.locator('#reviews').textContent()) ?? '';
    expect(after).toContain('Rita Moreau');
    expect(after).toContain('Quinn Park');
    await context.close();
  });

  it('console UI — a policy proposal shows its what-if impact over recorded tickets before the approve button (issue 15)', async () => {
    // A real proposal: the CLI re-decides the recorded tickets under the raised refund limit and attaches the report.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'handrail-ui-policy-'));
    const pack = readFileSync(demoPaths.policy, 'utf8');
    const raised = pack.replace(/by_tier:\n(\s+)default: 50\n\s+standard: 50\n\s+plus: 150\n\s+vip: 300/, 'by_tier:\n$1default: 1000\n$1standard: 1000\n$1plus: 1000\n$1vip: 1000');
    expect(raised).not.toBe(pack);
    writeFileSync(path.join(dir, 'refund-1000.yaml'), raised);
    writeFileSync(path.join(dir, 'pat.jwt'), await con.token('pat'));
    const env = { NATS_URL: inject('natsUrl'), HANDRAIL_PREFIX: tb.topo.prefix, HANDRAIL_CREDENTIALS_DIR: testCredentials(), CONSOLE_URL: con.base, LOG_LEVEL: 'silent', POLICY_FILE: demoPaths.policy, KB_DIR: demoPaths.kb };
    const proposed = await handrail(env, ['policy', 'propose', path.join(dir, 'refund-1000.yaml'), '--impact-window', '1h', '--note', 'refunds up to 1000 without an exception', '--token-file', path.join(dir, 'pat.jwt')]);
    rmSync(dir, { recursive: true, force: true });
    expect(proposed.code, proposed.stderr).toBe(0);
    const rev = /proposed revision ([0-9a-f]{12})/.exec(proposed.stdout)?.[1] ?? '';
    const rec = await call(con.base, `/api/policy/revisions/${rev}`, { token: await con.token('pia') });
    const impact = rec.json['impact'] as { changed: number; tickets: number; report: { changes: Array<{ ticketId: string }> } };
    expect(impact.changed, proposed.stdout).toBeGreaterThan(0);
    expect(impact.report.changes.map((c) => c.ticketId)).toContain(ids.overLimit);

    const { context, page } = await signIn('pia');
    await page.locator('#tab-policy').click();
    await page.locator(`#policy-revisions tr[data-rev="${rev}"] a`).click();
    const summary = page.locator('#policy-impact-summary');
    await summary.waitFor();
    expect(await summary.isVisible()).toBe(true);
    expect(await summary.textContent()).toContain(`${impact.changed} of ${impact.tickets} recorded decisions would change`);
    expect(await page.locator('#policy-impact').textContent()).toContain(ids.overLimit);
    // The approver reads the impact first: it comes before the approve button in the page.
    expect(await page.locator('#policy-impact ~ div #btn-policy-approve').count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'console-policy-impact.png'), fullPage: true });
    await page.locator('#policy-note').fill('impact read: the over-limit refund no longer needs a policy exception');
    await page.locator('#btn-policy-approve').click();
    await expect.poll(() => page.locator('#policy-status').textContent(), { timeout: 15_000 }).toMatch(new RegExp(`Recorded: approve ${rev}`));
    expect((await call(con.base, `/api/policy/revisions/${rev}`, { token: await con.token('pia') })).json['status']).toBe('approved');
    await context.close();
  }, 180_000);

  it('console UI — the weekly report shows the edit rate; no page error anywhere', async () => {
    const { context, page } = await signIn('alex');
    expect(await page.locator('#roles').textContent()).toBe('analyst');
    // An analyst reads: no decision buttons.
    await page.goto(`${con.base}/#${ids.hacked}`);
    await page.locator('#customer-message').waitFor();
    await page.locator('#read-only').waitFor();
    expect(await page.locator('#btn-resolve').count()).toBe(0);
    await page.locator('#tab-report').click();
    await page.locator('#report-table').waitFor();
    expect(await page.locator('#report-table').textContent()).toContain('edit rate by agent');
    await context.close();
    expect(errors).toEqual([]);
  });
});
