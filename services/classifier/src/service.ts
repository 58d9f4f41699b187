import { createClassifier, trainingExamplesFromPolicy, type TrainedClassifier } from '@handrail/classifier';
import { ack } from '@handrail/bus';
import { classifyStage } from '@handrail/decisions';
import { CONSUMERS, EnvelopeError } from '@handrail/events';
import { createLlmClient, observedLlmClient } from '@handrail/llm';
import { defineService, livePolicy, type ActivePolicy } from '@handrail/runtime';
import { classifierConfigSchema, classifierLlmConfig } from './config.js';

export const VERSION = '0.1.0';

export const classifierService = defineService({ name: 'classifier', version: VERSION, configSchema: classifierConfigSchema }, async (ctx) => {
  const policy = await livePolicy(ctx.bus, ctx.topo, ctx.config.POLICY_FILE, ctx.log);
  const train = (p: ActivePolicy): { classifier: TrainedClassifier; policy: ActivePolicy } => ({ classifier: createClassifier(trainingExamplesFromPolicy(p.pack)), policy: p });
  let model = train(policy.current());
  ctx.log.info({ model: model.classifier.version }, 'classifier trained');
  // A new policy revision may change the example phrases: retrain, then swap atomically.
  policy.onChange((p) => {
    model = train(p);
    ctx.log.info({ model: model.classifier.version, policy: p.revision }, 'classifier retrained');
  });
  const llmConfig = classifierLlmConfig(ctx.config);
  const llmClient = llmConfig ? observedLlmClient(createLlmClient(llmConfig), (result, s) => ctx.metrics.llmCall('classify', result, s)) : undefined;
  if (llmConfig) ctx.log.info({ model: llmConfig.model, timeoutMs: llmConfig.timeoutMs }, 'LLM classifier on');
  await ctx.onEvent('received', CONSUMERS.classifier, async ({ ticket }, env) => {
    if (!ticket) throw new EnvelopeError('received event has no ticket');
    const { classifier, policy: active } = model;
    const llm = llmClient ? { client: llmClient, embedded: classifier, timeoutMs: ctx.config.CLASSIFIER_LLM_TIMEOUT_MS } : undefined;
    const r = await classifyStage(ticket, active.pack, { classifier, llm });
    // Reason codes and endpoint behaviour only: never the ticket's or the model's text.
    if (r.fallbackReason) {
      ctx.metrics.llmFallback('classify', r.fallbackReason);
      ctx.log.warn({ ticketId: env.ticketId, reason: r.fallbackReason, detail: r.fallbackDetail, model: classifier.version }, 'LLM classifier fell back to the embedded model');
    }
    await ctx.emit({ kind: 'classified', value: r.payload, cause: env, revisions: { model: r.modelVersion, policy: active.revision } });
    return ack();
  });
  return { closers: [policy.close] };
});
