import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '@handrail/launcher';
import { eventually, openTestBus, type TestBus } from '@handrail/testing';
import { conclusions, intakeClient, startInProcess, type InProcessPipeline } from '../support/pipeline.js';

/** `name{labels} value` lines of a Prometheus text exposition, summed over series matching `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  let seen = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^([^{\s]+)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) {
      total += Number(m[3]);
      seen = true;
    }
  }
  return seen ? total : NaN;
}

describe('metrics — every service serves Prometheus metrics on its health port (issue 16)', () => {
  let tb: TestBus;
  let pipeline: InProcessPipeline;
  let port: number;
  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return res.text();
  };

  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'metrics');
    port = await freePort();
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix, {}, { escalation: { HEALTH_PORT: String(port) } });
  });
  afterAll(async () => {
    await pipeline?.stop();
    await tb?.cleanup();
  });

  it('metrics — decisions, settled messages and stage latency move as tickets pass; consumer lag follows the server while the stage is stopped', async () => {
    const before = await scrape();
    expect(sample(before, 'handrail_consumer_lag', { consumer: 'escalation-route' })).toBe(0);
    expect(sample(before, 'handrail_decisions_total')).toBeNaN();

    const client = intakeClient(pipeline.grpcAddr);
    const first = await client.submit({ connector: 'metrics', externalId: 'm-1', customerId: 'c-m1', body: 'How long does standard shipping take?' });
    await eventually(async () => (await conclusions(tb.bus, tb.topo)).get(first.ticketId));
    const after = await eventually(async () => {
      const t = await scrape();
      return sample(t, 'handrail_decisions_total', { service: 'escalation' }) >= 1 ? t : undefined;
    });
    expect(sample(after, 'handrail_decisions_total', { stage: 'escalation' })).toBeGreaterThanOrEqual(1);
    expect(after).toMatch(/handrail_decisions_total\{[^}]*decision="route:[a-z_]+"/);
    expect(sample(after, 'handrail_messages_total', { consumer: 'escalation-route', outcome: 'ack' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'handrail_stage_duration_seconds_count', { consumer: 'escalation-route' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'handrail_events_emitted_total', { type: 'concluded' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'handrail_consumer_lag', { consumer: 'escalation-route' })).toBe(0);
    // Node's own metrics too (heap, event-loop lag), under the same prefix.
    expect(sample(after, 'handrail_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);

    // Escalation stops reading its route consumer: what upstream publishes waits, and the lag shows it.
    const escalation = pipeline.services[3];
    const route = escalation?.consumers.find((c) => c.name.endsWith('/escalation-route'));
    if (!route) throw new Error('escalation has no escalation-route consumer');
    await route.stop(5_000);
    for (let i = 2; i <= 4; i++) await client.submit({ connector: 'metrics', externalId: `m-${i}`, customerId: `c-m${i}`, body: 'Where is my order?' });
    client.close();
    const lagged = await eventually(async () => {
      const t = await scrape();
      return sample(t, 'handrail_consumer_lag', { consumer: 'escalation-route' }) === 3 ? t : undefined;
    });
    expect(sample(lagged, 'handrail_consumer_pending', { consumer: 'escalation-route' })).toBe(3);
    expect(sample(lagged, 'handrail_consumer_lag', { stream: tb.topo.streams.events, consumer: 'escalation-conclude' })).toBe(0);
  });
});
