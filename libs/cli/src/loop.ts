import { readStream, type Bus } from '@handrail/bus';
import type { Topology } from '@handrail/events';
import { loadPolicyFile, PolicyStore, type PolicyPack } from '@handrail/policy';
import { applyEvent, emptyProjection, type ProjectionState } from '@handrail/projection';
import { LoopState } from '@handrail/quality';
import { withEvents } from './bus.js';
import { cliConfig } from './config.js';

export interface LoopInputs {
  state: ProjectionState;
  loop: LoopState;
  /** The active revision's pack, else --policy / POLICY_FILE; undefined when neither exists. */
  pack: PolicyPack | undefined;
  packSource: string;
  skipped: number;
}

async function packFor(bus: Bus, topo: Topology, policyFlag: string | undefined): Promise<{ pack: PolicyPack | undefined; source: string }> {
  if (policyFlag) return { pack: await loadPolicyFile(policyFlag), source: policyFlag };
  const active = await new PolicyStore(bus.nc, topo.buckets.policy).active().catch(() => undefined);
  if (active) return { pack: active.pack, source: `active revision ${active.rev}` };
  const file = cliConfig().POLICY_FILE;
  return file ? { pack: await loadPolicyFile(file), source: file } : { pack: undefined, source: 'none' };
}

/** The retained stream folded into the read model and the QA loop's state, with the pack that judges them. */
export async function readLoop(policyFlag?: string): Promise<LoopInputs> {
  const state = emptyProjection();
  const loop = new LoopState();
  let skipped = 0;
  const { pack, source } = await withEvents(async (bus, topo, read) => {
    for (const m of await readStream(bus, topo.streams.events, topo.subjects.allEvents())) {
      const e = await read(m);
      if (!e) {
        skipped++;
        continue;
      }
      applyEvent(state, e);
      loop.apply(e);
    }
    // Shadow mode (issue 15): the candidate's decisions join their tickets, for the report's comparison.
    const shadow = await bus.jsm.streams.info(topo.streams.shadow).catch(() => undefined);
    if (shadow?.state.messages) {
      for (const m of await readStream(bus, topo.streams.shadow, topo.subjects.allShadow())) {
        const e = await read(m);
        if (e) applyEvent(state, e);
        else skipped++;
      }
    }
    return packFor(bus, topo, policyFlag);
  });
  return { state, loop, pack, packSource: source, skipped };
}
