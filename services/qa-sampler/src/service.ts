import { ack } from '@handrail/bus';
import { areaToName, CONSUMERS, decodeEvent, newEvent, payloadOf, routeToName } from '@handrail/events';
import type { AreaName } from '@handrail/policy';
import { livePolicy, type ServiceDefinition } from '@handrail/runtime';
import { qaConfigSchema } from './config.js';
import { decideSample, type RouteName } from './domain/index.js';

export const VERSION = '0.1.0';

export function qaSamplerService(env?: Record<string, string | undefined>): ServiceDefinition<typeof qaConfigSchema> {
  return {
    name: 'qa-sampler',
    version: VERSION,
    configSchema: qaConfigSchema,
    env,
    async start(ctx) {
      const policy = await livePolicy(ctx.bus, ctx.topo, ctx.config.POLICY_FILE, ctx.log);
      await ctx.consume({
        stream: ctx.topo.streams.events,
        durable: CONSUMERS.qaSampler,
        filterSubject: ctx.topo.subjects.eventsOfType('concluded'),
        decode: decodeEvent,
        attributes: (e) => ({ 'handrail.ticket_id': e.ticketId }),
        async handler(d) {
          const c = payloadOf(d.value, 'concluded');
          const { pack, revision } = policy.current();
          const area = areaToName(c.area);
          const route = routeToName(c.route) as RouteName;
          const s = decideSample(pack, c.ticketId, area === 'unknown' ? undefined : (area as AreaName), route);
          if (s.sampled) {
            await ctx.publisher.publish(
              newEvent({
                kind: 'qaSampled',
                value: { ticketId: c.ticketId, route: c.route, area: c.area, sampleReason: s.rule, rate: s.rate },
                ticketId: c.ticketId,
                producer: ctx.producer,
                cause: d.value,
                revisions: { policy: revision },
              }),
            );
          }
          return ack();
        },
      });
      return { closers: [policy.close] };
    },
  };
}
