import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectBus, type Bus } from '@handrail/bus';
import { uniquePrefix } from '@handrail/testing';

/**
 * The two client tunings in libs/bus (writes coalesced per event-loop turn; no error object built to
 * cancel an answered request) must not change what the client does: order, answers, failures, drain.
 */
describe('NATS client tuning (issue 9)', () => {
  let a: Bus;
  let b: Bus;
  const subject = uniquePrefix('tune');
  beforeAll(async () => {
    a = await connectBus({ url: inject('natsUrl'), name: 'tune-a' });
    b = await connectBus({ url: inject('natsUrl'), name: 'tune-b' });
  });
  afterAll(async () => {
    await a?.nc.close();
    await b?.nc.close();
  });

  it('client — frames written in one turn arrive complete and in order', async () => {
    const got: number[] = [];
    const sub = b.nc.subscribe(`${subject}.order`, { callback: (_e, m) => void got.push(Number(new TextDecoder().decode(m.data))) });
    await b.nc.flush();
    for (let i = 0; i < 5_000; i++) a.nc.publish(`${subject}.order`, String(i));
    await a.nc.flush();
    const until = Date.now() + 10_000;
    while (got.length < 5_000 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    sub.unsubscribe();
    expect(got).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
  });

  it('client — requests are answered, refused without responders, and time out as before', async () => {
    const sub = b.nc.subscribe(`${subject}.echo`, { callback: (_e, m) => void m.respond(m.data) });
    await b.nc.flush();
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => a.nc.request(`${subject}.echo`, String(i), { timeout: 5_000 })));
    expect(answers.map((m) => new TextDecoder().decode(m.data))).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    await expect(a.nc.request(`${subject}.nobody`, 'x', { timeout: 2_000 })).rejects.toThrow(/no responders/i);
    const silent = b.nc.subscribe(`${subject}.silent`, { callback: () => undefined });
    await b.nc.flush();
    await expect(a.nc.request(`${subject}.silent`, 'x', { timeout: 300 })).rejects.toThrow(/timeout/i);
    silent.unsubscribe();
    sub.unsubscribe();
  });

  it('client — a drain right after a burst of publishes still delivers every message', async () => {
    const c = await connectBus({ url: inject('natsUrl'), name: 'tune-c' });
    let n = 0;
    const sub = b.nc.subscribe(`${subject}.drain`, { callback: () => void n++ });
    await b.nc.flush();
    for (let i = 0; i < 1_000; i++) c.nc.publish(`${subject}.drain`, 'x');
    await c.nc.drain();
    const until = Date.now() + 10_000;
    while (n < 1_000 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    sub.unsubscribe();
    expect(n).toBe(1_000);
  });
});
