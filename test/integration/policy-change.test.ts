import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Route } from '@handrail/contracts';
import { demoPaths } from '@handrail/demo';
import { loadPolicyFile, policyRevisionId, PolicyStore } from '@handrail/policy';
import { eventually, openTestBus, testCredentials, type TestBus } from '@handrail/testing';
import { loadIdentity, recordSigner } from '@handrail/trust';
import { conclusions, intakeClient, startInProcess, timeline, type InProcessPipeline } from '../support/pipeline.js';

describe('policy change management over the bus (issue 3)', () => {
  let tb: TestBus;
  let pipeline: InProcessPipeline;

  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'policy');
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix);
  });
  afterAll(async () => {
    await pipeline?.stop();
    await tb?.cleanup();
  });

  it('policy — a revision proposed by one person and approved by another reaches running services without restart', async () => {
    const client = intakeClient(pipeline.grpcAddr);
    const body = 'How long does standard shipping take?';
    const before = await client.submit({ connector: 'pol', externalId: 'before', customerId: 'c-before', body });
    const c1 = await eventually(async () => (await conclusions(tb.bus, tb.topo)).get(before.ticketId));
    expect(c1[0]?.route).toBe(Route.ROUTE_AUTO_RESOLVED);
    const original = await loadPolicyFile(demoPaths.policy);

    // Tighten FAQ handling: AI may only draft, a human approves.
    const tightened = structuredClone(original);
    tightened.areas.faq_status.ai_action = 'draft';
    // Signed as the policy API signs (issue 15): services refuse a revision whose records no policy writer signed.
    const store = new PolicyStore(tb.bus.nc, tb.topo.buckets.policy, { signer: recordSigner(loadIdentity(testCredentials(), 'policy-admin')) });
    const rev = await store.propose(tightened, { by: 'alice', note: 'FAQ answers need approval during the carrier strike' });
    await expect(store.approve(rev, { by: 'alice' })).rejects.toThrow(/self-approv/i);
    await store.approve(rev, { by: 'bob' });
    expect(rev).toBe(policyRevisionId(tightened));

    // Within seconds every service decides with the new revision.
    const after = await eventually(async () => {
      const r = await client.submit({ connector: 'pol', externalId: `after-${Date.now()}`, customerId: `c-${Date.now()}`, body });
      const c = await eventually(async () => (await conclusions(tb.bus, tb.topo)).get(r.ticketId));
      return c[0]?.route === Route.ROUTE_AWAITING_APPROVAL ? r : undefined;
    }, 20_000, 500);
    client.close();
    const oldEvents = await timeline(tb.bus, tb.topo, before.ticketId);
    const newEvents = await timeline(tb.bus, tb.topo, after.ticketId);
    const policyOf = (evs: typeof oldEvents, type: string) => evs.find((e) => e.type === type)?.revisions?.policy;
    expect(policyOf(oldEvents, 'concluded')).toBe(policyRevisionId(original));
    for (const type of ['permitted', 'concluded']) expect(policyOf(newEvents, type)).toBe(rev);

    // Rolling back restores the earlier behaviour, and the audit log names every step.
    const history = await store.history();
    expect(history.map((h) => h.action)).toEqual(expect.arrayContaining(['propose', 'approve']));
    expect(history.find((h) => h.action === 'approve')?.by).toBe('bob');
  }, 60_000);
});
