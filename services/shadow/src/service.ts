import { ack, bindBucket, decodeJson, follow } from '@handrail/bus';
import { applyAutomationChange, decideTicket, emptyAutomation, SamplingCounters, type AutomationState, type ContactRecord } from '@handrail/decisions';
import { CONSUMERS, EnvelopeError } from '@handrail/events';
import { PolicyStore, type ShadowSetting } from '@handrail/policy';
import { RevisionResolver, type ResolvedKb } from '@handrail/replay';
import { defineService, liveKnowledgeBase, livePolicy } from '@handrail/runtime';
import { shadowConfigSchema } from './config.js';
import { shadowPayload, shadowSkip } from './domain/shadow.js';

export const VERSION = '0.1.0';

/**
 * Shadow mode (issue 15): while a proposal is shadowed, every received ticket is decided again under
 * it — in process, with `decideTicket`, the services' own code — and the decision is published on the
 * shadow stream only, beside the revisions production decided with. Nothing consumes it to act: it
 * is recorded for the weekly report's comparison. Off, the service only acknowledges.
 */
export const shadowService = defineService({ name: 'shadow', version: VERSION, configSchema: shadowConfigSchema }, async (ctx) => {
  const { log } = ctx;
  const policy = await livePolicy(ctx.bus, ctx.topo, ctx.config.POLICY_FILE, log, ctx.trust.verifier.policyRecords());
  const kb = await liveKnowledgeBase(ctx.bus, ctx.topo, ctx.config.KB_DIR, log);
  const contacts = await bindBucket(ctx.bus, ctx.topo.buckets.contacts);
  // The breakers and pilots production decides under, as the guardrail folds them.
  let automation: AutomationState = emptyAutomation();
  const automationFollower = await follow(
    ctx.bus,
    ctx.topo.streams.events,
    ctx.topo.subjects.eventsOfType('automation_changed'),
    (e) => {
      if (e.payload?.$case === 'automationChanged') automation = applyAutomationChange(automation, e.payload.value, e.time);
    },
    log,
    ctx.trust.readEvent,
  );
  await automationFollower.caughtUp;

  // The candidate's pack, classifier and KB are loaded on the first ticket after shadow mode is turned on
  // (the sentence encoder too), so an idle shadow service holds none of them.
  const store = new PolicyStore(ctx.bus.nc, ctx.topo.buckets.policy, { bindOnly: true });
  let setting: ShadowSetting | undefined = await store.shadow();
  // A resolver per setting: it keeps the candidate's pack, models and relevance scorer across tickets.
  let resolver = new RevisionResolver(ctx.bus, ctx.topo);
  const sampling = new SamplingCounters();
  const describe = (s: ShadowSetting | undefined) => (s ? { rev: s.rev, kb: s.kb || 'published', by: s.by, since: s.since } : { off: true });
  log.info(describe(setting), setting ? 'shadow mode on' : 'shadow mode off; idle');
  const stopWatch = await store.watchShadow(
    (s) => {
      if (s?.rev === setting?.rev && s?.kb === setting?.kb && s?.since === setting?.since) return;
      setting = s;
      resolver = new RevisionResolver(ctx.bus, ctx.topo);
      log.info(describe(s), s ? 'shadow mode on' : 'shadow mode off; idle');
    },
    (err) => log.error({ err }, 'unreadable shadow setting; the last one stays'),
  );

  await ctx.onEvent('received', CONSUMERS.shadow, async ({ ticket }, env) => {
    if (!ticket) throw new EnvelopeError('received event has no ticket');
    const s = setting;
    const production = policy.current();
    // The received event's own time, not the helpdesk's: a late webhook for an old message is new traffic.
    const skip = shadowSkip(s, env.time, production.revision);
    if (skip || !s) return ack();
    const r = resolver;
    const candidate = await r.policy(s.rev);
    if (!candidate) {
      log.error({ alert: 'shadow_candidate_missing', rev: s.rev }, 'the shadowed revision is not in the policy store; ticket not shadowed');
      return ack();
    }
    const published = kb.current();
    const candidateKb: ResolvedKb | undefined = s.kb && s.kb !== published.revision ? await r.kb(s.kb) : { kb: published.kb, revision: published.revision, source: 'published' };
    if (!candidateKb) {
      log.error({ alert: 'shadow_candidate_missing', kb: s.kb }, 'the shadowed KB revision is not in the kb bucket; ticket not shadowed');
      return ack();
    }
    // The customer's earlier contacts as escalation recorded them (later ones and this one never count).
    const entry = ticket.customerId ? await contacts.get(ticket.customerId) : null;
    const history = entry?.value.length ? decodeJson<ContactRecord[]>(entry.value) : [];
    const d = await decideTicket(
      { ticket, history },
      { policy: candidate, kb: { kb: candidateKb.kb, revision: candidateKb.revision }, classify: await r.classifier(candidate), relevance: await r.relevance(), sampling, automation },
    );
    await ctx.emit({
      kind: 'shadowDecided',
      value: shadowPayload(d, { policy: production.revision, kb: published.revision, model: '' }),
      cause: env,
      revisions: d.revisions,
      subject: ctx.topo.subjects.shadow(env.ticketId),
      // One per ticket and candidate: a redelivery publishes the same id and JetStream drops the copy.
      idSuffix: `${candidate.revision}-${candidateKb.revision}`,
    });
    return ack();
  });
  return { closers: [stopWatch, automationFollower.stop, policy.close, kb.close] };
});
