import { loadPolicyFile, policyRevisionId, PolicyStore, type PolicyPack, type RecordVerifier } from '@handrail/policy';
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
 * store has none yet, the pack file given at start-up (its content hash is its revision). A pointer to
 * a revision that fails `integrityProblem` is refused and alerted; the last good revision stays (issue 11).
 * With `verifier` (every service passes its trust bundle's), the revision record, the pointer and the
 * approval's audit record must also carry a valid signature of a policy writer (issue 15).
 */
export async function livePolicy(bus: Bus, topo: Topology, file: string, log: Logger, verifier?: RecordVerifier): Promise<LivePolicy> {
  const store = new PolicyStore(bus.nc, topo.buckets.policy, { bindOnly: true, verifier });
  let active: ActivePolicy | undefined;
  const stored = await store.active();
  if (stored) {
    const problem = await store.integrityProblem(stored);
    if (problem) log.error({ alert: 'policy_pointer_refused', revision: stored.rev, problem }, 'refused the active policy revision; starting from the pack file');
    else active = { pack: stored.pack, revision: stored.rev };
  }
  const source = active ? 'kv' : 'file';
  if (!active) {
    const pack = await loadPolicyFile(file);
    active = { pack, revision: policyRevisionId(pack) };
  }
  let current: ActivePolicy = active;
  log.info({ revision: current.revision, source }, 'policy loaded');
  const listeners: Array<(p: ActivePolicy) => void> = [];
  const stop = await store.watchActive(
    (rev) => {
      if (rev.rev === current.revision) return;
      void store.integrityProblem(rev).then(
        (problem) => {
          if (problem) {
            log.error({ alert: 'policy_pointer_refused', revision: rev.rev, kept: current.revision, problem }, 'refused a policy revision; the last good one stays');
            return;
          }
          current = { pack: rev.pack, revision: rev.rev };
          log.info({ revision: current.revision }, 'policy revision applied');
          for (const l of listeners) l(current);
        },
        (err: unknown) => log.error({ err, revision: rev.rev }, 'could not check a policy revision; the last good one stays'),
      );
    },
    (err) => log.error({ alert: 'policy_pointer_refused', err }, 'unreadable policy pointer; the last good revision stays'),
  );
  return {
    current: () => current,
    onChange: (cb) => listeners.push(cb),
    close: async () => {
      await stop();
    },
  };
}
