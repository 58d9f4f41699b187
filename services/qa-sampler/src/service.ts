import { ack } from '@handrail/bus';
import { sampleStage } from '@handrail/decisions';
import { CONSUMERS } from '@handrail/events';
import { defineService, livePolicy } from '@handrail/runtime';
import { qaConfigSchema } from './config.js';

export const VERSION = '0.1.0';

export const qaSamplerService = defineService({ name: 'qa-sampler', version: VERSION, configSchema: qaConfigSchema }, async (ctx) => {
  const policy = await livePolicy(ctx.bus, ctx.topo, ctx.config.POLICY_FILE, ctx.log);
  await ctx.onEvent('concluded', CONSUMERS.qaSampler, async (c, env) => {
    const { pack, revision } = policy.current();
    const sample = sampleStage(c, env.ticketId, pack);
    if (sample) await ctx.emit({ kind: 'qaSampled', value: sample, cause: env, revisions: { policy: revision } });
    return ack();
  });
  return { closers: [policy.close] };
});
