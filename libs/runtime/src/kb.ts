import { bindBucket, decodeJson, type Bus } from '@handrail/bus';
import type { Topology } from '@handrail/events';
import { fromSnapshot, ingestDirectory, toSnapshot, type KnowledgeBase, type KbSnapshot } from '@handrail/kb';
import type { Logger } from '@handrail/observability';

export const KB_SNAPSHOT_KEY = 'snapshot';

export interface ActiveKnowledgeBase {
  kb: KnowledgeBase;
  revision: string;
}

export interface LiveKnowledgeBase {
  current(): ActiveKnowledgeBase;
  close(): Promise<void>;
}

/** The KB revisions the bucket still holds (the published snapshot and its history), oldest first. */
export async function kbRevisions(bus: Bus, topo: Topology): Promise<string[]> {
  const kv = await bindBucket(bus, topo.buckets.kb);
  const out: string[] = [];
  for await (const e of await kv.history({ key: KB_SNAPSHOT_KEY })) {
    if (e.operation !== 'PUT' || e.value.length === 0) continue;
    try {
      const rev = decodeJson<KbSnapshot>(e.value).revision;
      if (rev && !out.includes(rev)) out.push(rev);
    } catch {
      // An unreadable snapshot names no revision.
    }
  }
  return out;
}

/**
 * The knowledge base every drafting and guardrail replica reads: the snapshot last published to the KV
 * bucket (`handrail kb ingest --publish`), followed live; without one, the articles in `dir`.
 */
export async function liveKnowledgeBase(bus: Bus, topo: Topology, dir: string, log: Logger): Promise<LiveKnowledgeBase> {
  const kv = await bindBucket(bus, topo.buckets.kb);
  const entry = await kv.get(KB_SNAPSHOT_KEY);
  const load = (snap: KbSnapshot): ActiveKnowledgeBase => ({ kb: fromSnapshot(snap), revision: snap.revision });
  let active: ActiveKnowledgeBase;
  if (entry?.value.length) {
    active = load(decodeJson<KbSnapshot>(entry.value));
  } else {
    const kb = await ingestDirectory(dir);
    active = { kb, revision: toSnapshot(kb).revision };
  }
  log.info({ kb: active.revision, source: entry?.value.length ? 'kv' : 'dir' }, 'knowledge base loaded');
  const watcher = await kv.watch({ key: KB_SNAPSHOT_KEY, include: 'updates' as never });
  void (async () => {
    for await (const e of watcher) {
      if (e.operation !== 'PUT' || e.value.length === 0) continue;
      try {
        active = load(decodeJson<KbSnapshot>(e.value));
        log.info({ kb: active.revision }, 'knowledge base revision applied');
      } catch (err) {
        log.error({ err }, 'ignored an unreadable knowledge base snapshot');
      }
    }
  })();
  return {
    current: () => active,
    close: async () => watcher.stop(),
  };
}
