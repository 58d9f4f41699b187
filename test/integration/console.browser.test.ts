import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Route } from '@handrail/contracts';
import { startService, type RunningService } from '@handrail/runtime';
import { consoleService } from '@handrail/svc-console';
import { eventually, openTestBus, type TestBus } from '@handrail/testing';
import { conclusions, intakeClient, replies, startInProcess, type InProcessPipeline } from '../support/pipeline.js';

const CHROMIUM = '/usr/bin/chromium';
const REFUND = "I returned the blender two weeks ago and still haven't seen my refund of $30. When will it arrive?";

// Debian's chromium is installed by .ci/ensure-deps.sh; a developer without it skips, CI never does.
const runnable = existsSync(CHROMIUM) || process.env['CI'] === 'true';

describe.skipIf(!runnable)('console in a browser', () => {
  let tb: TestBus;
  let pipeline: InProcessPipeline;
  let consoleSvc: RunningService;
  let browser: Browser;
  let base = '';
  let refundId = '';

  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'console-ui');
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix);
    let port = 0;
    consoleSvc = await startService(
      consoleService({ NATS_URL: inject('natsUrl'), HANDRAIL_PREFIX: tb.topo.prefix, LOG_LEVEL: 'silent', CONSOLE_PORT: '0' }, { onListening: (p) => (port = p) }),
    );
    base = `http://127.0.0.1:${port}`;
    const client = intakeClient(pipeline.grpcAddr);
    refundId = (await client.submit({ connector: 'grpc', externalId: 'ui-1', customerId: 'c-ui1', channel: 'email', subject: 'Blender refund', body: REFUND })).ticketId;
    await client.submit({ connector: 'grpc', externalId: 'ui-2', customerId: 'c-ui2', channel: 'chat', body: 'Someone hacked my account and bought things with my card.' });
    await client.submit({ connector: 'grpc', externalId: 'ui-3', customerId: 'c-ui3', channel: 'chat', body: 'My lawyer will be in touch about this.' });
    client.close();
    await eventually(async () => ((await conclusions(tb.bus, tb.topo)).size >= 3 ? true : undefined), 60_000);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await consoleSvc?.shutdown('test done');
    await pipeline?.stop();
    await tb?.cleanup();
  });

  it('console UI — a person opens an awaiting-approval ticket, approves it, and one reply goes out', async () => {
    expect((await conclusions(tb.bus, tb.topo)).get(refundId)?.[0]?.route).toBe(Route.ROUTE_AWAITING_APPROVAL);
    // The auth proxy in front of the console sets this header on every request.
    const context = await browser.newContext({ extraHTTPHeaders: { 'X-Handrail-User': 'ann' }, viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The console follows the stream; wait until it has seen the conclusion.
    await eventually(async () => {
      const r = await fetch(`${base}/api/tickets/${refundId}`, { headers: { 'x-handrail-user': 'ann' } });
      return r.status === 200 && ((await r.json()) as { ticket: { route?: string } }).ticket.route ? true : undefined;
    });
    await page.goto(base);
    await expect.poll(() => page.locator('#who').textContent()).toBe('ann');
    const item = page.locator(`#q-approval li[data-ticket="${refundId}"]`);
    await item.waitFor({ timeout: 15_000 });
    await item.click();
    await page.locator('#customer-message').waitFor();
    expect(await page.locator('#customer-message').textContent()).toBe(REFUND);
    expect(await page.locator('#route').textContent()).toBe('awaiting_approval');
    expect(await page.locator('#draft sup').count()).toBeGreaterThan(0);
    expect(await page.locator('.timeline tr').count()).toBeGreaterThan(3);

    mkdirSync('.tmp', { recursive: true });
    await page.screenshot({ path: '.tmp/console-ticket.png', fullPage: true });

    await page.locator('#btn-approve').click();
    await page.locator('#decided').waitFor({ timeout: 15_000 });
    expect(await page.locator('#decided').textContent()).toContain('ann');
    expect(await page.locator(`#q-approval li[data-ticket="${refundId}"]`).count()).toBe(0);
    await page.locator('#reply-sent').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: '.tmp/console-approved.png', fullPage: true });

    const sent = await eventually(async () => {
      const r = await replies(tb.bus, tb.topo);
      return r.get(refundId) ? r : undefined;
    });
    expect(sent.get(refundId)).toBe(1);

    await page.locator('#tab-report').click();
    await page.locator('#report-table').waitFor();
    expect(await page.locator('#report-table').textContent()).toContain('escalation rate');
    await page.screenshot({ path: '.tmp/console-report.png', fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});
