import { ack, follow } from '@handrail/bus';
import { applyAutomationChange, checkStage, emptyAutomation, permitStage, type AutomationState } from '@handrail/decisions';
import { CONSUMERS } from '@handrail/events';
import { defineService, liveKnowledgeBase, livePolicy } from '@handrail/runtime';
import { guardrailConfigSchema } from './config.js';

export const VERSION = '0.1.0';

export const guardrailService = defineService({ name: 'guardrail', version: VERSION, configSchema: guardrailConfigSchema }, async (ctx) => {
  const policy = await livePolicy(ctx.bus, ctx.topo, ctx.config.POLICY_FILE, ctx.log, ctx.trust.verifier.policyRecords());
  const kb = await liveKnowledgeBase(ctx.bus, ctx.topo, ctx.config.KB_DIR, ctx.log);
  // Breaker demotions, restorations and pilot stops (issue 13), folded from their events as they arrive.
  let automation: AutomationState = emptyAutomation();
  const automationFollower = await follow(
    ctx.bus,
    ctx.topo.streams.events,
    ctx.topo.subjects.eventsOfType('automation_changed'),
    (e) => {
      if (e.payload?.$case !== 'automationChanged') return;
      automation = applyAutomationChange(automation, e.payload.value, e.time);
      ctx.log.warn({ action: e.payload.value.action, area: e.payload.value.area, pilot: e.payload.value.pilot, reason: e.payload.value.reason }, 'automation changed by the QA loop');
    },
    ctx.log,
    ctx.trust.readEvent,
  );
  await automationFollower.caughtUp;
  await ctx.onEvent('classified', CONSUMERS.guardrailPermit, async (p, env) => {
    const { pack, revision } = policy.current();
    await ctx.emit({ kind: 'permitted', value: permitStage(p, pack, automation), cause: env, revisions: { policy: revision } });
    return ack();
  });
  await ctx.onEvent('drafted', CONSUMERS.guardrailDraftCheck, async (p, env) => {
    const { pack, revision } = policy.current();
    const active = kb.current();
    await ctx.emit({ kind: 'draftChecked', value: checkStage(p, pack, active.kb), cause: env, revisions: { policy: revision, kb: active.revision } });
    return ack();
  });
  return { closers: [automationFollower.stop, policy.close, kb.close] };
});
