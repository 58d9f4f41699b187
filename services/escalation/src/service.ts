import { ack, bindBucket } from '@handrail/bus';
import { concludeStage, contactRecordOf, routeStage } from '@handrail/decisions';
import { CONSUMERS, EnvelopeError } from '@handrail/events';
import { defineService, livePolicy } from '@handrail/runtime';
import { escalationConfigSchema } from './config.js';
import { recordContact } from './contacts.js';

export const VERSION = '0.1.0';

export const escalationService = defineService({ name: 'escalation', version: VERSION, configSchema: escalationConfigSchema }, async (ctx) => {
  const policy = await livePolicy(ctx.bus, ctx.topo, ctx.config.POLICY_FILE, ctx.log, ctx.trust.verifier.policyRecords());
  const contacts = await bindBucket(ctx.bus, ctx.topo.buckets.contacts);
  await ctx.onEvent('permitted', CONSUMERS.escalationRoute, async (p, env) => {
    const { pack, revision } = policy.current();
    const current = contactRecordOf(p);
    const customerId = p.context?.customerId;
    if (!customerId) throw new EnvelopeError('permitted event has no customer id');
    const lookup = await recordContact(contacts, customerId, current, pack);
    const routed = routeStage(p, lookup, pack);
    if (routed.kind === 'concluded') await ctx.emit({ kind: 'concluded', value: routed.concluded, cause: env, revisions: { policy: revision } });
    else await ctx.emit({ kind: 'draftRequested', value: routed.request, cause: env, revisions: { policy: revision } });
    return ack();
  });
  await ctx.onEvent('draftChecked', CONSUMERS.escalationConclude, async (p, env) => {
    const { pack, revision } = policy.current();
    const { concluded, reply } = concludeStage(p, pack);
    await ctx.emit({ kind: 'concluded', value: concluded, cause: env, revisions: { policy: revision } });
    // The reply's id is the ticket's: a redelivered conclusion can never send a second reply.
    if (reply) await ctx.emit({ kind: 'outboundReply', value: reply, cause: env, revisions: { policy: revision }, subject: ctx.topo.subjects.outbound(reply.connector) });
    return ack();
  });
  return { closers: [policy.close] };
});
