import { ack } from '@handrail/bus';
import { Route } from '@handrail/contracts';
import { areaToName, CONSUMERS, decodeEvent, EnvelopeError, newEvent, payloadOf } from '@handrail/events';
import { DEFAULT_PROMPT_TEMPLATE, promptTemplateProblems } from '@handrail/drafting';
import { ValidationError } from '@handrail/errors';
import { createLlmClient, llmConfigFromEnv } from '@handrail/llm';
import { liveKnowledgeBase, livePolicy, type ServiceDefinition } from '@handrail/runtime';
import { draftingConfigSchema } from './config.js';
import { composeDraft, composeHandoff, type LlmDrafting } from './domain/index.js';

export const VERSION = '0.1.0';

export function draftingService(env?: Record<string, string | undefined>): ServiceDefinition<typeof draftingConfigSchema> {
  return {
    name: 'drafting',
    version: VERSION,
    configSchema: draftingConfigSchema,
    env,
    async start(ctx) {
      const kb = await liveKnowledgeBase(ctx.bus, ctx.topo, ctx.config.KB_DIR, ctx.log);
      const policy = await livePolicy(ctx.bus, ctx.topo, ctx.config.POLICY_FILE, ctx.log);
      const llmConfig = llmConfigFromEnv(ctx.config);
      const llmClient = llmConfig ? createLlmClient(llmConfig) : undefined;
      // The prompt is versioned with the policy pack; a bad one is refused at start-up, not per ticket.
      const llm = (): LlmDrafting | undefined => {
        if (!llmClient) return undefined;
        const promptTemplate = policy.current().pack.llm_prompt ?? DEFAULT_PROMPT_TEMPLATE;
        return { client: llmClient, promptTemplate };
      };
      const problems = llmClient ? promptTemplateProblems(llm()?.promptTemplate ?? DEFAULT_PROMPT_TEMPLATE) : [];
      if (problems.length > 0) throw new ValidationError(problems.map((p) => ({ field: 'llm_prompt', problem: p })));
      if (llmConfig) ctx.log.info({ model: llmConfig.model }, 'LLM drafter on');
      await ctx.consume({
        stream: ctx.topo.streams.events,
        durable: CONSUMERS.drafting,
        filterSubject: ctx.topo.subjects.eventsOfType('draft_requested'),
        decode: decodeEvent,
        attributes: (e) => ({ 'handrail.ticket_id': e.ticketId }),
        async handler(d) {
          const p = payloadOf(d.value, 'draftRequested');
          if (!p.ticket || !p.classification || !p.permission) throw new EnvelopeError('draft_requested event is incomplete');
          const active = kb.current();
          const r = await composeDraft(p.ticket, p.classification, p.permission.refundLimit, active.kb, llm());
          await ctx.publisher.publish(
            newEvent({
              kind: 'drafted',
              value: { ...p, draft: r.draft, kbFindings: r.kbFindings },
              ticketId: d.value.ticketId,
              producer: ctx.producer,
              cause: d.value,
              revisions: { kb: active.revision },
            }),
          );
          return ack();
        },
      });
      // Escalated tickets get a handoff packet so the human starts with context.
      await ctx.consume({
        stream: ctx.topo.streams.events,
        durable: CONSUMERS.draftingHandoff,
        filterSubject: ctx.topo.subjects.eventsOfType('concluded'),
        decode: decodeEvent,
        attributes: (e) => ({ 'handrail.ticket_id': e.ticketId }),
        async handler(d) {
          const c = payloadOf(d.value, 'concluded');
          if (c.route !== Route.ROUTE_ESCALATED) return ack();
          const timeline = d.value;
          const ticket = await ticketOf(timeline.ticketId);
          if (!ticket) return ack();
          const active = kb.current();
          const packet = composeHandoff(ticket, areaToName(c.area), c.intent, c.reasons, active.kb);
          await ctx.publisher.publish(
            newEvent({ kind: 'handoff', value: { ticketId: c.ticketId, packet }, ticketId: c.ticketId, producer: ctx.producer, cause: d.value, revisions: { kb: active.revision } }),
          );
          return ack();
        },
      });
      async function ticketOf(ticketId: string) {
        const msg = await ctx.bus.jsm.streams.getMessage(ctx.topo.streams.events, { last_by_subj: ctx.topo.subjects.event('received', ticketId) }).catch(() => null);
        if (!msg) return undefined;
        const env = decodeEvent(msg.data);
        return env.payload?.$case === 'received' ? env.payload.value.ticket : undefined;
      }
      return { closers: [kb.close, policy.close] };
    },
  };
}
