import { createClassifier, type Classifier } from '@handrail/classifier';
import { ack } from '@handrail/bus';
import { CONSUMERS, decodeEvent, EnvelopeError, newEvent, payloadOf } from '@handrail/events';
import { livePolicy, type ServiceDefinition } from '@handrail/runtime';
import { classifierConfigSchema } from './config.js';
import { classifyTicket, trainingExamplesFromPolicy } from './domain/index.js';

export const VERSION = '0.1.0';

export function classifierService(env?: Record<string, string | undefined>): ServiceDefinition<typeof classifierConfigSchema> {
  return {
    name: 'classifier',
    version: VERSION,
    configSchema: classifierConfigSchema,
    env,
    async start(ctx) {
      const policy = await livePolicy(ctx.bus, ctx.topo, ctx.config.POLICY_FILE, ctx.log);
      let model: { classifier: Classifier; policyRevision: string } = {
        classifier: createClassifier(trainingExamplesFromPolicy(policy.current().pack)),
        policyRevision: policy.current().revision,
      };
      ctx.log.info({ model: model.classifier.version }, 'classifier trained');
      // A new policy revision may change the example phrases: retrain, then swap atomically.
      policy.onChange((p) => {
        model = { classifier: createClassifier(trainingExamplesFromPolicy(p.pack)), policyRevision: p.revision };
        ctx.log.info({ model: model.classifier.version, policy: p.revision }, 'classifier retrained');
      });
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
          const classification = classifyTicket(classifier, ticket);
          await ctx.publisher.publish(
            newEvent({
              kind: 'classified',
              value: { ticket, classification },
              ticketId: d.value.ticketId,
              producer: ctx.producer,
              cause: d.value,
              revisions: { model: classifier.version, policy: policyRevision },
            }),
          );
          return ack();
        },
      });
      return { closers: [policy.close] };
    },
  };
}
