import { loadPolicyFile, policyRevisionId, PolicyStore, type PolicyPack } from '@handrail/policy';
import type { Bus } from '@handrail/bus';
import type { Topology } from '@handrail/events';
import type { Logger } from '@handrail/observability';

export interface ActivePolicy {
  pack: PolicyPack;
  revision: string;
}

export interface LivePolicy {
  current(): ActivePolicy;
  /** Called after a new approved revision becomes active (no restart). */
  onChange(cb: (p: ActivePolicy) => void): void;
  close(): Promise<void>;
}

/**
 * The policy a service decides with: the active revision in the NATS KV store, followed live; when the
 * store has none yet, the pack file given at start-up (its content hash is its revision).
 */
export async function livePolicy(bus: Bus, topo: Topology, file: string, log: Logger): Promise<LivePolicy> {
  const store = new PolicyStore(bus.nc, topo.buckets.policy);
  let active: ActivePolicy;
  const stored = await store.active();
  if (stored) {
    active = { pack: stored.pack, revision: stored.rev };
  } else {
    const pack = await loadPolicyFile(file);
    active = { pack, revision: policyRevisionId(pack) };
  }
  log.info({ revision: active.revision, source: stored ? 'kv' : 'file' }, 'policy loaded');
  const listeners: Array<(p: ActivePolicy) => void> = [];
  const stop = await store.watchActive((rev) => {
    if (rev.rev === active.revision) return;
    active = { pack: rev.pack, revision: rev.rev };
    log.info({ revision: active.revision }, 'policy revision applied');
    for (const l of listeners) l(active);
  });
  return {
    current: () => active,
    onChange: (cb) => listeners.push(cb),
    close: async () => {
      await stop();
    },
  };
}
