import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EventEnvelope, Ticket } from '@handrail/contracts';
import { encodeJson, openBucket } from '@handrail/bus';
import { trainModels, trainingExamplesFromPolicy } from '@handrail/classifier';
import { decideInOrder, decisionPayloads, semanticScorer, type TicketDecision } from '@handrail/decisions';
import { sharedEncoder } from '@handrail/encoder';
import { demoPaths, readSampleTickets } from '@handrail/demo';
import type { PayloadCase } from '@handrail/events';
import { ingestDirectory, toSnapshot } from '@handrail/kb';
import { loadPolicyFile, policyRevisionId } from '@handrail/policy';
import { openTestBus, type TestBus } from '@handrail/testing';
import { intakeClient, openedEvents, startInProcess, type InProcessPipeline } from '../support/pipeline.js';

/**
 * The encoder embeds a message with whatever else is in flight, and a batch changes its floats in
 * the eighth digit: compare scores to six. Routes, reasons and texts compare exactly.
 */
function floatsRounded(v: unknown): unknown {
  if (typeof v === 'number' && !Number.isInteger(v)) return Math.round(v * 1e6) / 1e6;
  if (Array.isArray(v)) return v.map(floatsRounded);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, floatsRounded(x)]));
  return v;
}

/**
 * "What would happen to this ticket?" has one answer: every payload the six services publish for
 * the demo tickets — plus follow-ups that trip repeat contact and an open case — is exactly what
 * `decideTicket` computes in process for the same tickets, in the same order.
 */
describe('decideTicket gives what the services give (issue 9)', () => {
  let tb: TestBus;
  let pipeline: InProcessPipeline;
  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'equiv');
    const customers = await openBucket(tb.bus, tb.topo.buckets.customers);
    const profiles = JSON.parse(fs.readFileSync(demoPaths.customers, 'utf8')) as Record<string, object>;
    for (const [id, p] of Object.entries(profiles)) await customers.put(id, encodeJson(p));
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix);
  });
  afterAll(async () => {
    await pipeline?.stop();
    await tb?.cleanup();
  });

  it('equivalence — every event payload of every demo ticket, open cases and repeat contacts included, equals decideTicket', async () => {
    const messages = [
      ...readSampleTickets(demoPaths.tickets).map((t) => t.message),
      // A case people handle, then a follow-up AI would otherwise answer: open_human_case.
      { connector: 'demo', externalId: 'eq-open-1', customerId: 'c-eq-open', channel: 'chat', subject: '', body: 'Someone stole my wallet with my credit card in it', orders: [], metadata: {} },
      { connector: 'demo', externalId: 'eq-open-2', customerId: 'c-eq-open', channel: 'chat', subject: '', body: 'How long does standard shipping take?', orders: [], metadata: {} },
      // The same question twice from one customer: repeat_contact.
      { connector: 'demo', externalId: 'eq-rep-1', customerId: 'c-eq-rep', channel: 'email', subject: '', body: 'How long does standard shipping take?', orders: [], metadata: {} },
      { connector: 'demo', externalId: 'eq-rep-2', customerId: 'c-eq-rep', channel: 'chat', subject: '', body: 'how many days does standard delivery take??', orders: [], metadata: {} },
    ];
    // One at a time, each to its end state, so the contact history each one sees is well defined.
    const concluded = new Set<string>();
    const sub = tb.bus.nc.subscribe(tb.topo.subjects.eventsOfType('concluded'), { callback: (_e, m) => void concluded.add(m.subject.split('.').at(-1) ?? '') });
    const client = intakeClient(pipeline.grpcAddr);
    const ids: string[] = [];
    for (const m of messages) {
      const r = await client.submit(m);
      ids.push(r.ticketId);
      const until = Date.now() + 20_000;
      while (!concluded.has(r.ticketId) && Date.now() < until) await new Promise((x) => setTimeout(x, 10));
      expect(concluded.has(r.ticketId), `ticket ${m.externalId} concluded`).toBe(true);
    }
    client.close();
    sub.unsubscribe();

    // Everything published, once the last handoff and QA samples are in.
    let events: EventEnvelope[] = [];
    for (let i = 0; i < 50; i++) {
      const next = [...(await openedEvents(tb.bus, tb.topo, tb.topo.subjects.allEvents())), ...(await openedEvents(tb.bus, tb.topo, tb.topo.subjects.allOutbound(), tb.topo.streams.outbound))];
      if (next.length === events.length && next.length > 0) break;
      events = next;
      await new Promise((x) => setTimeout(x, 300));
    }
    const byTicket = new Map<string, Map<PayloadCase, EventEnvelope>>();
    for (const e of events) {
      if (!e.payload) continue;
      const m = byTicket.get(e.ticketId) ?? new Map<PayloadCase, EventEnvelope>();
      expect(m.has(e.payload.$case), `one ${e.payload.$case} for ${e.ticketId}`).toBe(false);
      m.set(e.payload.$case, e);
      byTicket.set(e.ticketId, m);
    }

    // The same decision in process, from the tickets as intake recorded them.
    const received: Ticket[] = ids.map((id) => {
      const e = byTicket.get(id)?.get('received');
      if (e?.payload?.$case !== 'received' || !e.payload.value.ticket) throw new Error(`no received event for ${id}`);
      return e.payload.value.ticket;
    });
    const pack = await loadPolicyFile(demoPaths.policy);
    const kb = await ingestDirectory(demoPaths.kb);
    // Both classifier models and the answer-relevance encoder, as the services run them by default (issue 12).
    const encoder = await sharedEncoder();
    const models = await trainModels(trainingExamplesFromPolicy(pack), encoder);
    const decisions = await decideInOrder(received, {
      policy: { pack, revision: policyRevisionId(pack) },
      kb: { kb, revision: toSnapshot(kb).revision },
      classify: { classifier: models.classifier, semantic: models.semantic },
      relevance: { semantic: semanticScorer(encoder) },
    });

    const expected = (d: TicketDecision): Array<[PayloadCase, unknown]> => Object.entries(decisionPayloads(d)).filter(([, v]) => v !== undefined) as Array<[PayloadCase, unknown]>;
    const routes = new Map<string, number>();
    for (const d of decisions) {
      const id = d.concluded.context?.ticketId ?? '';
      const published = byTicket.get(id);
      const want = expected(d);
      // Nothing published that decideTicket did not decide, and the reverse.
      expect([...(published?.keys() ?? [])].filter((k) => k !== 'received').sort(), id).toEqual(want.map(([k]) => k).sort());
      for (const [kind, value] of want) expect(floatsRounded(published?.get(kind)?.payload?.value), `${kind} of ${id}`).toEqual(floatsRounded(value));
      // The terminal event names the policy and model revisions the in-process decision used.
      const rev = published?.get('concluded')?.revisions;
      expect({ policy: rev?.policy, model: rev?.model }, id).toEqual({ policy: d.revisions.policy, model: d.revisions.model });
      if (d.checked) expect(rev?.kb, id).toBe(d.revisions.kb);
      const codes = d.concluded.reasons.map((r) => r.code);
      for (const c of ['open_human_case', 'repeat_contact']) if (codes.includes(c)) routes.set(c, (routes.get(c) ?? 0) + 1);
    }
    expect(decisions).toHaveLength(messages.length);
    // The follow-ups did trip the history rules, so the comparison covered them.
    expect(routes.get('open_human_case')).toBeGreaterThanOrEqual(1);
    expect(routes.get('repeat_contact')).toBeGreaterThanOrEqual(1);
  });
});
