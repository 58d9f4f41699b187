import { openBucket } from '@handrail/bus';
import { CONSUMERS, decodeEvent, payloadOf } from '@handrail/events';
import { livePolicy, type ServiceDefinition } from '@handrail/runtime';
import { escalationConfigSchema } from './config.js';
import { createConcludeHandler, createRouteHandler } from './handlers.js';

export const VERSION = '0.1.0';

export function escalationService(env?: Record<string, string | undefined>): ServiceDefinition<typeof escalationConfigSchema> {
  return {
    name: 'escalation',
    version: VERSION,
    configSchema: escalationConfigSchema,
    env,
    async start(ctx) {
      const policy = await livePolicy(ctx.bus, ctx.topo, ctx.config.POLICY_FILE, ctx.log);
      const deps = {
        publisher: ctx.publisher,
        topo: ctx.topo,
        producer: ctx.producer,
        contacts: await openBucket(ctx.bus, ctx.topo.buckets.contacts),
        policy: () => policy.current(),
      };
      const route = createRouteHandler(deps);
      const conclude = createConcludeHandler(deps);
      await ctx.consume({
        stream: ctx.topo.streams.events,
        durable: CONSUMERS.escalationRoute,
        filterSubject: ctx.topo.subjects.eventsOfType('permitted'),
        decode: decodeEvent,
        attributes: (e) => ({ 'handrail.ticket_id': e.ticketId }),
        handler: (d) => route(d.value, payloadOf(d.value, 'permitted')),
      });
      await ctx.consume({
        stream: ctx.topo.streams.events,
        durable: CONSUMERS.escalationConclude,
        filterSubject: ctx.topo.subjects.eventsOfType('draft_checked'),
        decode: decodeEvent,
        attributes: (e) => ({ 'handrail.ticket_id': e.ticketId }),
        handler: (d) => conclude(d.value, payloadOf(d.value, 'draftChecked')),
      });
      return { closers: [policy.close] };
    },
  };
}
