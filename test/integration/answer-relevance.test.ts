import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RelevanceCheck, Route } from '@handrail/contracts';
import { eventually, openTestBus, type TestBus } from '@handrail/testing';
import { conclusions, intakeClient, replies, startInProcess, timeline, type InProcessPipeline } from '../support/pipeline.js';

/**
 * Grounded is not answered (issue 12): a draft made of approved sentences about something else is
 * never sent. The services (drafting with the sentence encoder, guardrail, escalation) decide it over
 * the bus; the `drafted` event records why, and the conclusion names `no_answer` with the figures.
 */
describe('answer relevance before anything is sent (issue 12)', () => {
  let tb: TestBus;
  let pipeline: InProcessPipeline;
  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'relevance');
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix);
  }, 120_000);
  afterAll(async () => {
    await pipeline?.stop();
    await tb?.cleanup();
  });

  it('no_answer — a grounded draft that does not answer the question is not sent; the ticket escalates with no_answer and its evidence', async () => {
    const client = intakeClient(pipeline.grpcAddr);
    // The KB has nothing on price matching; the draft it can ground is about shipping.
    const off = await client.submit({ connector: 'zendesk', externalId: 'rel-1', customerId: 'c-rel-1', channel: 'email', body: 'Do you price match other retailers?' });
    // The control: the same services answer a question the help centre does answer.
    const on = await client.submit({ connector: 'zendesk', externalId: 'rel-2', customerId: 'c-rel-2', channel: 'email', body: 'How long does standard shipping take?' });
    client.close();

    const concluded = await eventually(async () => {
      const all = await conclusions(tb.bus, tb.topo);
      const a = all.get(off.ticketId);
      const b = all.get(on.ticketId);
      return a && b ? { off: a, on: b } : undefined;
    }, 60_000);
    expect(concluded.off).toHaveLength(1);
    const c = concluded.off[0];
    expect(c?.route).toBe(Route.ROUTE_ESCALATED);
    const reason = c?.reasons.find((r) => r.code === 'no_answer');
    expect(reason?.rule).toBe('drafting.relevance');
    expect(reason?.evidence.join(' ')).toMatch(/key_term_coverage=0\.\d+ \(gate/);
    expect(reason?.evidence.join(' ')).toMatch(/similarity=0\.\d+ \(gate 0\.\d+, use-lite/);

    const events = await timeline(tb.bus, tb.topo, off.ticketId);
    const drafted = events.find((e) => e.payload?.$case === 'drafted');
    const checked = events.find((e) => e.payload?.$case === 'draftChecked');
    if (drafted?.payload?.$case !== 'drafted' || checked?.payload?.$case !== 'draftChecked') throw new Error('no drafted/draftChecked events');
    // Every sentence grounded and every guardrail check passed: only relevance stopped it.
    expect(drafted.payload.value.draft?.citations.length).toBeGreaterThan(0);
    expect(checked.payload.value.passed).toBe(true);
    const relevance = drafted.payload.value.relevance;
    expect(relevance?.passed).toBe(false);
    expect(relevance?.failedCheck).not.toBe(RelevanceCheck.RELEVANCE_CHECK_UNSPECIFIED);
    expect(relevance?.uncoveredTerms).toContain('match');
    expect(relevance?.hasSemantic).toBe(true);
    expect(checked.payload.value.relevance).toEqual(relevance);

    expect(concluded.on[0]?.route).toBe(Route.ROUTE_AUTO_RESOLVED);
    const sent = await replies(tb.bus, tb.topo);
    expect(sent.get(off.ticketId)).toBeUndefined();
    expect(sent.get(on.ticketId)).toBe(1);
  }, 120_000);
});
