import { readStream, type Bus } from '@handrail/bus';
import type { Topology } from '@handrail/events';
import { digestOf, type Verifier } from '@handrail/trust';
import { entriesDigest, entryOf, type Checkpoint } from './chain.js';

export type PublishCheckpoint = (body: Checkpoint, msgId: string, expectLastSubjectSeq: number) => Promise<{ seq: number; duplicate: boolean }>;

/** The last checkpoint on the audit stream (its stored seq, digest and range end), verified. */
export async function lastCheckpoint(bus: Bus, topo: Topology, verifier: Verifier): Promise<{ seq: number; digest: string; toSeq: number } | undefined> {
  const m = await bus.jsm.streams.getMessage(topo.streams.audit, { last_by_subj: topo.subjects.audit('checkpoint') }).catch(() => null);
  if (!m) return undefined;
  const v = verifier.verifyAudit('checkpoint', m.subject, m.data, (n) => (m.header.has(n) ? m.header.get(n) : undefined));
  if (!v.ok) throw new Error(`the last checkpoint (seq ${m.seq}) is not authentic: ${v.reason}`);
  const cp = JSON.parse(new TextDecoder().decode(m.data)) as Checkpoint;
  return { seq: m.seq, digest: digestOf(m.data), toSeq: cp.toSeq };
}

/**
 * Appends one checkpoint over the events stored since the last one (up to `max`). Replicas race
 * safely: the publish expects the last checkpoint's sequence, so only one chain ever exists.
 */
export async function cutCheckpoint(bus: Bus, topo: Topology, verifier: Verifier, publish: PublishCheckpoint, o: { max?: number; now?: Date } = {}): Promise<Checkpoint | undefined> {
  const last = await lastCheckpoint(bus, topo, verifier);
  const fromSeq = (last?.toSeq ?? 0) + 1;
  const info = await bus.jsm.streams.info(topo.streams.events);
  if (info.state.last_seq < fromSeq) return undefined;
  const msgs = await readStream(bus, topo.streams.events, topo.subjects.allEvents(), { fromSeq, max: o.max ?? 2_000, idleMs: 300 });
  if (msgs.length === 0) return undefined;
  const entries = msgs.map(entryOf);
  const toSeq = msgs.at(-1)?.seq ?? fromSeq;
  const cp: Checkpoint = { v: 1, fromSeq, toSeq, at: (o.now ?? new Date()).toISOString(), prev: last?.digest ?? '', entriesDigest: entriesDigest(entries), entries };
  try {
    await publish(cp, `checkpoint:${fromSeq}-${toSeq}`, last?.seq ?? 0);
  } catch (err) {
    if (/wrong last sequence/i.test((err as Error).message)) return undefined; // another replica cut it
    throw err;
  }
  return cp;
}

/** Everything `verifyAudit` needs, read from the live streams. */
export async function readAuditInput(bus: Bus, topo: Topology): Promise<{ events: Awaited<ReturnType<typeof readStream>>; checkpoints: Awaited<ReturnType<typeof readStream>> }> {
  const [events, checkpoints] = await Promise.all([
    readStream(bus, topo.streams.events, topo.subjects.allEvents(), { max: 10_000_000, idleMs: 500 }),
    readStream(bus, topo.streams.audit, topo.subjects.audit('checkpoint'), { max: 1_000_000, idleMs: 500 }),
  ]);
  return { events, checkpoints };
}
