import type { EventEnvelope, TicketConcluded } from '@handrail/contracts';
import type { PolicyPack } from '@handrail/policy';
import { ack, bindBucket, follow, retry, backoffMs } from '@handrail/bus';
import { certaintyQuota, editSampleStage, isCertaintyFactor, isoWeekOf, sampleStage, SamplingCounters } from '@handrail/decisions';
import { AREA, CONSUMERS, newEvent, ROUTE, type PayloadCase, type PayloadOf } from '@handrail/events';
import { applyEvent, emptyProjection } from '@handrail/projection';
import { defineService, livePolicy } from '@handrail/runtime';
import { ClaimLedger } from './claims.js';
import { qaConfigSchema } from './config.js';
import { LoopState, planAlarms, planDemotions, planPilotStops, seedAfter } from '@handrail/quality';

export const VERSION = '0.2.0';

/** The timeline the QA loop's own events are filed under (they belong to no ticket). */
export const AUTOMATION_TIMELINE = 'automation';
export const QA_TIMELINE = 'qa';

export const qaSamplerService = defineService({ name: 'qa-sampler', version: VERSION, configSchema: qaConfigSchema }, async (ctx) => {
  const { log } = ctx;
  const policy = await livePolicy(ctx.bus, ctx.topo, ctx.config.POLICY_FILE, ctx.log, ctx.trust.verifier.policyRecords());
  // The read model the loop judges from: every ticket's sample, reviews, decisions and outcomes.
  const state = emptyProjection();
  const loop = new LoopState();
  let caughtUp = false;
  let dirty = true;
  const apply = (e: EventEnvelope) => {
    applyEvent(state, e);
    loop.apply(e);
    const p = e.payload;
    if (p?.$case === 'qaReview' || p?.$case === 'concluded' || p?.$case === 'helpdeskOutcome' || p?.$case === 'humanDecision') dirty = true;
  };
  const follower = await follow(ctx.bus, ctx.topo.streams.events, ctx.topo.subjects.allEvents(), apply, log, ctx.trust.readEvent);
  await follower.caughtUp;
  // Certainty selections used so far (first decisions after a revision, weekly minimums), from the samples' factors.
  const counters = new SamplingCounters();
  let realSamples = 0;
  for (const t of state.tickets.values()) {
    if (!t.qaSampled || t.seed) continue;
    counters.recordFactors(t.qaSampled.factors);
    if (!t.qaSampled.factors.includes('csat_bad')) realSamples++;
  }
  caughtUp = true;
  log.info({ tickets: state.tickets.size, samples: realSamples, demoted: [...loop.automation.demoted.keys()] }, 'QA read model rebuilt');

  const publishOwn = async <C extends PayloadCase>(kind: C, value: PayloadOf<C>, ticketId: string, idSuffix: string) => {
    const env = newEvent({ kind, value, ticketId, producer: ctx.producer, idSuffix, revisions: { policy: policy.current().revision } });
    const r = await ctx.publisher.publish(env);
    if (!r.duplicate) apply(env);
    return r;
  };

  // The certainty selections' slots, shared by every replica (issue 15); `counters` only caches what it said.
  const ledger = new ClaimLedger(await bindBucket(ctx.bus, ctx.topo.buckets.qaClaims));
  /**
   * The sample of one decision, its certainty selections settled in the ledger: a quota another
   * replica filled meanwhile is marked full and the decision re-judged (each round fills one more
   * quota, so this ends); a slot this ticket holds is found again on a redelivery.
   */
  const settledSample = async (c: TicketConcluded, ticketId: string, pack: PolicyPack, revisions: EventEnvelope['revisions']) => {
    const local = counters.clone();
    for (;;) {
      const sample = sampleStage(c, ticketId, pack, { revisions, counters: local.clone() });
      const factors = (sample?.factors ?? []).filter(isCertaintyFactor);
      const claims = await Promise.all(factors.map((f) => ledger.claim(f, certaintyQuota(pack, f), ticketId)));
      let settled = true;
      claims.forEach((r, i) => {
        const f = factors[i] as string;
        counters.set(f, r.held);
        if (!r.ok) {
          local.set(f, certaintyQuota(pack, f));
          settled = false;
        }
      });
      if (settled) return sample;
    }
  };

  await ctx.onEvent('concluded', CONSUMERS.qaSampler, async (c, env) => {
    const { pack, revision } = policy.current();
    const sample = await settledSample(c, env.ticketId, pack, env.revisions);
    if (sample) {
      await ctx.emit({ kind: 'qaSampled', value: sample, cause: env, revisions: { policy: revision } });
      realSamples++;
      // A known defect after every `every` real samples, unlabelled, for each reviewer's catch rate.
      const every = pack.qa.seeding.every;
      if (every > 0 && realSamples % every === 0) {
        const seed = seedAfter(pack, env.ticketId);
        if (seed) await publishOwn('qaSeeded', seed, seed.ticketId, '');
      }
    }
    return ack();
  });

  // A draft a person edited may be sampled (or its sample's probability revised).
  await ctx.onEvent('humanDecision', CONSUMERS.qaSamplerDecisions, async (d, env, delivery) => {
    if (d.action !== 'edit' || !d.edit || d.edit.changeRatio <= 0) return ack();
    const t = state.tickets.get(d.ticketId);
    if (!t?.route) return retry(backoffMs(delivery.deliveryCount), 'ticket not concluded in the QA read model yet');
    const { pack, revision } = policy.current();
    const area = AREA.parse(t.area);
    const sample = editSampleStage({ route: ROUTE.value(t.route), area: AREA.value(area ?? 'triage'), confidence: t.confidence ?? 0 }, d.ticketId, pack, t.qaSampled?.inclusionProbability);
    if (sample) await ctx.emit({ kind: 'qaSampled', value: sample, cause: env, revisions: { policy: revision }, idSuffix: 'edit' });
    return ack();
  });

  // Breakers, pilots and alarms: re-judged whenever something they read changed.
  let running = false;
  const evaluate = async () => {
    if (!caughtUp || !dirty || running) return;
    running = true;
    dirty = false;
    try {
      const { pack } = policy.current();
      for (const p of planDemotions(state.tickets.values(), pack, loop.automation, loop.lastChangeAt)) {
        const r = await publishOwn('automationChanged', p.change, AUTOMATION_TIMELINE, p.idSuffix);
        if (!r.duplicate) {
          log.error({ alert: 'breaker_tripped', area: AREA.name(p.change.area), detail: p.change.detail }, 'circuit breaker demoted automation');
          await publishOwn('qaAlert', p.alert, QA_TIMELINE, `breaker-${p.idSuffix}`);
        }
      }
      for (const p of planPilotStops(state.tickets.values(), pack, loop.automation)) {
        const r = await publishOwn('automationChanged', p.change, AUTOMATION_TIMELINE, p.idSuffix);
        if (!r.duplicate) {
          log.error({ alert: 'pilot_stopped', pilot: p.change.pilot, detail: p.change.detail }, 'pilot stopped itself');
          await publishOwn('qaAlert', p.alert, QA_TIMELINE, p.idSuffix);
        }
      }
      for (const a of planAlarms(state.tickets.values(), pack, isoWeekOf(new Date().toISOString()))) {
        const r = await publishOwn('qaAlert', a.alert, QA_TIMELINE, a.idSuffix);
        if (!r.duplicate) log.warn({ alert: a.alert.kind, subject: a.alert.subject, detail: a.alert.detail }, 'QA alarm');
      }
    } catch (err) {
      dirty = true;
      log.error({ err }, 'QA loop evaluation failed; retrying');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void evaluate(), ctx.config.QA_EVALUATE_INTERVAL_MS);
  return {
    closers: [
      async () => {
        clearInterval(timer);
        while (running) await new Promise((r) => setTimeout(r, 20));
      },
      follower.stop,
      policy.close,
    ],
  };
});
