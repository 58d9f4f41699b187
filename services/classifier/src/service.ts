import { createClassifier, type TrainedClassifier } from '@handrail/classifier';
import { ack } from '@handrail/bus';
import type { Classification } from '@handrail/contracts';
import { CONSUMERS, decodeEvent, EnvelopeError, newEvent, payloadOf } from '@handrail/events';
import { createLlmClient } from '@handrail/llm';
import { livePolicy, type ServiceDefinition } from '@handrail/runtime';
import { classifierConfigSchema, classifierLlmConfig } from './config.js';
import { classifyTicket, classifyTicketWithLlm, trainingExamplesFromPolicy } from './domain/index.js';

export const VERSION = '0.1.0';

export function classifierService(env?: Record<string, string | undefined>): ServiceDefinition<typeof classifierConfigSchema> {
  return {
    name: 'classifier',
    version: VERSION,
    configSchema: classifierConfigSchema,
    env,
    async start(ctx) {
      const policy = await livePolicy(ctx.bus, ctx.topo, ctx.config.POLICY_FILE, ctx.log);
      let model: { classifier: TrainedClassifier; policyRevision: string } = {
        classifier: createClassifier(trainingExamplesFromPolicy(policy.current().pack)),
        policyRevision: policy.current().revision,
      };
      ctx.log.info({ model: model.classifier.version }, 'classifier trained');
      // A new policy revision may change the example phrases: retrain, then swap atomically.
      policy.onChange((p) => {
        model = { classifier: createClassifier(trainingExamplesFromPolicy(p.pack)), policyRevision: p.revision };
        ctx.log.info({ model: model.classifier.version, policy: p.revision }, 'classifier retrained');
      });
      const llmConfig = classifierLlmConfig(ctx.config);
      const llmClient = llmConfig ? createLlmClient(llmConfig) : undefined;
      if (llmConfig) ctx.log.info({ model: llmConfig.model, timeoutMs: llmConfig.timeoutMs }, 'LLM classifier on');
      await ctx.consume({
        stream: ctx.topo.streams.events,
        durable: CONSUMERS.classifier,
        filterSubject: ctx.topo.subjects.eventsOfType('received'),
        decode: decodeEvent,
        attributes: (e) => ({ 'handrail.ticket_id': e.ticketId }),
        async handler(d) {
          const { ticket } = payloadOf(d.value, 'received');
          if (!ticket) throw new EnvelopeError('received event has no ticket');
          const { classifier, policyRevision } = model;
          let classification: Classification;
          if (llmClient) {
            const r = await classifyTicketWithLlm(ticket, { client: llmClient, embedded: classifier, timeoutMs: ctx.config.CLASSIFIER_LLM_TIMEOUT_MS });
            // Reason codes and endpoint behaviour only: never the ticket's or the model's text.
            if (r.fallbackReason) {
              ctx.log.warn({ ticketId: d.value.ticketId, reason: r.fallbackReason, detail: r.fallbackDetail, model: classifier.version }, 'LLM classifier fell back to the embedded model');
            }
            classification = r.classification;
          } else {
            classification = classifyTicket(classifier, ticket);
          }
          await ctx.publisher.publish(
            newEvent({
              kind: 'classified',
              value: { ticket, classification },
              ticketId: d.value.ticketId,
              producer: ctx.producer,
              cause: d.value,
              // The version actually used: `llm:<model>+<embedded>` or the embedded model's alone.
              revisions: { model: classification.modelVersion, policy: policyRevision },
            }),
          );
          return ack();
        },
      });
      return { closers: [policy.close] };
    },
  };
}
