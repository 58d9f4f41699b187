import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AckPolicy } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Area, QaSampled, Route } from '@handrail/contracts';
import { ack } from '@handrail/bus';
import { baseConfigSchema } from '@handrail/config';
import { CONSUMERS } from '@handrail/events';
import { defineService, startService } from '@handrail/runtime';
import { openTestBus, testCredentials, trustedPublisher, type TestBus } from '@handrail/testing';

describe('service runtime (issue 9)', () => {
  let tb: TestBus;
  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'runtime');
  });
  afterAll(async () => {
    await tb?.cleanup();
  });

  it('runtime — a service whose start() throws leaves nothing behind: its consumers stop and its connection closes', async () => {
    let nc: NatsConnection | undefined;
    const broken = defineService({ name: 'guardrail', version: '0', configSchema: baseConfigSchema }, async (ctx) => {
      nc = ctx.bus.nc;
      await ctx.onEvent('classified', CONSUMERS.guardrailPermit, async () => ack());
      throw new Error('the KB directory is unreadable');
    });
    await expect(startService(broken({ NATS_URL: inject('natsUrl'), HANDRAIL_PREFIX: tb.topo.prefix, LOG_LEVEL: 'silent', HANDRAIL_CREDENTIALS_DIR: testCredentials() }))).rejects.toThrow(/KB directory is unreadable/);
    expect(nc?.isClosed()).toBe(true);
    // The durable consumer was created, but nobody pulls from it any more.
    const info = await tb.bus.jsm.consumers.info(tb.topo.streams.events, CONSUMERS.guardrailPermit);
    expect(info.num_waiting).toBe(0);
  });

  it('runtime — onEvent hands the handler the typed payload and emit publishes an event caused by it', async () => {
    const seen: string[] = [];
    const echo = defineService({ name: 'drafting', version: '0', configSchema: baseConfigSchema }, async (ctx) => {
      await ctx.onEvent('qaSampled', 'echo-test', async (p, env) => {
        seen.push(p.sampleReason);
        await ctx.emit({ kind: 'handoff', value: { ticketId: env.ticketId, packet: { summary: p.sampleReason, kbFindings: [], triggers: [], suggestedNextStep: '' } }, cause: env });
        return ack();
      });
    });
    // The provisioner's job in production: this test's own durable.
    await tb.bus.jsm.consumers.add(tb.topo.streams.events, { durable_name: 'echo-test', filter_subject: tb.topo.subjects.eventsOfType('qa_sampled'), ack_policy: AckPolicy.Explicit });
    const svc = await startService(echo({ NATS_URL: inject('natsUrl'), HANDRAIL_PREFIX: tb.topo.prefix, LOG_LEVEL: 'silent', HANDRAIL_CREDENTIALS_DIR: testCredentials() }));
    try {
      const { newEvent, decodeEvent } = await import('@handrail/events');
      const { publisher, trust } = await trustedPublisher(tb.bus, tb.topo, 'qa-sampler');
      const cause = newEvent({ kind: 'qaSampled', value: QaSampled.fromPartial({ ticketId: 't-echo', route: Route.ROUTE_AUTO_RESOLVED, area: Area.AREA_FAQ_STATUS, sampleReason: 'by_route.auto_resolved', rate: 0.2 }), ticketId: 't-echo', producer: { service: 'qa-sampler', version: '0', instance: 'i' } });
      await publisher.publish(cause);
      await trust.close();
      let handoff: ReturnType<typeof decodeEvent> | undefined;
      for (let i = 0; i < 100 && !handoff; i++) {
        const m = await tb.bus.jsm.streams.getMessage(tb.topo.streams.events, { last_by_subj: tb.topo.subjects.event('handoff', 't-echo') }).catch(() => null);
        if (m) handoff = decodeEvent(m.data);
        else await new Promise((r) => setTimeout(r, 50));
      }
      expect(seen).toEqual(['by_route.auto_resolved']);
      expect(handoff?.causationId).toBe(cause.eventId);
      expect(handoff?.correlationId).toBe(cause.correlationId);
      expect(handoff?.producer?.service).toBe('drafting');
    } finally {
      await svc.shutdown('test');
    }
  });
});
