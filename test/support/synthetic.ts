import { randomBytes } from 'node:crypto';
import { Ticket, type EventEnvelope } from '@handrail/contracts';
import type { Bus, EventPublisher } from '@handrail/bus';
import { createClassifier, trainingExamplesFromPolicy } from '@handrail/classifier';
import { decideInOrder, decisionPayloads, type TicketDecision } from '@handrail/decisions';
import { demoPaths, readSampleTickets } from '@handrail/demo';
import { newEvent, PRODUCERS, ticketIdFor, type Identity, type PayloadCase, type Topology } from '@handrail/events';
import { ingestDirectory, toSnapshot } from '@handrail/kb';
import { loadPolicyFile, policyRevisionId } from '@handrail/policy';
import { trustedPublisher } from '@handrail/testing';

/**
 * A stream as the services would have written it, without running them: the demo tickets decided by
 * `decideInOrder`, cloned `copies` times (or as often as `minEvents` needs) under new ticket ids, each event sealed and signed by the
 * identity that produces it. For volume (export, scans); equivalence with the services is proved
 * elsewhere (decide-equivalence.test.ts).
 */
export async function publishSyntheticStream(bus: Bus, topo: Topology, size: { copies: number } | { minEvents: number }, o: { concurrency?: number; onProgress?: (n: number) => void; tag?: string } = {}): Promise<{ events: number; tickets: number }> {
  // Each call its own ticket ids: JetStream would drop a second call's events as duplicates.
  const tag = o.tag ?? randomBytes(3).toString('hex');
  const pack = await loadPolicyFile(demoPaths.policy);
  const kb = await ingestDirectory(demoPaths.kb);
  const samples = readSampleTickets(demoPaths.tickets);
  const base: Ticket[] = samples.map((s, i) =>
    Ticket.fromPartial({
      ticketId: ticketIdFor('synthetic', `${tag}-s${i}`),
      connector: 'synthetic',
      externalId: `${tag}-s${i}`,
      customerId: s.message.customerId,
      channel: s.message.channel,
      subject: s.message.subject,
      body: s.message.body,
      orders: s.message.orders,
      receivedAt: new Date(Date.now() + i).toISOString(),
    }),
  );
  const decisions = await decideInOrder(base, {
    policy: { pack, revision: policyRevisionId(pack) },
    kb: { kb, revision: toSnapshot(kb).revision },
    classify: { classifier: createClassifier(trainingExamplesFromPolicy(pack)) },
  });
  const publishers = new Map<Identity, EventPublisher>();
  const closers: Array<() => Promise<void>> = [];
  for (const id of new Set(Object.values(PRODUCERS).map((p) => p[0]).filter((x): x is Identity => x !== undefined))) {
    const { publisher, trust } = await trustedPublisher(bus, topo, id);
    publishers.set(id, publisher);
    closers.push(() => trust.close());
  }
  const stages = (t: Ticket, d: TicketDecision): Array<[PayloadCase, unknown]> => {
    // The bench's synthetic stream carries no outbound copies: the reply is on its own stream.
    const events = Object.entries(decisionPayloads(d)).filter(([k]) => k !== 'outboundReply');
    return ([['received', { ticket: t }], ...events] as Array<[PayloadCase, unknown]>).filter(([, v]) => v !== undefined);
  };
  const perCopy = base.reduce((n, t, i) => n + (decisions[i] ? stages(t, decisions[i]).length : 0), 0);
  const copies = 'copies' in size ? size.copies : Math.ceil(size.minEvents / perCopy);
  const jobs: Array<() => Promise<unknown>> = [];
  for (let k = 0; k < copies; k++) {
    base.forEach((t, i) => {
      const d = decisions[i];
      if (!d) return;
      const ticketId = `${t.ticketId}-${k}`;
      let cause: EventEnvelope | undefined;
      for (const [kind, value] of stages({ ...t, ticketId }, d)) {
        const env = newEvent({ kind, value: value as never, ticketId, producer: { service: 'synthetic', version: '0', instance: 'bench' }, cause, customerId: t.customerId, revisions: d.revisions });
        cause = env;
        const type = env.type as keyof typeof PRODUCERS;
        const who = PRODUCERS[type][0];
        const pub = who ? publishers.get(who) : undefined;
        if (pub) jobs.push(() => pub.publish({ ...env, producer: { service: who ?? '', version: '0', instance: 'bench' } }));
      }
    });
  }
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const job = jobs[next++];
      if (!job) return;
      await job();
      if (++done % 5_000 === 0) o.onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 128 }, worker));
  for (const c of closers) await c();
  return { events: jobs.length, tickets: copies * base.length };
}
