import { trainingPhrases, trainPackModels, type ClassifierModels } from '@handrail/classifier';
import { ack } from '@handrail/bus';
import { classifyStage } from '@handrail/decisions';
import { createEncoder, withStoredVectors, type Encoder } from '@handrail/encoder';
import { CONSUMERS, EnvelopeError } from '@handrail/events';
import { createLlmClient, observedLlmClient } from '@handrail/llm';
import { defineService, livePolicy, type ActivePolicy } from '@handrail/runtime';
import { classifierConfigSchema, classifierLlmConfig } from './config.js';

export const VERSION = '0.1.0';

export const classifierService = defineService({ name: 'classifier', version: VERSION, configSchema: classifierConfigSchema }, async (ctx) => {
  const policy = await livePolicy(ctx.bus, ctx.topo, ctx.config.POLICY_FILE, ctx.log, ctx.trust.verifier.policyRecords());
  // The encoder loads once per process; its cache keeps the pack's example vectors across retrains.
  const encoder: Encoder | undefined =
    ctx.config.CLASSIFIER_SEMANTIC === 'on'
      ? await createEncoder({ threads: ctx.config.ENCODER_THREADS, maxBatch: ctx.config.ENCODER_MAX_BATCH, lingerMs: ctx.config.ENCODER_LINGER_MS, cacheSize: ctx.config.ENCODER_CACHE_SIZE })
      : undefined;
  if (encoder) ctx.log.info({ encoder: encoder.version, threads: ctx.config.ENCODER_THREADS }, 'sentence encoder loaded');
  // With ENCODER_STORE_DIR the pack's phrases are read from disk when another process embedded them already.
  const trainingEncoder = (p: ActivePolicy) => encoder && withStoredVectors(encoder, ctx.config.ENCODER_STORE_DIR, trainingPhrases(p.pack));
  const train = async (p: ActivePolicy): Promise<{ models: ClassifierModels; policy: ActivePolicy }> => ({ models: await trainPackModels(p.pack, trainingEncoder(p)), policy: p });
  const versionsOf = (m: ClassifierModels) => m.semantic?.hybrid.versions ?? { lexical: m.classifier.version };
  let model = await train(policy.current());
  ctx.log.info({ models: versionsOf(model.models) }, 'classifier trained');
  // A new policy revision may change the example phrases: retrain (new phrases embedded once), then swap.
  policy.onChange((p) => {
    train(p).then(
      (next) => {
        model = next;
        ctx.log.info({ models: versionsOf(next.models), policy: p.revision }, 'classifier retrained');
      },
      (err: unknown) => ctx.log.error({ err, policy: p.revision }, 'classifier retraining failed; the previous model stays'),
    );
  });
  const llmConfig = classifierLlmConfig(ctx.config);
  const llmClient = llmConfig ? observedLlmClient(createLlmClient(llmConfig), (result, s) => ctx.metrics.llmCall('classify', result, s)) : undefined;
  if (llmConfig) ctx.log.info({ model: llmConfig.model, timeoutMs: llmConfig.timeoutMs }, 'LLM classifier on');
  await ctx.onEvent('received', CONSUMERS.classifier, async ({ ticket }, env) => {
    if (!ticket) throw new EnvelopeError('received event has no ticket');
    const { models, policy: active } = model;
    const classifier = models.classifier;
    const llm = llmClient ? { client: llmClient, embedded: classifier, timeoutMs: ctx.config.CLASSIFIER_LLM_TIMEOUT_MS } : undefined;
    const r = await classifyStage(ticket, active.pack, { classifier, semantic: models.semantic, llm });
    // Reason codes and endpoint behaviour only: never the ticket's or the model's text.
    if (r.fallbackReason) {
      ctx.metrics.llmFallback('classify', r.fallbackReason);
      ctx.log.warn({ ticketId: env.ticketId, reason: r.fallbackReason, detail: r.fallbackDetail, model: classifier.version }, 'LLM classifier fell back to the embedded model');
    }
    await ctx.emit({ kind: 'classified', value: r.payload, cause: env, revisions: { model: r.modelVersion, policy: active.revision } });
    return ack();
  });
  return { closers: [policy.close, ...(encoder ? [() => encoder.close()] : [])] };
});
