import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectBus, deleteBucket, openBucket, type Bus } from '@handrail/bus';
import { ClaimLedger } from '@handrail/svc-qa-sampler';

describe('QA quota ledger (issue 15: the sampler runs as several replicas)', () => {
  let a: Bus;
  let b: Bus;
  const bucket = `qa_claims_test_${process.pid}_${Date.now()}`;
  beforeAll(async () => {
    const url = inject('natsUrl');
    a = await connectBus({ url, name: 'replica-a' });
    b = await connectBus({ url, name: 'replica-b' });
  });
  afterAll(async () => {
    await deleteBucket(a, bucket);
    await a?.nc.close();
    await b?.nc.close();
  });

  it('two replicas racing for one quota of 40 over 200 tickets: exactly 40 hold a slot, each once; a holder finds its slot again, others are refused', async () => {
    const one = new ClaimLedger(await openBucket(a, bucket));
    const two = new ClaimLedger(await openBucket(b, bucket));
    const factor = 'first_after_revision:model:lex-abc+sem-def';
    const tickets = Array.from({ length: 200 }, (_, i) => `t-${i}`);
    const results = await Promise.all(tickets.map((t, i) => (i % 2 ? one : two).claim(factor, 40, t).then((r) => ({ t, ...r }))));
    const won = results.filter((r) => r.ok).map((r) => r.t);
    expect(won).toHaveLength(40);
    const holders = await one.holders(factor);
    expect([...holders].sort()).toEqual([...won].sort());
    expect(new Set(holders).size).toBe(40);
    // A redelivered decision: its slot again, from either replica; a latecomer: refused, the quota full.
    expect(await two.claim(factor, 40, won[0] as string)).toEqual({ ok: true, held: 40 });
    expect(await one.claim(factor, 40, 't-late')).toEqual({ ok: false, held: 40 });
    // Another quota is independent.
    expect(await one.claim('weekly_minimum:faq_status:2026-W49', 2, 't-1')).toEqual({ ok: true, held: 1 });
  });
});
