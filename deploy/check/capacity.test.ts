import { describe, expect, it } from 'vitest';
import { size, type Measured } from '../capacity.js';

const m: Measured = {
  source: 'test',
  cpuMsPerTicket: { classifier: 1, drafting: 2 },
  draftOverheadMs: 50,
  cpuRequestCores: { classifier: 0.5, drafting: 0.5 },
  targetUtilisation: 0.5,
  minReplicas: 2,
  busWritesPerTicket: 12,
};

describe('capacity model (issue 16)', () => {
  it('capacity — CPU-bound stages scale with rate × CPU per ticket, drafting with its LLM wait, never below the floor', () => {
    // 864,000 tickets/day = 10/s; peak ×10 = 100/s.
    const s = size(m, { ticketsPerDay: 864_000, peak: 10, llmMs: 950, inFlight: 4 });
    expect(s.peakTicketsPerS).toBeCloseTo(100);
    // classifier: 100/s × 1 ms = 0.1 core ÷ (0.5 × 0.5) = 0.4 → the floor of 2.
    expect(s.stages.find((x) => x.stage === 'classifier')).toMatchObject({ replicas: 2, bound: 'floor', msgsPerSPerCore: 1000 });
    // drafting: 100/s × 1 s in flight ÷ 4 per pod = 25 pods; CPU alone would need 0.2 ÷ 0.25 → 1.
    expect(s.stages.find((x) => x.stage === 'drafting')).toMatchObject({ replicas: 25, bound: 'llm' });
    const cpuHeavy = size({ ...m, cpuMsPerTicket: { classifier: 10 } }, { ticketsPerDay: 864_000, peak: 10, llmMs: 950, inFlight: 4 });
    expect(cpuHeavy.stages[0]).toMatchObject({ replicas: 4, bound: 'cpu' });
  });
});
