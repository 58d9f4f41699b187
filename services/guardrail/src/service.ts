import { liveKnowledgeBase, livePolicy, type ServiceDefinition } from '@handrail/runtime';
import { CONSUMERS, decodeEvent, payloadOf } from '@handrail/events';


import { guardrailConfigSchema } from './config.js';
import { createDraftCheckHandler, createPermitHandler } from './handlers.js';

export const VERSION = '0.1.0';

export function guardrailService(env?: Record<string, string | undefined>): ServiceDefinition<typeof guardrailConfigSchema> {
  return {
    name: 'guardrail',
    version: VERSION,
    configSchema: guardrailConfigSchema,
    env,
    async start(ctx) {
      const policy = await livePolicy(ctx.bus, ctx.topo, ctx.config.POLICY_FILE, ctx.log);
      const kb = await liveKnowledgeBase(ctx.bus, ctx.topo, ctx.config.KB_DIR, ctx.log);
      const deps = {
        publisher: ctx.publisher,
        producer: ctx.producer,
        policy: () => policy.current(),
        draftChecks: () => ({ kb: kb.current().kb, kbRevision: kb.current().revision }),
      };
      const permitHandler = createPermitHandler(deps);
      const checkHandler = createDraftCheckHandler(deps);
      await ctx.consume({
        stream: ctx.topo.streams.events,
        durable: CONSUMERS.guardrailPermit,
        filterSubject: ctx.topo.subjects.eventsOfType('classified'),
        decode: decodeEvent,
        attributes: (e) => ({ 'handrail.ticket_id': e.ticketId }),
        handler: (d) => permitHandler(d.value, payloadOf(d.value, 'classified')),
      });
      await ctx.consume({
        stream: ctx.topo.streams.events,
        durable: CONSUMERS.guardrailDraftCheck,
        filterSubject: ctx.topo.subjects.eventsOfType('drafted'),
        decode: decodeEvent,
        attributes: (e) => ({ 'handrail.ticket_id': e.ticketId }),
        handler: (d) => checkHandler(d.value, payloadOf(d.value, 'drafted')),
      });
      return { closers: [policy.close, kb.close] };
    },
  };
}
