import { ack } from '@handrail/bus';
import { checkStage, permitStage } from '@handrail/decisions';
import { CONSUMERS } from '@handrail/events';
import { defineService, liveKnowledgeBase, livePolicy } from '@handrail/runtime';
import { guardrailConfigSchema } from './config.js';

export const VERSION = '0.1.0';

export const guardrailService = defineService({ name: 'guardrail', version: VERSION, configSchema: guardrailConfigSchema }, async (ctx) => {
  const policy = await livePolicy(ctx.bus, ctx.topo, ctx.config.POLICY_FILE, ctx.log);
  const kb = await liveKnowledgeBase(ctx.bus, ctx.topo, ctx.config.KB_DIR, ctx.log);
  await ctx.onEvent('classified', CONSUMERS.guardrailPermit, async (p, env) => {
    const { pack, revision } = policy.current();
    await ctx.emit({ kind: 'permitted', value: permitStage(p, pack), cause: env, revisions: { policy: revision } });
    return ack();
  });
  await ctx.onEvent('drafted', CONSUMERS.guardrailDraftCheck, async (p, env) => {
    const { pack, revision } = policy.current();
    const active = kb.current();
    await ctx.emit({ kind: 'draftChecked', value: checkStage(p, pack, active.kb), cause: env, revisions: { policy: revision, kb: active.revision } });
    return ack();
  });
  return { closers: [policy.close, kb.close] };
});
